//! The feature vector the model reads, built from a [`DatasetProfile`]. Every feature has a
//! name a security engineer can read (`det_log:card_number`, `column:financial`,
//! `shape:digit_ratio`, `token:payroll`); the model file stores the names, and loading a
//! model whose names differ from this code's is an error.
//!
//! Groups:
//! - per detector: `det_any:<d>` = 1 when it hit at all (one private key is enough),
//!   `det_log:<d>` = ln(1+hits)/ln(1001) (how much) and `det_rate:<d>` = hits per record,
//!   capped at 1 (how pervasive);
//! - `strong:<class>`: 1 when any high-precision detector of that class hit (a private key
//!   OR a vendor token OR …): one decisive hit must count however small the file;
//! - `column:<class>`: how many column/key names carry a word of that class (ln-scaled);
//! - `name:<class>`: the same for object keys, the dataset name and sample file names;
//! - `token:<word>` / `hash:<n>`: presence of a known column/key word, and of any other
//!   name token hashed into one of [`HASH_BUCKETS`] buckets;
//! - `shape:*`: digit and letter ratios, numeric cells, value length, distinctness, size.

use crate::classify::detectors;
use crate::classify::lexicon::Fnv;
use crate::classify::profile::DatasetProfile;
use crate::classify::Label;
use std::hash::Hasher;

/// Buckets for name tokens that are not in [`COLUMN_WORDS`].
pub const HASH_BUCKETS: usize = 64;
/// Value of a present hashed token. Kept small so that L2 regularization makes these
/// anonymous features expensive to rely on: they fit the training vocabulary, and the
/// readable detector and word features must carry the label.
const HASHED_VALUE: f64 = 0.25;
/// File-name extensions, which say how data is stored, not what it is.
const EXTENSIONS: &[&str] = &[
    "csv", "tsv", "json", "jsonl", "ndjson", "txt", "gz", "md", "yaml", "yml", "xml", "dat", "zip",
    "parquet", "avro", "orc", "pdf", "png", "jpg", "part",
];

/// Column-name and object-key words and the label they point to. A word here gets its own
/// `token:` feature and counts toward `column:<label>` / `name:<label>`.
pub const COLUMN_WORDS: &[(&str, Label)] = &[
    ("password", Label::Credentials),
    ("passwd", Label::Credentials),
    ("pwd", Label::Credentials),
    ("secret", Label::Credentials),
    ("secrets", Label::Credentials),
    ("token", Label::Credentials),
    ("apikey", Label::Credentials),
    ("credential", Label::Credentials),
    ("credentials", Label::Credentials),
    ("auth", Label::Credentials),
    ("hash", Label::Credentials),
    ("salt", Label::Credentials),
    ("key", Label::Credentials),
    ("keys", Label::Credentials),
    ("pem", Label::Credentials),
    ("rsa", Label::Credentials),
    ("ssh", Label::Credentials),
    ("env", Label::Credentials),
    ("kubeconfig", Label::Credentials),
    ("vault", Label::Credentials),
    ("login", Label::Credentials),
    ("card", Label::Financial),
    ("cc", Label::Financial),
    ("ccnumber", Label::Financial),
    ("cvv", Label::Financial),
    ("cvc", Label::Financial),
    ("iban", Label::Financial),
    ("swift", Label::Financial),
    ("bic", Label::Financial),
    ("routing", Label::Financial),
    ("account", Label::Financial),
    ("acct", Label::Financial),
    ("balance", Label::Financial),
    ("amount", Label::Financial),
    ("payment", Label::Financial),
    ("payments", Label::Financial),
    ("invoice", Label::Financial),
    ("invoices", Label::Financial),
    ("transaction", Label::Financial),
    ("transactions", Label::Financial),
    ("txn", Label::Financial),
    ("bank", Label::Financial),
    ("billing", Label::Financial),
    ("statement", Label::Financial),
    ("statements", Label::Financial),
    ("ledger", Label::Financial),
    ("expires", Label::Financial),
    ("expiry", Label::Financial),
    ("diagnosis", Label::Health),
    ("icd", Label::Health),
    ("dx", Label::Health),
    ("patient", Label::Health),
    ("patients", Label::Health),
    ("medication", Label::Health),
    ("drug", Label::Health),
    ("dosage", Label::Health),
    ("prescription", Label::Health),
    ("allergy", Label::Health),
    ("allergies", Label::Health),
    ("symptom", Label::Health),
    ("symptoms", Label::Health),
    ("treatment", Label::Health),
    ("clinical", Label::Health),
    ("medical", Label::Health),
    ("mrn", Label::Health),
    ("lab", Label::Health),
    ("encounter", Label::Health),
    ("admission", Label::Health),
    ("discharge", Label::Health),
    ("ehr", Label::Health),
    ("radiology", Label::Health),
    ("claims", Label::Health),
    ("name", Label::Personal),
    ("firstname", Label::Personal),
    ("lastname", Label::Personal),
    ("first", Label::Personal),
    ("last", Label::Personal),
    ("surname", Label::Personal),
    ("given", Label::Personal),
    ("maiden", Label::Personal),
    ("email", Label::Personal),
    ("mail", Label::Personal),
    ("phone", Label::Personal),
    ("telephone", Label::Personal),
    ("mobile", Label::Personal),
    ("address", Label::Personal),
    ("street", Label::Personal),
    ("birthday", Label::Personal),
    ("birth", Label::Personal),
    ("dob", Label::Personal),
    ("gender", Label::Personal),
    ("ssn", Label::Personal),
    ("passport", Label::Personal),
    ("nationality", Label::Personal),
    ("customer", Label::Personal),
    ("customers", Label::Personal),
    ("users", Label::Personal),
    ("profile", Label::Personal),
    ("profiles", Label::Personal),
    ("contacts", Label::Personal),
    ("nationalid", Label::Personal),
    ("occupation", Label::Personal),
    ("host", Label::Internal),
    ("hostname", Label::Internal),
    ("ip", Label::Internal),
    ("server", Label::Internal),
    ("instance", Label::Internal),
    ("cluster", Label::Internal),
    ("service", Label::Internal),
    ("level", Label::Internal),
    ("logs", Label::Internal),
    ("log", Label::Internal),
    ("latency", Label::Internal),
    ("employee", Label::Internal),
    ("salary", Label::Internal),
    ("team", Label::Internal),
    ("internal", Label::Internal),
    ("deploy", Label::Internal),
    ("terraform", Label::Internal),
    ("backup", Label::Internal),
    ("metrics", Label::Internal),
    ("reports", Label::Internal),
    ("confidential", Label::Internal),
    ("public", Label::Public),
    ("assets", Label::Public),
    ("static", Label::Public),
    ("docs", Label::Public),
    ("images", Label::Public),
    ("img", Label::Public),
    ("css", Label::Public),
    ("dataset", Label::Public),
    ("open", Label::Public),
    ("www", Label::Public),
    ("html", Label::Public),
];

/// High-precision detectors per label, OR-ed into one `strong:<label>` feature each.
pub const STRONG: &[(Label, &[&str])] = &[
    (
        Label::Credentials,
        &[
            "private_key",
            "aws_access_key",
            "aws_secret_key",
            "vendor_token",
            "jwt",
            "url_credentials",
            "password_assignment",
        ],
    ),
    (
        Label::Financial,
        &["card_number", "iban", "bank_account", "card_security_code"],
    ),
    (Label::Health, &["icd10_code"]),
    (
        Label::Personal,
        &[
            "us_ssn",
            "national_id",
            "email_address",
            "phone_number",
            "date_of_birth",
            "street_address",
        ],
    ),
];

/// Classes that get `column:` and `name:` features.
const CLASS_LABELS: [Label; 6] = Label::TRAINED;

/// The feature names, in vector order.
pub fn feature_names() -> Vec<String> {
    let mut names = Vec::new();
    for d in detectors::all() {
        names.push(format!("det_any:{}", d.name()));
        names.push(format!("det_log:{}", d.name()));
        names.push(format!("det_rate:{}", d.name()));
    }
    for (l, _) in STRONG {
        names.push(format!("strong:{l}"));
    }
    for l in CLASS_LABELS {
        names.push(format!("column:{l}"));
    }
    for l in CLASS_LABELS {
        names.push(format!("name:{l}"));
    }
    for (w, _) in COLUMN_WORDS {
        names.push(format!("token:{w}"));
    }
    for i in 0..HASH_BUCKETS {
        names.push(format!("hash:{i}"));
    }
    for s in SHAPES {
        names.push(format!("shape:{s}"));
    }
    names
}

const SHAPES: [&str; 10] = [
    "digit_ratio",
    "alpha_ratio",
    "numeric_cells",
    "value_length",
    "distinct_ratio",
    "records",
    "fields_per_record",
    "has_content",
    "keys_only",
    "binary_samples",
];

fn column_word(w: &str) -> Option<usize> {
    COLUMN_WORDS.iter().position(|(c, _)| *c == w)
}

fn bucket(w: &str) -> usize {
    let mut h = Fnv::default();
    h.write(w.as_bytes());
    (h.finish() % HASH_BUCKETS as u64) as usize
}

fn scaled_log(n: u64, top: f64) -> f64 {
    ((1.0 + n as f64).ln() / (1.0 + top).ln()).min(1.5)
}

/// The feature vector of a profile, in [`feature_names`] order.
pub fn features(p: &DatasetProfile) -> Vec<f64> {
    let n_det = detectors::all().len();
    let mut x = Vec::with_capacity(feature_names_len());
    let records = p.records.max(1) as f64;
    for d in 0..n_det {
        let h = p.hits.get(d).copied().unwrap_or(0);
        x.push(if h > 0 { 1.0 } else { 0.0 });
        x.push(scaled_log(h, 1000.0));
        x.push((h as f64 / records).min(1.0));
    }
    for (_, dets) in STRONG {
        let any = detectors::all()
            .iter()
            .zip(&p.hits)
            .any(|(d, h)| *h > 0 && dets.contains(&d.name()));
        x.push(if any { 1.0 } else { 0.0 });
    }
    // column:<class> — distinct column names with a word of the class.
    let mut column_class = [0u64; 6];
    let mut token_present = vec![0.0; COLUMN_WORDS.len()];
    let mut hashed = vec![0.0; HASH_BUCKETS];
    for col in &p.columns {
        let mut seen = [false; 6];
        detectors::key_words(col, |w| {
            if let Some(i) = column_word(w) {
                token_present[i] = 1.0;
                if let Some(c) = CLASS_LABELS.iter().position(|l| *l == COLUMN_WORDS[i].1) {
                    seen[c] = true;
                }
            } else if w.len() >= 2 && !EXTENSIONS.contains(&w) {
                hashed[bucket(w)] = HASHED_VALUE;
            }
        });
        for (c, s) in seen.iter().enumerate() {
            column_class[c] += u64::from(*s);
        }
    }
    let mut name_class = [0u64; 6];
    for tok in &p.name_tokens {
        if let Some(i) = column_word(tok) {
            token_present[i] = 1.0;
            if let Some(c) = CLASS_LABELS.iter().position(|l| *l == COLUMN_WORDS[i].1) {
                name_class[c] += 1;
            }
        } else if !EXTENSIONS.contains(&tok.as_str()) {
            hashed[bucket(tok)] = HASHED_VALUE;
        }
    }
    x.extend(column_class.iter().map(|&n| scaled_log(n, 10.0)));
    x.extend(name_class.iter().map(|&n| scaled_log(n, 10.0)));
    x.extend(token_present);
    x.extend(hashed);
    let chars = p.value_chars.max(1) as f64;
    let fields = p.fields.max(1) as f64;
    let content = p.has_content();
    x.push(p.digit_chars as f64 / chars);
    x.push(p.alpha_chars as f64 / chars);
    x.push(p.numeric_fields as f64 / fields);
    x.push(scaled_log((p.value_chars as f64 / fields) as u64, 1000.0));
    x.push(if content {
        p.distinct_values as f64 / fields.min(8192.0)
    } else {
        0.0
    });
    x.push(scaled_log(p.records, 100_000.0));
    x.push(((fields / records) / 20.0).min(1.0));
    x.push(if content { 1.0 } else { 0.0 });
    x.push(if !content && p.keys_given > 0 {
        1.0
    } else {
        0.0
    });
    x.push(f64::from(p.samples_binary) / f64::from(p.samples_read.max(1)));
    x
}

fn feature_names_len() -> usize {
    detectors::all().len() * 3
        + STRONG.len()
        + 12
        + COLUMN_WORDS.len()
        + HASH_BUCKETS
        + SHAPES.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{profile_dataset, ClassifyOptions, Sample};

    #[test]
    fn vector_matches_names() {
        let sample = Sample::new(
            "a.csv",
            std::io::Cursor::new(b"email,cc_number\na@b.io,4111111111111111\n".to_vec()),
        );
        let p = profile_dataset(
            std::iter::once(sample),
            &["payroll/x.csv".to_string()],
            "bucket",
            &ClassifyOptions::default(),
        );
        let x = features(&p);
        let names = feature_names();
        assert_eq!(x.len(), names.len());
        assert_eq!(names.len(), feature_names_len());
        let get = |n: &str| {
            names
                .iter()
                .position(|m| m == n)
                .and_then(|i| x.get(i))
                .copied()
                .unwrap_or(-1.0)
        };
        assert!(get("det_log:card_number") > 0.0);
        assert!(get("column:financial") > 0.0);
        assert!(get("column:personal") > 0.0);
        assert_eq!(get("token:email"), 1.0);
        assert_eq!(get("shape:has_content"), 1.0);
    }
}
