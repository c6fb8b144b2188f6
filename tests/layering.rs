//! Dependencies point down the pipeline (issue 14). Each top-level module has a rank; it
//! may name (`crate::x`) only modules of a lower rank. The store, the config and the shared
//! vocabulary therefore import no stage, and no stage imports a later one. Inside `case`,
//! admitting and identifying do not import each other.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Bottom first. A module may import any module of a lower rank, and none of its own or a
/// higher one.
const RANKS: &[(&str, u8)] = &[
    ("ids", 0),
    ("lang", 0),
    ("fault", 0),
    // Talks to the service manager (sd-notify); imports nothing of the crate.
    ("supervisor", 0),
    ("vocabulary", 1),
    ("config", 2),
    ("deadline", 3),
    ("parse", 3),
    ("register", 3),
    ("intake", 3),
    ("smtp", 3),
    ("classify", 4),
    ("matching", 4),
    ("actions", 4),
    ("store", 5),
    ("case", 6),
    ("draft", 7),
    ("approve", 8),
    ("send", 9),
    ("remind", 9),
    ("report", 9),
    ("probe", 10),
    ("daemon", 11),
    ("app", 12),
    // The console is a front end over `app` like the command line; the command line
    // also starts it (`web`, `run`), so it sits one rank above.
    ("web", 13),
    ("cli", 14),
];

fn rank(module: &str) -> Option<u8> {
    RANKS.iter().find(|(m, _)| *m == module).map(|(_, r)| *r)
}

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

/// The `crate::x` modules a file names in code (comments left out).
fn imports(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

#[test]
fn every_module_imports_only_modules_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).expect("under src");
        let first = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or("");
        let module = first.trim_end_matches(".rs");
        if matches!(module, "lib" | "main") {
            continue;
        }
        let Some(own) = rank(module) else {
            wrong.push(format!("{module}: not in the table of ranks"));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("read");
        for imported in imports(&text) {
            if imported == module {
                continue;
            }
            match rank(&imported) {
                Some(theirs) if theirs < own => {}
                _ => wrong.push(format!(
                    "{} imports crate::{imported}, which is not below {module}",
                    relative.display()
                )),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_store_the_config_and_the_vocabulary_import_no_stage() {
    for module in ["store", "config", "vocabulary"] {
        assert!(rank(module).is_some_and(|r| r <= rank("store").unwrap_or(0)));
    }
    let stages = [
        "case", "draft", "remind", "report", "approve", "send", "daemon", "cli",
    ];
    assert!(stages.iter().all(|s| rank(s) > rank("store")));
    // The ranks allow more than these modules use; what each really names is held here.
    // The store keeps the register's rows (`register::Entry`, its tombstones and name
    // tokens) and answers matching's lookups (`matching::Lookup`, the port it implements);
    // it names no other stage.
    let allowed: &[(&str, &[&str])] = &[
        ("vocabulary", &["ids", "lang"]),
        ("config", &["ids", "lang", "vocabulary"]),
        (
            "store",
            &["ids", "lang", "vocabulary", "register", "matching"],
        ),
    ];
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    for (module, names) in allowed {
        let mut files = Vec::new();
        let dir = src.join(module);
        if dir.is_dir() {
            rust_files(&dir, &mut files);
        }
        let file = src.join(format!("{module}.rs"));
        if file.is_file() {
            files.push(file);
        }
        assert!(!files.is_empty(), "no source for {module}");
        for file in &files {
            let text = std::fs::read_to_string(file).expect("read");
            for imported in imports(&text) {
                if imported != *module && !names.contains(&imported.as_str()) {
                    wrong.push(format!("{} names crate::{imported}", file.display()));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn admitting_and_identifying_do_not_import_each_other() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/case");
    let identify = std::fs::read_to_string(case.join("identify.rs")).expect("identify.rs");
    assert!(
        !identify.contains("super::admit"),
        "case::identify imports case::admit, which calls it"
    );
}
