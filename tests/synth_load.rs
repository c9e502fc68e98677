//! Generated exports and the demo export load through `leakpath::ingest::load_export`
//! cleanly: the model holds exactly what was generated, with no warnings, and the only
//! coverage gaps are buckets without sampled objects. Also checks that
//! `datasets/demo` is what `scripts/make-demo.py` writes (when python3 is installed).

use leakpath::ingest::load_export;
use leakpath::synth::SynthConfig;
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "common/synth.rs"]
mod synth_export;
use synth_export::write_export;

/// (accounts, roles, users, buckets, customer managed policies, organization present)
fn check(cfg: SynthConfig, expect: (usize, usize, usize, usize, usize, bool)) {
    let dir = write_export(&cfg);
    let loaded = load_export(dir.path()).unwrap_or_else(|e| panic!("{cfg:?}: {e}"));
    let m = &loaded.model;
    let customer = m.managed_policies.iter().filter(|p| !p.aws_managed).count();
    assert_eq!(
        (
            m.accounts.len(),
            m.roles.len(),
            m.users.len(),
            m.buckets.len(),
            customer,
            m.organization.is_present()
        ),
        expect,
        "{cfg:?}"
    );
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    for gap in &loaded.coverage.missing {
        // A single generated account has no organizations/ folder, which ingest reports.
        let expected = gap.file.ends_with("/samples")
            || (cfg.accounts == 1 && gap.file.starts_with("organizations"));
        assert!(expected, "unexpected coverage gap: {gap}");
    }
    // Every EC2 role has its instance, every Lambda role its function.
    assert_eq!(m.instances.len(), m.instance_profiles.len());
}

#[test]
fn generated_exports_load_with_what_was_generated() {
    check(
        SynthConfig {
            roles: 120,
            users: 40,
            policies: 50,
            buckets: 30,
            accounts: 1,
            seed: 3,
        },
        (1, 120, 40, 30, 51, false),
    );
    check(
        SynthConfig {
            roles: 300,
            users: 90,
            policies: 60,
            buckets: 45,
            accounts: 4,
            seed: 4,
        },
        (4, 300, 90, 45, 64, true),
    );
    // Nested OUs, account-level SCPs and RCPs load too.
    check(
        SynthConfig {
            roles: 400,
            users: 40,
            policies: 40,
            buckets: 40,
            accounts: 20,
            seed: 5,
        },
        (20, 400, 40, 40, 60, true),
    );
}

const DEMO_SHARE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/demo");

#[test]
fn demo_export_loads_with_its_documented_contents() {
    let loaded = load_export(Path::new(DEMO_SHARE)).expect("datasets/demo loads");
    let m = &loaded.model;
    // The counts datasets/demo/README.md states.
    assert_eq!(m.accounts.len(), 2);
    assert_eq!(m.roles.len(), 29);
    assert_eq!(m.users.len(), 7);
    assert_eq!(m.groups.len(), 4);
    assert_eq!(m.buckets.len(), 25);
    assert_eq!(m.instances.len(), 5);
    assert_eq!(m.lambda_functions.len(), 6);
    assert_eq!(m.kms_keys.len(), 2);
    assert!(m.organization.is_present());
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(
        m.settings.trusted_accounts,
        vec!["333333333333".to_string()]
    );
    // Only the CloudTrail bucket has no samples.
    assert_eq!(
        loaded.coverage.missing.len(),
        1,
        "{:?}",
        loaded.coverage.missing
    );
}

#[test]
fn demo_export_is_what_make_demo_writes() {
    let python = ["python3", "python"].into_iter().find(|p| {
        Command::new(p)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let Some(python) = python else {
        eprintln!("SKIPPED: python3 not installed");
        return;
    };
    let out = tempfile::tempdir().expect("temp dir");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/make-demo.py");
    let status = Command::new(python)
        .arg(&script)
        .arg(out.path())
        .status()
        .expect("running make-demo.py");
    assert!(status.success());
    let mut differences = Vec::new();
    compare(
        Path::new(DEMO_SHARE),
        out.path(),
        Path::new(""),
        &mut differences,
    );
    assert!(
        differences.is_empty(),
        "datasets/demo differs from scripts/make-demo.py's output (re-run the script): {differences:?}"
    );
}

/// Lists files that differ between `a` and `b` (README.md only exists in the dataset).
fn compare(a: &Path, b: &Path, rel: &Path, differences: &mut Vec<PathBuf>) {
    let names = |dir: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    let mut all = names(&a.join(rel));
    all.extend(names(&b.join(rel)));
    all.sort();
    all.dedup();
    for name in all {
        let r = rel.join(&name);
        if r == Path::new("README.md") {
            continue;
        }
        let (pa, pb) = (a.join(&r), b.join(&r));
        if pa.is_dir() && pb.is_dir() {
            compare(a, b, &r, differences);
        } else if std::fs::read(&pa).ok() != std::fs::read(&pb).ok() {
            differences.push(r);
        }
    }
}
