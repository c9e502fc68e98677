//! `jwt`: JSON Web Tokens — three base64url segments separated by dots whose first two start
//! `eyJ` (base64 of `{"`): a header and a claims set.
//!
//! Why it matters: a JWT is a bearer credential; whoever holds an unexpired one is the user it
//! names, with no password needed.
//!
//! Example: `Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abc…` is a hit.

use super::{Detector, Field, FieldFacts};
use crate::classify::Label;

pub struct Jwt;

fn b64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'='
}

impl Detector for Jwt {
    fn name(&self) -> &'static str {
        "jwt"
    }
    fn indicates(&self) -> Label {
        Label::Credentials
    }
    fn scan(&self, field: &Field<'_>, _facts: &FieldFacts) -> u32 {
        let s = field.value;
        let b = s.as_bytes();
        let mut hits = 0;
        let mut from = 0;
        while let Some(pos) = s.get(from..).and_then(|t| t.find("eyJ")) {
            let start = from + pos;
            let mut seg_lens = [0usize; 3];
            let mut seg = 0;
            let mut j = start;
            while j < b.len() {
                if b64url(b[j]) {
                    seg_lens[seg] += 1;
                } else if b[j] == b'.' && seg < 2 {
                    seg += 1;
                } else {
                    break;
                }
                j += 1;
            }
            let second_ok =
                b.get(start + seg_lens[0] + 1..start + seg_lens[0] + 4) == Some(b"eyJ".as_slice());
            if seg == 2 && seg_lens[0] >= 10 && seg_lens[1] >= 10 && seg_lens[2] >= 8 && second_ok {
                hits += 1;
            }
            from = j.max(start + 3);
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
        assert_eq!(Jwt.scan(&f, &FieldFacts::of(input)), expect, "{input:?}");
    }

    #[test]
    fn tokens() {
        check("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", 1);
        check("eyJhbGciOiJIUzI1NiJ9 only", 0);
        check("eyIiOjB9", 0);
    }
}
