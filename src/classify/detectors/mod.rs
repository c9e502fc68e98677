//! Sensitive-data detectors, one per file, each documented in its own header: what it finds,
//! why it matters, an example. A detector looks at one [`Field`] (a CSV cell with its column
//! name, a JSON value with its key, a config assignment, or a whole line of text) and returns
//! how many hits it saw there. Detectors never keep or return the matched text: only counts
//! leave them, which is what keeps sensitive values out of evidence.

pub mod aws_access_key;
pub mod aws_secret_key;
pub mod bank_account;
pub mod card_number;
pub mod card_security_code;
pub mod credential_terms;
pub mod date_of_birth;
pub mod email_address;
pub mod financial_terms;
pub mod high_entropy_secret;
pub mod iban;
pub mod icd10_code;
pub mod internal_terms;
pub mod ipv4_address;
pub mod jwt;
pub mod log_record;
pub mod medical_terms;
pub mod money_amount;
pub mod national_id;
pub mod password_assignment;
pub mod person_name;
pub mod personal_terms;
pub mod phone_number;
pub mod private_key;
pub mod private_network;
pub mod street_address;
pub mod url_credentials;
pub mod us_ssn;
pub mod vendor_token;

use crate::classify::lexicon::WordCounts;
use crate::classify::Label;

/// One value to look at, with the name it was stored under when there is one.
#[derive(Debug, Clone, Copy)]
pub struct Field<'a> {
    /// Column name, JSON key or config key as written; `None` for a line of free text.
    pub key: Option<&'a str>,
    /// The value (a cell, a JSON scalar, the right-hand side of an assignment, or a line).
    pub value: &'a str,
}

/// Facts about a field computed once, in one pass, and shared by every detector so that
/// cheap gates ("fewer than 13 digits: no card number here") skip most of the work.
#[derive(Debug, Clone, Default)]
pub struct FieldFacts {
    pub digits: u32,
    pub upper: u32,
    pub lower: u32,
    pub at_signs: u32,
    pub dashes: u32,
    /// Lexicon word hits (see `lexicon`), per word class.
    pub words: WordCounts,
}

impl FieldFacts {
    pub fn of(value: &str) -> FieldFacts {
        let mut facts = FieldFacts::default();
        for &b in value.as_bytes() {
            match b {
                b'0'..=b'9' => facts.digits += 1,
                b'A'..=b'Z' => facts.upper += 1,
                b'a'..=b'z' => facts.lower += 1,
                b'@' => facts.at_signs += 1,
                b'-' => facts.dashes += 1,
                _ => {}
            }
        }
        facts.words = crate::classify::lexicon::count_words(value);
        facts
    }
}

/// A detector: a named, documented test for one kind of sensitive (or telling) content.
pub trait Detector: Send + Sync {
    /// Stable snake_case name, used in feature names, in evidence and in the model file.
    fn name(&self) -> &'static str;
    /// The label this detector's hits point to (for documentation and evidence wording).
    fn indicates(&self) -> Label;
    /// Number of hits in the field.
    fn scan(&self, field: &Field<'_>, facts: &FieldFacts) -> u32;
}

/// Every detector, in a fixed order: the model's feature vector follows this order and the
/// model file records the names, so a reordering is caught when a model is loaded.
pub fn all() -> &'static [&'static dyn Detector] {
    static ALL: [&dyn Detector; 29] = [
        &card_number::CardNumber,
        &card_security_code::CardSecurityCode,
        &iban::Iban,
        &bank_account::BankAccount,
        &money_amount::MoneyAmount,
        &financial_terms::FinancialTerms,
        &us_ssn::UsSsn,
        &national_id::NationalId,
        &email_address::EmailAddress,
        &phone_number::PhoneNumber,
        &date_of_birth::DateOfBirth,
        &person_name::PersonName,
        &street_address::StreetAddress,
        &personal_terms::PersonalTerms,
        &aws_access_key::AwsAccessKey,
        &aws_secret_key::AwsSecretKey,
        &private_key::PrivateKey,
        &jwt::Jwt,
        &password_assignment::PasswordAssignment,
        &vendor_token::VendorToken,
        &high_entropy_secret::HighEntropySecret,
        &url_credentials::UrlCredentials,
        &credential_terms::CredentialTerms,
        &icd10_code::Icd10Code,
        &medical_terms::MedicalTerms,
        &ipv4_address::Ipv4Address,
        &private_network::PrivateNetwork,
        &log_record::LogRecord,
        &internal_terms::InternalTerms,
    ];
    &ALL
}

/// Splits a key such as `customerEmail`, `CC_NUMBER` or `date-of-birth` into lower-case
/// words (`customer`, `email`), calling `f` on each. Used on column names and object keys.
pub fn key_words(key: &str, mut f: impl FnMut(&str)) {
    // A stack buffer: this runs for every keyed cell, so it must not allocate.
    let mut buf = [0u8; 48];
    let mut len = 0usize;
    let mut prev_lower = false;
    let emit = |buf: &[u8], f: &mut dyn FnMut(&str)| {
        if let Ok(w) = std::str::from_utf8(buf) {
            f(w);
        }
    };
    for &b in key.as_bytes() {
        if b.is_ascii_alphabetic() {
            if b.is_ascii_uppercase() && prev_lower && len > 0 {
                emit(&buf[..len], &mut f);
                len = 0;
            }
            prev_lower = b.is_ascii_lowercase();
            if len < buf.len() {
                buf[len] = b.to_ascii_lowercase();
                len += 1;
            }
        } else {
            prev_lower = false;
            if len > 0 {
                emit(&buf[..len], &mut f);
                len = 0;
            }
        }
    }
    if len > 0 {
        emit(&buf[..len], &mut f);
    }
}

/// Memoizes a predicate on a key name. Key predicates run for every cell of a column with
/// the same key, so each (key, predicate) pair is worked out once: a small direct-mapped
/// cache indexed by the key's address and the predicate's `tag`, checked against the key's
/// full text (so a reused address never returns another key's answer).
pub fn memo_key(key: &str, tag: usize, f: impl FnOnce() -> bool) -> bool {
    use std::cell::RefCell;
    const SLOTS: usize = 4096;
    thread_local! {
        static MEMO: RefCell<Vec<Option<(usize, usize, String, bool)>>> = RefCell::new(vec![None; SLOTS]);
    }
    let addr = key.as_ptr() as usize;
    let mut z = (addr as u64) ^ (tag as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    let slot = ((z ^ (z >> 31)) % SLOTS as u64) as usize;
    let cached = MEMO.with(|m| {
        m.borrow().get(slot).and_then(|e| match e {
            Some((t, a, k, v)) if *t == tag && *a == addr && k == key => Some(*v),
            _ => None,
        })
    });
    if let Some(v) = cached {
        return v;
    }
    let v = f();
    MEMO.with(|m| {
        if let Some(e) = m.borrow_mut().get_mut(slot) {
            *e = Some((tag, addr, key.to_string(), v));
        }
    });
    v
}

/// True when any word of `key` is in `words`, or the key squashed to letters contains one of
/// `squashed` (so `ccnumber`, `CCNumber`, `cc_number` all match `ccnumber`).
pub fn key_matches(key: &str, words: &[&str], squashed: &[&str]) -> bool {
    let tag = (words.as_ptr() as usize).wrapping_mul(31)
        ^ (squashed.as_ptr() as usize)
        ^ words.len()
        ^ (squashed.len() << 8);
    memo_key(key, tag, || key_matches_uncached(key, words, squashed))
}

fn key_matches_uncached(key: &str, words: &[&str], squashed: &[&str]) -> bool {
    let mut found = false;
    key_words(key, |w| {
        if words.contains(&w) {
            found = true;
        }
    });
    if found {
        return true;
    }
    if squashed.is_empty() {
        return false;
    }
    let mut flat = [0u8; 64];
    let mut n = 0;
    for b in key.bytes().filter(u8::is_ascii_alphanumeric) {
        if n == flat.len() {
            break;
        }
        flat[n] = b.to_ascii_lowercase();
        n += 1;
    }
    let flat = &flat[..n];
    squashed
        .iter()
        .any(|s| flat.windows(s.len()).any(|w| w == s.as_bytes()))
}

/// Luhn checksum over ASCII digits.
pub fn luhn_valid(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(d.wrapping_sub(b'0'));
        if v > 9 {
            return false;
        }
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum % 10 == 0
}

/// True for bytes that may continue a word/token: letters, digits and `_`.
pub fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Iterates over maximal runs of bytes for which `keep` holds, yielding `(start, run)`.
pub fn runs<'a>(
    s: &'a str,
    keep: impl Fn(u8) -> bool + 'a,
) -> impl Iterator<Item = (usize, &'a str)> + 'a {
    let bytes = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && !keep(bytes[i]) {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        let start = i;
        while i < bytes.len() && keep(bytes[i]) {
            i += 1;
        }
        // Runs are cut only at ASCII bytes, so both ends are char boundaries.
        s.get(start..i).map(|run| (start, run))
    })
}

/// Looks for a calendar date (`1982-03-29`, `3/29/1982`, `29.03.1982`, `March 29, 1982`,
/// `29 Mar 1982`) anywhere in `s`.
pub fn contains_date(s: &str) -> bool {
    for (_, run) in runs(s, |b| {
        b.is_ascii_digit() || b == b'/' || b == b'-' || b == b'.'
    }) {
        let parts: Vec<&str> = run
            .split(['/', '-', '.'])
            .filter(|p| !p.is_empty())
            .collect();
        if parts.len() == 3 && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
            let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
            let year_first = lens[0] == 4 && lens[1] <= 2 && lens[2] <= 2;
            let year_last = lens[0] <= 2 && lens[1] <= 2 && (lens[2] == 4 || lens[2] == 2);
            if year_first || year_last {
                return true;
            }
        }
    }
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let lower = s.to_ascii_lowercase();
    let has_month = runs(&lower, |b| b.is_ascii_alphabetic())
        .any(|(_, w)| w.len() >= 3 && MONTHS.iter().any(|m| w.starts_with(m)) && w.len() <= 9);
    has_month
        && runs(s, |b| b.is_ascii_digit())
            .any(|(_, d)| d.len() == 4 && (d.starts_with("19") || d.starts_with("20")))
}

/// Shannon entropy in bits per character.
pub fn shannon_entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    for &b in s.as_bytes() {
        counts[usize::from(b)] += 1;
    }
    let n = s.len() as f64;
    if n == 0.0 {
        return 0.0;
    }
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expect: bool) {
        assert_eq!(contains_date(input), expect, "contains_date({input:?})");
    }

    #[test]
    fn dates() {
        check("1982-03-29", true);
        check("born 3/29/1982", true);
        check("29.03.1982", true);
        check("March 29, 1982", true);
        check("5.1,3.5", false);
        check("version 1.2.3", false);
        check("Mar-22", false);
    }

    #[test]
    fn luhn_and_words() {
        assert!(luhn_valid(b"4111111111111111"));
        assert!(!luhn_valid(b"4111111111111112"));
        let mut words = Vec::new();
        key_words("customerEmail_Address", |w| words.push(w.to_string()));
        assert_eq!(words, ["customer", "email", "address"]);
        assert!(key_matches("CCNumber", &[], &["ccnumber"]));
        assert!(key_matches("date_of_birth", &["birth"], &[]));
        assert!(!key_matches("passenger", &["pass"], &[]));
    }
}
