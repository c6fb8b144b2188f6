//! The mutation fuzzer, at scale: `cargo bench --bench fuzz -- [COUNT] [SEED]` (default
//! 1,000,000 mails, seed 1) mutates the example mailbox and the test mails and sends each
//! through parse → classify → admit into a temp store (tests/support/fuzz.rs). Prints what
//! became of every input; exits 1 on any panic or any input not accounted for. Inputs that
//! panicked are kept in $TMPDIR/rightsbot-fuzz/.

#[path = "../tests/support/fuzz.rs"]
mod fuzz;

fn main() -> std::process::ExitCode {
    // `cargo bench` adds `--bench`; numbers are ours.
    let numbers: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|arg| arg.replace('_', "").parse().ok())
        .collect();
    let count = numbers.first().copied().unwrap_or(1_000_000);
    let seed = numbers.get(1).copied().unwrap_or(1);
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let keep = std::env::temp_dir().join("rightsbot-fuzz");
    println!("fuzz: {count} mails, seed {seed}");
    let report = fuzz::run(repo, seed, count, &keep);
    print!("{report}");
    if report.panics() == 0 && report.accounted() == report.inputs && report.admissions_add_up() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
