//! Criterion bench `load`: `leakpath::ingest::load_export` on the large generated export
//! (5,000 roles, 5,000 users, 5,000 policies, 2,000 buckets over 3 accounts, ~44 MB in
//! ~15,700 files), reported as MB/s (median of 5 timed loads, and criterion's
//! Throughput::Bytes), plus the peak resident memory of `leakpath inventory` on the same
//! export, measured in a child process (the bench process itself holds the generated files).
//!
//! Targets (issue #7): >= 150 MB/s on the 2-core reference machine; peak memory no higher
//! than before the load was parallelized (125 MiB).
//! Run: `cargo bench --bench load`. `LEAKPATH_LOAD_BENCH_DIR=/path/to/export` times an
//! existing export instead of generating one; `LEAKPATH_LOAD_BENCH_SMALL=1` generates a
//! 1/10 export for a quick run.

/// The binary's allocator (`src/main.rs`), so the stages are timed as `leakpath` runs them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use leakpath::synth::{self, SynthConfig};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const MANAGED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/policies/managed/iam-dataset_managed_policies.jsonl"
);
const TARGET_MB_PER_S: f64 = 150.0;
/// Peak RSS of `leakpath inventory` on this export before issue #7 (MiB).
const TARGET_PEAK_MIB: f64 = 125.0;
const TIMED_LOADS: usize = 5;

/// The export under test: a folder (kept alive by the guard when generated) and the total
/// size of its files in bytes.
struct Export {
    dir: PathBuf,
    _guard: Option<tempfile::TempDir>,
    bytes: u64,
}

fn export() -> Export {
    if let Some(dir) = std::env::var_os("LEAKPATH_LOAD_BENCH_DIR") {
        let dir = PathBuf::from(dir);
        let bytes = folder_bytes(&dir);
        return Export {
            dir,
            _guard: None,
            bytes,
        };
    }
    let scale = if std::env::var_os("LEAKPATH_LOAD_BENCH_SMALL").is_some() {
        10
    } else {
        1
    };
    let config = SynthConfig {
        roles: 5000 / scale,
        users: 5000 / scale,
        policies: 5000 / scale,
        buckets: 2000 / scale,
        accounts: 3,
        seed: 1,
    };
    let managed = match std::fs::read_to_string(MANAGED) {
        Ok(text) => synth::parse_managed_jsonl(MANAGED, &text).unwrap_or_else(|e| {
            eprintln!("load bench: {e}; using the built-in managed policies");
            Vec::new()
        }),
        Err(_) => {
            eprintln!(
                "load bench: ../shared/data not present; using the built-in managed policies"
            );
            Vec::new()
        }
    };
    let files = synth::generate(&config, &managed).expect("generating the export");
    let guard = tempfile::tempdir().expect("temp dir");
    for f in &files {
        let path = guard.path().join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, &f.bytes).expect("write");
    }
    Export {
        dir: guard.path().to_path_buf(),
        bytes: synth::total_bytes(&files),
        _guard: Some(guard),
    }
}

/// Total size of the files under `dir`.
fn folder_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(e.path()),
                Ok(t) if t.is_file() => total += e.metadata().map(|m| m.len()).unwrap_or(0),
                _ => {}
            }
        }
    }
    total
}

/// CPU time the process has used so far (seconds, all threads), from the scheduler's
/// per-thread nanosecond counters; `None` where /proc does not have them.
fn process_cpu_seconds() -> Option<f64> {
    let mut ns = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        let stat = std::fs::read_to_string(task.path().join("schedstat")).ok()?;
        ns += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(ns as f64 / 1e9)
}

/// Peak resident memory (bytes) of `leakpath inventory DIR`, via `/usr/bin/time -v` when
/// present, else by polling the child's VmHWM. `None` when the command fails.
fn inventory_peak_memory(dir: &Path) -> Option<u64> {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_leakpath"));
    if Path::new("/usr/bin/time").exists() {
        let out = Command::new("/usr/bin/time")
            .arg("-v")
            .arg(&exe)
            .arg("inventory")
            .arg(dir)
            .output()
            .ok()?;
        if !out.status.success() {
            eprintln!(
                "load bench: `leakpath inventory` failed: {}",
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .next()
                    .unwrap_or("")
            );
            return None;
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        return stderr
            .lines()
            .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
            .and_then(|kb| kb.trim().parse::<u64>().ok())
            .map(|kb| kb * 1024);
    }
    let mut child = Command::new(&exe)
        .arg("inventory")
        .arg(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0u64;
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_file) {
            if let Some(kb) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak = peak.max(kb * 1024);
            }
        }
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Some(peak),
            Ok(Some(_)) | Err(_) => return None,
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

fn load(c: &mut Criterion) {
    let export = export();
    let mb = export.bytes as f64 / 1e6;
    eprintln!(
        "load bench: export of {mb:.1} MB at {}",
        export.dir.display()
    );

    // Timed loads outside criterion, for the summary line against the target. The result
    // is dropped outside the timing (freeing the model is not loading it).
    let mut times = Vec::new();
    let mut cpu_times = Vec::new();
    let mut counts = (0, 0, 0);
    for _ in 0..TIMED_LOADS {
        let cpu_start = process_cpu_seconds();
        let start = Instant::now();
        let loaded = leakpath::ingest::load_export(&export.dir).expect("loading the export");
        times.push(start.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (cpu_start, process_cpu_seconds()) {
            cpu_times.push(b - a);
        }
        counts = (
            loaded.model.roles.len(),
            loaded.model.users.len(),
            loaded.model.buckets.len(),
        );
        drop(loaded);
    }
    times.sort_by(f64::total_cmp);
    let median = times[TIMED_LOADS / 2];
    eprintln!(
        "load bench: median of {TIMED_LOADS} loads: {median:.3} s = {:.0} MB/s (min {:.3} s, max {:.3} s; target >= {TARGET_MB_PER_S} MB/s); {} roles, {} users, {} buckets",
        mb / median,
        times[0],
        times[TIMED_LOADS - 1],
        counts.0,
        counts.1,
        counts.2
    );
    // On a shared machine the wall time moves with everyone else's work; the CPU time the
    // load itself spends (all its threads) does not.
    if cpu_times.len() == TIMED_LOADS {
        cpu_times.sort_by(f64::total_cmp);
        let cpu = cpu_times[TIMED_LOADS / 2];
        eprintln!(
            "load bench: median CPU time per load (all threads): {cpu:.3} s = {:.0} MB per CPU-second",
            mb / cpu
        );
    }

    let mut group = c.benchmark_group("load");
    group.throughput(Throughput::Bytes(export.bytes));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function(
        "load_export_5k_roles_5k_users_5k_policies_2k_buckets",
        |b| b.iter_with_large_drop(|| leakpath::ingest::load_export(&export.dir).expect("load")),
    );
    group.finish();

    match inventory_peak_memory(&export.dir) {
        Some(peak) => eprintln!(
            "load bench: `leakpath inventory` peak memory {:.1} MiB = {:.2}x the input (target <= {TARGET_PEAK_MIB} MiB)",
            peak as f64 / (1024.0 * 1024.0),
            peak as f64 / export.bytes as f64
        ),
        None => eprintln!("load bench: peak memory not measured (`leakpath inventory` did not run)"),
    }
}

criterion_group!(benches, load);
criterion_main!(benches);
