//! `leakpath diff`: routes opened and closed between two exports, with the changed
//! statement or setting as the cause.

mod common;
use common::copy_dir;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn edit_json(path: &Path, f: impl FnOnce(&mut Value)) {
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    f(&mut v);
    std::fs::write(path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

#[test]
fn diff_names_the_changed_setting_and_statement() {
    let demo = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/demo"));
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old"), dir.path().join("new"));
    copy_dir(&demo, &old);
    copy_dir(&demo, &new);
    let buckets = new.join("accounts/222222222222/s3/buckets");
    // Open: lift RestrictPublicBuckets on the staging bucket (its policy is public).
    edit_json(
        &buckets.join("acme-marketing-staging/get-public-access-block.json"),
        |v| v["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"] = false.into(),
    );
    // Close: pin the vendor grant on the exchange bucket to the organization.
    edit_json(
        &buckets.join("acme-partner-exchange/get-bucket-policy.json"),
        |v| {
            let mut doc: Value = serde_json::from_str(v["Policy"].as_str().unwrap()).unwrap();
            for st in doc["Statement"].as_array_mut().unwrap() {
                if st["Sid"] == "Account999999999999Read" {
                    st["Condition"] =
                        serde_json::json!({"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}});
                }
            }
            v["Policy"] = doc.to_string().into();
        },
    );
    let out = Command::new(env!("CARGO_BIN_EXE_leakpath"))
        .args([
            "diff",
            old.to_str().unwrap(),
            new.to_str().unwrap(),
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let find = |change: &str, arn: &str, class: &str| {
        lines
            .iter()
            .find(|l| {
                l["change"] == change
                    && l["finding"]["dataset"]["arn"] == arn
                    && l["finding"]["exposure"] == class
            })
            .unwrap_or_else(|| panic!("no {change} {class} route to {arn}: {lines:#?}"))
    };
    let opened = find("opened", "arn:aws:s3:::acme-marketing-staging", "public");
    assert_eq!(opened["unexplained"], false);
    assert_eq!(
        opened["causes"],
        serde_json::json!([{
            "location": "accounts/222222222222/s3/buckets/acme-marketing-staging/get-public-access-block.json#/PublicAccessBlockConfiguration/RestrictPublicBuckets",
            "kind": "modified"}])
    );
    let closed = find(
        "closed",
        "arn:aws:s3:::acme-partner-exchange",
        "cross-account",
    );
    let causes = closed["causes"].as_array().unwrap();
    assert_eq!(causes.len(), 1, "{causes:#?}");
    let loc = causes[0]["location"].as_str().unwrap();
    assert!(
        loc.starts_with("accounts/222222222222/s3/buckets/acme-partner-exchange/get-bucket-policy.json#/Policy/Statement/"),
        "{loc}"
    );
    assert!(loc.ends_with("/Condition"), "{loc}");
    // Nothing unrelated opened or closed.
    assert!(lines.iter().all(|l| {
        let arn = l["finding"]["dataset"]["arn"].as_str().unwrap();
        arn == "arn:aws:s3:::acme-marketing-staging" || arn == "arn:aws:s3:::acme-partner-exchange"
    }));
}

#[test]
fn identical_exports_have_no_difference() {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/demo");
    let out = Command::new(env!("CARGO_BIN_EXE_leakpath"))
        .args(["diff", demo, demo])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout)
        .starts_with("0 route(s) opened, 0 closed; 0 change(s)"));
}
