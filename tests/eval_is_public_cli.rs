//! `leakpath is-public` end to end: the accepted file shapes, the `--json` object, and errors
//! naming the file (exit 2).

use std::process::Command;

/// `(file contents, --json?) → (exit code, stdout, stderr)`
fn run(contents: &str, json: bool) -> (i32, String, String, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("policy.json");
    std::fs::write(&path, contents).expect("write policy");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_leakpath"));
    cmd.arg("is-public").arg(&path);
    if json {
        cmd.arg("--json");
    }
    let out = cmd.output().expect("run leakpath");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        path.display().to_string(),
    )
}

/// Runs with `--json` and checks the exit code and the `public` field.
fn check(contents: &str, expect_public: bool) {
    let (code, stdout, stderr, _) = run(contents, true);
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON object");
    assert_eq!(
        v["public"],
        serde_json::Value::Bool(expect_public),
        "{stdout}"
    );
    let reasons = v["reasons"].as_array().expect("reasons is a list");
    assert!(
        !reasons.is_empty() && reasons.iter().all(|r| r.is_string()),
        "{stdout}"
    );
    assert_eq!(
        stdout.trim().lines().count(),
        1,
        "exactly one object: {stdout}"
    );
}

const PUBLIC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;
const PINNED: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c"}}}]}"#;

#[test]
fn accepted_shapes() {
    check(PUBLIC, true);
    check(PINNED, false);
    // A JSON string holding the policy.
    check(&serde_json::Value::String(PUBLIC.into()).to_string(), true);
    // What `aws s3api get-bucket-policy` prints.
    check(&serde_json::json!({ "Policy": PINNED }).to_string(), false);
    // IAM's URL-encoded form.
    let encoded: String = PUBLIC
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect();
    check(&encoded, true);
    // A lone statement, as in the S3 User Guide's "meaning of public" examples.
    check(
        r#"{"Principal": {"Federated": "graph.facebook.com"}, "Resource": "*", "Action": "s3:PutObject", "Effect": "Allow"}"#,
        true,
    );
    check(
        r#"{"Principal": "*", "Resource": "*", "Action": "s3:PutObject", "Effect": "Allow", "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-91237329"}}}"#,
        false,
    );
}

#[test]
fn text_output_names_the_file() {
    let (code, stdout, _, path) = run(PUBLIC, false);
    assert_eq!(code, 0);
    assert!(stdout.starts_with(&format!("{path}: PUBLIC")), "{stdout}");
}

#[test]
fn bad_files_are_errors_naming_the_file() {
    for bad in [
        "not json at all",
        r#"{"Statement": [{"Effect": "Allow", "Principal": "*"}]}"#,
        r#"{"Policy": "{\"Statement\": 3}"}"#,
    ] {
        let (code, stdout, stderr, path) = run(bad, true);
        assert_eq!(code, 2, "{bad}: {stdout}");
        assert!(stderr.contains(&path), "{bad}: {stderr}");
        assert!(stdout.is_empty(), "{stdout}");
    }
    let (code, _, stderr, _) = {
        let out = Command::new(env!("CARGO_BIN_EXE_leakpath"))
            .args(["is-public", "/nonexistent/policy.json"])
            .output()
            .expect("run leakpath");
        (
            out.status.code().unwrap_or(-1),
            (),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            (),
        )
    };
    assert_eq!(code, 2);
    assert!(stderr.contains("/nonexistent/policy.json"), "{stderr}");
}
