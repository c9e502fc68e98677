//! The `leakpath` command line: arguments → command → exit code.
//!
//! Exit codes: 0 success (or nothing at or above `--fail-on`), 1 findings at or above
//! `--fail-on`, 2 any error. Errors are printed once, with their whole cause chain.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("leakpath: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
