//! Privilege-escalation paths on the IAMVulnerable GAAD (`../shared/data/exports/
//! cloudsplaining/example.json`): principals named `privesc*` and `fn*` have a path (those a
//! GAAD can show), `fp*` must never be flagged. Peers on the same file: PMapper 46/76 with 0
//! false flags, Cloudsplaining 60/76 with 2.

use leakpath::routes::escalations::escalation_paths;
use leakpath::routes::RouteOptions;
use std::path::Path;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");

fn name_of(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// Principals that are targets or helpers of the IAMVulnerable paths, not starting points:
/// the end of the AssumeRole chain and the high-privilege service role.
fn is_expected_escalator(name: &str) -> bool {
    (name.starts_with("privesc") || name.starts_with("fn"))
        && !name.starts_with("privesc-high-priv-service-role")
        && !name.starts_with("privesc-AssumeRole-ending-role")
}

fn check(file: &str, expect_min_found: usize, expect_false_flags: usize) {
    let path = Path::new(DATA).join(file);
    if !path.exists() {
        eprintln!("SKIPPED: ../shared/data not present");
        return;
    }
    let export = leakpath::ingest::load_export(&path).expect("GAAD loads");
    let m = &export.model;
    let all: Vec<String> = m
        .users
        .iter()
        .map(|u| u.name.clone())
        .chain(m.roles.iter().map(|r| r.name.clone()))
        .collect();
    let expected: Vec<&String> = all.iter().filter(|n| is_expected_escalator(n)).collect();
    let paths = escalation_paths(m, &export.sources, &RouteOptions::default()).expect("analysis");
    let flagged: Vec<&str> = paths.iter().map(|p| name_of(&p.principal)).collect();
    let found: Vec<&&String> = expected
        .iter()
        .filter(|n| flagged.contains(&n.as_str()))
        .collect();
    let missed: Vec<&&String> = expected
        .iter()
        .filter(|n| !flagged.contains(&n.as_str()))
        .collect();
    let false_flags: Vec<&&str> = flagged.iter().filter(|n| n.starts_with("fp")).collect();
    eprintln!(
        "IAMVulnerable: found {}/{} escalating principals, {} fp* flagged; missed: {:?}",
        found.len(),
        expected.len(),
        false_flags.len(),
        missed
    );
    for p in &paths {
        eprintln!(
            "  {} via {:?}: {}",
            name_of(&p.principal),
            p.detectors,
            p.path
                .iter()
                .map(|h| format!("{} -[{}]-> {}", name_of(&h.from), h.via, name_of(&h.to)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    assert_eq!(false_flags.len(), expect_false_flags, "{false_flags:?}");
    assert!(
        found.len() >= expect_min_found,
        "found {} < {expect_min_found}",
        found.len()
    );
}

#[test]
fn iamvulnerable_escalation_paths() {
    check("exports/cloudsplaining/example.json", 60, 0);
}
