//! Word lexicon shared by the word-list detectors: one pass over a field's words, one hash
//! lookup per word, and per-class counts that `person_name`, `medical_terms`,
//! `financial_terms`, … read. The word lists themselves live in those detectors' files,
//! next to the documentation of why each list matters.

use crate::classify::detectors::{
    credential_terms, date_of_birth, financial_terms, internal_terms, medical_terms, person_name,
    personal_terms, street_address,
};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// Word classes the lexicon knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub enum WordClass {
    FirstName = 0,
    Surname = 1,
    Medical = 2,
    Financial = 3,
    Credential = 4,
    Personal = 5,
    Internal = 6,
    StreetSuffix = 7,
    BirthWord = 8,
}

pub const WORD_CLASSES: usize = 9;

/// Hits per word class in one field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WordCounts(pub [u16; WORD_CLASSES]);

impl WordCounts {
    pub fn get(&self, class: WordClass) -> u32 {
        u32::from(self.0[class as usize])
    }
}

/// FNV-1a: words are short and the table is fixed, so a simple fast hash is enough.
#[derive(Default)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    /// FNV's low bits barely depend on the last bytes written (and `str` hashing always ends
    /// with the same 0xff byte), which hash tables index by: finish with an avalanche.
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type Table = HashMap<&'static str, u16, BuildHasherDefault<Fnv>>;

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = Table::default();
        let mut add = |words: &[&'static str], class: WordClass| {
            for w in words {
                *t.entry(*w).or_insert(0) |= 1 << class as u16;
            }
        };
        add(person_name::FIRST_NAMES, WordClass::FirstName);
        add(person_name::SURNAMES, WordClass::Surname);
        add(medical_terms::TERMS, WordClass::Medical);
        add(financial_terms::TERMS, WordClass::Financial);
        add(credential_terms::TERMS, WordClass::Credential);
        add(personal_terms::TERMS, WordClass::Personal);
        add(internal_terms::TERMS, WordClass::Internal);
        add(street_address::SUFFIXES, WordClass::StreetSuffix);
        add(date_of_birth::BIRTH_WORDS, WordClass::BirthWord);
        t
    })
}

/// The classes a single lower-case word belongs to, as a bit set over [`WordClass`].
pub fn classes_of(lower_word: &str) -> u16 {
    let mut bits = table().get(lower_word).copied().unwrap_or(0);
    if bits & (1 << WordClass::Medical as u16) == 0 && medical_terms::has_medical_suffix(lower_word)
    {
        bits |= 1 << WordClass::Medical as u16;
    }
    bits
}

/// Counts lexicon words in `text`. Names count only when capitalized as written ("Will
/// Smith" is a name, "we will" is not).
pub fn count_words(text: &str) -> WordCounts {
    let mut counts = WordCounts::default();
    let bytes = text.as_bytes();
    let mut buf = [0u8; 24];
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        let len = i - start;
        if !(2..=24).contains(&len) {
            continue;
        }
        // A word glued to digits or non-ASCII letters (`abc123`, `Müller`) is not a word.
        if i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] >= 0x80) {
            continue;
        }
        for (k, b) in bytes[start..i].iter().enumerate() {
            buf[k] = b.to_ascii_lowercase();
        }
        let Ok(word) = std::str::from_utf8(&buf[..len]) else {
            continue;
        };
        let bits = classes_of(word);
        if bits == 0 {
            continue;
        }
        let capitalized = bytes[start].is_ascii_uppercase();
        for class in 0..WORD_CLASSES {
            if bits & (1 << class) == 0 {
                continue;
            }
            let is_name =
                class == WordClass::FirstName as usize || class == WordClass::Surname as usize;
            if is_name && !capitalized {
                continue;
            }
            counts.0[class] = counts.0[class].saturating_add(1);
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, class: WordClass, expect: u32) {
        assert_eq!(count_words(input).get(class), expect, "{input:?} {class:?}");
    }

    #[test]
    fn counts() {
        check("Maria Garcia called", WordClass::FirstName, 1);
        check("maria garcia called", WordClass::FirstName, 0);
        check(
            "acute bronchitis and gastroenteritis",
            WordClass::Medical,
            3,
        );
        check("the invoice payment", WordClass::Financial, 2);
        check("12 Baker Street", WordClass::StreetSuffix, 1);
    }
}
