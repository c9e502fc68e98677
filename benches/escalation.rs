//! Criterion bench `escalation`: `graph::escalation::add_edges` alone on a generated
//! 5,000-role / 5,000-user export (5,000 policies, 2,000 buckets, 3 accounts, seed 1 — the
//! same bytes as `leakpath synth --roles 5000 --users 5000 --policies 5000 --buckets 2000
//! --accounts 3 --seed 1`, AWS managed policies from the shared corpus when present;
//! `ESC_SIZE=n` for another size, `ESC_EXPORT=<folder>` for an export on disk).
//!
//! The graph is built once up to the assume-role edges (which the detectors read); each
//! iteration times the detectors on a fresh copy of it. One run is reported first with the
//! number of escalation edges it added.

/// The binary's allocator (`src/main.rs`), so the stages are timed as `leakpath` runs them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use leakpath::graph::permissions::PermissionIndex;
use leakpath::graph::{escalation, principals, AccessGraph, ZoneOfTrust};
use leakpath::ingest::{load_export, LoadedExport};
use leakpath::synth::{generate, parse_managed_jsonl, SynthConfig};
use std::time::{Duration, Instant};

const MANAGED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/policies/managed/iam-dataset_managed_policies.jsonl"
);

fn synth_export() -> Option<(tempfile::TempDir, LoadedExport)> {
    // `ESC_EXPORT=<folder>` benches an export on disk instead (e.g. the `leakpath synth`
    // output above).
    if let Some(path) = std::env::var_os("ESC_EXPORT") {
        let dir = tempfile::tempdir().ok()?;
        return match load_export(std::path::Path::new(&path)) {
            Ok(export) => Some((dir, export)),
            Err(e) => {
                eprintln!("load: {e}");
                None
            }
        };
    }
    // `ESC_SIZE=n` scales the export (n roles, n users, n policies, 2n/5 buckets) to see how
    // the detectors grow.
    let n: usize = std::env::var("ESC_SIZE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000);
    let config = SynthConfig {
        roles: n,
        users: n,
        policies: n,
        buckets: 2 * n / 5,
        accounts: 3,
        seed: 1,
    };
    let managed = match std::fs::read_to_string(MANAGED) {
        Ok(text) => parse_managed_jsonl(MANAGED, &text).ok()?,
        Err(_) => {
            eprintln!("shared managed-policy corpus absent: built-in managed policies");
            Vec::new()
        }
    };
    let files = match generate(&config, &managed) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("synth: {e}");
            return None;
        }
    };
    let dir = tempfile::tempdir().ok()?;
    for f in files {
        let p = dir.path().join(&f.path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).ok()?;
        }
        std::fs::write(&p, &f.bytes).ok()?;
    }
    match load_export(dir.path()) {
        Ok(export) => Some((dir, export)),
        Err(e) => {
            eprintln!("load: {e}");
            None
        }
    }
}

/// The graph as `graph::build` has it when the detectors run: principals and assume-role
/// edges.
fn base_graph(export: &LoadedExport) -> AccessGraph {
    let mut g = AccessGraph::new(ZoneOfTrust::of(&export.model));
    let perms = PermissionIndex::new(&export.model);
    principals::add_edges(&export.model, &perms, &mut g);
    g
}

/// CPU time (user + system, every thread) this process has used so far, from
/// `/proc/self/stat` (clock ticks of 10 ms); `None` off Linux.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = f.get(11)?.parse().ok()?;
    let stime: u64 = f.get(12)?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}

/// Mean wall and CPU time of `runs` runs: CPU time is what the machine's load does not
/// inflate (the bench machine is shared).
fn measure(export: &LoadedExport, base: &AccessGraph, runs: u32) {
    let mut wall = Duration::ZERO;
    let mut cpu = Duration::ZERO;
    let mut edges = 0;
    for _ in 0..runs {
        let mut g = base.clone();
        let c0 = cpu_time();
        let started = Instant::now();
        escalation::add_edges(&export.model, &mut g);
        wall += started.elapsed();
        if let (Some(a), Some(b)) = (c0, cpu_time()) {
            cpu += b.saturating_sub(a);
        }
        edges = g.edge_count() - base.edge_count();
    }
    // The compile step alone (every identity policy, the account tables), in the same runs.
    let mut compile = Duration::ZERO;
    for _ in 0..runs {
        let started = Instant::now();
        let ctx = escalation::Ctx::new(&export.model, base);
        compile += started.elapsed();
        drop(ctx);
    }
    eprintln!(
        "escalation::add_edges on {} users + {} roles: mean of {runs} runs {:?} wall ({:?} of it Ctx::new), {:?} CPU (all threads); {edges} escalation edges",
        export.model.users.len(),
        export.model.roles.len(),
        wall / runs,
        compile / runs,
        cpu / runs,
    );
}

fn bench_escalation(c: &mut Criterion) {
    let Some((_dir, export)) = synth_export() else {
        eprintln!("SKIPPED: generated export could not be made");
        return;
    };
    let base = base_graph(&export);
    measure(&export, &base, 5);
    let mut group = c.benchmark_group("escalation");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("add_edges-synth", |b| {
        b.iter_batched(
            || base.clone(),
            |mut g| escalation::add_edges(&export.model, &mut g),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench_escalation);
criterion_main!(benches);
