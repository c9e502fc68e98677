//! End-to-end route search on `datasets/demo` against the ground truth of its README.

use leakpath::routes::finding::{ExposureClass, Finding};
use leakpath::routes::{find_routes, RouteOptions};
use std::path::Path;

fn demo_findings() -> Vec<Finding> {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/demo"));
    let export = leakpath::ingest::load_export(root).expect("demo export loads");
    find_routes(&export.model, &export.sources, &RouteOptions::default()).expect("routes")
}

fn show(f: &Finding) -> String {
    let hops: Vec<String> = f
        .route
        .iter()
        .map(|h| format!("{} -[{} | {}]-> {}", h.from, h.via, h.policy, h.to))
        .collect();
    format!(
        "{} {} {} {:?} {:?} alt={}\n    {}",
        f.dataset.arn,
        f.exposure.as_str(),
        f.actor,
        f.actions,
        f.solver.verdict,
        f.alternatives,
        hops.join("\n    ")
    )
}

/// (dataset, class, actor) of every deliberate exposure E1–E9 of `datasets/demo/README.md`.
const EXPECTED: &[(&str, &str, &str)] = &[
    ("arn:aws:s3:::acme-marketing-public", "public", "*"),
    ("arn:aws:s3:::acme-legacy-exports", "public", "*"),
    (
        "arn:aws:s3:::acme-partner-exchange",
        "cross-account",
        "999999999999",
    ),
    (
        "arn:aws:s3:::acme-finance-reports",
        "cross-account",
        "999999999999",
    ),
    (
        "arn:aws:s3:::acme-partner-encrypted",
        "cross-account",
        "999999999999",
    ),
    (
        "arn:aws:s3:::acme-build-artifacts",
        "federated",
        "token.actions.githubusercontent.com",
    ),
    (
        "arn:aws:s3:::acme-customer-data",
        "internet-compute",
        "internet",
    ),
    (
        "arn:aws:s3:::acme-lambda-data",
        "internet-compute",
        "internet",
    ),
    ("arn:aws:s3:::acme-mgmt-billing", "egress", "*"),
];

/// (dataset, class) pairs the negative twins N1–N15 must not produce.
const FORBIDDEN: &[(&str, &str)] = &[
    ("arn:aws:s3:::acme-marketing-staging", "public"),
    ("arn:aws:s3:::acme-shared-reports", "public"),
    ("arn:aws:s3:::acme-legacy-archive", "public"),
    ("arn:aws:s3:::acme-partner-dropbox", "cross-account"),
    ("arn:aws:s3:::acme-partner-feed", "cross-account"),
    ("arn:aws:s3:::acme-finance-archive", "cross-account"),
    ("arn:aws:s3:::acme-partner-sealed", "cross-account"),
    ("arn:aws:s3:::acme-release-config", "federated"),
    ("arn:aws:s3:::acme-hr-records", "internet-compute"),
    ("arn:aws:s3:::acme-analytics", "internet-compute"),
    ("arn:aws:s3:::acme-reports-archive", "internet-compute"),
    ("arn:aws:s3:::acme-ops-runbooks", "internet-compute"),
    ("arn:aws:s3:::acme-lambda-internal", "internet-compute"),
    ("arn:aws:s3:::acme-mgmt-ledger", "egress"),
    ("arn:aws:s3:::acme-prod-exports", "egress"),
    ("arn:aws:s3:::acme-org-cloudtrail", "public"),
];

fn check(findings: &[Finding], expected: &[(&str, &str, &str)], forbidden: &[(&str, &str)]) {
    let all: Vec<String> = findings.iter().map(show).collect();
    for (d, c, a) in expected {
        assert!(
            findings
                .iter()
                .any(|f| f.dataset.arn == *d && f.exposure.as_str() == *c && f.actor == *a),
            "missing {d} {c} {a}; got:\n{}",
            all.join("\n")
        );
    }
    for (d, c) in forbidden {
        assert!(
            !findings
                .iter()
                .any(|f| f.dataset.arn == *d && f.exposure.as_str() == *c),
            "unexpected {d} {c}; got:\n{}",
            all.join("\n")
        );
    }
    // One line per (dataset, class).
    let mut keys: Vec<(String, ExposureClass)> = findings
        .iter()
        .map(|f| (f.dataset.arn.clone(), f.exposure))
        .collect();
    let n = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), n, "duplicate (dataset, class) lines");
}

#[test]
fn demo_exposures_found_and_twins_blocked() {
    let findings = demo_findings();
    check(&findings, EXPECTED, FORBIDDEN);
    // E4 is the two-hop chain through vendor-audit and finance-reader.
    let e4 = findings
        .iter()
        .find(|f| f.dataset.arn == "arn:aws:s3:::acme-finance-reports")
        .map(|f| f.route.iter().map(|h| h.via.as_str()).collect::<Vec<_>>());
    assert_eq!(
        e4,
        Some(vec!["sts:AssumeRole", "sts:AssumeRole", "s3:GetObject"])
    );
    // E1's witness avoids the DenyInsecureTransport statement.
    let e1 = findings
        .iter()
        .find(|f| f.dataset.arn == "arn:aws:s3:::acme-marketing-public")
        .and_then(|f| f.witness.hops.first().cloned());
    let secure = e1.and_then(|w| w.context.get("aws:securetransport").cloned());
    assert_eq!(secure, Some(vec!["true".to_string()]));
}
