//! `log_record`: application log lines — a severity level written as logging libraries write
//! it (`INFO`, `WARN`, `ERROR`, `DEBUG`, `TRACE`, `FATAL`, `level=info`, `"level":"error"`).
//!
//! Why it matters: logs are operational, internal data; they also collect tokens, e-mail
//! addresses and stack traces, so a log bucket is rarely public by intent.
//!
//! Example: `2024-03-01T12:00:00Z INFO worker started` is a hit; `information` is not.

use super::{runs, Detector, Field, FieldFacts};
use crate::classify::Label;

pub struct LogRecord;

const LEVELS: [&str; 8] = [
    "INFO", "WARN", "WARNING", "ERROR", "DEBUG", "TRACE", "FATAL", "CRITICAL",
];

impl Detector for LogRecord {
    fn name(&self) -> &'static str {
        "log_record"
    }
    fn indicates(&self) -> Label {
        Label::Internal
    }
    fn scan(&self, field: &Field<'_>, facts: &FieldFacts) -> u32 {
        if facts.upper >= 4
            && runs(field.value, |b| b.is_ascii_uppercase())
                .take(12)
                .any(|(i, w)| {
                    LEVELS.contains(&w)
                        && field
                            .value
                            .as_bytes()
                            .get(i + w.len())
                            .is_none_or(|b| !b.is_ascii_alphanumeric())
                        && (i == 0 || !field.value.as_bytes()[i - 1].is_ascii_alphanumeric())
                })
        {
            return 1;
        }
        if let Some(key) = field.key {
            if ["level", "severity", "loglevel", "log_level"]
                .iter()
                .any(|k| key.eq_ignore_ascii_case(k))
                && LEVELS
                    .iter()
                    .any(|l| l.eq_ignore_ascii_case(field.value.trim()))
            {
                return 1;
            }
        }
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(key: Option<&str>, input: &str, expect: u32) {
        let f = Field { key, value: input };
        assert_eq!(
            LogRecord.scan(&f, &FieldFacts::of(input)),
            expect,
            "{input:?}"
        );
    }

    #[test]
    fn logs() {
        check(None, "2024-03-01T12:00:00Z INFO worker started", 1);
        check(None, "[ERROR] boom", 1);
        check(None, "INFORMATION DESK", 0);
        check(Some("level"), "info", 1);
    }
}
