//! `aws_secret_key`: AWS secret access keys — 40 characters of base64 alphabet (mixed case and
//! digits) where the key name or the line mentions `aws` or `secret`.
//!
//! Why it matters: the secret half of an access key signs requests; with the key id it is full
//! use of whatever the IAM user may do.
//!
//! Example: `aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY` is a hit.

use super::{runs, Detector, Field, FieldFacts};
use crate::classify::Label;

pub struct AwsSecretKey;

fn mentions(s: &str, needle: &str) -> bool {
    s.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

impl Detector for AwsSecretKey {
    fn name(&self) -> &'static str {
        "aws_secret_key"
    }
    fn indicates(&self) -> Label {
        Label::Credentials
    }
    fn scan(&self, field: &Field<'_>, facts: &FieldFacts) -> u32 {
        if facts.upper < 3 || facts.lower < 3 || field.value.len() < 40 {
            return 0;
        }
        let context = field
            .key
            .is_some_and(|k| mentions(k, "aws") || mentions(k, "secret"))
            || mentions(field.value, "aws")
            || mentions(field.value, "secret");
        if !context {
            return 0;
        }
        runs(field.value, |b| {
            b.is_ascii_alphanumeric() || b == b'/' || b == b'+'
        })
        .filter(|(_, t)| {
            t.len() == 40
                && t.bytes().any(|b| b.is_ascii_uppercase())
                && t.bytes().any(|b| b.is_ascii_lowercase())
                && t.bytes()
                    .any(|b| b.is_ascii_digit() || b == b'/' || b == b'+')
        })
        .count() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(key: Option<&str>, input: &str, expect: u32) {
        let f = Field { key, value: input };
        assert_eq!(
            AwsSecretKey.scan(&f, &FieldFacts::of(input)),
            expect,
            "{input:?}"
        );
    }

    #[test]
    fn secrets() {
        check(
            None,
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            1,
        );
        check(
            Some("aws_secret_access_key"),
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            1,
        );
        check(None, "commit 8b1118b376c313ed420e5133ba91307817ed52c2", 0);
    }
}
