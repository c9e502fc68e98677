//! The nightly workflow end to end on `datasets/demo`: two scans with a change in between
//! (new / open / resolved, `--only-changed`), OCSF lines validated against the official
//! schema, `--fail-on` exit codes, and atomic `--out` under a forced write failure.

mod common;
use common::copy_dir;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_leakpath");

fn demo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/demo"))
}

fn scan(export: &Path, extra: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .arg("scan")
        .arg(export)
        .args(extra)
        .output()
        .expect("leakpath runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).expect("every line is JSON"))
        .collect()
}

/// (dataset bucket, exposure) → status, for the lines of one scan.
fn statuses(lines: &[Value]) -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = lines
        .iter()
        .map(|l| {
            (
                l["dataset"]["arn"].as_str().unwrap_or("").to_string(),
                l["exposure"].as_str().unwrap_or("").to_string(),
                l["status"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

fn set_restrict_public_buckets(export: &Path, bucket: &str, restrict: bool) {
    let path = export.join(format!(
        "accounts/222222222222/s3/buckets/{bucket}/get-public-access-block.json"
    ));
    let doc = serde_json::json!({"PublicAccessBlockConfiguration": {
        "BlockPublicAcls": false, "IgnorePublicAcls": false,
        "BlockPublicPolicy": false, "RestrictPublicBuckets": restrict}});
    std::fs::write(path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
}

#[test]
fn second_scan_marks_open_new_and_resolved_routes() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export");
    copy_dir(&demo(), &export);
    let out = dir.path().join("findings.jsonl");
    let out_s = out.to_str().unwrap();

    let (code, _, err) = scan(&export, &["--format", "jsonl", "--out", out_s]);
    assert_eq!(code, 0, "{err}");
    let first = lines(&std::fs::read_to_string(&out).unwrap());
    assert!(!first.is_empty());
    assert!(first.iter().all(|l| l["status"] == "new"));
    assert!(dir.path().join("leakpath-state.sqlite").exists());
    let public_marketing = ("arn:aws:s3:::acme-marketing-public", "public");
    assert!(first
        .iter()
        .any(|l| l["dataset"]["arn"] == public_marketing.0 && l["exposure"] == public_marketing.1));
    assert!(!first.iter().any(
        |l| l["dataset"]["arn"] == "arn:aws:s3:::acme-marketing-staging"
            && l["exposure"] == "public"
    ));

    // Close the public marketing bucket, open the staging one.
    set_restrict_public_buckets(&export, "acme-marketing-public", true);
    set_restrict_public_buckets(&export, "acme-marketing-staging", false);
    let (code, _, err) = scan(&export, &["--format", "jsonl", "--out", out_s]);
    assert_eq!(code, 0, "{err}");
    let second = lines(&std::fs::read_to_string(&out).unwrap());
    let st = statuses(&second);
    assert!(
        st.contains(&(
            "arn:aws:s3:::acme-marketing-public".into(),
            "public".into(),
            "resolved".into()
        )),
        "{st:#?}"
    );
    assert!(
        st.contains(&(
            "arn:aws:s3:::acme-marketing-staging".into(),
            "public".into(),
            "new".into()
        )),
        "{st:#?}"
    );
    assert!(
        st.contains(&(
            "arn:aws:s3:::acme-partner-exchange".into(),
            "cross-account".into(),
            "open".into()
        )),
        "{st:#?}"
    );
    // Ids are stable across scans.
    let id_of = |ls: &[Value], arn: &str, class: &str| {
        ls.iter()
            .find(|l| l["dataset"]["arn"] == arn && l["exposure"] == class)
            .map(|l| l["id"].clone())
    };
    assert_eq!(
        id_of(
            &first,
            "arn:aws:s3:::acme-partner-exchange",
            "cross-account"
        ),
        id_of(
            &second,
            "arn:aws:s3:::acme-partner-exchange",
            "cross-account"
        )
    );

    // A third scan of the same export with --only-changed emits nothing: the resolved route
    // was reported once, nothing is new.
    let (code, _, err) = scan(
        &export,
        &["--format", "jsonl", "--out", out_s, "--only-changed"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "");

    // Reopen the marketing bucket: its public route is emitted as new; whatever else is
    // emitted is a route that changed (routes that "anyone" now subsumes are resolved).
    set_restrict_public_buckets(&export, "acme-marketing-public", false);
    let (code, _, err) = scan(
        &export,
        &["--format", "jsonl", "--out", out_s, "--only-changed"],
    );
    assert_eq!(code, 0, "{err}");
    let changed = statuses(&lines(&std::fs::read_to_string(&out).unwrap()));
    assert!(
        changed.contains(&(
            "arn:aws:s3:::acme-marketing-public".to_string(),
            "public".to_string(),
            "new".to_string()
        )),
        "{changed:#?}"
    );
    assert!(
        changed.iter().all(
            |(arn, class, status)| arn == "arn:aws:s3:::acme-marketing-public"
                && (status == "resolved" || class == "public")
        ),
        "{changed:#?}"
    );
}

#[test]
fn ocsf_lines_of_the_demo_validate_against_the_official_schema() {
    let schema_path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/spec/ocsf/detection_finding-1.6.0.cloud.schema.json"
    ));
    if !schema_path.exists() {
        eprintln!("SKIPPED: ../shared/spec/ocsf not present");
        return;
    }
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let (code, stdout, err) = scan(&demo(), &["--format", "ocsf"]);
    assert_eq!(code, 0, "{err}");
    let ls = lines(&stdout);
    assert!(!ls.is_empty());
    for l in &ls {
        let errors: Vec<String> = validator.iter_errors(l).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:#?}\n{l}");
        assert_eq!(l["unmapped"]["leakpath"]["schema"], "leakpath.finding/v1");
    }
}

#[test]
fn fail_on_sets_the_exit_code() {
    let (code, _, err) = scan(&demo(), &["--format", "jsonl", "--fail-on", "high"]);
    assert_eq!(code, 1, "the demo has high findings: {err}");
    let (code, _, _) = scan(&demo(), &["--format", "jsonl", "--fail-on", "critical"]);
    assert!(code == 0 || code == 1);
    let (code, stdout, err) = scan(&demo(), &["--format", "jsonl", "--fail-on", "bogus"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(err.contains("--fail-on"), "{err}");
}

#[test]
fn a_failed_write_leaves_the_previous_output_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("findings.jsonl");
    std::fs::write(&out, "previous\n").unwrap();
    let status = Command::new(BIN)
        .args([
            "scan",
            demo().to_str().unwrap(),
            "--format",
            "jsonl",
            "--no-state",
            "--out",
        ])
        .arg(&out)
        .env("LEAKPATH_FAIL_OUTPUT_AFTER_BYTES", "100")
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous\n");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        vec!["findings.jsonl".to_string()],
        "no temporary file left"
    );
}

#[test]
fn html_report_draws_each_route() {
    let (code, stdout, err) = scan(&demo(), &["--format", "html"]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.starts_with("<!DOCTYPE html>"));
    let (_, jsonl, _) = scan(&demo(), &["--format", "jsonl"]);
    let routes = lines(&jsonl).len();
    assert_eq!(stdout.matches("<section class=\"finding\"").count(), routes);
    assert_eq!(stdout.matches("<svg ").count(), routes);
}

/// The page as a browser sees it: headless Chromium loads the file and dumps the DOM it
/// built; every route section and diagram must be in it.
#[test]
fn html_report_renders_in_headless_chromium() {
    let chromium = Path::new("/usr/bin/chromium");
    if !chromium.exists() {
        eprintln!("SKIPPED: /usr/bin/chromium not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let (code, _, err) = scan(
        &demo(),
        &["--format", "html", "--out", page.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    let (_, jsonl, _) = scan(&demo(), &["--format", "jsonl"]);
    let routes = lines(&jsonl).len();
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("<h1>leakpath report"), "{dom}");
    assert_eq!(dom.matches("class=\"finding\"").count(), routes);
    assert_eq!(dom.matches("<svg").count(), routes);
    assert!(dom.contains("acme-partner-exchange"));
}

/// Suppressions are reported, marked, never dropped, and do not fail `--fail-on`; a lapsed
/// one is reported as usual; a severity override replaces the band.
#[test]
fn suppressions_are_reported_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export");
    copy_dir(&demo(), &export);
    let (_, before, _) = scan(&export, &["--format", "jsonl"]);
    let before = lines(&before);
    let high_or_worse: Vec<&Value> = before
        .iter()
        .filter(|l| l["risk"]["severity"] == "high" || l["risk"]["severity"] == "critical")
        .collect();
    assert!(!high_or_worse.is_empty());
    let mut toml = std::fs::read_to_string(export.join("leakpath.toml")).unwrap_or_default();
    for l in &high_or_worse {
        toml.push_str(&format!(
            "\n[[suppress]]\nid = \"{}\"\nreason = \"accepted risk\"\nexpires = \"2999-12-31\"\n",
            l["id"].as_str().unwrap()
        ));
    }
    // A lapsed suppression and a severity override on the public marketing bucket.
    toml.push_str(
        "\n[[suppress]]\npattern = \"arn:aws:s3:::acme-partner-*\"\nreason = \"old\"\nexpires = \"2001-01-01\"\n\
         \n[[severity]]\npattern = \"arn:aws:s3:::acme-marketing-public\"\nseverity = \"low\"\nreason = \"brochures\"\n",
    );
    std::fs::write(export.join("leakpath.toml"), toml).unwrap();
    let (code, after, err) = scan(&export, &["--format", "jsonl", "--fail-on", "high"]);
    assert_eq!(code, 0, "every high finding is suppressed: {err}");
    assert!(err.contains("expired on 2001-01-01"), "{err}");
    let after = lines(&after);
    assert_eq!(
        after.len(),
        before.len(),
        "suppressed findings are still reported"
    );
    for l in &after {
        let was_high = high_or_worse.iter().any(|h| h["id"] == l["id"]);
        assert_eq!(l.get("suppressed").is_some(), was_high, "{l}");
        if was_high {
            assert_eq!(l["suppressed"]["reason"], "accepted risk");
        }
        if l["dataset"]["arn"] == "arn:aws:s3:::acme-marketing-public" {
            assert_eq!(l["risk"]["severity"], "low");
            assert_eq!(l["risk"]["severity_override"], "brochures");
        }
    }
    // A malformed suppression is a settings error naming the file: exit 2, no output.
    std::fs::write(export.join("leakpath.toml"), "[[suppress]]\nid = \"x\"\n").unwrap();
    let (code, out, err) = scan(&export, &["--format", "jsonl"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("leakpath.toml") && err.contains("reason"),
        "{err}"
    );
}
