//! `leakpath can` end to end on the IAMVulnerable GAAD (../shared/data): the JSON object's
//! names and the three principal forms (ARN, account id, anonymous).

use std::path::Path;
use std::process::Command;

const GAAD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/exports/cloudsplaining/example.json"
);
const ROLE: &str = "arn:aws:iam::200611803367:role/privesc-AssumeRole-intermediate-role";

/// Runs `can --json` on `export` and checks the result name; returns the parsed object.
fn check(
    export: &str,
    principal: &str,
    action: &str,
    resource: &str,
    expect: &str,
) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_leakpath"))
        .args(["can", export, "--principal", principal, "--action", action])
        .args(["--resource", resource, "--json"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["result"], expect, "{v}");
    assert!(
        v["witness"].is_object() && v["decided_by"].is_array(),
        "{v}"
    );
    v
}

#[test]
fn can_answers_trust_policy_questions() {
    if !Path::new(GAAD).exists() {
        eprintln!("SKIPPED: ../shared/data not present");
        return;
    }
    // Only the starting role is trusted: any principal of the account can (through it).
    let v = check(GAAD, "200611803367", "sts:AssumeRole", ROLE, "allowed");
    assert!(v["witness"]["principal"]
        .as_str()
        .is_some_and(|p| p.contains("privesc-AssumeRole-starting-role")));
    assert_eq!(v["decided_by"][0]["policy"], format!("{ROLE}#trust"));
    // A user the trust policy does not name, a foreign account, the internet: denied.
    check(
        GAAD,
        "arn:aws:iam::200611803367:user/privesc-AssumeRole-starting-user",
        "sts:AssumeRole",
        ROLE,
        "denied",
    );
    check(GAAD, "999988887777", "sts:AssumeRole", ROLE, "denied");
    check(GAAD, "anonymous", "sts:AssumeRole", ROLE, "denied");
    // A bucket the export does not hold: unknown, never denied.
    check(
        GAAD,
        "anonymous",
        "s3:GetObject",
        "arn:aws:s3:::nowhere/*",
        "unknown",
    );
}

/// A principal of an account outside the organization never carries our org id: the demo's
/// `acme-partner-dropbox` grants 999999999999 but denies anyone outside `o-a1b2c3d4e5`,
/// while `acme-partner-exchange` grants it without that deny.
#[test]
fn can_binds_the_org_id_of_a_foreign_account() {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/demo");
    let ask = |bucket: &str| -> serde_json::Value {
        let out = Command::new(env!("CARGO_BIN_EXE_leakpath"))
            .args([
                "can",
                demo,
                "--principal",
                "999999999999",
                "--action",
                "s3:GetObject",
            ])
            .args(["--resource", &format!("arn:aws:s3:::{bucket}/x"), "--json"])
            .output()
            .expect("runs");
        serde_json::from_slice(&out.stdout).expect("one JSON object")
    };
    let dropbox = ask("acme-partner-dropbox");
    assert_eq!(dropbox["result"], "denied", "{dropbox}");
    assert_eq!(
        dropbox["decided_by"][0]["sid"], "DenyOutsideOrg",
        "{dropbox}"
    );
    let exchange = ask("acme-partner-exchange");
    assert_eq!(exchange["result"], "allowed", "{exchange}");
    assert_ne!(
        exchange["witness"]["context"]["aws:principalorgid"],
        "o-a1b2c3d4e5"
    );
}

/// An unsigned request may come through a VPC endpoint of the requester's own: a bucket that
/// admits any endpoint (`aws:SourceVpce` like `vpce-*`) is readable anonymously; one locked
/// to our endpoint is not (the internet cannot use it).
#[test]
fn can_anonymous_through_an_endpoint_of_its_own() {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let object = "arn:aws:s3:::data/report.csv";
    let v = check(
        &format!("{fixtures}/semantics/policy_source_vpce_wildcard"),
        "anonymous",
        "s3:GetObject",
        object,
        "allowed",
    );
    assert!(v["witness"]["context"]["aws:sourcevpce"]
        .as_str()
        .is_some_and(|e| e.starts_with("vpce-") && e != "vpce-0a1"));
    check(
        &format!("{fixtures}/routes/vpce_locked_instance"),
        "anonymous",
        "s3:GetObject",
        object,
        "denied",
    );
}
