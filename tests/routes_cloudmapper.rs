//! The CloudMapper demo account (`../shared/data/exports/cloudmapper-demo`): the public
//! `cloudmapper_demo` bucket (CloudMapper's S3_PUBLIC_POLICY_GETOBJECT_ONLY) and `bad_role`,
//! whose trust lets anyone assume it (IAM_ROLE_ALLOWS_ASSUMPTION_FROM_ANYWHERE).

use leakpath::routes::confirm::EdgeVerdict;
use leakpath::routes::{analyze, find_routes, scan_edges, RouteOptions};
use std::path::Path;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");

fn check(dir: &str, expect_public: &str, expect_open_role: &str) {
    let path = Path::new(DATA).join(dir);
    if !path.exists() {
        eprintln!("SKIPPED: ../shared/data not present");
        return;
    }
    let export = leakpath::ingest::load_export(&path).expect("export loads");
    let findings = find_routes(&export.model, &export.sources, &RouteOptions::default()).unwrap();
    for f in &findings {
        eprintln!(
            "{} {} {} {:?}",
            f.dataset.arn,
            f.exposure.as_str(),
            f.actor,
            f.actions
        );
    }
    assert!(
        findings
            .iter()
            .any(|f| f.dataset.arn == expect_public && f.exposure.as_str() == "public"),
        "no public finding for {expect_public}"
    );
    let an = analyze(
        &export.model,
        &export.sources,
        &RouteOptions::default(),
        scan_edges,
    )
    .unwrap();
    let open = an.graph.graph.edge_indices().any(|e| {
        let Some((a, b)) = an.graph.graph.edge_endpoints(e) else {
            return false;
        };
        an.graph.graph[a] == leakpath::graph::Node::Anyone
            && leakpath::graph::node_name(&export.model, &an.graph.graph[b])
                .ends_with(expect_open_role)
            && an
                .answers
                .get(&e)
                .is_some_and(|x| x.verdict == EdgeVerdict::Allowed)
    });
    assert!(open, "anyone cannot assume {expect_open_role}");
}

#[test]
fn cloudmapper_demo_public_bucket_and_open_trust() {
    check(
        "exports/cloudmapper-demo",
        "arn:aws:s3:::cloudmapper_demo",
        "role/bad_role",
    );
}
