//! The mutation fuzzer (tests/support/fuzz.rs) for a few thousand mails, so CI runs it on
//! every change: no panic anywhere in parse → classify → admit, and every input accounted
//! for. `cargo bench --bench fuzz` runs it for a million.

#[path = "support/fuzz.rs"]
mod fuzz;

#[test]
fn mutated_mail_never_panics_and_every_input_is_accounted_for() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let keep = std::env::temp_dir().join("rightsbot-fuzz");
    let report = fuzz::run(repo, 11, 3_000, &keep);
    eprintln!("{report}");
    assert_eq!(report.inputs, 3_000);
    assert_eq!(report.panics(), 0, "{report}");
    assert_eq!(report.store_errors, 0, "{report}");
    assert_eq!(report.accounted(), report.inputs, "{report}");
    assert!(report.admissions_add_up(), "{report}");
    // The mutations reach every path: new cases, replies, machine mail, the quarantine.
    let admitted = &report.admitted;
    assert!(
        admitted.cases_opened > 0 && admitted.quarantined > 0,
        "{report}"
    );
    assert!(
        admitted.automated > 0 && admitted.duplicates > 0,
        "{report}"
    );
}
