//! `aws_access_key`: AWS access key ids — `AKIA` (long-term user keys), `ASIA` (temporary
//! STS keys) and the other IAM unique-id prefixes, followed by 16 base-32 characters.
//!
//! Why it matters: an access key id next to its secret is a working login to an AWS account;
//! AWS itself scans public GitHub for exactly this pattern.
//!
//! Example: `aws_access_key_id = AKIAIOSFODNN7EXAMPLE` is a hit; `AKIANOTREAL` (too short) is
//! not.

use super::{Detector, Field, FieldFacts};
use crate::classify::Label;

pub struct AwsAccessKey;

const PREFIXES: [&[u8; 4]; 8] = [
    b"AKIA", b"ASIA", b"AIDA", b"AROA", b"AGPA", b"ANPA", b"ANVA", b"AIPA",
];

impl Detector for AwsAccessKey {
    fn name(&self) -> &'static str {
        "aws_access_key"
    }
    fn indicates(&self) -> Label {
        Label::Credentials
    }
    fn scan(&self, field: &Field<'_>, facts: &FieldFacts) -> u32 {
        if facts.upper < 10 {
            return 0;
        }
        let b = field.value.as_bytes();
        let mut hits = 0;
        let mut i = 0;
        while i + 20 <= b.len() {
            if b[i] == b'A' && PREFIXES.iter().any(|p| &b[i..i + 4] == p.as_slice()) {
                let body = &b[i + 4..i + 20];
                let bounded = (i == 0 || !b[i - 1].is_ascii_alphanumeric())
                    && (i + 20 == b.len() || !b[i + 20].is_ascii_alphanumeric());
                if bounded
                    && body
                        .iter()
                        .all(|c| c.is_ascii_uppercase() || (b'2'..=b'7').contains(c))
                {
                    hits += 1;
                    i += 20;
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

    fn check(input: &str, expect: u32) {
        let f = Field {
            key: None,
            value: input,
        };
        assert_eq!(
            AwsAccessKey.scan(&f, &FieldFacts::of(input)),
            expect,
            "{input:?}"
        );
    }

    #[test]
    fn keys() {
        check("aws_access_key_id = AKIAIOSFODNN7EXAMPLE", 1);
        check("AKIATESTTESTTESTTEST", 1);
        check("AKIANOTREAL", 0);
        check("XAKIAIOSFODNN7EXAMPLE", 0);
    }
}
