//! The terminal table: exposed datasets ranked by their worst route, one line each, with
//! the route that sets the rank.

use crate::routes::finding::{Finding, SolverVerdict};
use std::collections::BTreeMap;
use std::fmt::Write;

/// One dataset's row: its worst route and how many routes reach it.
struct DatasetRow<'a> {
    worst: &'a Finding,
    routes: usize,
    classes: Vec<&'static str>,
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Renders the ranked dataset table. `findings` need not be sorted.
pub fn render_dataset_table(findings: &[Finding]) -> String {
    let mut by_dataset: BTreeMap<&str, DatasetRow<'_>> = BTreeMap::new();
    for f in findings {
        let row = by_dataset.entry(&f.dataset.arn).or_insert(DatasetRow {
            worst: f,
            routes: 0,
            classes: Vec::new(),
        });
        row.routes += 1;
        if f.risk.score > row.worst.risk.score {
            row.worst = f;
        }
        let class = f.exposure.as_str();
        if !row.classes.contains(&class) {
            row.classes.push(class);
        }
    }
    let mut rows: Vec<DatasetRow<'_>> = by_dataset.into_values().collect();
    rows.sort_by(|a, b| {
        b.worst
            .risk
            .score
            .cmp(&a.worst.risk.score)
            .then_with(|| a.worst.dataset.arn.cmp(&b.worst.dataset.arn))
    });
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:>4}  {:<13} {:<44} {:<12} {:<32} {:>6}  WORST ROUTE",
        "RISK", "SEVERITY", "DATASET", "LABEL", "EXPOSURE", "ROUTES"
    );
    for r in &rows {
        let f = r.worst;
        let hops: Vec<String> = f
            .route
            .iter()
            .map(|h| format!("{} -[{}]->", short_node(&h.from), h.via))
            .collect();
        let unknown = if f.solver.verdict == SolverVerdict::Unknown {
            " (solver: unknown)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "{:>4}  {:<13} {:<44} {:<12} {:<32} {:>6}  {} {}{}",
            f.risk.score,
            f.risk.severity.as_str(),
            truncate(&f.dataset.arn, 44),
            truncate(&f.sensitivity.label, 12),
            truncate(&r.classes.join(","), 32),
            r.routes,
            hops.join(" "),
            f.route.last().map(|h| short_node(&h.to)).unwrap_or(""),
            unknown
        );
    }
    let _ = writeln!(
        out,
        "{} dataset(s) exposed by {} confirmed route(s)",
        rows.len(),
        findings.len()
    );
    out
}

/// The last path segment of an ARN keeps the table readable; actors stay whole.
fn short_node(node: &str) -> &str {
    if node.starts_with("arn:") {
        node.rsplit(['/', ':']).next().unwrap_or(node)
    } else {
        node
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::findings::examples;

    #[test]
    fn one_row_per_dataset_ranked_by_worst_route() {
        let table = render_dataset_table(&examples());
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 3, "{table}");
        assert!(lines[1].starts_with("  95  critical"), "{table}");
        assert!(lines[1].contains("cross-account,public"), "{table}");
        assert!(lines[1].contains("*"), "{table}");
        assert_eq!(lines[2], "1 dataset(s) exposed by 2 confirmed route(s)");
    }
}
