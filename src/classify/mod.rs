//! Sensitivity classification: what kind of data a dataset (a bucket, a prefix, a folder of
//! sample files) holds — `credentials`, `financial`, `health`, `personal`, `internal` or
//! `public` — with a confidence and the evidence the label rests on.
//!
//! Pipeline: [`profile::profile_dataset`] streams each sample (up to a byte cap, gzip
//! decompressed on the fly) through the detectors in [`detectors`], one per file, and counts
//! hits, column names and value shapes; [`features`] turns the profile into a fixed vector
//! of readable features; [`model::SensitivityModel`] (a multinomial logistic regression
//! trained with linfa-logistic, embedded from `models/`) scores it.
//!
//! This module does no I/O of its own: callers hand it readers. No sensitive value leaves it:
//! detectors return counts, and evidence names detectors, counts, columns and files only.

pub mod detectors;
pub mod features;
pub mod lexicon;
pub mod model;
pub mod profile;
pub mod train;
pub mod trainset;

pub use model::SensitivityModel;
pub use profile::{profile_dataset, DatasetProfile};

use serde::{Deserialize, Serialize};
use std::io::Read;

/// A sensitivity label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    Credentials,
    Financial,
    Health,
    Personal,
    Internal,
    Public,
    /// Nothing to judge by (no samples, no keys, no name). Never produced by the model.
    Unknown,
}

impl Label {
    /// The labels the model predicts, in the model's class order.
    pub const TRAINED: [Label; 6] = [
        Label::Credentials,
        Label::Financial,
        Label::Health,
        Label::Personal,
        Label::Internal,
        Label::Public,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Label::Credentials => "credentials",
            Label::Financial => "financial",
            Label::Health => "health",
            Label::Personal => "personal",
            Label::Internal => "internal",
            Label::Public => "public",
            Label::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Label> {
        Label::TRAINED
            .into_iter()
            .chain([Label::Unknown])
            .find(|l| l.as_str() == s)
    }
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One sampled object body. `name` is the file or object name (it may appear in evidence);
/// the reader is consumed only up to [`ClassifyOptions::sample_byte_cap`].
pub struct Sample {
    pub name: String,
    pub reader: Box<dyn Read>,
}

impl Sample {
    pub fn new(name: impl Into<String>, reader: impl Read + 'static) -> Sample {
        Sample {
            name: name.into(),
            reader: Box::new(reader),
        }
    }
}

/// The classifier's answer for one dataset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SensitivityLabel {
    pub label: Label,
    /// 0–1: the model's probability for the label, scaled down when there were no samples.
    pub confidence: f64,
    /// What the label rests on: detector names and counts, column names, file names. Never a
    /// matched value.
    pub evidence: Vec<String>,
}

/// How much of each sample to read, like Macie's sampling depth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassifyOptions {
    /// Bytes read from each sample (after gzip decompression); the rest is never read.
    pub sample_byte_cap: u64,
    /// Samples looked at per dataset; further samples are skipped unread.
    pub max_samples: usize,
}

impl Default for ClassifyOptions {
    fn default() -> Self {
        ClassifyOptions {
            sample_byte_cap: 1 << 20,
            max_samples: 64,
        }
    }
}

/// Confidence scale when a label rests on object keys only (no sample was readable).
pub const KEYS_ONLY_CONFIDENCE: f64 = 0.7;
/// Confidence scale when a label rests on the dataset and file names only.
pub const NAME_ONLY_CONFIDENCE: f64 = 0.5;

/// Errors of the classify stage. Messages name files and detectors, never sampled values.
#[derive(Debug, thiserror::Error)]
pub enum ClassifyError {
    #[error("model {source_name}: {message}")]
    Model {
        source_name: String,
        message: String,
    },
    #[error("model {source_name}: {err}")]
    ModelJson {
        source_name: String,
        err: serde_json::Error,
    },
    #[error("training: {0}")]
    Training(String),
}

/// Labels one dataset from its sampled object bodies, its object keys (from
/// `list-objects-v2`) and its name, with the default sampling options.
pub fn classify_dataset(
    samples: impl Iterator<Item = Sample>,
    keys: &[String],
    name: &str,
    model: &SensitivityModel,
) -> SensitivityLabel {
    classify_dataset_with(samples, keys, name, model, &ClassifyOptions::default())
}

/// [`classify_dataset`] with explicit sampling options.
pub fn classify_dataset_with(
    samples: impl Iterator<Item = Sample>,
    keys: &[String],
    name: &str,
    model: &SensitivityModel,
    options: &ClassifyOptions,
) -> SensitivityLabel {
    let profile = profile_dataset(samples, keys, name, options);
    model.label(&profile)
}
