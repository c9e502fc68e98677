//! `iban`: International Bank Account Numbers whose ISO 13616 mod-97 check digits verify,
//! with or without the usual groups of four (`DE89 3704 0044 0532 0130 00`).
//!
//! Why it matters: an IBAN identifies a person's or company's bank account; with a name it is
//! enough for direct-debit fraud, and lists of them are financial records.
//!
//! Example: `GB82WEST12345698765432` is a hit; the same with one digit changed is not.

use super::{Detector, Field, FieldFacts};
use crate::classify::Label;

pub struct Iban;

/// Mod-97 over the rearranged IBAN (country code and check digits moved to the end, letters
/// as 10..35), computed incrementally so long numbers never overflow.
pub fn iban_valid(compact: &[u8]) -> bool {
    if !(15..=34).contains(&compact.len()) {
        return false;
    }
    let (head, tail) = compact.split_at(4);
    let mut rem: u32 = 0;
    for &c in tail.iter().chain(head.iter()) {
        let c = c.to_ascii_uppercase();
        let v = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            _ => return false,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

impl Detector for Iban {
    fn name(&self) -> &'static str {
        "iban"
    }
    fn indicates(&self) -> Label {
        Label::Financial
    }
    fn scan(&self, field: &Field<'_>, facts: &FieldFacts) -> u32 {
        if facts.digits < 8 || facts.upper + facts.lower < 2 {
            return 0;
        }
        let b = field.value.as_bytes();
        let mut hits = 0;
        let mut i = 0;
        let mut compact = Vec::with_capacity(40);
        while i + 4 <= b.len() {
            let starts = b[i].is_ascii_alphabetic()
                && b[i + 1].is_ascii_alphabetic()
                && b[i + 2].is_ascii_digit()
                && b[i + 3].is_ascii_digit()
                && (i == 0 || !b[i - 1].is_ascii_alphanumeric());
            if !starts {
                i += 1;
                continue;
            }
            compact.clear();
            let mut j = i;
            while j < b.len() && compact.len() <= 34 {
                if b[j].is_ascii_alphanumeric() {
                    compact.push(b[j]);
                    j += 1;
                } else if b[j] == b' '
                    && j + 1 < b.len()
                    && b[j + 1].is_ascii_alphanumeric()
                    && compact.len() % 4 == 0
                {
                    j += 1;
                } else {
                    break;
                }
            }
            // Groups of four may swallow a following word; try the longest valid prefix.
            let mut found = false;
            for end in (15..=compact.len().min(34)).rev() {
                if iban_valid(&compact[..end]) {
                    found = true;
                    break;
                }
            }
            if found {
                hits += 1;
                i = j;
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

    fn check(input: &str, expect: u32) {
        let f = Field {
            key: None,
            value: input,
        };
        assert_eq!(Iban.scan(&f, &FieldFacts::of(input)), expect, "{input:?}");
    }

    #[test]
    fn ibans() {
        check("GB82WEST12345698765432", 1);
        check("iban: DE89 3704 0044 0532 0130 00 thanks", 1);
        check("gb82west12345698765432", 1);
        check("GB82WEST12345698765433", 0);
        check("AB12 is not", 0);
    }
}
