//! Criterion bench `solver`: `smt::check` latency per question.
//!
//! Corpora:
//! - IAMVulnerable (`../shared/data/exports/cloudsplaining/example.json`, a GAAD of 44 users
//!   and 78 roles). A GAAD holds no buckets, so the bench invents six buckets in the
//!   account, one per kind of bucket policy that matters (none; public read; a grant to a
//!   foreign account; an org-id guard deny; an IP-restricted grant; a TLS-only deny). Every
//!   principal × {s3:GetObject on `bucket/*`, s3:ListBucket on `bucket`} × every bucket.
//! - A generated export (`leakpath::synth`: 5,000 roles, 500 users, 1,000 policies, 40
//!   buckets, one account): every principal × the two actions × the first 4 buckets, with
//!   the buckets' real policies, ACLs and Block Public Access from the model.
//!
//! Before criterion runs, every question is timed once and the median, p99 and maximum are
//! printed with the answer counts (targets: median <= 1 ms, p99 <= 20 ms; the per-question
//! timeout is 2 s → Unknown). Set `LEAKPATH_SOLVER_BENCH_SMALL=1` for a 1/10 synth export.

/// The binary's allocator (`src/main.rs`), so the stages are timed as `leakpath` runs them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{criterion_group, criterion_main, Criterion};
use leakpath::eval::{AuthzInputs, IdentityInputs, PolicyRef, ResourcePolicyMode, S3Inputs};
use leakpath::ingest::load_export;
use leakpath::model::PrincipalRef;
use leakpath::policy::parse::parse_policy_value;
use leakpath::policy::PolicyDocument;
use leakpath::smt::from_model::ModelView;
use leakpath::smt::{check, Answer, PrincipalShape, Question, RequestShape, StrShape};
use leakpath::synth::{self, SynthConfig};
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};

const GAAD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/exports/cloudsplaining/example.json"
);

fn invented_bucket_policies(account: &str) -> Vec<(String, Option<PolicyDocument>)> {
    let p = |v: serde_json::Value| parse_policy_value(&v).ok();
    let names = [
        "plain",
        "public",
        "shared",
        "org-guarded",
        "office-only",
        "tls-only",
    ];
    names
        .iter()
        .map(|n| {
            let b = format!("iamvulnerable-{n}");
            let obj = format!("arn:aws:s3:::{b}/*");
            let bucket = format!("arn:aws:s3:::{b}");
            let doc = match *n {
                "plain" => None,
                "public" => p(json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": obj}]})),
                "shared" => p(json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                     "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": [obj, bucket]}]})),
                "org-guarded" => p(json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [obj, bucket],
                     "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-example"},
                                   "Bool": {"aws:PrincipalIsAWSService": "false"}}}]})),
                "office-only" => p(json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": account}, "Action": "s3:*", "Resource": [obj, bucket],
                     "Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}}},
                    {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [obj, bucket],
                     "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}}}]})),
                _ => p(json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [obj, bucket],
                     "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})),
            };
            (b, doc)
        })
        .collect()
}

fn principals(view: &ModelView<'_>) -> Vec<PrincipalRef> {
    let m = view.model;
    (0..m.users.len())
        .map(|i| PrincipalRef::User(leakpath::model::UserId(i as u32)))
        .chain((0..m.roles.len()).map(|i| PrincipalRef::Role(leakpath::model::RoleId(i as u32))))
        .collect()
}

fn shapes(view: &ModelView<'_>, p: PrincipalRef, bucket: &str) -> Vec<RequestShape> {
    let Some(rp) = view.request_principal(p) else {
        return Vec::new();
    };
    vec![
        RequestShape::new(
            PrincipalShape::Exact(rp.clone()),
            StrShape::Exact("s3:GetObject".into()),
            StrShape::Matching(format!("arn:aws:s3:::{bucket}/*")),
        ),
        RequestShape::new(
            PrincipalShape::Exact(rp),
            StrShape::Exact("s3:ListBucket".into()),
            StrShape::Exact(format!("arn:aws:s3:::{bucket}")),
        ),
    ]
}

/// Times every question once; prints the distribution and the answer counts.
fn measure(name: &str, questions: &[Question<'_>]) {
    let mut times = Vec::with_capacity(questions.len());
    let (mut allowed, mut denied, mut unknown, mut errors) = (0, 0, 0, 0);
    for q in questions {
        let t = Instant::now();
        let a = check(q);
        times.push(t.elapsed());
        match a {
            Ok(Answer::Allowed(_)) => allowed += 1,
            Ok(Answer::Denied(_)) => denied += 1,
            Ok(Answer::Unknown(_)) => unknown += 1,
            Err(e) => {
                errors += 1;
                if errors <= 3 {
                    eprintln!("solver bench: {name}: error {e}");
                }
            }
        }
    }
    times.sort();
    let at = |f: f64| {
        times
            .get(((times.len() as f64 * f) as usize).min(times.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    eprintln!(
        "solver bench: {name}: {} questions: median {:?}, p99 {:?}, max {:?}; allowed {allowed}, denied {denied}, unknown {unknown}, errors {errors}",
        times.len(),
        at(0.5),
        at(0.99),
        times.last().copied().unwrap_or_default(),
    );
}

fn bench_iamvulnerable(c: &mut Criterion) {
    if !Path::new(GAAD).exists() {
        eprintln!("SKIPPED: ../shared/data not present");
        return;
    }
    let loaded = match load_export(Path::new(GAAD)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("solver bench: cannot load {GAAD}: {e}");
            return;
        }
    };
    let view = ModelView::new(&loaded.model);
    let account = loaded
        .model
        .accounts
        .first()
        .map(|a| loaded.model.str(a.id).to_string())
        .unwrap_or_default();
    let buckets = invented_bucket_policies(&account);
    let mut questions = Vec::new();
    for p in principals(&view) {
        let Ok(identity) = view.identity(p) else {
            continue;
        };
        for (bucket, doc) in &buckets {
            for shape in shapes(&view, p, bucket) {
                let inputs = AuthzInputs {
                    identity: identity.clone(),
                    resource_account: account.clone(),
                    resource_policy: doc.as_ref().map(|d| PolicyRef {
                        label: bucket.as_str(),
                        doc: d,
                    }),
                    resource_policy_mode: ResourcePolicyMode::Alternative,
                    rcps: None,
                    vpc_endpoint_policy: None,
                    s3: Some(S3Inputs::default()),
                    kms: None,
                };
                questions.push(Question { inputs, shape });
            }
        }
    }
    measure("iamvulnerable", &questions);
    let mut i = 0;
    c.bench_function("iamvulnerable_question", |b| {
        b.iter(|| {
            i = (i + 1) % questions.len().max(1);
            questions.get(i).map(check)
        })
    });
}

fn bench_synth(c: &mut Criterion) {
    let scale = if std::env::var_os("LEAKPATH_SOLVER_BENCH_SMALL").is_some() {
        10
    } else {
        1
    };
    let config = SynthConfig {
        roles: 5000 / scale,
        users: 500 / scale,
        policies: 1000 / scale,
        buckets: 40,
        accounts: 1,
        seed: 1,
    };
    let files = match synth::generate(&config, &[]) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("solver bench: synth failed: {e}");
            return;
        }
    };
    let Ok(dir) = tempfile::tempdir() else { return };
    for f in &files {
        let path = dir.path().join(&f.path);
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::write(&path, &f.bytes);
    }
    let loaded = match load_export(dir.path()) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("solver bench: cannot load the synth export: {e}");
            return;
        }
    };
    let view = ModelView::new(&loaded.model);
    let buckets: Vec<String> = loaded
        .model
        .buckets
        .iter()
        .take(4)
        .map(|b| loaded.model.str(b.name).to_string())
        .collect();
    let mut questions = Vec::new();
    let mut skipped = 0;
    for p in principals(&view) {
        let identity = match view.identity(p) {
            Ok(i) => i,
            Err(_) => {
                skipped += 1;
                continue;
            }
        };
        for bucket in &buckets {
            for shape in shapes(&view, p, bucket) {
                let resource = match &shape.resource {
                    StrShape::Exact(r) => r.clone(),
                    StrShape::Matching(r) => r.trim_end_matches('*').to_string(),
                };
                let action = match &shape.action {
                    StrShape::Exact(a) => a.clone(),
                    StrShape::Matching(a) => a.clone(),
                };
                match view.inputs_for(identity.clone(), &action, &resource) {
                    Ok(inputs) => questions.push(Question { inputs, shape }),
                    Err(_) => skipped += 1,
                }
            }
        }
    }
    eprintln!("solver bench: synth: {skipped} questions skipped (data not collected)");
    measure("synth-5000-roles", &questions);
    let _ = IdentityInputs::Unconstrained;
    let mut i = 0;
    c.bench_function("synth_question", |b| {
        b.iter(|| {
            i = (i + 1) % questions.len().max(1);
            questions.get(i).map(check)
        })
    });
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .measurement_time(Duration::from_secs(5))
        .warm_up_time(Duration::from_secs(1))
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_iamvulnerable, bench_synth
}
criterion_main!(benches);
