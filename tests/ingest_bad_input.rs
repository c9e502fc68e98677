//! Bad input: every class gives an error naming the file and the JSON path (or a warning
//! where the rest stays sound), never a panic; `leakpath inventory BAD` exits 2 and prints
//! nothing on stdout.

mod common;

use common::copy_dir;
use leakpath::ingest::{load_export, IngestError, LoadedExport};
use leakpath::model::Collected;
use std::path::PathBuf;
use std::process::Command;

const ACCT: &str = "444455556666";

fn fixture() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/ingest/org"
    ))
}

/// A copy of the org fixture with `rel` (under the account folder unless it starts with
/// `/`) replaced by `bytes`.
fn broken(rel: &str, bytes: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), dir.path());
    let path = match rel.strip_prefix('/') {
        Some(r) => dir.path().join(r),
        None => dir.path().join("accounts").join(ACCT).join(rel),
    };
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
    dir
}

/// A copy of the org fixture with `rel` replaced by `bytes` (see `broken`) gives an error
/// about that file at `pointer`, whose message contains `text` (see `check`).
fn check_broken(rel: &str, bytes: &[u8], pointer: Option<&str>, text: &str) {
    let d = broken(rel, bytes);
    check(&d, rel.trim_start_matches('/'), pointer, text);
}

/// `check_broken` on the fixture account's GAAD with the value at `at` replaced by `value`.
fn check_gaad_edit(at: &str, value: serde_json::Value, pointer: &str, text: &str) {
    const GAAD: &str = "iam/get-account-authorization-details.json";
    let path = fixture().join("accounts").join(ACCT).join(GAAD);
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    *v.pointer_mut(at)
        .unwrap_or_else(|| panic!("the fixture GAAD has no {at}")) = value;
    check_broken(GAAD, v.to_string().as_bytes(), Some(pointer), text);
}

/// Loads `dir` and expects an error about `file` (relative to the export root) at
/// `pointer`, whose message contains `text`.
fn check(dir: &tempfile::TempDir, file: &str, pointer: Option<&str>, text: &str) {
    let err = match load_export(dir.path()) {
        Ok(_) => panic!("{file}: loaded"),
        Err(e) => e,
    };
    let msg = err.to_string();
    let expect_file = if file.starts_with("organizations") || file == "leakpath.toml" {
        file.to_string()
    } else {
        format!("accounts/{ACCT}/{file}")
    };
    assert_eq!(err.file(), expect_file, "{msg}");
    assert_eq!(err.pointer().as_deref(), pointer, "{msg}");
    assert!(msg.starts_with(&expect_file), "{msg}");
    assert!(msg.contains(text), "{msg:?} lacks {text:?}");
}

#[test]
fn malformed_json() {
    check_broken(
        "s3/list-buckets.json",
        b"{\"Buckets\": [",
        None,
        "not valid JSON at line 1",
    );
}

#[test]
fn wrong_shapes() {
    check_broken(
        "s3/list-buckets.json",
        br#"{"Buckets": {"Name": "x"}}"#,
        Some("/Buckets"),
        "expected a list, found an object",
    );
    check_broken(
        "ec2/us-east-1/describe-security-groups.json",
        br#"{"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": [{"IpProtocol": "tcp", "FromPort": "22"}]}]}"#,
        Some("/SecurityGroups/0/IpPermissions/0/FromPort"),
        "expected an integer",
    );
    check_broken(
        "ec2/us-east-1/describe-subnets.json",
        br#"{"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.0.0/33"}]}"#,
        Some("/Subnets/0/CidrBlock"),
        "invalid CIDR",
    );
    check_broken(
        "/organizations/parents/444455556666.json",
        br#"{"Parents": [{"Id": "ou-x", "Type": "FOLDER"}]}"#,
        Some("/Parents/0/Type"),
        "ROOT, ORGANIZATIONAL_UNIT or ACCOUNT",
    );
}

#[test]
fn unknown_policy_elements_and_empty_actions() {
    let policy = r#"{"Policy": "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Principal\": \"*\", \"Resource\": \"*\", \"Foo\": 1}]}"}"#;
    check_broken(
        "s3/buckets/data-bucket/get-bucket-policy.json",
        policy.as_bytes(),
        Some("/Policy/Statement/0/Foo"),
        "unknown element `Foo`",
    );
    check_gaad_edit(
        "/RoleDetailList/1/AssumeRolePolicyDocument",
        serde_json::json!({"Statement": [{"Effect": "Allow", "Action": []}]}),
        "/RoleDetailList/1/AssumeRolePolicyDocument/Statement/0/Action",
        "`Action` is empty",
    );
    check_broken(
        "/organizations/policies/p-scp00001/describe-policy.json",
        br#"{"Policy": {"PolicySummary": {"Id": "p-1", "Type": "SERVICE_CONTROL_POLICY"}, "Content": "{\"Statement\": {\"Effect\": \"Permit\", \"Action\": \"*\"}}"}}"#,
        Some("/Policy/Content/Statement/Effect"),
        "\"Permit\"",
    );
}

#[test]
fn invalid_arns() {
    check_gaad_edit(
        "/RoleDetailList/0/Arn",
        serde_json::json!("role/app"),
        "/RoleDetailList/0/Arn",
        "invalid ARN",
    );
    check_gaad_edit(
        "/RoleDetailList/0/Arn",
        serde_json::json!(format!("arn:aws:iam::{ACCT}:user/app")),
        "/RoleDetailList/0/Arn",
        "expected an IAM role ARN",
    );
    check_broken(
        "lambda/us-east-1/list-functions.json",
        br#"{"Functions": [{"FunctionName": "f", "FunctionArn": "arn:aws:lambda"}]}"#,
        Some("/Functions/0/FunctionArn"),
        "invalid Lambda function ARN",
    );
}

#[test]
fn duplicate_ids() {
    check_broken(
        "ec2/us-east-1/describe-vpcs.json",
        br#"{"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}, {"VpcId": "vpc-1", "CidrBlock": "10.1.0.0/16"}]}"#,
        Some("/Vpcs/1"),
        "duplicate VPC `vpc-1`",
    );
    check_broken(
        "s3/list-buckets.json",
        br#"{"Buckets": [{"Name": "a"}, {"Name": "a"}]}"#,
        Some("/Buckets/1"),
        "duplicate bucket `a`",
    );
}

#[test]
fn huge_files_are_refused_before_reading() {
    let d = broken("ec2/us-east-1/describe-vpcs.json", b"{}");
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(
            d.path()
                .join(format!("accounts/{ACCT}/ec2/us-east-1/describe-vpcs.json")),
        )
        .unwrap();
    // Sparse: costs no disk space.
    f.set_len(leakpath::ingest::json::MAX_FILE_BYTES + 1)
        .unwrap();
    check(&d, "ec2/us-east-1/describe-vpcs.json", None, "over the");
}

#[test]
fn deeply_nested_documents() {
    let deep = format!(
        "{{\"Vpcs\": {}{}}}",
        "[".repeat(200_000),
        "]".repeat(200_000)
    );
    check_broken(
        "ec2/us-east-1/describe-vpcs.json",
        deep.as_bytes(),
        None,
        "nested deeper than 64",
    );
    // Inside a policy string, too.
    let inner = format!(
        "{{\\\"Statement\\\": {}{}}}",
        "[".repeat(5_000),
        "]".repeat(5_000)
    );
    check_broken(
        "s3/buckets/data-bucket/get-bucket-policy.json",
        format!("{{\"Policy\": \"{inner}\"}}").as_bytes(),
        Some("/Policy"),
        "nested deeper than 64",
    );
}

#[test]
fn non_utf8_files_and_settings() {
    check_broken(
        "kms/us-east-1/list-keys.json",
        b"{\"Keys\": [\"\xff\xfe\"]}",
        None,
        "not valid UTF-8 (first bad byte at offset 11)",
    );
    check_broken(
        "/leakpath.toml",
        b"trusted_cidrs = [\"not-a-cidr\"]\n",
        None,
        "trusted_cidrs[0]: invalid CIDR",
    );
}

/// Recoverable problems: the export loads, and the warning or note names the file.
fn loads_with(dir: &tempfile::TempDir) -> LoadedExport {
    load_export(dir.path()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn empty_files_and_unknown_files_are_warnings() {
    let d = broken("s3/buckets/data-bucket/get-bucket-acl.json", b"");
    let e = loads_with(&d);
    let b = &e.model.buckets[e.model.bucket_by_name("data-bucket").unwrap().index()];
    assert_eq!(b.acl, Collected::Missing, "an empty file is not collected");
    assert!(e
        .warnings
        .iter()
        .any(|w| w.file.ends_with("data-bucket/get-bucket-acl.json")));
    let d = broken("ec2/us-east-1/describe-flow-logs.json", b"{}");
    let e = loads_with(&d);
    assert!(e
        .coverage
        .ignored_files
        .iter()
        .any(|f| f.ends_with("describe-flow-logs.json")));
    // A first page only: the rest is unknown, and the coverage report says so.
    let d = broken(
        "ec2/us-east-1/describe-instances.json",
        br#"{"Reservations": [], "NextToken": "abc"}"#,
    );
    let e = loads_with(&d);
    assert!(e.coverage.missing.iter().any(|m| m.file
        == format!("accounts/{ACCT}/ec2/us-east-1/describe-instances.json")
        && m.consequence.contains("first page")));
    // `{}` for describe-organization: the account is in no organization.
    let d = broken("/organizations/describe-organization.json", b"{}");
    let e = loads_with(&d);
    assert!(e.model.organization.is_missing());
    assert!(e
        .warnings
        .iter()
        .any(|w| w.file == "organizations/describe-organization.json"));
    let d = broken("/accounts/not-an-account/x.json", b"{}");
    let e = loads_with(&d);
    assert!(e
        .warnings
        .iter()
        .any(|w| w.file == "accounts/not-an-account"));
}

#[test]
fn not_an_export() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("hello.txt"), "hi").unwrap();
    assert!(matches!(
        load_export(d.path()),
        Err(IngestError::NotAnExport { .. })
    ));
    assert!(matches!(
        load_export(&d.path().join("nope")),
        Err(IngestError::Io { .. })
    ));
    let f = d.path().join("list.json");
    std::fs::write(&f, "[1, 2]").unwrap();
    assert!(matches!(
        load_export(&f),
        Err(IngestError::NotAnExport { .. })
    ));
}

fn inventory(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_leakpath"))
        .arg("inventory")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn cli_bad_export_exits_2_with_nothing_on_stdout() {
    let d = broken(
        "s3/buckets/data-bucket/get-bucket-acl.json",
        b"{\"Grants\": 7}",
    );
    let out = inventory(&[d.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "accounts/{ACCT}/s3/buckets/data-bucket/get-bucket-acl.json: /Grants"
        )),
        "{err}"
    );
    let out = inventory(&[d.path().to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

#[test]
fn cli_inventory_json_has_counts_and_coverage() {
    let out = inventory(&[fixture().to_str().unwrap(), "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &v["counts"];
    for (k, n) in [
        ("accounts", 2),
        ("users", 1),
        ("groups", 1),
        ("roles", 2),
        ("policies", 2),
        ("buckets", 2),
        ("instances", 1),
        ("security_groups", 1),
    ] {
        assert_eq!(c[k], n, "counts.{k}");
    }
    let missing = v["coverage"]["missing"].as_array().unwrap();
    assert!(missing.iter().any(
        |m| m["file"] == format!("accounts/{ACCT}/s3/buckets/empty-bucket/get-bucket-acl.json")
    ));
    let out = inventory(&[fixture().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Coverage:"), "{text}");
}
