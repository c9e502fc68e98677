//! Criterion bench `load`: `leakpath::ingest::load_export` on the large generated export
//! (5,000 roles, 5,000 users, 5,000 policies, 2,000 buckets, one account, ~44 MB), reported
//! as MB/s (Throughput::Bytes), plus the peak memory of `leakpath inventory` on the same
//! export measured in a child process.
//!
//! Targets: >= 150 MB/s on one core; peak memory < 3x the input size.
//! Run: `cargo bench --bench load` (set `LEAKPATH_LOAD_BENCH_SMALL=1` for a quick run on a
//! 1/10 export).

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
const TARGET_MEMORY_FACTOR: f64 = 3.0;

/// Generates the export once and returns (its folder guard, its size in bytes).
fn generated_export() -> (tempfile::TempDir, u64) {
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
        accounts: 1,
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
    let dir = tempfile::tempdir().expect("temp dir");
    for f in &files {
        let path = dir.path().join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, &f.bytes).expect("write");
    }
    (dir, synth::total_bytes(&files))
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
    let (dir, bytes) = generated_export();
    let mb = bytes as f64 / 1e6;
    eprintln!(
        "load bench: export of {mb:.1} MB at {}",
        dir.path().display()
    );

    // One timed load outside criterion, for the summary line against the target.
    let start = Instant::now();
    let loaded = leakpath::ingest::load_export(dir.path()).expect("loading the generated export");
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "load bench: one load: {:.3} s = {:.0} MB/s (target >= {TARGET_MB_PER_S} MB/s); {} roles, {} users, {} buckets",
        secs,
        mb / secs,
        loaded.model.roles.len(),
        loaded.model.users.len(),
        loaded.model.buckets.len()
    );
    drop(loaded);

    let mut group = c.benchmark_group("load");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function(
        "load_export_5k_roles_5k_users_5k_policies_2k_buckets",
        |b| b.iter(|| leakpath::ingest::load_export(dir.path()).expect("load")),
    );
    group.finish();

    match inventory_peak_memory(dir.path()) {
        Some(peak) => eprintln!(
            "load bench: `leakpath inventory` peak memory {:.1} MB = {:.2}x the input (target < {TARGET_MEMORY_FACTOR}x)",
            peak as f64 / 1e6,
            peak as f64 / bytes as f64
        ),
        None => eprintln!("load bench: peak memory not measured (`leakpath inventory` did not run)"),
    }
}

criterion_group!(benches, load);
criterion_main!(benches);
