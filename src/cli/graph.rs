//! `leakpath graph EXPORT --format dot [--route ID]`: the access graph (candidate edges,
//! each labelled with its action) or one confirmed route, as Graphviz dot.

use anyhow::Context;
use leakpath::graph::node_name;
use leakpath::routes::{find_routes, RouteOptions};
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Dot,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The export folder (or a bare get-account-authorization-details JSON file).
    pub export: PathBuf,
    #[arg(long, value_enum, default_value = "dot")]
    pub format: Format,
    /// Only this route (a finding id, `lp-…`, from `scan`).
    #[arg(long)]
    pub route: Option<String>,
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let export = leakpath::ingest::load_export(&args.export)
        .with_context(|| format!("loading {}", args.export.display()))?;
    let mut dot = String::from("digraph leakpath {\n  rankdir=LR;\n  node [shape=box];\n");
    match &args.route {
        Some(id) => {
            let findings = find_routes(&export.model, &export.sources, &RouteOptions::default())?;
            let Some(f) = findings.iter().find(|f| &f.stable_id() == id) else {
                anyhow::bail!("no route with id {id} in {}", args.export.display());
            };
            for h in &f.route {
                writeln!(
                    dot,
                    "  {} -> {} [label={}, tooltip={}];",
                    quote(&h.from),
                    quote(&h.to),
                    quote(&h.via),
                    quote(&h.policy)
                )?;
            }
        }
        None => {
            let g = leakpath::graph::build(&export.model, &export.sources)?;
            let m = &export.model;
            for e in g.graph.edge_indices() {
                if let Some((a, b)) = g.graph.edge_endpoints(e) {
                    writeln!(
                        dot,
                        "  {} -> {} [label={}];",
                        quote(&node_name(m, &g.graph[a])),
                        quote(&node_name(m, &g.graph[b])),
                        quote(&g.graph[e].via)
                    )?;
                }
            }
        }
    }
    dot.push_str("}\n");
    std::io::stdout().write_all(dot.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
