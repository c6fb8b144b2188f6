//! The `rightsbot` command: arguments, logging, run, exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = rightsbot::cli::Cli::parse();
    rightsbot::cli::init_tracing(&cli);
    match rightsbot::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("rightsbot: {}", rightsbot::cli::one_line(&err));
            ExitCode::from(rightsbot::cli::exit_code(&err))
        }
    }
}
