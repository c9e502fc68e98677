//! Criterion bench `scan`: the whole route search (graph, solver confirmation, search) on
//! the IAMVulnerable GAAD and on generated exports (`leakpath::synth`): 5,000 roles measured once (counters, wall
//! time, peak memory), 1,000 roles timed by criterion. Before
//! timing, each input's counters (nodes, candidate and confirmed edges, solver questions,
//! findings) and the process's peak memory are printed once.

/// The binary's allocator (`src/main.rs`), so the stages are timed as `leakpath` runs them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{criterion_group, criterion_main, Criterion};
use leakpath::ingest::{load_export, LoadedExport};
use leakpath::routes::{find_routes_with_stats, RouteOptions};
use std::path::Path;
use std::time::{Duration, Instant};

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn synth_export(roles: usize) -> Option<(tempfile::TempDir, LoadedExport)> {
    let config = leakpath::synth::SynthConfig {
        roles,
        users: roles / 10,
        policies: roles / 5,
        buckets: 100,
        accounts: 2,
        seed: 7,
    };
    let files = match leakpath::synth::generate(&config, &[]) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("synth {roles}: {e}");
            return None;
        }
    };
    let dir = tempfile::tempdir().ok()?;
    for f in files {
        let p = dir.path().join(&f.path);
        if let Some(parent) = p.parent() {
            if let Err(e) = std::fs::create_dir_all(parent) {
                eprintln!("synth {roles}: {e}");
                return None;
            }
        }
        if let Err(e) = std::fs::write(&p, &f.bytes) {
            eprintln!("synth {roles}: {}: {e}", p.display());
            return None;
        }
    }
    match load_export(dir.path()) {
        Ok(export) => Some((dir, export)),
        Err(e) => {
            eprintln!("synth {roles}: {e}");
            None
        }
    }
}

fn report(name: &str, export: &LoadedExport) {
    let started = Instant::now();
    match find_routes_with_stats(&export.model, &export.sources, &RouteOptions::default()) {
        Ok((findings, stats)) => eprintln!(
            "{name}: {:?} wall, {} findings, {stats:?}, peak RSS {:?} KiB",
            started.elapsed(),
            findings.len(),
            peak_rss_kib()
        ),
        Err(e) => eprintln!("{name}: error {e}"),
    }
}

fn bench_scan(c: &mut Criterion) {
    let mut group = c.benchmark_group("scan");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    let gaad = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/exports/cloudsplaining/example.json"
    ));
    if gaad.exists() {
        if let Ok(export) = load_export(gaad) {
            report("iamvulnerable", &export);
            group.bench_function("iamvulnerable", |b| {
                b.iter(|| {
                    find_routes_with_stats(&export.model, &export.sources, &RouteOptions::default())
                })
            });
        }
    } else {
        eprintln!("SKIPPED: ../shared/data not present");
    }
    if let Some((_dir, export)) = synth_export(5_000) {
        report("synth-5000-roles", &export);
    }
    if let Some((_dir, export)) = synth_export(1_000) {
        report("synth-1000-roles", &export);
        group.bench_function("synth-1000-roles", |b| {
            b.iter(|| {
                find_routes_with_stats(&export.model, &export.sources, &RouteOptions::default())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_scan);
criterion_main!(benches);
