//! Output of `leakpath classify` and `leakpath train`: one JSON object per line
//! (`{"path", "label", "confidence", "evidence"}`), the terminal table, the model file, and
//! the per-class evaluation table. Evidence is passed through as the classifier wrote it
//! (detector names, counts, column and file names — never matched values).

use crate::classify::model::{Evaluation, SensitivityModel};
use crate::classify::SensitivityLabel;
use serde::Serialize;

#[derive(Serialize)]
struct ClassifyLine<'a> {
    path: &'a str,
    label: &'a str,
    confidence: f64,
    evidence: &'a [String],
}

/// One `classify --json` line (no trailing newline).
pub fn json_line(path: &str, result: &SensitivityLabel) -> Result<String, serde_json::Error> {
    serde_json::to_string(&ClassifyLine {
        path,
        label: result.label.as_str(),
        confidence: result.confidence,
        evidence: &result.evidence,
    })
}

/// One human-readable block for the terminal.
pub fn text_block(path: &str, result: &SensitivityLabel) -> String {
    let mut s = format!("{path}: {} ({:.2})\n", result.label, result.confidence);
    for e in &result.evidence {
        s.push_str(&format!("    - {e}\n"));
    }
    s
}

/// The model file, pretty-printed so that diffs of retrained models are readable.
pub fn model_json(model: &SensitivityModel) -> Result<String, serde_json::Error> {
    let mut s = serde_json::to_string_pretty(model)?;
    s.push('\n');
    Ok(s)
}

/// The per-class precision / recall / F1 table printed by `train` and the evaluation tests.
pub fn evaluation_table(title: &str, e: &Evaluation) -> String {
    let mut s = format!(
        "{title}: {} examples, accuracy {:.3}, macro-F1 {:.3}\n",
        e.examples, e.accuracy, e.macro_f1
    );
    s.push_str(&format!(
        "  {:<12} {:>9} {:>9} {:>9} {:>8}\n",
        "label", "precision", "recall", "f1", "support"
    ));
    for c in &e.per_class {
        s.push_str(&format!(
            "  {:<12} {:>9.3} {:>9.3} {:>9.3} {:>8}\n",
            c.label.as_str(),
            c.precision,
            c.recall,
            c.f1,
            c.support
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Label;

    #[test]
    fn json_line_has_contract_names() {
        let r = SensitivityLabel {
            label: Label::Financial,
            confidence: 0.9,
            evidence: vec!["card_number: 3 hit(s)".into()],
        };
        let line = json_line("a.csv", &r).unwrap_or_default();
        assert_eq!(
            line,
            r#"{"path":"a.csv","label":"financial","confidence":0.9,"evidence":["card_number: 3 hit(s)"]}"#
        );
    }
}
