//! Output of `leakpath diff`: routes opened and closed between two exports with their causes,
//! as text for people or JSON Lines (`{"change": "opened"|"closed", "finding": {native},
//! "causes": [{"location": "file#pointer", "kind": "added"|"removed"|"modified"}],
//! "unexplained": bool}`).

use crate::diff::{ExportDiff, RouteChange};
use serde_json::{json, Value};
use std::fmt::Write;

fn change_json(kind: &str, rc: &RouteChange<'_>) -> Value {
    json!({
        "change": kind,
        "finding": crate::report::findings::native_json(rc.finding),
        "causes": rc.causes.iter().map(|c| json!({
            "location": c.location(),
            "kind": c.kind.as_str(),
        })).collect::<Vec<_>>(),
        "unexplained": rc.unexplained,
    })
}

/// One JSON line per opened or closed route.
pub fn diff_json_lines(d: &ExportDiff<'_>) -> String {
    let mut out = String::new();
    for (kind, list) in [("opened", &d.opened), ("closed", &d.closed)] {
        for rc in list.iter() {
            out.push_str(&change_json(kind, rc).to_string());
            out.push('\n');
        }
    }
    out
}

/// The text report.
pub fn diff_text(d: &ExportDiff<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} route(s) opened, {} closed; {} change(s) between the exports",
        d.opened.len(),
        d.closed.len(),
        d.changes.len()
    );
    for (kind, list) in [("OPENED", &d.opened), ("CLOSED", &d.closed)] {
        for rc in list.iter() {
            let f = rc.finding;
            let hops: Vec<String> = f
                .route
                .iter()
                .map(|h| format!("{} -[{}]->", h.from, h.via))
                .collect();
            let _ = writeln!(
                out,
                "\n{kind} {} {} for {}: {} {}",
                f.exposure.as_str(),
                f.dataset.arn,
                f.actor,
                hops.join(" "),
                f.route.last().map(|h| h.to.as_str()).unwrap_or("")
            );
            let label = if rc.unexplained {
                "  no change touches this route directly; all changes:"
            } else {
                "  because:"
            };
            let _ = writeln!(out, "{label}");
            for c in &rc.causes {
                let _ = writeln!(out, "    {} {}", c.kind.as_str(), c.location());
            }
        }
    }
    out
}
