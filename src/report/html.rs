//! `--format html`: one self-contained HTML file (no scripts, no external assets) with the
//! ranked datasets and, for each route, an SVG diagram of the hops from the outside to the
//! data and the witness request.

use crate::routes::finding::{Finding, SolverVerdict};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Escapes text for HTML element content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Shortens long ARNs inside diagram boxes; the full name is in the box's `<title>`.
fn box_label(node: &str) -> String {
    let short = if node.starts_with("arn:") {
        node.rsplit(['/', ':']).next().unwrap_or(node)
    } else {
        node
    };
    if short.chars().count() > 26 {
        let mut t: String = short.chars().take(25).collect();
        t.push('…');
        t
    } else {
        short.to_string()
    }
}

const BOX_W: usize = 190;
const GAP: usize = 110;
const BOX_H: usize = 46;

/// The route as an SVG: one box per node, arrows labelled with the hop's action.
pub fn route_svg(f: &Finding) -> String {
    let mut nodes: Vec<&str> = Vec::new();
    for h in &f.route {
        if nodes.last() != Some(&h.from.as_str()) {
            nodes.push(&h.from);
        }
        nodes.push(&h.to);
    }
    let width = nodes.len() * BOX_W + nodes.len().saturating_sub(1) * GAP + 20;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="route" width="{width}" height="90" viewBox="0 0 {width} 90" role="img" aria-label="route">"##
    );
    svg.push_str(r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>"##);
    for (i, node) in nodes.iter().enumerate() {
        let x = 10 + i * (BOX_W + GAP);
        let class = if i == 0 {
            "actor"
        } else if i + 1 == nodes.len() {
            "data"
        } else {
            "hop"
        };
        let _ = write!(
            svg,
            r#"<g class="node {class}"><title>{full}</title><rect x="{x}" y="30" width="{BOX_W}" height="{BOX_H}" rx="6"/><text x="{tx}" y="58" text-anchor="middle">{label}</text></g>"#,
            full = esc(node),
            tx = x + BOX_W / 2,
            label = esc(&box_label(node)),
        );
    }
    for (i, h) in f.route.iter().enumerate() {
        let x1 = 10 + i * (BOX_W + GAP) + BOX_W;
        let x2 = x1 + GAP;
        let _ = write!(
            svg,
            r##"<g class="edge"><line x1="{x1}" y1="53" x2="{x2}" y2="53" stroke="#555" stroke-width="2" marker-end="url(#arrow)"/><text x="{tx}" y="22" text-anchor="middle">{via}</text></g>"##,
            tx = x1 + GAP / 2,
            via = esc(&h.via),
        );
    }
    svg.push_str("</svg>");
    svg
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin-bottom:2rem}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}
.sev-critical{background:#b71c1c;color:#fff}.sev-high{background:#e65100;color:#fff}.sev-medium{background:#f9a825}
.sev-low{background:#c5e1a5}.sev-informational{background:#e0e0e0}
section.finding{border:1px solid #ddd;border-radius:8px;padding:1rem;margin:1rem 0}
svg.route rect{fill:#e3f2fd;stroke:#1565c0}svg.route .actor rect{fill:#ffebee;stroke:#b71c1c}
svg.route .data rect{fill:#fff8e1;stroke:#ef6c00}svg.route text{font-size:12px;font-family:monospace}
pre{background:#f5f5f5;padding:.6rem;overflow-x:auto}.unknown{color:#b71c1c;font-weight:bold}";

/// The whole report page. `title` names the export that was scanned.
pub fn render_html(title: &str, findings: &[Finding]) -> String {
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by(|a, b| {
        b.risk
            .score
            .cmp(&a.risk.score)
            .then_with(|| a.dataset.arn.cmp(&b.dataset.arn))
    });
    let mut worst: BTreeMap<&str, (&Finding, usize)> = BTreeMap::new();
    for f in &sorted {
        let e = worst.entry(&f.dataset.arn).or_insert((f, 0));
        e.1 += 1;
    }
    let mut datasets: Vec<(&Finding, usize)> = worst.into_values().collect();
    datasets.sort_by(|a, b| b.0.risk.score.cmp(&a.0.risk.score));

    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>leakpath: {t}</title><style>{STYLE}</style></head><body>",
        t = esc(title)
    );
    let _ = write!(
        h,
        "<h1>leakpath report: {}</h1><p>{} dataset(s) exposed by {} confirmed route(s).</p>",
        esc(title),
        datasets.len(),
        findings.len()
    );
    h.push_str("<h2>Exposed datasets</h2><table id=\"datasets\"><thead><tr><th>Risk</th><th>Severity</th><th>Dataset</th><th>Sensitivity</th><th>Routes</th></tr></thead><tbody>");
    for (f, routes) in &datasets {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"sev-{sev}\">{sev}</td><td><a href=\"#{id}\">{arn}</a></td><td>{label} ({conf:.2})</td><td>{routes}</td></tr>",
            f.risk.score,
            sev = f.risk.severity.as_str(),
            id = esc(&f.stable_id()),
            arn = esc(&f.dataset.arn),
            label = esc(&f.sensitivity.label),
            conf = f.sensitivity.confidence,
        );
    }
    h.push_str("</tbody></table><h2>Routes</h2>");
    for f in &sorted {
        let id = f.stable_id();
        let _ = write!(
            h,
            "<section class=\"finding\" id=\"{id}\" data-exposure=\"{exp}\"><h3><span class=\"sev-{sev}\">{score} {sev}</span> {exp}: {actor} → {arn}</h3>",
            id = esc(&id),
            exp = f.exposure.as_str(),
            sev = f.risk.severity.as_str(),
            score = f.risk.score,
            actor = esc(&f.actor),
            arn = esc(&f.dataset.arn),
        );
        if f.solver.verdict == SolverVerdict::Unknown {
            h.push_str("<p class=\"unknown\">The solver could not decide this route (unknown): it is kept so it can be checked by hand.</p>");
        }
        h.push_str(&route_svg(f));
        h.push_str("<ol class=\"hops\">");
        for hop in &f.route {
            let _ = write!(
                h,
                "<li><code>{}</code> → <code>{}</code> by <b>{}</b>, granted by <code>{}</code></li>",
                esc(&hop.from),
                esc(&hop.to),
                esc(&hop.via),
                esc(&hop.policy)
            );
        }
        h.push_str("</ol>");
        let _ = write!(
            h,
            "<p>Actions: {}. Sensitivity: {} — {}. Status: {}. Other routes to this data in this class: {}.</p>",
            esc(&f.actions.join(", ")),
            esc(&f.sensitivity.label),
            esc(&f.sensitivity.evidence.join("; ")),
            f.status.as_str(),
            f.alternatives
        );
        let witness = crate::report::findings::native_json(f)
            .get("witness")
            .cloned()
            .unwrap_or_default();
        let pretty = serde_json::to_string_pretty(&witness).unwrap_or_default();
        let _ = write!(
            h,
            "<details open><summary>Witness request</summary><pre class=\"witness\">{}</pre></details></section>",
            esc(&pretty)
        );
    }
    h.push_str("</body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::findings::examples;

    #[test]
    fn page_lists_datasets_and_draws_every_route() {
        let page = render_html("demo <export>", &examples());
        assert!(page.contains("<title>leakpath: demo &lt;export&gt;</title>"));
        assert_eq!(page.matches("<section class=\"finding\"").count(), 2);
        assert_eq!(page.matches("<svg ").count(), 2);
        // The two-hop route has three boxes and two arrows.
        assert_eq!(page.matches("class=\"node ").count(), 3 + 2);
        assert!(page.contains("sts:AssumeRole"));
        assert!(page.contains("198.51.100.7"));
        assert!(!page.contains("<script"));
    }
}
