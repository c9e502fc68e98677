//! `who-can` output: one JSON object per line per principal or actor (`--json`), or a
//! plain-text list with the path each takes.

use crate::routes::who_can::WhoCanEntry;
use serde_json::{json, Value};

fn hops(e: &WhoCanEntry) -> Value {
    Value::Array(
        e.path
            .iter()
            .map(|h| json!({"from": h.from, "to": h.to, "via": h.via, "policy": h.policy}))
            .collect(),
    )
}

/// One JSON object for an entry.
pub fn entry_json(e: &WhoCanEntry, action: &str, resource: &str) -> Value {
    let request = e.request.as_ref().map(|w| {
        json!({
            "principal": w.principal,
            "action": w.action,
            "resource": w.resource,
            "context": w.context,
        })
    });
    json!({
        "who": e.who,
        "kind": e.kind,
        "action": action,
        "resource": resource,
        "path": hops(e),
        "request": request,
        "solver": {"result": e.result},
    })
}

/// JSON Lines for every entry.
pub fn to_json_lines(entries: &[WhoCanEntry], action: &str, resource: &str) -> String {
    let mut out = String::new();
    for e in entries {
        out.push_str(&entry_json(e, action, resource).to_string());
        out.push('\n');
    }
    out
}

/// Plain text: one line per entry, its path indented below.
pub fn to_text(entries: &[WhoCanEntry], action: &str, resource: &str) -> String {
    let mut out = format!("who can {action} on {resource}: {}\n", entries.len());
    for e in entries {
        let flag = if e.result == "sat" { "" } else { " (unknown)" };
        out.push_str(&format!("{} [{}]{flag}\n", e.who, e.kind));
        for h in &e.path {
            out.push_str(&format!("    → {} via {} ({})\n", h.to, h.via, h.policy));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::finding::RouteHop;

    fn check(e: WhoCanEntry, expect_line: &str) {
        let text = to_text(std::slice::from_ref(&e), "s3:GetObject", "arn:aws:s3:::b/k");
        assert!(text.contains(expect_line), "{text}");
        let j = to_json_lines(&[e], "s3:GetObject", "arn:aws:s3:::b/k");
        let v: Value = serde_json::from_str(j.trim()).unwrap();
        assert_eq!(v["action"], "s3:GetObject");
    }

    #[test]
    fn entries_render_as_text_and_json() {
        check(
            WhoCanEntry {
                who: "999999999999".into(),
                kind: "outside-actor".into(),
                path: vec![RouteHop {
                    from: "999999999999".into(),
                    to: "arn:aws:iam::1:role/r".into(),
                    via: "sts:AssumeRole".into(),
                    policy: "gaad.json#/RoleDetailList/0".into(),
                }],
                request: None,
                result: "sat".into(),
            },
            "→ arn:aws:iam::1:role/r via sts:AssumeRole",
        );
    }
}
