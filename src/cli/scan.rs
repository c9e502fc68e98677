//! `leakpath scan EXPORT`: load → confirmed routes → sensitivity → risk → history → output.
//!
//! Output goes to stdout, or atomically to `--out FILE`. History (new/open/resolved) lives
//! in `--state PATH`, by default `leakpath-state.sqlite` beside `--out`; a scan to stdout
//! without `--state` keeps no history and reports every route as `new`.

use anyhow::Context;
use leakpath::classify::{classify_dataset_with, ClassifyOptions, Label, Sample, SensitivityModel};
use leakpath::model::{Bucket, Collected, Model};
use leakpath::rank::{self, RiskInputs, Severity};
use leakpath::report;
use leakpath::routes::finding::{Finding, FindingStatus, Sensitivity};
use leakpath::routes::{find_routes_with_stats, RouteOptions};
use leakpath::state::{ScanHistory, Seen};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Native JSON Lines (`leakpath.finding/v1`).
    Jsonl,
    /// OCSF 1.6.0 Detection Finding JSON Lines.
    Ocsf,
    /// Ranked datasets for people (the default on a terminal).
    Table,
    /// One self-contained HTML page with route diagrams.
    Html,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The export folder (or a bare get-account-authorization-details JSON file).
    pub export: PathBuf,
    /// Output format; default `table` when stdout is a terminal, `jsonl` otherwise.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the output to FILE atomically (temporary file + rename) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Exit 1 when a current finding is at or above this severity
    /// (informational, low, medium, high, critical).
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// Scan history database (default: leakpath-state.sqlite beside --out).
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    /// Keep no scan history even when --out is given.
    #[arg(long, conflicts_with = "state")]
    pub no_state: bool,
    /// Emit only routes that are new or resolved since the previous scan.
    #[arg(long)]
    pub only_changed: bool,
    /// Longest route whose alternatives are enumerated, in hops (longer routes are still
    /// found: the shortest one per dataset and class)
    #[arg(long, default_value_t = 6)]
    pub max_hops: usize,
    /// Bytes read from each sampled object (the rest is never read).
    #[arg(long, default_value_t = 1 << 20)]
    pub sample_cap: u64,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The bucket name of a dataset ARN (`arn:aws:s3:::bucket` or `arn:aws:s3:::bucket/prefix*`).
fn bucket_name(dataset_arn: &str) -> Option<&str> {
    let rest = dataset_arn.strip_prefix("arn:aws:s3:::")?;
    Some(rest.split('/').next().unwrap_or(rest))
}

/// Labels one bucket from its sampled bodies, key sample and name. Sample files are opened
/// here (the classifier does no I/O); an unreadable sample is skipped with a warning.
fn bucket_sensitivity(
    model: &Model,
    bucket: Option<&Bucket>,
    name: &str,
    classifier: &SensitivityModel,
    options: &ClassifyOptions,
) -> Sensitivity {
    let Some(bucket) = bucket else {
        return Sensitivity::unknown();
    };
    let (keys, object_count, total_bytes) = match &bucket.key_sample {
        Collected::Present(sample) => (
            sample
                .objects
                .iter()
                .map(|o| o.key.clone())
                .collect::<Vec<_>>(),
            sample.objects.len() as u64,
            sample.objects.iter().filter_map(|o| o.size).sum::<u64>(),
        ),
        Collected::Missing => (Vec::new(), 0, 0),
    };
    if let Some(forced) = model.settings.labels.get(name) {
        return Sensitivity {
            label: forced.clone(),
            confidence: 1.0,
            evidence: vec!["label set in leakpath.toml".to_string()],
            object_count,
            total_bytes,
        };
    }
    let samples: Vec<Sample> = match &bucket.samples {
        Collected::Present(files) => files
            .iter()
            .filter_map(|f| match std::fs::File::open(&f.path) {
                Ok(file) => Some(Sample::new(f.relative_path.clone(), file)),
                Err(e) => {
                    eprintln!("leakpath: warning: sample {}: {e}", f.relative_path);
                    None
                }
            })
            .collect(),
        Collected::Missing => Vec::new(),
    };
    let label = classify_dataset_with(samples.into_iter(), &keys, name, classifier, options);
    if label.label == Label::Unknown {
        return Sensitivity {
            object_count,
            total_bytes,
            ..Sensitivity::unknown()
        };
    }
    Sensitivity {
        label: label.label.as_str().to_string(),
        confidence: label.confidence,
        evidence: label.evidence,
        object_count,
        total_bytes,
    }
}

fn progress_bar() -> indicatif::ProgressBar {
    let bar =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} {msg} [{bar:30}] {pos}/{len} ({elapsed})",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// `LEAKPATH_FAIL_OUTPUT_AFTER_BYTES=N` makes the output fail after N bytes: the test hook
/// that proves `--out` never leaves a partial file.
fn fault_injection() -> Option<usize> {
    std::env::var("LEAKPATH_FAIL_OUTPUT_AFTER_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
}

struct FailingWriter<'a> {
    inner: &'a mut dyn Write,
    left: usize,
}

impl Write for FailingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if buf.len() > self.left {
            return Err(std::io::Error::other("injected write failure"));
        }
        self.left -= buf.len();
        self.inner.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// `LEAKPATH_TIMINGS=1` prints each stage's wall time, the CPU time and peak memory so far
/// (and the route search's counters) to stderr: how a slow or large nightly scan is
/// diagnosed without a profiler.
struct StageTimer {
    on: bool,
    at: std::time::Instant,
}

impl StageTimer {
    fn from_env() -> StageTimer {
        StageTimer {
            on: std::env::var_os("LEAKPATH_TIMINGS").is_some_and(|v| v != "0"),
            at: std::time::Instant::now(),
        }
    }

    /// Reports the time since the previous stage ended.
    fn done(&mut self, stage: &str, detail: impl FnOnce() -> String) {
        if self.on {
            let detail = detail();
            let sep = if detail.is_empty() { "" } else { " " };
            eprintln!(
                "leakpath: timing: {stage}: {:.3} s (CPU so far {:.2} s, peak RSS so far {} MB){sep}{detail}",
                self.at.elapsed().as_secs_f64(),
                cpu_seconds(),
                peak_rss_kb() / 1024
            );
        }
        self.at = std::time::Instant::now();
    }
}

/// User CPU time of the process so far (all threads).
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return 0.0;
    }
    usage.ru_utime.tv_sec as f64 + usage.ru_utime.tv_usec as f64 / 1e6
}

/// The largest resident set of the process so far, in KB (Linux reports `ru_maxrss` in
/// KB): the number issue #7 bounds, as `/usr/bin/time -f %M` shows it.
fn peak_rss_kb() -> i64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return 0;
    }
    usage.ru_maxrss
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut timer = StageTimer::from_env();
    let fail_on = match &args.fail_on {
        Some(s) => Some(Severity::parse(s).with_context(|| {
            format!("--fail-on {s}: expected informational, low, medium, high or critical")
        })?),
        None => None,
    };
    let format = args.format.unwrap_or(if std::io::stdout().is_terminal() {
        Format::Table
    } else {
        Format::Jsonl
    });

    // The load runs on one core; the classifier's embedded model is parsed on the other
    // meanwhile (`embedded` keeps it; the classify stage below waits for it if need be).
    std::thread::spawn(|| SensitivityModel::embedded().is_ok());
    let export = leakpath::ingest::load_export(&args.export)?;
    timer.done("load", String::new);
    for w in &export.warnings {
        eprintln!("leakpath: warning: {w}");
    }

    let bar = progress_bar();
    bar.set_message("confirming edges");
    let on_progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let options = RouteOptions {
        max_hops: args.max_hops,
        progress: Some(&on_progress),
        ..RouteOptions::default()
    };
    let (mut findings, stats) = find_routes_with_stats(&export.model, &export.sources, &options)?;
    bar.finish_and_clear();
    timer.done("routes", || {
        let phases: Vec<String> = stats
            .phases
            .iter()
            .map(|(name, t)| format!("{name} {:.3} s", t.as_secs_f64()))
            .collect();
        format!(
            "({}; {} solver questions, {} edges confirmed, {} unknown, {} routes considered)",
            phases.join(", "),
            stats.solver_questions,
            stats.confirmed_edges,
            stats.unknown_edges,
            stats.routes_considered
        )
    });

    // Sensitivity once per bucket, in parallel.
    let classifier = SensitivityModel::embedded()?;
    let classify_options = ClassifyOptions {
        sample_byte_cap: args.sample_cap,
        ..ClassifyOptions::default()
    };
    let buckets: BTreeSet<String> = findings
        .iter()
        .filter_map(|f| bucket_name(&f.dataset.arn).map(str::to_string))
        .collect();
    // The first bucket of each name, as a linear search per bucket found it (a lookup per
    // finding's bucket, not a scan of every bucket).
    let mut by_name: HashMap<&str, &Bucket> = HashMap::with_capacity(export.model.buckets.len());
    for b in &export.model.buckets {
        by_name
            .entry(export.model.interner.resolve(b.name))
            .or_insert(b);
    }
    let labels: BTreeMap<String, Sensitivity> = buckets
        .into_par_iter()
        .map(|b| {
            let bucket = by_name.get(b.as_str()).copied();
            let s = bucket_sensitivity(&export.model, bucket, &b, classifier, &classify_options);
            (b, s)
        })
        .collect();
    for f in &mut findings {
        if let Some(s) = bucket_name(&f.dataset.arn).and_then(|b| labels.get(b)) {
            f.sensitivity = s.clone();
        }
        f.risk = rank::score(&RiskInputs {
            exposure: f.exposure,
            sensitivity: &f.sensitivity,
            actions: &f.actions,
            hops: f.route.len(),
            conditions_required: f.conditions_required,
        });
    }
    // leakpath.toml: suppressions (reported, marked) and severity overrides.
    let today: String = leakpath::routes::context::iso8601(now_ms() / 1000)
        .chars()
        .take(10)
        .collect();
    // Each finding on its own, in parallel; the notes are printed in the findings' order.
    let notes: Vec<Vec<String>> = findings
        .par_iter_mut()
        .map(|f| rank::triage(f, &export.model.settings, &today))
        .collect();
    for note in notes.iter().flatten() {
        eprintln!("leakpath: warning: {note}");
    }
    // Highest risk first, then by stable id; each id hashed once (in parallel), not once
    // per comparison.
    let mut keyed: Vec<_> = findings
        .into_par_iter()
        .map(|f| ((std::cmp::Reverse(f.risk.score), f.stable_id()), f))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let mut findings: Vec<_> = keyed.into_iter().map(|(_, f)| f).collect();
    timer.done("classify and rank", String::new);

    // History: new / open / resolved.
    let state_path = match (&args.state, &args.out, args.no_state) {
        (_, _, true) => None,
        (Some(p), _, _) => Some(p.clone()),
        (None, Some(out), _) => Some(
            out.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .join("leakpath-state.sqlite"),
        ),
        (None, None, _) => None,
    };
    let scan_time = now_ms();
    let mut resolved_lines: Vec<serde_json::Value> = Vec::new();
    if let Some(path) = &state_path {
        let mut history = ScanHistory::open(path)?;
        let current: Vec<(String, String)> = findings
            .iter()
            .map(|f| {
                let mut line = Vec::new();
                report::findings::write_native_line(f, FindingStatus::Open, &mut line);
                (f.stable_id(), String::from_utf8_lossy(&line).into_owned())
            })
            .collect();
        let (seen, resolved) =
            history.record_scan(&args.export.display().to_string(), scan_time, &current)?;
        for (f, s) in findings.iter_mut().zip(seen) {
            f.status = match s {
                Seen::New => FindingStatus::New,
                Seen::Open => FindingStatus::Open,
            };
        }
        for r in resolved {
            if let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&r.native) {
                if let Some(obj) = v.as_object_mut() {
                    obj.insert("status".into(), "resolved".into());
                }
                resolved_lines.push(v);
            }
        }
    }

    timer.done("history", String::new);
    // Suppressed findings are reported but never fail the run.
    let failing = fail_on.is_some_and(|threshold| {
        findings
            .iter()
            .any(|f| f.triage.suppressed.is_none() && f.risk.severity >= threshold)
    });
    let emitted: Vec<&Finding> = findings
        .iter()
        .filter(|f| !args.only_changed || f.status == FindingStatus::New)
        .collect();

    let title = args.export.display().to_string();
    let write = |w: &mut dyn Write| -> std::io::Result<()> {
        match format {
            Format::Jsonl | Format::Ocsf => {
                let line_format = if format == Format::Jsonl {
                    report::findings::LineFormat::Native
                } else {
                    report::findings::LineFormat::Ocsf
                };
                report::findings::write_lines(
                    emitted.iter().copied(),
                    &resolved_lines,
                    line_format,
                    scan_time,
                    w,
                )?;
            }
            Format::Table => {
                let shown: Vec<Finding> = emitted.iter().map(|f| (*f).clone()).collect();
                w.write_all(report::table::render_dataset_table(&shown).as_bytes())?;
                if !resolved_lines.is_empty() {
                    writeln!(
                        w,
                        "{} route(s) resolved since the previous scan",
                        resolved_lines.len()
                    )?;
                }
            }
            Format::Html => {
                let shown: Vec<Finding> = emitted.iter().map(|f| (*f).clone()).collect();
                w.write_all(report::html::render_html(&title, &shown).as_bytes())?;
            }
        }
        Ok(())
    };
    match &args.out {
        Some(path) => report::atomic::write_atomically(path, |w| match fault_injection() {
            // Tests force a write failure part-way to prove the output stays whole.
            Some(limit) => write(&mut FailingWriter {
                inner: w,
                left: limit,
            }),
            None => write(w),
        })
        .with_context(|| format!("writing {}", path.display()))?,
        None => {
            let stdout = std::io::stdout();
            let mut lock = std::io::BufWriter::new(stdout.lock());
            write(&mut lock)?;
            lock.flush()?;
        }
    }
    timer.done("output", || format!("({} findings)", emitted.len()));
    // The process ends right after this: freeing the model and the findings item by item
    // (~0.2 s on the 5,000-role export) would only delay the exit.
    drop(emitted);
    std::mem::forget(findings);
    std::mem::forget(export);
    Ok(if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
