//! Every OCSF line leakpath writes validates against the official OCSF Detection Finding
//! schema (`shared/spec/ocsf`, draft 2020-12, `cloud` profile).

use leakpath::report::findings::ocsf_json;
use std::path::PathBuf;

fn spec_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/spec/ocsf"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("SKIPPED: ../shared/spec/ocsf not present");
        None
    }
}

fn check(schema_file: &str, instance: &serde_json::Value) {
    let Some(dir) = spec_dir() else { return };
    let text = std::fs::read_to_string(dir.join(schema_file)).expect("schema readable");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    let validator = jsonschema::draft202012::new(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{schema_file}: {errors:#?}");
}

#[test]
fn sample_findings_validate_against_ocsf_1_6_and_1_8() {
    for finding in leakpath::report::findings::examples() {
        let line = ocsf_json(&finding, 1_764_201_600_000);
        check("detection_finding-1.6.0.cloud.schema.json", &line);
        check("detection_finding-1.8.0.cloud.schema.json", &line);
    }
}

#[test]
fn the_validator_rejects_a_broken_line() {
    let Some(_) = spec_dir() else { return };
    let mut line = ocsf_json(&leakpath::report::findings::examples()[0], 0);
    line.as_object_mut().unwrap().remove("finding_info");
    let dir = spec_dir().unwrap();
    let text =
        std::fs::read_to_string(dir.join("detection_finding-1.6.0.cloud.schema.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    assert!(!validator.is_valid(&line));
}
