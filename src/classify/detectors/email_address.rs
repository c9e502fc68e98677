//! `email_address`: e-mail addresses (`local@domain.tld`, letters-only TLD of 2+ characters).
//!
//! Why it matters: an e-mail address identifies a person (GDPR personal data), is the login of
//! most accounts, and lists of them feed phishing.
//!
//! Example: `MarieHamanova@armyspy.com` is a hit; `user@localhost` and `@handle` are not.

use super::{Detector, Field, FieldFacts};
use crate::classify::Label;

pub struct EmailAddress;

fn local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn domain_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')
}

impl Detector for EmailAddress {
    fn name(&self) -> &'static str {
        "email_address"
    }
    fn indicates(&self) -> Label {
        Label::Personal
    }
    fn scan(&self, field: &Field<'_>, facts: &FieldFacts) -> u32 {
        if facts.at_signs == 0 {
            return 0;
        }
        let b = field.value.as_bytes();
        let mut hits = 0;
        for (at, _) in b.iter().enumerate().filter(|(_, &c)| c == b'@') {
            let mut s = at;
            while s > 0 && local_byte(b[s - 1]) {
                s -= 1;
            }
            let mut e = at + 1;
            while e < b.len() && domain_byte(b[e]) {
                e += 1;
            }
            if s == at || e == at + 1 {
                continue;
            }
            let domain = &b[at + 1..e];
            let domain = domain.strip_suffix(b".").unwrap_or(domain);
            let Some(dot) = domain.iter().rposition(|&c| c == b'.') else {
                continue;
            };
            let tld = &domain[dot + 1..];
            if tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic) && dot > 0 {
                hits += 1;
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
            EmailAddress.scan(&f, &FieldFacts::of(input)),
            expect,
            "{input:?}"
        );
    }

    #[test]
    fn emails() {
        check("MarieHamanova@armyspy.com", 1);
        check("mail a.b+c@ex-ample.co.uk, x@y.io.", 2);
        check("user@localhost", 0);
        check("@handle", 0);
        check("master@98.76.54.32", 0);
    }
}
