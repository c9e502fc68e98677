//! `icd10_code`: ICD-10 diagnosis codes — a letter (not U), two digits or digit+A/B, then an
//! optional dot and up to four more characters (`E11.9`, `J45.909`, `S72.001A`). Dotted codes
//! count anywhere; undotted ones (`A0101`) only in a column or on a line that says ICD or
//! diagnosis, since `A10` alone is as likely a seat or a part number.
//!
//! Why it matters: a diagnosis code attached to a person is protected health information
//! (HIPAA, GDPR Art. 9), whatever else the record holds.
//!
//! Example: `dx: E11.9` is a hit; a column `icd10` of `A0101` values hits once per cell.

use super::{key_matches, Detector, Field, FieldFacts};
use crate::classify::Label;

pub struct Icd10Code;

fn code_at(b: &[u8], i: usize, dotted_only: bool) -> Option<usize> {
    let c0 = *b.get(i)?;
    if !(c0.is_ascii_uppercase() && c0 != b'U') {
        return None;
    }
    if !b.get(i + 1)?.is_ascii_digit() {
        return None;
    }
    let c2 = *b.get(i + 2)?;
    if !(c2.is_ascii_digit() || c2 == b'A' || c2 == b'B') {
        return None;
    }
    let mut j = i + 3;
    let dotted = b.get(j) == Some(&b'.');
    if dotted {
        j += 1;
    } else if dotted_only {
        return None;
    }
    let ext_start = j;
    while j < b.len() && j - ext_start < 4 && (b[j].is_ascii_digit() || b[j].is_ascii_uppercase()) {
        j += 1;
    }
    if dotted && j == ext_start {
        return None;
    }
    if j < b.len()
        && (b[j].is_ascii_alphanumeric()
            || b[j] == b'.' && b.get(j + 1).is_some_and(u8::is_ascii_digit))
    {
        return None;
    }
    // Codes carry a digit after the dot or in the extension; `B12.A` is not one.
    if dotted && !b[ext_start..j].first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Some(j)
}

impl Detector for Icd10Code {
    fn name(&self) -> &'static str {
        "icd10_code"
    }
    fn indicates(&self) -> Label {
        Label::Health
    }
    fn scan(&self, field: &Field<'_>, facts: &FieldFacts) -> u32 {
        if facts.digits < 2 || facts.upper == 0 {
            return 0;
        }
        let b = field.value.as_bytes();
        // Undotted codes count only with context; only look for context when there is an
        // undotted candidate that is not also a dotted code.
        let bounded_at = |i: usize| {
            i == 0 || !(b[i - 1].is_ascii_alphanumeric() || matches!(b[i - 1], b'-' | b'.' | b'_'))
        };
        let undotted = (0..b.len()).any(|i| {
            bounded_at(i) && code_at(b, i, false).is_some() && code_at(b, i, true).is_none()
        });
        let context = undotted
            && (field.key.is_some_and(|k| {
                key_matches(
                    k,
                    &["icd", "dx", "diagnosis", "diag", "icd10"],
                    &["icd", "diagnos"],
                )
            }) || field.value.contains("ICD")
                || b.windows(7).any(|w| w.eq_ignore_ascii_case(b"diagnos")));
        let b = field.value.as_bytes();
        let mut hits = 0;
        let mut i = 0;
        while i < b.len() {
            let bounded = i == 0
                || !(b[i - 1].is_ascii_alphanumeric()
                    || b[i - 1] == b'-'
                    || b[i - 1] == b'.'
                    || b[i - 1] == b'_');
            if bounded {
                if let Some(end) = code_at(b, i, !context) {
                    hits += 1;
                    i = end;
                    continue;
                }
            }
            i += 1;
        }
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(key: Option<&str>, input: &str, expect: u32) {
        let f = Field { key, value: input };
        assert_eq!(
            Icd10Code.scan(&f, &FieldFacts::of(input)),
            expect,
            "{input:?}"
        );
    }

    #[test]
    fn codes() {
        check(None, "dx: E11.9 and J45.909", 2);
        check(Some("icd10"), "A0101", 1);
        check(None, "seat A10", 0);
        check(None, "version V1.2.3", 0);
        check(None, "S72.001A fracture", 1);
        check(None, "5.1,3.5", 0);
    }
}
