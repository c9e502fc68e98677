//! `leakpath classify` end to end: a file is labelled as itself and a folder as one dataset;
//! `--json` prints one object per line with `path`, `label`, `confidence`, `evidence`; a
//! dataset with nothing in it is `unknown`; a sample larger than the cap is read only up to
//! the cap.

use std::process::Command;

fn leakpath(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_leakpath"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running leakpath: {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn check(line: &str, expect_label: &str) {
    let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    assert_eq!(v["label"], expect_label, "{line}");
    assert!(
        v["path"].is_string() && v["confidence"].is_number() && v["evidence"].is_array(),
        "{line}"
    );
}

#[test]
fn files_and_folders_json_lines() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let creds = dir.path().join("creds.env");
    std::fs::write(&creds, "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n").unwrap_or_else(|e| panic!("{e}"));
    let folder = dir.path().join("patients");
    std::fs::create_dir_all(folder.join("2024")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(folder.join("2024/encounters.csv"), "patient_id,admit_date,icd10,diagnosis\nP1,2024-01-02,E11.9,Type 2 diabetes mellitus without complications\nP2,2024-01-03,J45.909,\"Unspecified asthma, uncomplicated\"\n").unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        folder.join("notes.txt"),
        "Patient reports chronic migraine; prescribed sumatriptan 50 mg.\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap_or_else(|e| panic!("{e}"));
    let (code, stdout, stderr) = leakpath(&[
        "classify",
        "--json",
        &creds.to_string_lossy(),
        &folder.to_string_lossy(),
        &empty.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    check(lines[0], "credentials");
    check(lines[1], "health");
    // An empty folder still has a name, so it is labelled from the name with low confidence
    // or, with nothing recognisable, by the model — but never from content it does not have.
    let v: serde_json::Value = serde_json::from_str(lines[2]).unwrap_or_default();
    assert!(
        v["confidence"].as_f64().unwrap_or(1.0) <= 0.5,
        "{}",
        lines[2]
    );
}

#[test]
fn byte_cap_limits_reading() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let big = dir.path().join("big.txt");
    // 40 KB of prose, then a private key past the cap: with a 4 KB cap it is never seen.
    let mut body = "The quick brown fox jumps over the lazy dog.\n".repeat(1000);
    body.push_str("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi\n-----END RSA PRIVATE KEY-----\n");
    std::fs::write(&big, body).unwrap_or_else(|e| panic!("{e}"));
    let (code, capped, _) = leakpath(&[
        "classify",
        "--json",
        "--sample-bytes",
        "4096",
        &big.to_string_lossy(),
    ]);
    assert_eq!(code, 0);
    assert!(!capped.contains("\"credentials\""), "{capped}");
    assert!(capped.contains("read up to the byte cap"), "{capped}");
    let (_, full, _) = leakpath(&["classify", "--json", &big.to_string_lossy()]);
    assert!(full.contains("private_key"), "{full}");
}

#[test]
fn missing_path_is_an_error_naming_it() {
    let (code, _, stderr) = leakpath(&["classify", "/nonexistent/leakpath-test-path"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("/nonexistent/leakpath-test-path"),
        "{stderr}"
    );
}
