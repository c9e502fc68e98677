//! `street_address`: postal addresses — a house number near a street word (`12 Baker Street`,
//! `Avenida Noruega 42`, `Apt. 864`, `P.O. Box 255`, `Koskikatu 25`), and address-shaped
//! values (letters and digits) in a column named for an address (`street_address`,
//! `address_line1`, `home_address`).
//!
//! Why it matters: a home address locates a person; with a name it is personal data under
//! every privacy law, and the basis of doxxing and mail fraud.
//!
//! Example: `6750 Koskikatu 25 Apt. 864` is a hit; `Data Street Journal` without a number is
//! not.

use super::{key_matches, Detector, Field, FieldFacts};
use crate::classify::lexicon::WordClass;
use crate::classify::Label;

pub struct StreetAddress;

pub const SUFFIXES: &[&str] = &[
    "street",
    "st",
    "avenue",
    "ave",
    "road",
    "rd",
    "lane",
    "ln",
    "boulevard",
    "blvd",
    "drive",
    "dr",
    "court",
    "ct",
    "way",
    "place",
    "pl",
    "terrace",
    "square",
    "sq",
    "highway",
    "hwy",
    "parkway",
    "pkwy",
    "circle",
    "cir",
    "crescent",
    "close",
    "apt",
    "apartment",
    "suite",
    "unit",
    "box",
    "strasse",
    "str",
    "gasse",
    "weg",
    "platz",
    "rue",
    "avenida",
    "calle",
    "via",
    "viale",
    "piazza",
    "rua",
    "ulica",
    "ul",
    "katu",
    "tie",
    "gatan",
    "gata",
    "vej",
    "vei",
    "laan",
    "straat",
    "plein",
    "allee",
    "chemin",
    "camino",
    "carrera",
    "praca",
    "alley",
    "row",
    "trail",
];

fn has_token_digit(v: &str) -> bool {
    v.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|t| !t.is_empty() && t.len() <= 6 && t.bytes().all(|b| b.is_ascii_digit()))
}

impl Detector for StreetAddress {
    fn name(&self) -> &'static str {
        "street_address"
    }
    fn indicates(&self) -> Label {
        Label::Personal
    }
    fn scan(&self, field: &Field<'_>, facts: &FieldFacts) -> u32 {
        if facts.digits == 0 {
            return 0;
        }
        if let Some(key) = field.key {
            if key_matches(
                key,
                &["street"],
                &[
                    "streetaddress",
                    "addressline",
                    "homeaddress",
                    "mailingaddress",
                    "address1",
                    "postaladdress",
                ],
            ) && facts.upper + facts.lower >= 3
                && field.value.len() <= 120
            {
                return 1;
            }
        }
        let suffixes = facts.words.get(WordClass::StreetSuffix);
        if suffixes == 0 || !has_token_digit(field.value) {
            return 0;
        }
        // One hit per address, however many street words it has.
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(key: Option<&str>, input: &str, expect: u32) {
        let f = Field { key, value: input };
        assert_eq!(
            StreetAddress.scan(&f, &FieldFacts::of(input)),
            expect,
            "{input:?}"
        );
    }

    #[test]
    fn addresses() {
        check(None, "6750 Koskikatu 25 Apt. 864", 1);
        check(None, "12 Baker Street, London", 1);
        check(None, "Data Street Journal", 0);
        check(Some("streetaddress"), "Avenida Noruega 42", 1);
        check(None, "flight 719 on 2015-10-14", 0);
    }
}
