//! Register import and lookup: generates a 1,000,000-row customer export, imports it with
//! the release binary into a fresh store, then times lookups through the library.
//!
//! Targets (issue 5): import < 30 s with peak RSS < 200 MB; exact lookup (e-mail, phone)
//! p99 < 1 ms; fuzzy name lookup p99 < 50 ms, on that register. Run with
//! `cargo bench --bench register`; `RIGHTSBOT_BENCH_ROWS` changes the row count. The
//! figures are printed, not asserted.

#[path = "support/rss.rs"]
mod rss;

use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use rightsbot::matching::{self, Lookup};
use rightsbot::register::normalize::{self, EmailRules};
use rightsbot::store::{Store, StoreOptions};

const FIRST: &[&str] = &[
    "Matti", "Maija", "Juha", "Liisa", "Mikko", "Anna", "Timo", "Sari", "Jari", "Tiina", "Pekka",
    "Laura", "Antti", "Johanna", "Ville", "Kaisa", "Sören", "Karin", "Erik", "Ingrid", "Heikki",
    "Päivi", "Jussi", "Minna", "Kari", "Hanna", "Olli", "Riikka", "Tuomas", "Elina", "Markku",
    "Satu", "Janne", "Outi", "Petri", "Jenni", "Sami", "Katja", "Lauri", "Emma", "Aino", "Eino",
    "Väinö", "Helmi", "Ilmari", "Siiri", "Onni", "Venla", "Leo", "Aada", "Chloé", "Olivia",
    "Daniel", "Priya", "Mark", "Rebecca", "Åsa", "Björn", "Linnea", "Nils",
];
const LAST: &[&str] = &[
    "Virtanen",
    "Korhonen",
    "Mäkinen",
    "Nieminen",
    "Mäkelä",
    "Hämäläinen",
    "Laine",
    "Heikkinen",
    "Koskinen",
    "Järvinen",
    "Lehtonen",
    "Lehtinen",
    "Saarinen",
    "Salminen",
    "Heinonen",
    "Niemi",
    "Heikkilä",
    "Kinnunen",
    "Salonen",
    "Turunen",
    "Salo",
    "Laitinen",
    "Tuominen",
    "Rantanen",
    "Karjalainen",
    "Jokinen",
    "Mattila",
    "Savolainen",
    "Lahtinen",
    "Ahonen",
    "Åkesson",
    "Nyström",
    "Lindqvist",
    "Sjöberg",
    "Lindholm",
    "Holmström",
    "Forsman",
    "Berg",
    "Ekström",
    "Wikström",
    "Smith",
    "Martin",
    "Bennett",
    "Hughes",
    "Stone",
    "Raman",
    "O'Neill",
    "Kettunen",
    "Laaksonen",
    "Hiltunen",
    "Miettinen",
    "Pitkänen",
    "Aaltonen",
    "Manninen",
    "Hirvonen",
    "Väisänen",
    "Anttila",
    "Lappalainen",
    "Kallio",
    "Leinonen",
];
const STREETS: &[&str] = &[
    "Mannerheimintie",
    "Hämeentie",
    "Rantakatu",
    "Kotikatu",
    "Storgatan",
    "Puistotie",
    "Koulukatu",
    "Asemakatu",
    "Kirkkokatu",
    "Satamakatu",
];

fn main() {
    let rows: usize = std::env::var("RIGHTSBOT_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("customers.csv");
    let started = Instant::now();
    generate(&csv, rows);
    let bytes = std::fs::metadata(&csv).map(|m| m.len()).unwrap_or(0);
    println!(
        "generated {rows} rows, {:.1} MB, in {:.2?}",
        bytes as f64 / 1e6,
        started.elapsed()
    );
    let config = dir.path().join("rightsbot.toml");
    std::fs::write(
        &config,
        format!(
            "[controller]\nname = \"Bench Oy\"\nbusiness_id = \"1234567-1\"\nprivacy_address = \"p@example.test\"\n\
             [store]\npath = \"bench.db\"\n\
             [[register.sources]]\nname = \"customers\"\nfile = \"{}\"\n\
             [register.sources.columns]\ncustomer_id = \"Asiakasnumero\"\nname = [\"Etunimi\", \"Sukunimi\"]\n\
             email = \"Sähköposti\"\nphone = \"Puhelin\"\naddress = [\"Katuosoite\", \"Postinumero\", \"Postitoimipaikka\"]\n\
             created = \"Luotu\"\n",
            csv.display()
        ),
    )
    .expect("write config");

    for label in ["import", "re-import"] {
        let started = Instant::now();
        let output = Command::new(env!("CARGO_BIN_EXE_rightsbot"))
            .arg("--config")
            .arg(&config)
            .args(["--json", "register", "import"])
            .output()
            .expect("run rightsbot");
        let elapsed = started.elapsed();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let report: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("a JSON report");
        println!(
            "{label:>10}: {} rows in {:.2?} = {:>7.0} rows/s, peak RSS {:.1} MB (kept {}, rejected {})",
            report["rows_read"],
            elapsed,
            rows as f64 / elapsed.as_secs_f64(),
            rss::peak_rss_of_children_kb() as f64 / 1024.0,
            report["kept"],
            report["rejected"],
        );
    }
    let db = std::fs::metadata(dir.path().join("bench.db"))
        .map(|m| m.len())
        .unwrap_or(0);
    println!("store: {:.1} MB", db as f64 / 1e6);

    let store = Store::open(&dir.path().join("bench.db"), &StoreOptions::default())
        .expect("open the store");
    let rules = EmailRules::default();
    let queries = 2000;
    let mut email_times = Vec::with_capacity(queries);
    let mut phone_times = Vec::with_capacity(queries);
    let mut name_times = Vec::with_capacity(queries);
    let mut found = 0usize;
    for q in 0..queries {
        let i = (q * 7919 + 13) % rows;
        let (first, last) = name_of(i);
        // As a requester would write them: other case, other phone format.
        let email = email_of(i).to_uppercase();
        let started = Instant::now();
        let key = normalize::email_key(&email, &rules).expect("a generated address");
        found += store.by_email(&key).expect("lookup").len();
        email_times.push(started.elapsed());

        let phone = format!("+358{}", &phone_digits(i)[1..]);
        let started = Instant::now();
        let key = normalize::phone_key(&phone, phonenumber::country::Id::FI).expect("a phone");
        found += store.by_phone(&key).expect("lookup").len();
        phone_times.push(started.elapsed());

        let started = Instant::now();
        let names =
            matching::find_by_name(&store, &format!("{last} {first}"), 10).expect("name lookup");
        found += names.len();
        name_times.push(started.elapsed());
    }
    for (label, times) in [
        ("e-mail", &mut email_times),
        ("phone", &mut phone_times),
        ("fuzzy name", &mut name_times),
    ] {
        times.sort();
        println!(
            "{label:>10} lookup: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms ({queries} queries)",
            ms(times[times.len() / 2]),
            ms(times[times.len() * 99 / 100]),
            ms(times[times.len() - 1]),
        );
    }
    println!("({found} entries found)");
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn name_of(i: usize) -> (&'static str, &'static str) {
    (
        FIRST[i % FIRST.len()],
        LAST[(i / FIRST.len() + i * 7) % LAST.len()],
    )
}

fn email_of(i: usize) -> String {
    let (first, last) = name_of(i);
    let fold = |s: &str| normalize::name_key(s).replace([' ', '\''], "");
    format!(
        "{}.{}.{i}@mail{}.example.test",
        fold(first),
        fold(last),
        i % 97
    )
}

/// A national mobile number, unique per row: 040 followed by seven digits.
fn phone_digits(i: usize) -> String {
    format!("040{:07}", i % 10_000_000)
}

fn generate(path: &std::path::Path, rows: usize) {
    let file = std::fs::File::create(path).expect("create csv");
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    writeln!(
        out,
        "Asiakasnumero,Etunimi,Sukunimi,Sähköposti,Puhelin,Katuosoite,Postinumero,Postitoimipaikka,Luotu,Kieli,Markkinointilupa"
    )
    .expect("write");
    for i in 0..rows {
        let (first, last) = name_of(i);
        let digits = phone_digits(i);
        // Exports write phones every which way.
        let phone = match i % 3 {
            0 => format!("{} {} {}", &digits[..3], &digits[3..6], &digits[6..]),
            1 => format!("+358 {} {}", &digits[1..3], &digits[3..]),
            _ => digits.clone(),
        };
        writeln!(
            out,
            "{},{first},{last},{},{phone},{} {} A {},{:05},Helsinki,2024-{:02}-{:02},fi,{}",
            100_000 + i,
            email_of(i),
            STREETS[i % STREETS.len()],
            i % 120 + 1,
            i % 40 + 1,
            (i * 37) % 99_000 + 100,
            i % 12 + 1,
            i % 28 + 1,
            if i % 2 == 0 { "kyllä" } else { "ei" },
        )
        .expect("write");
    }
    out.flush().expect("flush");
}
