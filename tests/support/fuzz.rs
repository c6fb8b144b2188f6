//! A mutation fuzzer on stable Rust: the example mailbox and the test mails, mutated by a
//! seeded generator (byte flips, insertions, duplicated headers, truncation, splicing, huge
//! lines, bad encodings, deeply nested MIME), each sent through parse → classify → admit
//! into a temp SQLite store, in batches, as `ingest` does.
//!
//! Every input is counted as exactly one outcome (an admission, a store error or a panic),
//! so a run can show that nothing was dropped; a panic is caught per mail, counted, and its
//! input kept in a file to reproduce it. Used by `benches/fuzz.rs` (millions of mails) and
//! `tests/fuzz.rs` (a few thousand, in CI).

use std::cell::RefCell;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use rightsbot::case::{Incoming, Settings, Tally, admit, analyse};
use rightsbot::classify::Classifier;
use rightsbot::config::Config;
use rightsbot::store::{Store, StoreOptions};

/// Mails per transaction, as ingest commits.
const BATCH: usize = 256;
/// Mails per store: a fresh store after this many, so a long run needs little disk.
const STORE_EVERY: usize = 10_000;

/// What became of the inputs of one run. Every input is in exactly one count.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub inputs: u64,
    /// What admit decided, counted as `ingest` counts it.
    pub admitted: Tally,
    pub store_errors: u64,
    pub panics_in_analysis: u64,
    pub panics_in_admission: u64,
    pub largest_input: usize,
    pub elapsed: Duration,
    /// The first few panics: where, what, and the file that holds the input.
    pub panic_samples: Vec<String>,
    pub store_error_samples: Vec<String>,
}

impl Report {
    pub fn panics(&self) -> u64 {
        self.panics_in_analysis + self.panics_in_admission
    }

    /// The inputs some count holds: equal to `inputs` when nothing went missing.
    pub fn accounted(&self) -> u64 {
        self.admitted.seen + self.store_errors + self.panics()
    }

    /// The admitted ones each fell into exactly one kind.
    pub fn admissions_add_up(&self) -> bool {
        let t = &self.admitted;
        t.new == t.cases_opened + t.cases_joined + t.not_requests + t.automated
            && t.seen == t.new + t.duplicates + t.quarantined
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rate = self.inputs as f64 / self.elapsed.as_secs_f64().max(1e-9);
        writeln!(
            f,
            "{} mutated mails in {:.1?} ({rate:.0}/s), largest {} bytes",
            self.inputs, self.elapsed, self.largest_input
        )?;
        writeln!(
            f,
            "  admitted: {}; store errors {}",
            self.admitted, self.store_errors
        )?;
        writeln!(
            f,
            "  panics {} (parse/classify {}, admit {}); accounted {} of {}",
            self.panics(),
            self.panics_in_analysis,
            self.panics_in_admission,
            self.accounted(),
            self.inputs
        )?;
        for sample in self.panic_samples.iter().chain(&self.store_error_samples) {
            writeln!(f, "  {sample}")?;
        }
        Ok(())
    }
}

/// A tiny xorshift64* generator: reproducible from its seed, no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

/// The mails to start from: the example mailbox and every test mail.
pub fn seeds(repo: &Path) -> Vec<Vec<u8>> {
    let mut files = Vec::new();
    for folder in ["examples/mailbox", "tests/fixtures", "tests/corpus"] {
        walk(&repo.join(folder), &mut files);
    }
    files.sort();
    let seeds: Vec<Vec<u8>> = files
        .iter()
        .filter_map(|path| std::fs::read(path).ok())
        .filter(|bytes| !bytes.is_empty())
        .collect();
    assert!(!seeds.is_empty(), "no seed mails under {}", repo.display());
    seeds
}

fn walk(folder: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if !path.ends_with("tmp") {
                walk(&path, files);
            }
        } else if !path.extension().is_some_and(|ext| {
            ["csv", "tsv", "toml", "md", "json", "snap"]
                .iter()
                .any(|skip| ext.eq_ignore_ascii_case(skip))
        }) {
            files.push(path);
        }
    }
}

const TOKENS: &[&[u8]] = &[
    b"\r\n",
    b"\n",
    b"\r\n\r\n",
    b"\r\n ",
    b":",
    b";",
    b"\0",
    b"\xff\xfe",
    b"\xc3",
    b"=?",
    b"?=",
    b"=?utf-8?B?w6TDpA==?=",
    b"=?iso-8859-1?Q?=E4=F6?=",
    b"=?utf-8?Q?=FF=FE=?=",
    b"=?x-unknown?B?####?=",
    b"--",
    b"--boundary--\r\n",
    b"<",
    b">",
    b"@",
    b"\"",
    b"\\",
    b"(",
    b")",
    b"\t",
    b"=\r\n",
    b"=3D",
    b"=ZZ",
    b"Content-Type: multipart/mixed; boundary=\"b\"\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"Auto-Submitted: auto-replied\r\n",
    b"In-Reply-To: <gen-1-0@example.test>\r\n",
    b"References: <a@b> <c@d>\r\n",
    b"Subject: [DSR-2026-0001] Re: poista tietoni\r\n",
    b"Authentication-Results: mx.example.test; dmarc=pass header.from=example.test\r\n",
    b"From: \"=?utf-8?B?w6Q=?=\" <a@example.test>, b@example.test\r\n",
    b"Reply-To: <>\r\n",
    b"Return-Path: <>\r\n",
    b"Date: Mon, 31 Feb 99999 25:61:61 +9999\r\n",
    b"Received: from x by y; Tue, 03 Nov 2026 09:00:00 +0200\r\n",
];

const ENCODINGS: &[&str] = &[
    "base64",
    "quoted-printable",
    "7bit",
    "8bit",
    "binary",
    "x-uuencode",
    "bogus",
    "",
];
const CHARSETS: &[&str] = &[
    "utf-8",
    "utf-16",
    "utf-7",
    "iso-8859-1",
    "windows-1252",
    "x-unknown",
    "\"",
    "",
];
const TYPES: &[&str] = &[
    "text/plain",
    "text/html",
    "multipart/mixed",
    "multipart/alternative",
    "multipart/report; report-type=delivery-status",
    "message/rfc822",
    "application/octet-stream",
    "text/",
    ";",
];

fn header_end(mail: &[u8]) -> usize {
    mail.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .or_else(|| mail.windows(2).position(|w| w == b"\n\n"))
        .unwrap_or(mail.len())
}

/// Applies one to four mutations to a copy of a seed.
pub fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut mail = seeds[rng.below(seeds.len())].clone();
    for _ in 0..1 + rng.below(4) {
        match rng.below(12) {
            0 | 1 => {
                for _ in 0..1 + rng.below(8) {
                    if !mail.is_empty() {
                        let at = rng.below(mail.len());
                        mail[at] ^= 1 << rng.below(8);
                    }
                }
            }
            2 | 3 => {
                let token: Vec<u8> = if rng.chance(4) {
                    (0..1 + rng.below(16)).map(|_| rng.next() as u8).collect()
                } else {
                    TOKENS[rng.below(TOKENS.len())].to_vec()
                };
                let at = rng.below(mail.len() + 1);
                mail.splice(at..at, token);
            }
            4 => {
                // Duplicate a header line, up to fifty times.
                let end = header_end(&mail);
                let lines: Vec<(usize, usize)> = line_spans(&mail[..end]);
                if !lines.is_empty() {
                    let (start, stop) = lines[rng.below(lines.len())];
                    let line = mail[start..stop].to_vec();
                    let copies = if rng.chance(8) { 50 } else { 1 + rng.below(3) };
                    let at = lines[rng.below(lines.len())].0;
                    for _ in 0..copies {
                        mail.splice(at..at, line.iter().copied());
                    }
                }
            }
            5 => {
                let keep = rng.below(mail.len() + 1);
                mail.truncate(keep);
            }
            6 => {
                let other = &seeds[rng.below(seeds.len())];
                let cut = rng.below(mail.len() + 1);
                let from = rng.below(other.len() + 1);
                mail.truncate(cut);
                mail.extend_from_slice(&other[from..]);
            }
            7 => {
                // A huge line: usually tens of kilobytes, now and then megabytes.
                let length = if rng.chance(200) {
                    1_000_000 + rng.below(2_000_000)
                } else {
                    1_000 + rng.below(60_000)
                };
                let unit: &[u8] = match rng.below(4) {
                    0 => b"A",
                    1 => "ä".as_bytes(),
                    2 => b"=",
                    _ => b"a ",
                };
                let at = rng.below(mail.len() + 1);
                let run: Vec<u8> = unit.iter().copied().cycle().take(length).collect();
                mail.splice(at..at, run);
            }
            8 => {
                // A bad or unexpected encoding, charset or type in the top headers.
                let header = match rng.below(3) {
                    0 => format!(
                        "Content-Transfer-Encoding: {}\r\n",
                        ENCODINGS[rng.below(ENCODINGS.len())]
                    ),
                    1 => format!(
                        "Content-Type: text/plain; charset={}\r\n",
                        CHARSETS[rng.below(CHARSETS.len())]
                    ),
                    _ => format!("Content-Type: {}\r\n", TYPES[rng.below(TYPES.len())]),
                };
                mail.splice(0..0, header.into_bytes());
                if rng.chance(2) {
                    let end = header_end(&mail).min(mail.len());
                    let garbage: &[u8] = match rng.below(3) {
                        0 => b"====!!!!%%%%\r\n",
                        1 => b"=C3=\r\n=A\r\n",
                        _ => b"\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc",
                    };
                    let at = end + rng.below(mail.len() - end + 1);
                    mail.splice(at..at, garbage.iter().copied());
                }
            }
            9 => {
                // Nested MIME, up to a hundred levels, around what is there.
                let depth = if rng.chance(10) {
                    100
                } else {
                    1 + rng.below(8)
                };
                mail = nest(&mail, depth, rng.chance(3));
            }
            10 => {
                // Fold header lines in odd places.
                let end = header_end(&mail);
                for _ in 0..1 + rng.below(4) {
                    let at = rng.below(end.min(mail.len()) + 1);
                    mail.splice(at..at, b"\r\n\t".iter().copied());
                }
            }
            _ => {
                // Swap the header block for another seed's.
                let other = &seeds[rng.below(seeds.len())];
                let theirs = header_end(other);
                let ours = header_end(&mail);
                mail.splice(0..ours, other[..theirs].iter().copied());
            }
        }
    }
    mail
}

fn line_spans(block: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = 0;
    for (index, &byte) in block.iter().enumerate() {
        if byte == b'\n' {
            spans.push((start, index + 1));
            start = index + 1;
        }
    }
    spans
}

/// `mail` as the innermost part of `depth` nested multiparts, closed or left open.
fn nest(mail: &[u8], depth: usize, unclosed: bool) -> Vec<u8> {
    let mut out =
        "From: Sisä Kkäkkä <nested@example.test>\r\nSubject: nested\r\nMIME-Version: 1.0\r\n"
            .as_bytes()
            .to_vec();
    for level in 0..depth {
        out.extend(
            format!(
                "Content-Type: multipart/mixed; boundary=\"b{level}\"\r\n\r\npreamble\r\n--b{level}\r\n"
            )
            .as_bytes(),
        );
    }
    out.extend_from_slice(mail);
    if !unclosed {
        for level in (0..depth).rev() {
            out.extend(format!("\r\n--b{level}--\r\nepilogue\r\n").as_bytes());
        }
    }
    out
}

/// Gives most inputs a Message-ID of their own, so they are admitted rather than counted as
/// duplicates of their seed; the rest keep theirs and test the duplicate path.
fn unique_message_id(rng: &mut Rng, mail: Vec<u8>, index: u64) -> Vec<u8> {
    if rng.chance(5) {
        return mail;
    }
    let mut out = format!("Message-ID: <fuzz-{index}@fuzz.example.test>\r\n").into_bytes();
    let end = header_end(&mail);
    let mut start = 0;
    for (line_start, line_end) in line_spans(&mail[..end]) {
        if mail[line_start..line_end]
            .get(..11)
            .is_some_and(|name| name.eq_ignore_ascii_case(b"message-id:"))
        {
            out.extend_from_slice(&mail[start..line_start]);
            start = line_end;
        }
    }
    out.extend_from_slice(&mail[start..]);
    out
}

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `count` mutated mails from `seed` and reports what became of each. Inputs that
/// panic are written to `keep` (created if needed) as `panic-<index>.eml`.
pub fn run(repo: &Path, seed: u64, count: u64, keep: &Path) -> Report {
    let seeds = seeds(repo);
    let classifier = Classifier::new().expect("the built-in rules");
    let dir = tempfile::tempdir().expect("temp dir");
    let config_text = "[controller]\nname = \"Fuzz Oy\"\nbusiness_id = \"1234567-1\"\n\
                       privacy_address = \"tietosuoja@kestokauppa.example.test\"\n\
                       [store]\npath = \"fuzz.db\"\n";
    let config = Config::parse(config_text, &dir.path().join("fuzz.toml"), dir.path())
        .expect("the fuzz config");
    let settings = Settings::new(&config, &classifier);
    let now: Timestamp = "2026-11-03T10:00:00Z".parse().expect("a time");

    // Panics are caught per mail; keep the hook quiet but remember where each happened.
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        LAST_PANIC.with(|last| *last.borrow_mut() = Some(format!("{location}: {message}")));
    }));

    let mut report = Report::default();
    let mut rng = Rng::new(seed);
    let started = Instant::now();
    let mut index = 0u64;
    while index < count {
        let store_path = dir.path().join("fuzz.db");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", store_path.display()));
        }
        let mut store = Store::open(&store_path, &StoreOptions::default()).expect("temp store");
        let in_this_store = (count - index).min(STORE_EVERY as u64);
        let mut done_here = 0u64;
        let mut previous: Option<Vec<u8>> = None;
        while done_here < in_this_store {
            let batch = store.begin().expect("begin");
            let mut batch_bytes = 0usize;
            let mut in_batch = 0usize;
            while in_batch < BATCH && done_here < in_this_store && batch_bytes < 32 << 20 {
                // Now and then the very bytes of an earlier input again: a duplicate, as a
                // rerun after a crash or a mail delivered twice makes one.
                let raw = match previous.as_ref() {
                    Some(previous) if rng.chance(50) => previous.clone(),
                    _ => {
                        let mutated = mutate(&mut rng, &seeds);
                        unique_message_id(&mut rng, mutated, index)
                    }
                };
                if raw.len() < 1 << 16 {
                    previous = Some(raw.clone());
                }
                report.inputs += 1;
                report.largest_input = report.largest_input.max(raw.len());
                batch_bytes += raw.len();
                let origin = format!("fuzz:{seed}:{index}");
                let keep_input = |report: &mut Report, stage: &str| {
                    let what = LAST_PANIC
                        .with(|last| last.borrow_mut().take())
                        .unwrap_or_default();
                    if report.panic_samples.len() < 10 {
                        let _ = std::fs::create_dir_all(keep);
                        let file = keep.join(format!("panic-{seed}-{index}.eml"));
                        let _ = std::fs::write(&file, &raw);
                        report.panic_samples.push(format!(
                            "panic in {stage} at {what} (input: {})",
                            file.display()
                        ));
                    }
                };
                match catch_unwind(AssertUnwindSafe(|| analyse(&raw, &classifier))) {
                    Err(_) => {
                        report.panics_in_analysis += 1;
                        keep_input(&mut report, "parse/classify");
                    }
                    Ok(analysis) => {
                        let incoming = Incoming {
                            raw: Ok(&raw),
                            origin: &origin,
                            server_receipt: None,
                            delivered_at: None,
                            size: Some(raw.len() as u64),
                            analysis: Some(&analysis),
                        };
                        match catch_unwind(AssertUnwindSafe(|| {
                            admit(&batch, &incoming, &settings, now)
                        })) {
                            Err(_) => {
                                report.panics_in_admission += 1;
                                keep_input(&mut report, "admit");
                            }
                            Ok(Err(err)) => {
                                report.store_errors += 1;
                                if report.store_error_samples.len() < 5 {
                                    report
                                        .store_error_samples
                                        .push(format!("store error at input {index}: {err}"));
                                }
                            }
                            Ok(Ok(admission)) => report.admitted.count(&admission),
                        }
                    }
                }
                index += 1;
                done_here += 1;
                in_batch += 1;
            }
            batch.commit().expect("commit");
        }
    }
    report.elapsed = started.elapsed();
    std::panic::set_hook(previous_hook);
    report
}
