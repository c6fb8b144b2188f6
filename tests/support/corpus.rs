//! Generates a Maildir of mixed, realistic request mail for load and crash tests.
//!
//! Deterministic for a given seed, about 4 KB a message: Finnish, Swedish and English
//! requests, plain, quoted-printable, base64 and HTML-only, some replies to earlier ones,
//! some auto-replies. The counts of what each kind should become are returned.

use std::fs;
use std::io::Write;
use std::path::Path;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Expected {
    pub messages: usize,
    pub opened: usize,
    pub joined: usize,
    pub automated: usize,
}

/// A tiny xorshift generator: enough variety, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const FIRST: &[&str] = &[
    "Aino", "Mikko", "Sanna", "Elias", "Karin", "Oskar", "Emily", "James", "Liisa", "Björn",
];
const LAST: &[&str] = &[
    "Virtanen", "Nieminen", "Lindgren", "Korhonen", "Smith", "Berg", "Mäkinen", "Holm",
];
const REQUESTS: &[(&str, &str)] = &[
    (
        "Tietopyyntö",
        "Hei, haluaisin tietää mitä tietoja minusta on tallennettu asiakasrekisteriinne. Lähettäkää kopio.",
    ),
    (
        "Poistopyyntö",
        "Moi, olkaa hyvä ja poistakaa kaikki minua koskevat tiedot ja asiakastilini.",
    ),
    (
        "Uutiskirje",
        "En halua enää uutiskirjeitä enkä mainoksia. Lopettakaa lähettäminen.",
    ),
    (
        "Registerutdrag",
        "Hej, jag vill få ett utdrag av alla uppgifter ni har om mig.",
    ),
    (
        "Radera mitt konto",
        "Hej! Vänligen radera mitt konto och mina personuppgifter.",
    ),
    (
        "Data request",
        "Hello, please send me a copy of all personal data you hold about me.",
    ),
    (
        "Erase my data",
        "Hi, I would like my account and all my data erased, thanks.",
    ),
    (
        "Export",
        "Could you export my order history in a machine-readable format (CSV or JSON)?",
    ),
];
const FILLER: &str = "Tilasin teiltä aiemmin varaosia ja asioin myymälässä. Jag har handlat hos er tidigare. \
I have been a customer for a few years and bought spare parts online. ";

/// Writes `count` messages into `maildir` (creating cur/ new/ tmp/).
pub fn generate_maildir(maildir: &Path, count: usize, seed: u64) -> Expected {
    for sub in ["cur", "new", "tmp"] {
        fs::create_dir_all(maildir.join(sub)).expect("create maildir");
    }
    let mut rng = Rng(seed | 1);
    let mut expected = Expected {
        messages: count,
        ..Expected::default()
    };
    let base_time: u64 = 1_788_000_000; // 2026-08-29
    // Each message's sender: a reply comes from the address of the message it answers, as
    // a requester's follow-up does (another person's request in a thread opens its own case).
    let mut senders: Vec<(&str, &str, String)> = Vec::with_capacity(count);
    for index in 0..count {
        let time = base_time + index as u64 * 97;
        let roll = rng.below(20);
        let parent = (roll == 1 && index > 0).then(|| rng.below(index));
        let (first, last, address) = match parent {
            Some(parent) => senders[parent].clone(),
            None => {
                let first = FIRST[rng.below(FIRST.len())];
                let last = LAST[rng.below(LAST.len())];
                let address = format!(
                    "{}.{}{}@example.test",
                    first.to_lowercase(),
                    last.to_lowercase(),
                    index
                );
                (first, last, address)
            }
        };
        senders.push((first, last, address.clone()));
        let (subject, body) = REQUESTS[rng.below(REQUESTS.len())];
        let mut body = format!("{body}\n\n");
        while body.len() < 3000 {
            body.push_str(FILLER);
        }
        body.push_str(&format!("\n\nTerveisin\n{first} {last}\n"));
        let date = rfc2822(time);
        let mut headers = format!(
            "Received: from mail.example.test by mx.kestokauppa.example.test with ESMTPS id {index:08x}; {date}\n\
             From: {first} {last} <{address}>\n\
             To: tietosuoja@kestokauppa.example.test\n\
             Date: {date}\n\
             Message-ID: <gen-{seed}-{index}@example.test>\n\
             MIME-Version: 1.0\n"
        );
        let mut subject = subject.to_string();
        if roll == 0 {
            headers.push_str("Auto-Submitted: auto-replied\n");
            subject = format!("Automaattinen vastaus: {subject}");
            expected.automated += 1;
        } else if let Some(parent) = parent {
            // Only a reply to a message that itself opened or joined a case joins one.
            headers.push_str(&format!(
                "In-Reply-To: <gen-{seed}-{parent}@example.test>\n"
            ));
            subject = format!("Re: {subject}");
            expected.joined += 1;
        } else {
            expected.opened += 1;
        }
        let encoded = match rng.below(4) {
            0 => format!(
                "Subject: {}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n{}",
                encode_word(&subject),
                quoted_printable(&body)
            ),
            1 => format!(
                "Subject: {}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n{}",
                encode_word(&subject),
                base64(body.as_bytes())
            ),
            2 => format!(
                "Subject: {}\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n<html><body><p>{}</p></body></html>\n",
                encode_word(&subject),
                body.replace('\n', "<br>\n")
            ),
            _ => format!(
                "Subject: {}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{body}",
                encode_word(&subject)
            ),
        };
        let folder = if index % 3 == 0 { "new" } else { "cur" };
        let name = format!(
            "{time}.M{index}P1.gen{}",
            if folder == "cur" { ":2,S" } else { "" }
        );
        let mut file = fs::File::create(maildir.join(folder).join(name)).expect("create message");
        file.write_all(headers.as_bytes()).expect("write");
        file.write_all(encoded.as_bytes()).expect("write");
    }
    fix_replies_to_automated(maildir, &mut expected, seed);
    expected
}

/// A reply whose parent was an auto-reply finds no case and opens its own; recount them.
fn fix_replies_to_automated(maildir: &Path, expected: &mut Expected, seed: u64) {
    let mut automated = std::collections::HashSet::new();
    let mut replies = Vec::new();
    for sub in ["cur", "new"] {
        for entry in fs::read_dir(maildir.join(sub)).expect("list") {
            let text = fs::read_to_string(entry.expect("entry").path()).expect("read");
            let id = text
                .lines()
                .find_map(|l| l.strip_prefix(&format!("Message-ID: <gen-{seed}-")))
                .and_then(|rest| rest.split('@').next())
                .map(str::to_string);
            if text.contains("Auto-Submitted: auto-replied") {
                automated.extend(id);
            } else if let Some(parent) = text
                .lines()
                .find_map(|l| l.strip_prefix(&format!("In-Reply-To: <gen-{seed}-")))
            {
                replies.push(parent.split('@').next().unwrap_or("").to_string());
            }
        }
    }
    for parent in replies {
        if automated.contains(&parent) {
            expected.joined -= 1;
            expected.opened += 1;
        }
    }
}

fn rfc2822(unix: u64) -> String {
    jiff::Timestamp::from_second(unix as i64)
        .expect("time")
        .strftime("%a, %d %b %Y %H:%M:%S +0000")
        .to_string()
}

fn encode_word(text: &str) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    format!("=?UTF-8?B?{}?=", base64(text.as_bytes()).replace('\n', ""))
}

fn quoted_printable(text: &str) -> String {
    let mut out = String::new();
    let mut line_len = 0;
    for byte in text.bytes() {
        let piece = match byte {
            b'\n' => {
                out.push('\n');
                line_len = 0;
                continue;
            }
            b'=' => "=3D".to_string(),
            33..=126 | b' ' => (byte as char).to_string(),
            _ => format!("={byte:02X}"),
        };
        if line_len + piece.len() > 73 {
            out.push_str("=\n");
            line_len = 0;
        }
        line_len += piece.len();
        out.push_str(&piece);
    }
    out
}

fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (index, chunk) in bytes.chunks(3).enumerate() {
        if index > 0 && index % 19 == 0 {
            out.push('\n');
        }
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out.push('\n');
    out
}
