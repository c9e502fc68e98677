//! `card_number`: payment card numbers (PANs) that pass the Luhn checksum and start with a
//! known issuer prefix (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro).
//!
//! Why it matters: a PAN is cardholder data under PCI DSS; one exposed file of them is a
//! reportable breach. Luhn plus the issuer prefix keeps random 16-digit ids out.
//!
//! Example: `4111 1111 1111 1111`, `5500-0000-0000-0004`, `378282246310005` (one hit each);
//! `4111111111111112` (bad checksum) and `1234567890123456` (no issuer) are not hits.

use super::{luhn_valid, Detector, Field, FieldFacts};
use crate::classify::Label;

pub struct CardNumber;

/// Issuer prefix and length rules (ISO/IEC 7812 IIN ranges as published by the networks).
fn issuer_accepts(d: &[u8]) -> bool {
    let n = d.len();
    let p = |k: usize| -> u32 {
        d.iter()
            .take(k)
            .fold(0u32, |acc, &b| acc * 10 + u32::from(b - b'0'))
    };
    match d.first() {
        Some(b'4') => matches!(n, 13 | 16 | 19),
        Some(b'5') => {
            let p2 = p(2);
            ((51..=55).contains(&p2) && n == 16)
                || ((p2 == 50 || (56..=59).contains(&p2)) && (12..=19).contains(&n))
        }
        Some(b'2') => {
            let p4 = p(4);
            ((2221..=2720).contains(&p4) && n == 16) || (p4 == 2131 && n == 15)
        }
        Some(b'3') => {
            let p2 = p(2);
            let p4 = p(4);
            ((p2 == 34 || p2 == 37) && n == 15)
                || ((3528..=3589).contains(&p4) && (16..=19).contains(&n))
                || ((300..=305).contains(&p(3)) || p2 == 36 || p2 == 38 || p2 == 39)
                    && (14..=19).contains(&n)
        }
        Some(b'6') => (12..=19).contains(&n),
        Some(b'1') => p(4) == 1800 && n == 15,
        _ => false,
    }
}

impl Detector for CardNumber {
    fn name(&self) -> &'static str {
        "card_number"
    }
    fn indicates(&self) -> Label {
        Label::Financial
    }
    fn scan(&self, field: &Field<'_>, facts: &FieldFacts) -> u32 {
        if facts.digits < 12 {
            return 0;
        }
        let b = field.value.as_bytes();
        let mut hits = 0;
        let mut i = 0;
        let mut digits: Vec<u8> = Vec::with_capacity(24);
        while i < b.len() {
            if !b[i].is_ascii_digit()
                || (i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.'))
            {
                i += 1;
                continue;
            }
            // Collect digits, allowing one space or dash between groups.
            digits.clear();
            let mut j = i;
            while j < b.len() {
                if b[j].is_ascii_digit() {
                    digits.push(b[j]);
                    j += 1;
                } else if (b[j] == b' ' || b[j] == b'-')
                    && j + 1 < b.len()
                    && b[j + 1].is_ascii_digit()
                    && !digits.is_empty()
                {
                    j += 1;
                } else {
                    break;
                }
                if digits.len() > 19 {
                    break;
                }
            }
            let glued = j < b.len()
                && (b[j].is_ascii_alphanumeric()
                    || (b[j] == b'.' && j + 1 < b.len() && b[j + 1].is_ascii_digit()));
            if (12..=19).contains(&digits.len())
                && !glued
                && issuer_accepts(&digits)
                && luhn_valid(&digits)
                && !digits.iter().all(|&d| d == digits[0])
            {
                hits += 1;
            }
            i = j.max(i + 1);
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
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
            CardNumber.scan(&f, &FieldFacts::of(input)),
            expect,
            "{input:?}"
        );
    }

    #[test]
    fn cards() {
        check("4111 1111 1111 1111", 1);
        check("pay with 5500-0000-0000-0004 today", 1);
        check("378282246310005,4012888888881881", 2);
        check("4111111111111112", 0);
        check("1234567890123456", 0);
        check("id 41111111111111110000", 0);
        check("5.54563E+15", 0);
        check("4454794511390933", 1);
    }
}
