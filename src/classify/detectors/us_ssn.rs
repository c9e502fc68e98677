//! `us_ssn`: US Social Security Numbers written `123-45-6789` (or `123 45 6789`) that obey
//! the SSA's assignment rules (area not 000, 666 or 9xx; group not 00; serial not 0000), and
//! bare 9-digit values in a column named for an SSN.
//!
//! Why it matters: the SSN is the key to US identity theft; breach-notification laws in every
//! state name it explicitly.
//!
//! Example: `SSN 514-69-0360` is a hit; `666-12-3456` and `2015-10-14` are not.

use super::{key_matches, Detector, Field, FieldFacts};
use crate::classify::Label;

pub struct UsSsn;

fn rules_hold(area: &[u8], group: &[u8], serial: &[u8]) -> bool {
    let num = |d: &[u8]| d.iter().fold(0u32, |a, &b| a * 10 + u32::from(b - b'0'));
    let a = num(area);
    a != 0 && a != 666 && a < 900 && num(group) != 0 && num(serial) != 0
}

impl Detector for UsSsn {
    fn name(&self) -> &'static str {
        "us_ssn"
    }
    fn indicates(&self) -> Label {
        Label::Personal
    }
    fn scan(&self, field: &Field<'_>, facts: &FieldFacts) -> u32 {
        if facts.digits < 9 {
            return 0;
        }
        let b = field.value.as_bytes();
        if let Some(key) = field.key {
            if key_matches(key, &["ssn", "sin"], &["socialsecurity"]) {
                let d: Vec<u8> = b.iter().copied().filter(u8::is_ascii_digit).collect();
                if d.len() == 9 && b.len() <= 11 && rules_hold(&d[0..3], &d[3..5], &d[5..9]) {
                    return 1;
                }
            }
        }
        let mut hits = 0;
        let mut i = 0;
        while i + 11 <= b.len() {
            let w = &b[i..i + 11];
            let sep = w[3];
            let shaped = (sep == b'-' || sep == b' ')
                && w[6] == sep
                && w[0..3].iter().all(u8::is_ascii_digit)
                && w[4..6].iter().all(u8::is_ascii_digit)
                && w[7..11].iter().all(u8::is_ascii_digit);
            let bounded = (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'-'))
                && (i + 11 == b.len() || !(b[i + 11].is_ascii_alphanumeric() || b[i + 11] == b'-'));
            if shaped && bounded && rules_hold(&w[0..3], &w[4..6], &w[7..11]) {
                hits += 1;
                i += 11;
            } else {
                i += 1;
            }
        }
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(key: Option<&str>, input: &str, expect: u32) {
        let f = Field { key, value: input };
        assert_eq!(UsSsn.scan(&f, &FieldFacts::of(input)), expect, "{input:?}");
    }

    #[test]
    fn ssns() {
        check(None, "SSN 514-69-0360", 1);
        check(None, "666-12-3456", 0);
        check(None, "2015-10-14", 0);
        check(None, "call 905-674-3793", 0);
        check(Some("ssn"), "514690360", 1);
        check(Some("zip"), "514690360", 0);
    }
}
