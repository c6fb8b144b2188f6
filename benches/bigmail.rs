//! Peak memory of `ingest` with very large mails: five 90 MB mails in one run (8-bit,
//! quoted-printable, base64, HTML-only and 8-bit again, in 76-character lines), and one
//! 90 MB mail whose body is a single line. Inputs are generated
//! into a temp dir; each run gets a fresh store and its own peak RSS (wait4).
//!
//! Target (issue 11): peak RSS O(largest message), under about 3× a 90 MB mail. Run with
//! `cargo bench --bench bigmail`; `RIGHTSBOT_BENCH_BIN` measures another build of the binary
//! (say, an older commit's), `RIGHTSBOT_BENCH_MB` changes the size. Figures are printed, not
//! asserted.

#[path = "support/rss.rs"]
mod rss;

use std::io::Write;

use base64::Engine;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

fn main() {
    let megabytes: usize = std::env::var("RIGHTSBOT_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(90);
    let binary = std::env::var("RIGHTSBOT_BENCH_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_rightsbot").to_string());
    let size = megabytes * 1_000_000;
    let dir = tempfile::tempdir().expect("temp dir");

    let five = dir.path().join("five");
    std::fs::create_dir_all(&five).expect("folder");
    for index in 0..5 {
        write_mail(&five.join(format!("big-{index}.eml")), index, size, false);
    }
    let single = dir.path().join("single");
    std::fs::create_dir_all(&single).expect("folder");
    write_mail(&single.join("one-line.eml"), 9, size, true);

    println!("binary: {binary}");
    for (label, folder, mails) in [("five mails", &five, 5), ("one mail, one line", &single, 1)] {
        let store = dir.path().join(format!("{mails}.db"));
        let config = dir.path().join(format!("{mails}.toml"));
        std::fs::write(
            &config,
            format!(
                "[controller]\nname = \"Bench Oy\"\nbusiness_id = \"1234567-1\"\nprivacy_address = \"p@example.test\"\n\
                 [store]\npath = \"{}\"\n",
                store.display()
            ),
        )
        .expect("write config");
        let started = Instant::now();
        let (status, peak_kb) = rss::run_measured(
            Command::new(&binary)
                .arg("--config")
                .arg(&config)
                .args(["--json", "ingest"])
                .arg(folder)
                .stdout(Stdio::null()),
        );
        assert!(status.success(), "ingest failed: {status}");
        let peak_mb = peak_kb as f64 / 1024.0;
        println!(
            "{label:>20}: {mails} × {megabytes} MB in {:.2?}, peak RSS {peak_mb:.0} MB ({:.2}× one mail)",
            started.elapsed(),
            peak_mb * 1024.0 * 1024.0 / size as f64,
        );
    }
}

#[derive(Clone, Copy)]
enum Body {
    /// 8-bit text in 76-character lines, or one line when `one_line`.
    Plain,
    QuotedPrintable,
    Base64,
    /// HTML only, which the parser turns into text.
    Html,
}

/// A request of about `size` bytes: a short request first, then filler text.
fn write_mail(path: &Path, index: usize, size: usize, one_line: bool) {
    let body = match index % 5 {
        1 => Body::QuotedPrintable,
        2 => Body::Base64,
        3 => Body::Html,
        _ => Body::Plain,
    };
    let (content_type, encoding) = match body {
        Body::Plain => ("text/plain", "8bit"),
        Body::QuotedPrintable => ("text/plain", "quoted-printable"),
        Body::Base64 => ("text/plain", "base64"),
        Body::Html => ("text/html", "8bit"),
    };
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    write!(
        file,
        "From: Iso Viesti <iso{index}@example.test>\r\n\
         To: tietosuoja@kestokauppa.example.test\r\n\
         Subject: Tietopyyntö\r\n\
         Date: Mon, 02 Nov 2026 10:00:00 +0200\r\n\
         Message-ID: <big-{index}@example.test>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: {content_type}; charset=utf-8\r\n\
         Content-Transfer-Encoding: {encoding}\r\n\r\n"
    )
    .expect("write");
    let request = "Hei, haluan nähdä mitä tietoja minusta on tallennettu. Liitteenä lokini.";
    // Lines as they go on the wire, each about 76 characters.
    let line = |number: usize| -> String {
        let text = format!("rivi {number:08} tilaus toimitus varaosa asiakas ääkkönen lorem");
        match body {
            Body::Plain if one_line => format!("{text} "),
            Body::Plain => format!("{text}\r\n"),
            Body::QuotedPrintable => {
                format!("{}\r\n", text.replace('ä', "=C3=A4").replace('ö', "=C3=B6"))
            }
            Body::Base64 => String::new(),
            Body::Html => format!("<p>{text}</p>\r\n"),
        }
    };
    let mut written = 0;
    if let Body::Base64 = body {
        // 57 bytes of text per 76-character line.
        let text = format!("{request}\n").into_bytes();
        let mut pending = text;
        let mut number = 0;
        while written < size {
            while pending.len() < 57 {
                pending.extend(
                    format!("rivi {number:08} tilaus toimitus varaosa ääkkönen\n").as_bytes(),
                );
                number += 1;
            }
            let chunk: Vec<u8> = pending.drain(..57).collect();
            let encoded = base64::engine::general_purpose::STANDARD.encode(&chunk);
            file.write_all(encoded.as_bytes()).expect("write");
            file.write_all(b"\r\n").expect("write");
            written += encoded.len() + 2;
        }
    } else {
        let first = match body {
            Body::Html => format!("<p>{request}</p>\r\n"),
            Body::QuotedPrintable => format!("{}\r\n", request.replace('ä', "=C3=A4")),
            _ => format!("{request}\r\n\r\n"),
        };
        file.write_all(first.as_bytes()).expect("write");
        let mut number = 0;
        while written < size {
            let text = line(number);
            file.write_all(text.as_bytes()).expect("write");
            written += text.len();
            number += 1;
        }
    }
    file.write_all(b"\r\n").expect("write");
    file.flush().expect("flush");
}
