//! `money_amount`: amounts written with a currency (`$1,234.56`, `€ 80`, `EUR 12.00`,
//! `12.50 USD`). A weak signal on its own — price lists are public — that, together with
//! card numbers, IBANs or financial words, marks transactions, invoices and statements.
//!
//! Why it matters: it separates ledgers and invoices from ordinary numeric tables.
//!
//! Example: `Total due: $1,249.00` is one hit; `5.1,3.5` is none.

use super::{Detector, Field, FieldFacts};
use crate::classify::Label;

pub struct MoneyAmount;

const CODES: [&str; 10] = [
    "USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "INR", "CNY", "SEK",
];

fn amount_after(b: &[u8], mut i: usize) -> bool {
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    let start = i;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b',' || b[i] == b'.') {
        i += 1;
    }
    i > start && b[start].is_ascii_digit()
}

fn amount_before(b: &[u8], end: usize) -> bool {
    let mut i = end;
    while i > 0 && b[i - 1] == b' ' {
        i -= 1;
    }
    i > 0 && b[i - 1].is_ascii_digit()
}

impl Detector for MoneyAmount {
    fn name(&self) -> &'static str {
        "money_amount"
    }
    fn indicates(&self) -> Label {
        Label::Financial
    }
    fn scan(&self, field: &Field<'_>, facts: &FieldFacts) -> u32 {
        if facts.digits == 0 {
            return 0;
        }
        let s = field.value;
        let b = s.as_bytes();
        let mut hits = 0;
        for (i, ch) in s.char_indices() {
            if matches!(ch, '$' | '€' | '£' | '¥') && amount_after(b, i + ch.len_utf8()) {
                hits += 1;
            }
        }
        if facts.upper >= 3 {
            // One pass over runs of exactly three capital letters, checked against the codes.
            let mut i = 0;
            while i < b.len() {
                if !b[i].is_ascii_uppercase() {
                    i += 1;
                    continue;
                }
                let start = i;
                while i < b.len() && b[i].is_ascii_alphabetic() {
                    i += 1;
                }
                if i - start == 3
                    && CODES.iter().any(|c| c.as_bytes() == &b[start..i])
                    && (amount_after(b, i) || amount_before(b, start))
                {
                    hits += 1;
                }
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
            MoneyAmount.scan(&f, &FieldFacts::of(input)),
            expect,
            "{input:?}"
        );
    }

    #[test]
    fn amounts() {
        check("Total due: $1,249.00", 1);
        check("EUR 12.00 and 5 GBP", 2);
        check("€80", 1);
        check("5.1,3.5", 0);
        check("USD", 0);
    }
}
