//! Criterion bench `stages`: each stage of a scan timed separately on generated exports
//! (`leakpath::synth`) of 1,000, 5,000 and 20,000 roles and a 100-account organization.
//!
//! Stages, in pipeline order (what `leakpath scan` does, see `src/cli/scan.rs`):
//! - `load`: `ingest::load_export` of the export folder;
//! - `graph`: `graph::build`, the candidate access graph;
//! - `candidates`: `routes::scan_edges`, the edges a scan must confirm;
//! - `confirm`: `routes::analyze` with `scan_edges` — graph build plus one solver question
//!   per request each edge needs (the solver's share is printed as `confirm − graph`);
//! - `search`: `routes::search::{outside_routes, egress_routes}` over the confirmed edges;
//! - `routes`: `routes::find_routes_with_stats`, the whole routes stage (graph, solver,
//!   search, best route per dataset and class);
//! - `classify`: the sensitivity classifier on the exposed buckets' samples (the buckets of
//!   the findings; when the route stage is over budget, every bucket with samples, said so);
//! - `rank_output`: `rank::score` per finding, the risk sort, and the native JSON Lines
//!   writer (`report::findings::write_lines`) into a `Vec`.
//!
//! Before timing an input, the bench re-runs itself in a child process (env
//! `LEAKPATH_STAGES_PROBE`) that runs every stage once and reports each stage's time, the
//! sizes (files, MB), node/edge/question counts and the child's peak RSS (`VmHWM`); a stage
//! that takes longer than the budget (`LEAKPATH_STAGES_BUDGET_S`, default 60 s) is killed
//! there, printed as skipped, and not timed by criterion, nor are the stages that need its
//! result. Criterion then times the remaining stages in this process, 10 samples of one
//! iteration each.
//!
//! Run: `cargo bench --bench stages`; `LEAKPATH_STAGES_INPUTS=roles-1000,org-100` picks
//! inputs (names: roles-250, roles-1000, roles-5000, roles-20000, org-100; single-account
//! inputs have as many users and customer policies as roles and 2/5 as many buckets; org-100
//! is 100 accounts, 10,000 roles, 2,000 users, 3,000 policies, 2,000 buckets).

/// The binary's allocator (`src/main.rs`), so the stages are timed as `leakpath` runs them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{Criterion, SamplingMode};
use leakpath::classify::{classify_dataset_with, ClassifyOptions, Sample, SensitivityModel};
use leakpath::ingest::{load_export, LoadedExport};
use leakpath::model::{Collected, Model};
use leakpath::rank::{self, RiskInputs};
use leakpath::report::findings::{write_lines, LineFormat};
use leakpath::routes::finding::Finding;
use leakpath::routes::{analyze, find_routes_with_stats, scan_edges, search, RouteOptions};
use leakpath::synth::{self, SynthConfig};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const MANAGED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/policies/managed/iam-dataset_managed_policies.jsonl"
);
const PROBE_ENV: &str = "LEAKPATH_STAGES_PROBE";
const STAGES: &[&str] = &[
    "load",
    "graph",
    "candidates",
    "confirm",
    "search",
    "routes",
    "classify",
    "rank_output",
];

/// The generated inputs: (name, configuration).
fn inputs() -> Vec<(&'static str, SynthConfig)> {
    let single = |roles: usize| SynthConfig {
        roles,
        users: roles,
        policies: roles,
        buckets: roles * 2 / 5,
        accounts: 1,
        seed: 1,
    };
    vec![
        // Small enough that every stage runs today: keeps the whole bench exercised.
        ("roles-250", single(250)),
        ("roles-1000", single(1_000)),
        ("roles-5000", single(5_000)),
        ("roles-20000", single(20_000)),
        (
            "org-100",
            SynthConfig {
                roles: 10_000,
                users: 2_000,
                policies: 3_000,
                buckets: 2_000,
                accounts: 100,
                seed: 1,
            },
        ),
    ]
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn budget() -> Duration {
    let secs = std::env::var("LEAKPATH_STAGES_BUDGET_S")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(60);
    Duration::from_secs(secs)
}

/// Options every route stage uses: a fixed scan time, so runs are comparable.
fn route_options() -> RouteOptions<'static> {
    RouteOptions {
        now_epoch: Some(1_767_225_600), // 2026-01-01
        ..RouteOptions::default()
    }
}

fn managed_pool() -> Vec<synth::ManagedPolicy> {
    match std::fs::read_to_string(MANAGED) {
        Ok(text) => synth::parse_managed_jsonl(MANAGED, &text).unwrap_or_else(|e| {
            eprintln!("stages: {e}; using the built-in managed policies");
            Vec::new()
        }),
        Err(_) => {
            eprintln!("SKIPPED: ../shared/data not present; using the built-in managed policies");
            Vec::new()
        }
    }
}

/// Writes the generated export into a temporary folder: (folder, files, bytes).
fn write_export(
    name: &str,
    config: &SynthConfig,
    managed: &[synth::ManagedPolicy],
) -> Result<(tempfile::TempDir, usize, u64), String> {
    let files = synth::generate(config, managed).map_err(|e| format!("{name}: {e}"))?;
    let dir = tempfile::tempdir().map_err(|e| format!("{name}: temp dir: {e}"))?;
    for f in &files {
        let path = dir.path().join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&path, &f.bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok((dir, files.len(), synth::total_bytes(&files)))
}

/// The bucket name of a dataset ARN (`arn:aws:s3:::bucket[/prefix]`).
fn bucket_name(dataset_arn: &str) -> Option<&str> {
    let rest = dataset_arn.strip_prefix("arn:aws:s3:::")?;
    rest.split('/').next()
}

/// The buckets whose samples the classify stage reads: those of the findings, or (without
/// findings) every bucket with samples.
fn classify_targets(model: &Model, findings: Option<&[Finding]>) -> Vec<String> {
    match findings {
        Some(fs) => fs
            .iter()
            .filter_map(|f| bucket_name(&f.dataset.arn).map(str::to_string))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        None => model
            .buckets
            .iter()
            .filter(|b| matches!(&b.samples, Collected::Present(s) if !s.is_empty()))
            .map(|b| model.str(b.name).to_string())
            .collect(),
    }
}

/// Labels each bucket as `leakpath scan` does: its sample files, key sample and name.
fn classify_buckets(model: &Model, names: &[String], classifier: &SensitivityModel) -> usize {
    let options = ClassifyOptions::default();
    let by_name: BTreeMap<&str, usize> = model
        .buckets
        .iter()
        .enumerate()
        .map(|(i, b)| (model.str(b.name), i))
        .collect();
    let mut labelled = 0;
    for name in names {
        let Some(bucket) = by_name
            .get(name.as_str())
            .and_then(|i| model.buckets.get(*i))
        else {
            continue;
        };
        let keys: Vec<String> = match &bucket.key_sample {
            Collected::Present(s) => s.objects.iter().map(|o| o.key.clone()).collect(),
            Collected::Missing => Vec::new(),
        };
        let samples: Vec<Sample> = match &bucket.samples {
            Collected::Present(files) => files
                .iter()
                .filter_map(|f| {
                    std::fs::File::open(&f.path)
                        .ok()
                        .map(|file| Sample::new(f.relative_path.clone(), file))
                })
                .collect(),
            Collected::Missing => Vec::new(),
        };
        let label = classify_dataset_with(samples.into_iter(), &keys, name, classifier, &options);
        std::hint::black_box(label);
        labelled += 1;
    }
    labelled
}

/// Risk per finding, the scan's sort, and the JSON Lines output into memory.
fn rank_and_write(findings: &[Finding]) -> std::io::Result<Vec<u8>> {
    let mut ranked: Vec<Finding> = findings.to_vec();
    for f in &mut ranked {
        f.risk = rank::score(&RiskInputs {
            exposure: f.exposure,
            sensitivity: &f.sensitivity,
            actions: &f.actions,
            hops: f.route.len(),
            conditions_required: f.conditions_required,
        });
    }
    ranked.sort_by(|a, b| {
        b.risk
            .score
            .cmp(&a.risk.score)
            .then_with(|| a.stable_id().cmp(&b.stable_id()))
    });
    let mut out = Vec::with_capacity(ranked.len() * 2048);
    write_lines(
        ranked.iter(),
        &[],
        LineFormat::Native,
        1_767_225_600_000,
        &mut out,
    )?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// The probe: one run of every stage in a child process, reported line by line on stdout.

fn say(line: String) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    // The parent reads these lines; a closed pipe means it has gone, and so may we.
    if writeln!(out, "{line}").and_then(|_| out.flush()).is_err() {
        std::process::exit(0);
    }
}

fn timed<T>(stage: &str, f: impl FnOnce() -> T) -> T {
    say(format!("begin {stage}"));
    let started = Instant::now();
    let value = f();
    say(format!(
        "stage {stage} {:.6} {}",
        started.elapsed().as_secs_f64(),
        peak_rss_kib().unwrap_or(0)
    ));
    value
}

fn probe(dir: &Path) {
    let export = match timed("load", || load_export(dir)) {
        Ok(e) => e,
        Err(e) => return say(format!("error load: {e}")),
    };
    let m = &export.model;
    say(format!(
        "info accounts={} roles={} users={} policies={} buckets={} instances={} functions={}",
        m.accounts.len(),
        m.roles.len(),
        m.users.len(),
        m.policies.len(),
        m.buckets.len(),
        m.instances.len(),
        m.lambda_functions.len()
    ));
    let graph = match timed("graph", || leakpath::graph::build(m, &export.sources)) {
        Ok(g) => g,
        Err(e) => return say(format!("error graph: {e}")),
    };
    say(format!(
        "info nodes={} edges={}",
        graph.node_count(),
        graph.edge_count()
    ));
    let selected = timed("candidates", || scan_edges(&graph));
    say(format!("info candidates={}", selected.len()));
    drop(graph);
    let opts = route_options();
    let an = match timed("confirm", || analyze(m, &export.sources, &opts, scan_edges)) {
        Ok(a) => a,
        Err(e) => return say(format!("error confirm: {e}")),
    };
    let questions: usize = an.answers.values().map(|a| a.questions).sum();
    say(format!("info questions={questions}"));
    let groups = timed("search", || {
        search::outside_routes(&an.graph, &an.answers, opts.max_hops).len()
            + search::egress_routes(&an.graph, &an.answers).len()
    });
    say(format!("info route_groups={groups}"));
    drop(an);
    let (findings, stats) = match timed("routes", || {
        find_routes_with_stats(m, &export.sources, &opts)
    }) {
        Ok(r) => r,
        Err(e) => return say(format!("error routes: {e}")),
    };
    say(format!(
        "info findings={} confirmed_edges={} unknown_edges={} routes_considered={}",
        findings.len(),
        stats.confirmed_edges,
        stats.unknown_edges,
        stats.routes_considered
    ));
    let classifier = match SensitivityModel::embedded() {
        Ok(c) => c,
        Err(e) => return say(format!("error classify: {e}")),
    };
    let targets = classify_targets(m, Some(&findings));
    say(format!("info classified_buckets={}", targets.len()));
    timed("classify", || classify_buckets(m, &targets, classifier));
    match timed("rank_output", || rank_and_write(&findings)) {
        Ok(bytes) => say(format!("info output_bytes={}", bytes.len())),
        Err(e) => say(format!("error rank_output: {e}")),
    }
    say("done".to_string());
}

/// What the probe saw of one input.
#[derive(Default)]
struct ProbeReport {
    /// Stage → (seconds, peak RSS KiB after it).
    stages: BTreeMap<String, (f64, u64)>,
    /// The stage killed for exceeding the budget.
    over_budget: Option<String>,
    info: Vec<String>,
    error: Option<String>,
}

fn run_probe(dir: &Path, budget: Duration) -> ProbeReport {
    let mut report = ProbeReport::default();
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            report.error = Some(format!("current_exe: {e}"));
            return report;
        }
    };
    let mut child = match Command::new(exe)
        .env(PROBE_ENV, dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            report.error = Some(format!("spawning the probe: {e}"));
            return report;
        }
    };
    let Some(stdout) = child.stdout.take() else {
        report.error = Some("probe has no stdout".into());
        let _ = child.kill();
        let _ = child.wait();
        return report;
    };
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut running: Option<String> = None;
    let mut deadline = Instant::now() + budget;
    loop {
        let wait = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(wait) {
            Ok(line) => {
                let mut words = line.split_whitespace();
                match words.next() {
                    Some("begin") => {
                        running = words.next().map(str::to_string);
                        deadline = Instant::now() + budget;
                    }
                    Some("stage") => {
                        let name = words.next().unwrap_or_default().to_string();
                        let secs = words.next().and_then(|s| s.parse().ok()).unwrap_or(0.0);
                        let rss = words.next().and_then(|s| s.parse().ok()).unwrap_or(0);
                        report.stages.insert(name, (secs, rss));
                        running = None;
                        // Between stages the probe only prints; give it the budget again.
                        deadline = Instant::now() + budget;
                    }
                    Some("info") => report.info.push(words.collect::<Vec<_>>().join(" ")),
                    Some("error") => report.error = Some(words.collect::<Vec<_>>().join(" ")),
                    _ => {}
                }
                if line == "done" {
                    break;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                report.over_budget = running.clone().or_else(|| Some("?".into()));
                let _ = child.kill();
                break;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                if report.error.is_none() && report.stages.len() < STAGES.len() {
                    report.error = Some(format!(
                        "probe ended during {}",
                        running.as_deref().unwrap_or("startup")
                    ));
                }
                break;
            }
        }
    }
    let _ = child.wait();
    let _ = reader.join();
    report
}

// ---------------------------------------------------------------------------------------
// The parent: generation, probe, criterion timing.

fn within(report: &ProbeReport, stage: &str, budget: Duration) -> bool {
    report
        .stages
        .get(stage)
        .is_some_and(|(secs, _)| *secs <= budget.as_secs_f64())
}

fn print_summary(name: &str, files: usize, bytes: u64, report: &ProbeReport, budget: Duration) {
    eprintln!(
        "== stages/{name}: {files} files, {:.1} MB",
        bytes as f64 / 1e6
    );
    for line in &report.info {
        eprintln!("   {line}");
    }
    for stage in STAGES {
        match report.stages.get(*stage) {
            Some((secs, rss)) => eprintln!(
                "   {stage:<12} {secs:>10.3} s   peak RSS so far {:>8.1} MB",
                *rss as f64 / 1024.0
            ),
            None if report.over_budget.as_deref() == Some(*stage) => eprintln!(
                "   {stage:<12} SKIPPED: still running after {} s (budget), killed",
                budget.as_secs()
            ),
            None => eprintln!("   {stage:<12} not run (an earlier stage did not finish)"),
        }
    }
    if let (Some((c, _)), Some((g, _))) = (report.stages.get("confirm"), report.stages.get("graph"))
    {
        eprintln!(
            "   solver share of confirm (confirm − graph): {:.3} s",
            c - g
        );
    }
    let peak = report
        .stages
        .values()
        .map(|(_, rss)| *rss)
        .max()
        .unwrap_or(0);
    eprintln!(
        "   peak RSS (VmHWM of the probe process): {:.1} MB",
        peak as f64 / 1024.0
    );
    if let Some(e) = &report.error {
        eprintln!("   error: {e}");
    }
}

fn bench_input(c: &mut Criterion, name: &str, dir: &Path, report: &ProbeReport, budget: Duration) {
    let mut group = c.benchmark_group(format!("stages/{name}"));
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500));
    // Slow stages: ten samples of exactly one iteration (a measurement time just under ten
    // iterations; criterion then warns that it needs longer, and runs one per sample). Fast
    // stages: at least 3 s of measurement.
    let fit = |stage: &str| -> Duration {
        let secs = report.stages.get(stage).map_or(1.0, |(s, _)| *s);
        Duration::from_secs_f64((secs * 9.0).max(3.0))
    };
    if !within(report, "load", budget) {
        eprintln!("stages/{name}: load over budget or failed; nothing timed");
        return;
    }
    group.measurement_time(fit("load"));
    group.bench_function("load", |b| b.iter(|| load_export(dir)));
    let export: LoadedExport = match load_export(dir) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("stages/{name}: {e}");
            return;
        }
    };
    let (model, sources) = (&export.model, &export.sources);
    let opts = route_options();
    let mut findings: Option<Vec<Finding>> = None;
    if within(report, "graph", budget) {
        group.measurement_time(fit("graph"));
        group.bench_function("graph", |b| {
            b.iter(|| leakpath::graph::build(model, sources))
        });
        if let Ok(graph) = leakpath::graph::build(model, sources) {
            group.measurement_time(fit("candidates"));
            group.bench_function("candidates", |b| b.iter(|| scan_edges(&graph)));
        }
    }
    if within(report, "confirm", budget) {
        group.measurement_time(fit("confirm"));
        group.bench_function("confirm", |b| {
            b.iter(|| analyze(model, sources, &opts, scan_edges).map(|a| a.answers.len()))
        });
        if within(report, "search", budget) {
            if let Ok(an) = analyze(model, sources, &opts, scan_edges) {
                group.measurement_time(fit("search"));
                group.bench_function("search", |b| {
                    b.iter(|| {
                        search::outside_routes(&an.graph, &an.answers, opts.max_hops).len()
                            + search::egress_routes(&an.graph, &an.answers).len()
                    })
                });
            }
        }
    }
    if within(report, "routes", budget) {
        group.measurement_time(fit("routes"));
        group.bench_function("routes", |b| {
            b.iter(|| find_routes_with_stats(model, sources, &opts))
        });
        findings = find_routes_with_stats(model, sources, &opts)
            .ok()
            .map(|(f, _)| f);
    }
    match SensitivityModel::embedded() {
        Ok(classifier) => {
            let targets = classify_targets(model, findings.as_deref());
            if findings.is_none() {
                eprintln!(
                    "stages/{name}: classify on every bucket with samples ({}): no findings \
                     (the route stage is over budget)",
                    targets.len()
                );
            }
            let started = Instant::now();
            classify_buckets(model, &targets, classifier);
            let once = started.elapsed();
            if once <= budget {
                group
                    .measurement_time(Duration::from_secs_f64((once.as_secs_f64() * 9.0).max(3.0)));
                group.bench_function("classify", |b| {
                    b.iter(|| classify_buckets(model, &targets, classifier))
                });
            } else {
                eprintln!("stages/{name}: classify SKIPPED: {once:?} per iteration");
            }
        }
        Err(e) => eprintln!("stages/{name}: classifier: {e}"),
    }
    match &findings {
        Some(fs) => {
            group.measurement_time(fit("rank_output"));
            group.bench_function("rank_output", |b| b.iter(|| rank_and_write(fs)));
        }
        None => eprintln!("stages/{name}: rank_output SKIPPED: no findings (routes over budget)"),
    }
    group.finish();
}

fn main() {
    if let Some(dir) = std::env::var_os(PROBE_ENV) {
        probe(&PathBuf::from(dir));
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    let budget = budget();
    let wanted: Option<Vec<String>> = std::env::var("LEAKPATH_STAGES_INPUTS")
        .ok()
        .map(|s| s.split(',').map(|w| w.trim().to_string()).collect());
    let managed = managed_pool();
    eprintln!(
        "stages: {} cores, budget {} s per stage iteration",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        budget.as_secs()
    );
    for (name, config) in inputs() {
        if wanted
            .as_ref()
            .is_some_and(|w| !w.iter().any(|x| x == name))
        {
            continue;
        }
        let started = Instant::now();
        let (dir, files, bytes) = match write_export(name, &config, &managed) {
            Ok(x) => x,
            Err(e) => {
                eprintln!("stages/{name}: {e}");
                continue;
            }
        };
        eprintln!(
            "stages/{name}: generated {config:?} in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let report = run_probe(dir.path(), budget);
        print_summary(name, files, bytes, &report, budget);
        bench_input(&mut c, name, dir.path(), &report, budget);
    }
    c.final_summary();
}
