//! `national_id`: national identity, passport, driver's licence and tax numbers: UK National
//! Insurance numbers (`QQ 12 34 56 C`, with the published prefix rules) anywhere, and any
//! id-shaped value (letters and at least 5 digits, ≤ 20 characters) in a column named for one
//! (`national_id`, `passport_number`, `driver_license`, `tax_id`, `nino`, `personnummer`, …).
//!
//! Why it matters: government ids are the strongest identifiers a record can carry; GDPR
//! Art. 87 and most breach laws single them out.
//!
//! Example: `AB123456C` is a hit; column `passport_no` = `X1234567` is a hit.

use super::{key_matches, Detector, Field, FieldFacts};
use crate::classify::Label;

pub struct NationalId;

fn nino(w: &[u8]) -> bool {
    if w.len() != 9 {
        return false;
    }
    let (a, b) = (w[0].to_ascii_uppercase(), w[1].to_ascii_uppercase());
    let bad_first = b"DFIQUV".contains(&a);
    let bad_second = b"DFIQUVO".contains(&b);
    let bad_pair = matches!(
        &[a, b],
        b"BG" | b"GB" | b"NK" | b"KN" | b"TN" | b"NT" | b"ZZ"
    );
    a.is_ascii_uppercase()
        && b.is_ascii_uppercase()
        && !bad_first
        && !bad_second
        && !bad_pair
        && w[2..8].iter().all(u8::is_ascii_digit)
        && matches!(w[8], b'A'..=b'D')
}

impl Detector for NationalId {
    fn name(&self) -> &'static str {
        "national_id"
    }
    fn indicates(&self) -> Label {
        Label::Personal
    }
    fn scan(&self, field: &Field<'_>, facts: &FieldFacts) -> u32 {
        if facts.digits < 5 {
            return 0;
        }
        if let Some(key) = field.key {
            let id_key = key_matches(
                key,
                &[
                    "passport",
                    "nino",
                    "personnummer",
                    "cpr",
                    "bsn",
                    "dni",
                    "nif",
                    "pesel",
                    "aadhaar",
                    "tin",
                ],
                &[
                    "nationalid",
                    "driverlicense",
                    "driverslicense",
                    "driverlicence",
                    "licensenumber",
                    "taxid",
                    "idnumber",
                    "idcard",
                    "personalid",
                    "socialinsurance",
                ],
            );
            let v = field.value.trim();
            if id_key
                && v.len() <= 20
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b' ')
            {
                return 1;
            }
        }
        // UK NINO, possibly written in pairs ("QQ 12 34 56 C").
        let b = field.value.as_bytes();
        let mut hits = 0;
        let mut i = 0;
        let mut compact = Vec::with_capacity(9);
        while i < b.len() {
            if !b[i].is_ascii_uppercase() || (i > 0 && b[i - 1].is_ascii_alphanumeric()) {
                i += 1;
                continue;
            }
            compact.clear();
            let mut j = i;
            while j < b.len() && compact.len() < 9 {
                if b[j].is_ascii_alphanumeric() {
                    compact.push(b[j]);
                } else if !(b[j] == b' ' && j + 1 < b.len() && b[j + 1].is_ascii_alphanumeric()) {
                    break;
                }
                j += 1;
            }
            let bounded = j >= b.len() || !b[j].is_ascii_alphanumeric();
            if bounded && nino(&compact) {
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

    fn check(key: Option<&str>, input: &str, expect: u32) {
        let f = Field { key, value: input };
        assert_eq!(
            NationalId.scan(&f, &FieldFacts::of(input)),
            expect,
            "{input:?}"
        );
    }

    #[test]
    fn ids() {
        check(None, "NI number AB123456C on file", 1);
        check(None, "QQ 12 34 56 C", 0);
        check(None, "nino AB 12 34 56 C", 1);
        check(Some("passport_no"), "X1234567", 1);
        check(Some("nationalid"), "190641-4941", 1);
        check(Some("comment"), "X1234567", 0);
    }
}
