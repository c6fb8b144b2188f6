//! The `rightsbot` command: arguments, logging, run, exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = rightsbot::cli::Cli::parse();
    if !matches!(cli.command, rightsbot::cli::Command::Run(_)) {
        // `rightsbot cases | head` should end quietly when `head` has read enough, as
        // other Unix tools do, not report a write error. The daemon keeps Rust's default
        // (SIGPIPE ignored), so a closed log pipe never kills it.
        // SAFETY: called before any other thread exists; SIG_DFL is a valid disposition.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    rightsbot::cli::init_tracing(&cli);
    match rightsbot::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("rightsbot: {}", rightsbot::cli::one_line(&err));
            ExitCode::from(rightsbot::cli::exit_code(&err))
        }
    }
}
