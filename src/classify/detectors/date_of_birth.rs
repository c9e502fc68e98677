//! `date_of_birth`: dates of birth — a date in a column or key named for birth (`dob`,
//! `birthday`, `date_of_birth`, `BirthDate`), or a date on a line that also says "born",
//! "birth" or "DOB".
//!
//! Why it matters: with a name, a date of birth is enough to verify identity at banks and
//! health providers; it is a quasi-identifier that re-identifies "anonymous" records.
//!
//! Example: column `Birthday` = `3/29/1982`; text `DOB: 1970-01-31`. A date in a column named
//! `DATE` is not a hit.

use super::{contains_date, key_matches, Detector, Field, FieldFacts};
use crate::classify::lexicon::WordClass;
use crate::classify::Label;

pub struct DateOfBirth;

pub const BIRTH_WORDS: &[&str] = &[
    "born",
    "birth",
    "dob",
    "birthday",
    "birthdate",
    "geboren",
    "nacimiento",
];

impl Detector for DateOfBirth {
    fn name(&self) -> &'static str {
        "date_of_birth"
    }
    fn indicates(&self) -> Label {
        Label::Personal
    }
    fn scan(&self, field: &Field<'_>, facts: &FieldFacts) -> u32 {
        if facts.digits < 4 {
            return 0;
        }
        let birth_key = field.key.is_some_and(|k| {
            key_matches(
                k,
                &["dob", "birth", "birthday", "born", "birthdate"],
                &["dateofbirth", "birthdate", "birthday"],
            )
        });
        let birth_text = facts.words.get(WordClass::BirthWord) > 0;
        u32::from((birth_key || birth_text) && contains_date(field.value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(key: Option<&str>, input: &str, expect: u32) {
        let f = Field { key, value: input };
        assert_eq!(
            DateOfBirth.scan(&f, &FieldFacts::of(input)),
            expect,
            "{input:?}"
        );
    }

    #[test]
    fn births() {
        check(Some("birthday"), "3/29/1982", 1);
        check(None, "DOB: 1970-01-31", 1);
        check(None, "She was born on March 3, 1951", 1);
        check(Some("date"), "2015-10-14", 0);
        check(Some("dob"), "unknown", 0);
    }
}
