//! Robustness properties (bounded, so they run with the normal test suite; the open-ended
//! search lives in fuzz/): mutated fixture files and arbitrary JSON policies give a result
//! or an error naming the file, never a panic.

mod common;

use common::copy_dir;
use leakpath::ingest::load_export;
use leakpath::policy::parse::{parse_policy_text, parse_policy_value};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn fixture() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/ingest/org"
    ))
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// A JSON value of bounded depth with AWS-ish keys, to hit the parser's branches.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let key = prop_oneof![
        Just("Statement".to_string()),
        Just("Effect".to_string()),
        Just("Action".to_string()),
        Just("NotAction".to_string()),
        Just("Resource".to_string()),
        Just("Principal".to_string()),
        Just("NotPrincipal".to_string()),
        Just("Condition".to_string()),
        Just("AWS".to_string()),
        Just("StringLike".to_string()),
        Just("ForAnyValue:StringEqualsIfExists".to_string()),
        Just("Version".to_string()),
        "[a-zA-Z:]{0,8}",
    ];
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        prop_oneof![Just("Allow"), Just("Deny"), Just("*"), Just("s3:GetObject")]
            .prop_map(serde_json::Value::from),
        "[ -~]{0,12}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(6, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|kv| serde_json::Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn policy_parser_never_panics(v in json_value()) {
        let _ = parse_policy_value(&v);
        let _ = parse_policy_text(&v.to_string());
        let wrapped = serde_json::json!({"Statement": v});
        let _ = parse_policy_value(&wrapped);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Truncates or overwrites bytes of one fixture file and loads the export.
    #[test]
    fn mutated_exports_load_or_fail_cleanly(
        which in any::<prop::sample::Index>(),
        cut in any::<prop::sample::Index>(),
        patch in prop::collection::vec(any::<u8>(), 0..8),
        truncate in any::<bool>(),
    ) {
        let mut all = Vec::new();
        files(&fixture(), &mut all);
        all.sort();
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&fixture(), dir.path());
        let src = which.get(&all);
        let rel = src.strip_prefix(fixture()).unwrap();
        let mut bytes = std::fs::read(src).unwrap();
        let at = if bytes.is_empty() { 0 } else { cut.index(bytes.len()) };
        if truncate {
            bytes.truncate(at);
        }
        for (i, b) in patch.iter().enumerate() {
            if let Some(x) = bytes.get_mut(at + i) {
                *x = *b;
            }
        }
        std::fs::write(dir.path().join(rel), &bytes).unwrap();
        match load_export(dir.path()) {
            Ok(_) => {}
            Err(e) => {
                // The error names a file inside the export (or the export itself).
                let f = e.file();
                prop_assert!(dir.path().join(f).exists() || f.ends_with(".json") || f == "leakpath.toml", "{e}");
            }
        }
    }
}
