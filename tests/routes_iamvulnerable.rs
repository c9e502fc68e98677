//! Privilege-escalation paths on the IAMVulnerable GAAD (`../shared/data/exports/
//! cloudsplaining/example.json`): principals named `privesc*` and `fn*` have a path (those a
//! GAAD can show), `fp*` must never be flagged. Peers on the same file: PMapper 46/76 with 0
//! false flags, Cloudsplaining 60/76 with 2.
//!
//! The count is pinned, and so is the list of principals still missed: each of them has no
//! escalation path under AWS's rules in this deployment (the reason is written beside it).
//! Tools that flag them do so by permission alone.

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

/// Counted principals with no path in this GAAD, and why AWS would not let them escalate.
const NO_PATH: &[(&str, &str)] = &[
    (
        "privesc-AssumeRole-start-user",
        "holds no policy at all, and privesc-AssumeRole-starting-role trusts the deployer's SSO \
         session, not this user (iam-vulnerable sets that trust from aws_assume_role_arn)",
    ),
    (
        "privesc-permissive-role-trust",
        "holds no policy at all: it is a role others may assume (its trust names the account \
         root), not a starting point; iam-vulnerable's file says it has no policies attached",
    ),
    (
        "privesc9-AttachRolePolicy-user",
        "iam:AttachRolePolicy only helps through a role it can then use, and it can assume \
         none: every role trusts the deployer's session or a service, and the root-trusting \
         role needs sts:AssumeRole, which it lacks",
    ),
    (
        "privesc12-PutRolePolicy-user",
        "as privesc9-AttachRolePolicy-user, with iam:PutRolePolicy",
    ),
    (
        "privesc7-AttachUserPolicy-role",
        "a role is not a user: iam:AttachUserPolicy gives other users policies, and it cannot \
         take any user's credentials",
    ),
    (
        "privesc8-AttachGroupPolicy-role",
        "a role is in no group: iam:AttachGroupPolicy only helps a group's members, whose \
         credentials it cannot take",
    ),
    (
        "privesc10-PutUserPolicy-role",
        "as privesc7-AttachUserPolicy-role, with iam:PutUserPolicy",
    ),
    (
        "privesc11-PutGroupPolicy-role",
        "as privesc8-AttachGroupPolicy-role, with iam:PutGroupPolicy",
    ),
    (
        "privesc13-AddUserToGroup-role",
        "a role cannot be added to a group; adding users helps only those users",
    ),
];

fn check(file: &str, expect_found: usize, expect_false_flags: usize) {
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
    for (name, why) in NO_PATH {
        eprintln!("  no path: {name}: {why}");
    }
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
    let mut missed_names: Vec<&str> = missed.iter().map(|n| n.as_str()).collect();
    missed_names.sort_unstable();
    let mut no_path: Vec<&str> = NO_PATH.iter().map(|(n, _)| *n).collect();
    no_path.sort_unstable();
    assert_eq!(missed_names, no_path, "missed principals changed");
    assert_eq!(found.len(), expect_found, "found {}", found.len());
}

#[test]
fn iamvulnerable_escalation_paths() {
    check("exports/cloudsplaining/example.json", 65, 0);
}
