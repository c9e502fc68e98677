//! Criterion bench `escalation`: `graph::escalation::add_edges` alone on a generated
//! 5,000-role / 5,000-user export (5,000 policies, 2,000 buckets, 3 accounts, seed 1 — the
//! same bytes as `leakpath synth --roles 5000 --users 5000 --policies 5000 --buckets 2000
//! --accounts 3 --seed 1`, AWS managed policies from the shared corpus when present).
//!
//! The graph is built once up to the assume-role edges (which the detectors read); each
//! iteration times the detectors on a fresh copy of it. One run is reported first with the
//! number of escalation edges it added.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use leakpath::graph::{escalation, principals, AccessGraph, ZoneOfTrust};
use leakpath::ingest::{load_export, LoadedExport};
use leakpath::synth::{generate, parse_managed_jsonl, SynthConfig};
use petgraph::graph::DiGraph;
use std::collections::HashMap;
use std::time::{Duration, Instant};

const MANAGED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/policies/managed/iam-dataset_managed_policies.jsonl"
);

fn synth_export() -> Option<(tempfile::TempDir, LoadedExport)> {
    let config = SynthConfig {
        roles: 5_000,
        users: 5_000,
        policies: 5_000,
        buckets: 2_000,
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
    let mut g = AccessGraph {
        graph: DiGraph::new(),
        index: HashMap::new(),
        zone: ZoneOfTrust::of(&export.model),
    };
    principals::add_edges(&export.model, &mut g);
    g
}

fn bench_escalation(c: &mut Criterion) {
    let Some((_dir, export)) = synth_export() else {
        eprintln!("SKIPPED: generated export could not be made");
        return;
    };
    let base = base_graph(&export);
    let mut once = base.clone();
    let started = Instant::now();
    escalation::add_edges(&export.model, &mut once);
    eprintln!(
        "escalation::add_edges on 5,000 roles + 5,000 users: {:?}, {} escalation edges ({} users, {} roles)",
        started.elapsed(),
        once.edge_count() - base.edge_count(),
        export.model.users.len(),
        export.model.roles.len()
    );
    let mut group = c.benchmark_group("escalation");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("add_edges-5000-roles-5000-users", |b| {
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
