//! Scans of the small scenario exports under `tests/fixtures/<set>/`, and the one check both
//! scenario suites make: exactly the expected routes, each confirmed with evidence.

use leakpath::routes::finding::{Finding, SolverVerdict};
use leakpath::routes::{find_routes, RouteOptions};
use std::path::Path;

/// One expected finding: (dataset ARN, exposure class, actor, hops' `via` in order).
pub type Expected<'a> = (&'a str, &'a str, &'a str, &'a [&'a str]);

/// The findings of `tests/fixtures/<set>/<fixture>`.
pub fn findings_in(set: &str, fixture: &str) -> Vec<Finding> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(set)
        .join(fixture);
    let export = leakpath::ingest::load_export(&root)
        .unwrap_or_else(|e| panic!("{fixture}: export does not load: {e}"));
    find_routes(&export.model, &export.sources, &RouteOptions::default())
        .unwrap_or_else(|e| panic!("{fixture}: {e}"))
}

/// The scan of `fixture` finds exactly `expected`, each confirmed (`sat`) with actions and
/// evidence on every hop.
pub fn check_in(set: &str, fixture: &str, expected: &[Expected<'_>]) {
    let got = findings_in(set, fixture);
    let key = |d: &str, c: &str, a: &str, v: Vec<String>| {
        (d.to_string(), c.to_string(), a.to_string(), v)
    };
    let mut got_keys: Vec<(String, String, String, Vec<String>)> = got
        .iter()
        .map(|f| {
            key(
                &f.dataset.arn,
                f.exposure.as_str(),
                &f.actor,
                f.route.iter().map(|h| h.via.clone()).collect(),
            )
        })
        .collect();
    got_keys.sort();
    let mut want: Vec<(String, String, String, Vec<String>)> = expected
        .iter()
        .map(|(d, c, a, v)| key(d, c, a, v.iter().map(|s| s.to_string()).collect()))
        .collect();
    want.sort();
    assert_eq!(got_keys, want, "{fixture}: {got:#?}");
    for f in &got {
        assert_eq!(f.solver.verdict, SolverVerdict::Sat, "{fixture}");
        assert!(!f.actions.is_empty(), "{fixture}: no actions");
        for h in &f.route {
            assert!(
                !h.policy.is_empty(),
                "{fixture}: hop without evidence: {h:?}"
            );
        }
    }
}
