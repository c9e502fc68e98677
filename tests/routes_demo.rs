//! End-to-end route search on `datasets/demo` against the ground truth of its README.

use leakpath::routes::finding::{ExposureClass, Finding};
use leakpath::routes::{find_routes, RouteOptions};
use std::path::Path;

fn demo_findings() -> Vec<Finding> {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/demo"));
    let export = leakpath::ingest::load_export(root).expect("demo export loads");
    find_routes(&export.model, &export.sources, &RouteOptions::default()).expect("routes")
}

fn show(f: &Finding) -> String {
    let hops: Vec<String> = f
        .route
        .iter()
        .map(|h| format!("{} -[{} | {}]-> {}", h.from, h.via, h.policy, h.to))
        .collect();
    format!(
        "{} {} {} {:?} {:?} alt={}\n    {}",
        f.dataset.arn,
        f.exposure.as_str(),
        f.actor,
        f.actions,
        f.solver.verdict,
        f.alternatives,
        hops.join("\n    ")
    )
}

#[test]
fn demo_routes_print() {
    for f in demo_findings() {
        eprintln!("{}", show(&f));
    }
    let _ = ExposureClass::ALL;
}

#[test]
fn demo_debug_edges() {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/demo"));
    let export = leakpath::ingest::load_export(root).expect("demo export loads");
    let an = leakpath::routes::analyze(&export.model, &export.sources, &RouteOptions::default(), leakpath::routes::scan_edges).unwrap();
    for e in an.graph.graph.edge_indices() {
        let (a, b) = an.graph.graph.edge_endpoints(e).unwrap();
        let na = leakpath::graph::node_name(&export.model, &an.graph.graph[a]);
        let nb = leakpath::graph::node_name(&export.model, &an.graph.graph[b]);
        if na.contains("instance") || nb.contains("instance") || na == "internet" || na.contains("web-server") {
            eprintln!("{na} -> {nb} {:?} {:?}", an.graph.graph[e].via, an.answers.get(&e).map(|x| (x.verdict, x.reason.clone())));
        }
    }
    eprintln!("instances {}", export.model.instances.len());
    for i in &export.model.instances { eprintln!("{:?} {:?} {:?} {:?}", export.model.str(i.id), i.state, i.public_ip, i.instance_profile.map(|s| export.model.str(s))); }
}
