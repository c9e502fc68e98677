//! Output of `leakpath is-public`: one JSON object `{"public": true|false, "reasons": [...]}`
//! (`--json`; tools rely on these names) or a short text for the terminal.

use crate::eval::PublicVerdict;
use serde::Serialize;

/// The `--json` object.
#[derive(Debug, Serialize)]
struct PublicVerdictJson<'a> {
    public: bool,
    reasons: &'a [String],
}

/// The verdict as one line of JSON.
pub fn to_json(verdict: &PublicVerdict) -> String {
    let out = PublicVerdictJson {
        public: verdict.public,
        reasons: &verdict.reasons,
    };
    // Serializing a bool and strings cannot fail; fall back to a hand-built object anyway
    // rather than panic.
    serde_json::to_string(&out)
        .unwrap_or_else(|_| format!("{{\"public\":{},\"reasons\":[]}}", verdict.public))
}

/// The verdict as text: a headline naming the file, then one line per reason.
pub fn to_text(verdict: &PublicVerdict, file: &str) -> String {
    let mut out = format!(
        "{file}: {}\n",
        if verdict.public {
            "PUBLIC"
        } else {
            "not public"
        }
    );
    for reason in &verdict.reasons {
        out.push_str("  - ");
        out.push_str(reason);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(public: bool, reasons: &[&str], expect_json: &str, expect_text: &str) {
        let v = PublicVerdict {
            public,
            reasons: reasons.iter().map(|r| r.to_string()).collect(),
        };
        assert_eq!(to_json(&v), expect_json);
        assert_eq!(to_text(&v, "p.json"), expect_text);
    }

    #[test]
    fn formats() {
        check(
            true,
            &["statement 0: Principal \"*\""],
            r#"{"public":true,"reasons":["statement 0: Principal \"*\""]}"#,
            "p.json: PUBLIC\n  - statement 0: Principal \"*\"\n",
        );
        check(
            false,
            &[],
            r#"{"public":false,"reasons":[]}"#,
            "p.json: not public\n",
        );
    }
}
