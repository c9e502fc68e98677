//! The trained sensitivity model: a multinomial logistic regression (weights per label over
//! the named features of [`features`]), stored as JSON in `models/` with its feature spec,
//! label names, training-set hash and held-out evaluation, and embedded in the binary.
//! Prediction is softmax(W·x + b); the evidence is the features that pushed hardest toward
//! the chosen label, put into words (detector names and counts, column and file names).

use crate::classify::detectors;
use crate::classify::features::{feature_names, features, COLUMN_WORDS};
use crate::classify::profile::DatasetProfile;
use crate::classify::{
    ClassifyError, Label, SensitivityLabel, KEYS_ONLY_CONFIDENCE, NAME_ONLY_CONFIDENCE,
};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The model file format tag.
pub const FORMAT: &str = "leakpath.sensitivity-model/v1";

/// The committed default model.
const EMBEDDED: &str = include_str!("../../models/sensitivity-v1.json");

/// Precision, recall and F1 of one label on held-out data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassMetrics {
    pub label: Label,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

/// Evaluation of a model on examples it was not trained on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub examples: usize,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub per_class: Vec<ClassMetrics>,
}

/// How the model was trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingInfo {
    /// SHA-256 over every training example (label, name, keys, sample names and bytes).
    pub training_set_sha256: String,
    pub examples: usize,
    pub train_examples: usize,
    pub held_out_examples: usize,
    pub seed: u64,
    pub alpha: f64,
    pub max_iterations: u64,
}

/// A multinomial logistic regression over named features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityModel {
    pub format: String,
    /// Row order of `weights` and `intercepts`.
    pub labels: Vec<Label>,
    /// Column order of `weights`; must equal [`feature_names`].
    pub features: Vec<String>,
    /// `weights[label][feature]`.
    pub weights: Vec<Vec<f64>>,
    pub intercepts: Vec<f64>,
    pub training: TrainingInfo,
    pub evaluation: Evaluation,
}

impl SensitivityModel {
    /// Parses and checks a model file. `source_name` names it in errors.
    pub fn from_json(text: &str, source_name: &str) -> Result<SensitivityModel, ClassifyError> {
        let model: SensitivityModel =
            serde_json::from_str(text).map_err(|err| ClassifyError::ModelJson {
                source_name: source_name.to_string(),
                err,
            })?;
        let bad = |message: String| ClassifyError::Model {
            source_name: source_name.to_string(),
            message,
        };
        if model.format != FORMAT {
            return Err(bad(format!(
                "/format: expected {FORMAT:?}, found {:?}",
                model.format
            )));
        }
        let expected = feature_names();
        if model.features != expected {
            let first = model
                .features
                .iter()
                .zip(&expected)
                .position(|(a, b)| a != b)
                .unwrap_or(expected.len().min(model.features.len()));
            return Err(bad(format!(
                "/features: the model was trained on a different feature spec ({} features, this build has {}; first difference at /features/{first}); retrain with `leakpath train`",
                model.features.len(),
                expected.len()
            )));
        }
        if model.labels.is_empty() || model.labels.contains(&Label::Unknown) {
            return Err(bad("/labels: must list the trained labels".to_string()));
        }
        if model.weights.len() != model.labels.len() || model.intercepts.len() != model.labels.len()
        {
            return Err(bad(
                "/weights: one row and one intercept per label expected".to_string(),
            ));
        }
        if let Some(i) = model
            .weights
            .iter()
            .position(|row| row.len() != expected.len())
        {
            return Err(bad(format!(
                "/weights/{i}: {} values, expected {}",
                model.weights[i].len(),
                expected.len()
            )));
        }
        if model
            .weights
            .iter()
            .flatten()
            .chain(&model.intercepts)
            .any(|w| !w.is_finite())
        {
            return Err(bad("/weights: non-finite value".to_string()));
        }
        Ok(model)
    }

    /// The model committed in `models/sensitivity-v1.json`, embedded at build time.
    pub fn embedded() -> Result<&'static SensitivityModel, ClassifyError> {
        static MODEL: OnceLock<Result<SensitivityModel, String>> = OnceLock::new();
        MODEL
            .get_or_init(|| {
                SensitivityModel::from_json(EMBEDDED, "models/sensitivity-v1.json (embedded)")
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|message| ClassifyError::Model {
                source_name: "embedded".to_string(),
                message: message.clone(),
            })
    }

    /// Class probabilities for a feature vector, in `labels` order.
    pub fn probabilities(&self, x: &[f64]) -> Vec<f64> {
        let scores: Vec<f64> = self
            .weights
            .iter()
            .zip(&self.intercepts)
            .map(|(row, b)| row.iter().zip(x).map(|(w, v)| w * v).sum::<f64>() + b)
            .collect();
        let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let exp: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
        let total: f64 = exp.iter().sum();
        exp.iter().map(|e| e / total).collect()
    }

    /// Labels a profiled dataset.
    pub fn label(&self, profile: &DatasetProfile) -> SensitivityLabel {
        let mut notes: Vec<String> = Vec::new();
        for u in profile.unreadable.iter().take(5) {
            notes.push(format!("unreadable sample {u}"));
        }
        if profile.samples_binary > 0 {
            notes.push(format!(
                "{} binary sample(s) not inspected",
                profile.samples_binary
            ));
        }
        let content = profile.has_content();
        if !content && profile.keys_given == 0 && profile.name_tokens.is_empty() {
            let mut evidence = vec![
                "nothing to judge by: no readable samples, no object keys, no name".to_string(),
            ];
            evidence.extend(notes);
            return SensitivityLabel {
                label: Label::Unknown,
                confidence: 0.0,
                evidence,
            };
        }
        let x = features(profile);
        let probs = self.probabilities(&x);
        let (best, p) = probs
            .iter()
            .enumerate()
            .fold(
                (0, f64::NEG_INFINITY),
                |acc, (i, &p)| if p > acc.1 { (i, p) } else { acc },
            );
        let label = self.labels.get(best).copied().unwrap_or(Label::Unknown);
        let scale = if content {
            1.0
        } else if profile.keys_given > 0 {
            KEYS_ONLY_CONFIDENCE
        } else {
            NAME_ONLY_CONFIDENCE
        };
        let confidence = (p * scale * 1000.0).round() / 1000.0;
        let mut evidence = self.explain(best, &x, profile);
        if !content {
            evidence.push(if profile.keys_given > 0 {
                format!(
                    "no readable samples: judged from {} object key(s) and names",
                    profile.keys_given
                )
            } else {
                "no readable samples or keys: judged from names only".to_string()
            });
        } else {
            evidence.push(sampled_files(profile));
        }
        evidence.extend(notes);
        SensitivityLabel {
            label,
            confidence,
            evidence,
        }
    }

    /// The strongest positive contributions toward label row `row`, in words.
    fn explain(&self, row: usize, x: &[f64], profile: &DatasetProfile) -> Vec<String> {
        let Some(weights) = self.weights.get(row) else {
            return Vec::new();
        };
        let mut contrib: Vec<(f64, usize)> = weights
            .iter()
            .zip(x)
            .enumerate()
            .map(|(i, (w, v))| (w * v, i))
            .filter(|(c, _)| *c > 0.05)
            .collect();
        contrib.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut out: Vec<String> = Vec::new();
        let mut seen_detector = Vec::new();
        for (_, i) in contrib {
            let Some(name) = self.features.get(i) else {
                continue;
            };
            let text = if let Some(det) = name
                .strip_prefix("det_log:")
                .or_else(|| name.strip_prefix("det_rate:"))
            {
                if seen_detector.contains(&det) {
                    continue;
                }
                seen_detector.push(det);
                detector_evidence(det, profile)
            } else if let Some(class) = name.strip_prefix("strong:") {
                let hit: Vec<String> = crate::classify::features::STRONG
                    .iter()
                    .filter(|(l, _)| l.as_str() == class)
                    .flat_map(|(_, dets)| dets.iter())
                    .filter_map(|d| {
                        let i = detectors::all().iter().position(|x| x.name() == *d)?;
                        profile
                            .hits
                            .get(i)
                            .filter(|h| **h > 0)
                            .map(|_| detector_evidence(d, profile))
                    })
                    .collect();
                if hit.is_empty() {
                    continue;
                }
                for h in hit {
                    if !out.contains(&h) {
                        out.push(h);
                    }
                }
                continue;
            } else if let Some(class) = name.strip_prefix("column:") {
                let cols = columns_of_class(profile, class);
                if cols.is_empty() {
                    continue;
                }
                format!("{class} column names: {}", cols.join(", "))
            } else if let Some(class) = name.strip_prefix("name:") {
                let toks = tokens_of_class(profile, class);
                if toks.is_empty() {
                    continue;
                }
                format!("{class} words in object keys or names: {}", toks.join(", "))
            } else if let Some(word) = name.strip_prefix("token:") {
                format!("name token: {word}")
            } else if let Some(shape) = name.strip_prefix("shape:") {
                // Only shapes that say something in words; "has content" is not evidence.
                match shape_evidence(shape, profile) {
                    Some(text) => text,
                    None => continue,
                }
            } else {
                // Hashed tokens are not shown: they may be any word of a key.
                continue;
            };
            if !out.contains(&text) {
                out.push(text);
            }
            if out.len() >= 6 {
                break;
            }
        }
        out
    }
}

fn detector_evidence(det: &str, profile: &DatasetProfile) -> String {
    let Some(i) = detectors::all().iter().position(|d| d.name() == det) else {
        return det.to_string();
    };
    let hits = profile.hits.get(i).copied().unwrap_or(0);
    let mut cols: Vec<(u64, &String)> = profile
        .column_hits
        .iter()
        .filter_map(|(c, h)| h.get(i).copied().filter(|&n| n > 0).map(|n| (n, c)))
        .collect();
    cols.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    if cols.is_empty() {
        format!("{det}: {hits} hit(s) in {} record(s)", profile.records)
    } else {
        let list: Vec<String> = cols
            .iter()
            .take(4)
            .map(|(n, c)| format!("{c} ({n})"))
            .collect();
        format!("{det}: {hits} hit(s), in columns {}", list.join(", "))
    }
}

fn columns_of_class(profile: &DatasetProfile, class: &str) -> Vec<String> {
    profile
        .columns
        .iter()
        .filter(|c| {
            let mut hit = false;
            detectors::key_words(c, |w| {
                if COLUMN_WORDS
                    .iter()
                    .any(|(cw, l)| *cw == w && l.as_str() == class)
                {
                    hit = true;
                }
            });
            hit
        })
        .take(6)
        .cloned()
        .collect()
}

fn tokens_of_class(profile: &DatasetProfile, class: &str) -> Vec<String> {
    profile
        .name_tokens
        .iter()
        .filter(|t| {
            COLUMN_WORDS
                .iter()
                .any(|(cw, l)| cw == t && l.as_str() == class)
        })
        .take(6)
        .cloned()
        .collect()
}

fn shape_evidence(shape: &str, p: &DatasetProfile) -> Option<String> {
    let chars = p.value_chars.max(1) as f64;
    Some(match shape {
        "digit_ratio" => format!(
            "shape: {:.0}% of characters are digits",
            100.0 * p.digit_chars as f64 / chars
        ),
        "alpha_ratio" => format!(
            "shape: {:.0}% of characters are letters",
            100.0 * p.alpha_chars as f64 / chars
        ),
        "numeric_cells" => format!("shape: {} of {} values numeric", p.numeric_fields, p.fields),
        "records" => format!("shape: {} records", p.records),
        "distinct_ratio" => format!(
            "shape: {} distinct values in {}",
            p.distinct_values, p.fields
        ),
        _ => return None,
    })
}

fn sampled_files(p: &DatasetProfile) -> String {
    let shown: Vec<&str> = p.sample_names.iter().take(5).map(String::as_str).collect();
    let more = p.sample_names.len().saturating_sub(shown.len()) + p.samples_skipped as usize;
    let mut s = format!(
        "sampled {} file(s): {}",
        p.sample_names.len() + p.samples_skipped as usize,
        shown.join(", ")
    );
    if more > 0 {
        s.push_str(&format!(" (+{more} more)"));
    }
    if p.samples_truncated > 0 {
        s.push_str(&format!(
            "; {} read up to the byte cap",
            p.samples_truncated
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_model_loads_and_matches_spec() {
        let model = SensitivityModel::embedded();
        assert!(model.is_ok(), "{:?}", model.err());
    }

    #[test]
    fn rejects_other_feature_spec() {
        let text = EMBEDDED.replacen("det_log:card_number", "det_log:renamed", 1);
        let err = SensitivityModel::from_json(&text, "m.json")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("/features"), "{err}");
    }
}
