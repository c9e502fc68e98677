//! The `leakpath` command line: arguments → command → exit code.
//!
//! Exit codes: 0 success (or nothing at or above `--fail-on`), 1 findings at or above
//! `--fail-on`, 2 any error. Errors are printed once, with their whole cause chain.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    few_malloc_arenas();
    prompt_purge();
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

/// mimalloc (v3) gives the pages a scan frees back to the OS only 1 s after they are freed
/// (`purge_delay`; its arenas 10 times later still), so a scan's short-lived peaks (the
/// graph build, each phase's solver checks) pile up in the resident set. The one-account
/// 5,000-role scan, runs alternated between delays (peak RSS, wall): 1,000 ms (default)
/// 387-411 MB, 2.85-2.98 s; 500 ms 384-389 MB, 2.93-2.95 s; 250 ms 347-361 MB, 2.91-3.00 s;
/// 100 ms 341-358 MB, 3.14-3.19 s; 50 ms 338-342 MB, 2.93-3.05 s; 0 ms 322 MB with twice
/// the system time. 250 ms keeps the speed. `MIMALLOC_PURGE_DELAY` in the environment still
/// wins when set.
fn prompt_purge() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: mi_option_set only stores the option's value, which mimalloc reads each
        // time it schedules a purge.
        unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) }
    }
}

/// The delay `prompt_purge` sets, in milliseconds.
const PURGE_DELAY_MS: std::ffi::c_long = 250;

/// `mi_option_purge_delay` in mimalloc's `mi_option_e` (the version the lock file pins;
/// the `libmimalloc-sys` bindings leave this option out). A test holds it to its default.
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

extern "C" {
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    #[cfg(test)]
    fn mi_option_get(option: std::ffi::c_int) -> std::ffi::c_long;
}

/// Rust's allocations go to mimalloc (see Cargo.toml for the measurement); Z3's, made in C,
/// still go to glibc malloc, which `few_malloc_arenas` tunes.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(test)]
mod tests {
    /// Option 15 is the purge delay: its default, 1,000 ms, is the only option default of
    /// 1,000 (mimalloc v3's `options.c`). A different mimalloc would fail here rather than
    /// have `prompt_purge` set some other option.
    #[test]
    fn purge_delay_is_the_option_prompt_purge_sets() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            eprintln!("skipped: MIMALLOC_PURGE_DELAY is set in the environment");
            return;
        }
        // SAFETY: reads an option's value.
        let delay = unsafe { super::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(delay, 1000);
    }
}
