//! `ipv4_address`: dotted-quad IPv4 addresses (four numbers 0–255).
//!
//! Why it matters: addresses in logs and inventories map a network; together with timestamps
//! and user agents they can also identify a person's connection. A weak signal that helps tell
//! operational data (internal) from open data.
//!
//! Example: `src 61.131.218.218` is a hit; `1.2.3` and `5.1,3.5` are not.

use super::{runs, Detector, Field, FieldFacts};
use crate::classify::Label;

pub struct Ipv4Address;

/// Parses a dotted quad, returning the four octets.
pub fn parse_ipv4(s: &str) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut n = 0;
    for part in s.split('.') {
        if n == 4 || part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        out[n] = part.parse::<u8>().ok()?;
        n += 1;
    }
    (n == 4).then_some(out)
}

impl Detector for Ipv4Address {
    fn name(&self) -> &'static str {
        "ipv4_address"
    }
    fn indicates(&self) -> Label {
        Label::Internal
    }
    fn scan(&self, field: &Field<'_>, facts: &FieldFacts) -> u32 {
        if facts.digits < 4 {
            return 0;
        }
        runs(field.value, |b| b.is_ascii_digit() || b == b'.')
            .filter(|(_, t)| parse_ipv4(t.trim_end_matches('.')).is_some())
            .count() as u32
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
            Ipv4Address.scan(&f, &FieldFacts::of(input)),
            expect,
            "{input:?}"
        );
    }

    #[test]
    fn addresses() {
        check("src 61.131.218.218 dst 10.0.0.1", 2);
        check("1.2.3", 0);
        check("5.1,3.5", 0);
        check("300.1.1.1", 0);
    }
}
