//! `personal_terms`: words that talk about a person's identity and contact details in text
//! (`name`, `address`, `phone`, `email`, `passport`, `nationality`, `married`, …).
//!
//! Why it matters: messages and notes about people ("my new address is …", "her passport
//! expires …") say so in words before any detector sees a number.
//!
//! Example: `My phone number and address changed` has 2 hits.

use super::{Detector, Field, FieldFacts};
use crate::classify::lexicon::WordClass;
use crate::classify::Label;

pub struct PersonalTerms;

pub const TERMS: &[&str] = &[
    "name",
    "surname",
    "address",
    "phone",
    "mobile",
    "telephone",
    "email",
    "mail",
    "passport",
    "license",
    "licence",
    "nationality",
    "citizenship",
    "citizen",
    "married",
    "spouse",
    "husband",
    "wife",
    "daughter",
    "mother",
    "father",
    "gender",
    "birthday",
    "ssn",
    "zip",
    "postcode",
    "contact",
    "resident",
    "residence",
    "maiden",
    "religion",
    "ethnicity",
    "ethnic",
    "identity",
    "customer",
    "customers",
    "subscriber",
    "apartment",
];

impl Detector for PersonalTerms {
    fn name(&self) -> &'static str {
        "personal_terms"
    }
    fn indicates(&self) -> Label {
        Label::Personal
    }
    fn scan(&self, _field: &Field<'_>, facts: &FieldFacts) -> u32 {
        facts.words.get(WordClass::Personal)
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
            PersonalTerms.scan(&f, &FieldFacts::of(input)),
            expect,
            "{input:?}"
        );
    }

    #[test]
    fn terms() {
        check("My phone number and address changed", 2);
        check("Iris-setosa 5.1", 0);
    }
}
