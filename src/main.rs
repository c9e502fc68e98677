//! The `leakpath` command line: arguments → command → exit code.
//!
//! Exit codes: 0 success (or nothing at or above `--fail-on`), 1 findings at or above
//! `--fail-on`, 2 any error. Errors are printed once, with their whole cause chain.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    few_malloc_arenas();
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("leakpath: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// Z3 allocates through glibc malloc, which gives each thread that allocates its own arena
/// (up to 8 per core) and keeps what it frees there. Measured on the 5,000-role scan when
/// all allocations still went to glibc (2 cores, rayon's 2 workers): default 11.1 s CPU /
/// 432 MB peak, 2 arenas 12.0 s / 400 MB, 1 arena 14.9 s / 376 MB (the workers then wait
/// on one allocator lock). Two arenas keep most of the speed and give back the memory the
/// extra arenas held. `MALLOC_ARENA_MAX` in the environment still wins when set.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn few_malloc_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only adjusts allocator parameters; called before any thread is
        // started. A failure (return 0) leaves glibc's default, which only uses more memory.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn few_malloc_arenas() {}

/// Rust's allocations go to mimalloc (see Cargo.toml for the measurement); Z3's, made in C,
/// still go to glibc malloc, which `few_malloc_arenas` tunes.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
