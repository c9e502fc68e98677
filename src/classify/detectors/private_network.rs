//! `private_network`: names and addresses that exist only inside an organization's network —
//! RFC 1918 addresses (`10.x`, `172.16–31.x`, `192.168.x`) and host names under internal
//! zones (`.internal`, `.corp`, `.local`, `.lan`, `.intranet`, `ip-10-0-1-23`).
//!
//! Why it matters: they mark operational data — inventories, logs, runbooks — whose exposure
//! maps the inside of the network for an attacker.
//!
//! Example: `host=ip-10-0-1-23.ec2.internal` and `192.168.1.20` are hits; `8.8.8.8` is not.

use super::ipv4_address::parse_ipv4;
use super::{runs, Detector, Field, FieldFacts};
use crate::classify::Label;

pub struct PrivateNetwork;

fn private(ip: [u8; 4]) -> bool {
    ip[0] == 10 || (ip[0] == 172 && (16..=31).contains(&ip[1])) || (ip[0] == 192 && ip[1] == 168)
}

impl Detector for PrivateNetwork {
    fn name(&self) -> &'static str {
        "private_network"
    }
    fn indicates(&self) -> Label {
        Label::Internal
    }
    fn scan(&self, field: &Field<'_>, facts: &FieldFacts) -> u32 {
        let mut hits = 0;
        if facts.digits >= 4 {
            hits += runs(field.value, |b| b.is_ascii_digit() || b == b'.')
                .filter(|(_, t)| parse_ipv4(t.trim_end_matches('.')).is_some_and(private))
                .count() as u32;
        }
        if facts.lower >= 5 {
            hits += runs(field.value, |b| {
                b.is_ascii_alphanumeric() || b == b'.' || b == b'-'
            })
            .filter(|(_, t)| {
                let t = t.trim_end_matches('.').as_bytes();
                let ends = |z: &str| {
                    t.len() > z.len() && t[t.len() - z.len()..].eq_ignore_ascii_case(z.as_bytes())
                };
                let starts =
                    |z: &str| t.len() > z.len() && t[..z.len()].eq_ignore_ascii_case(z.as_bytes());
                (t.contains(&b'.')
                    && [
                        ".internal",
                        ".corp",
                        ".local",
                        ".lan",
                        ".intranet",
                        ".intra",
                        ".private",
                    ]
                    .iter()
                    .any(|z| ends(z)))
                    || (t.len() > 6
                        && (starts("ip-10-") || starts("ip-172-") || starts("ip-192-168-")))
            })
            .count() as u32;
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
            PrivateNetwork.scan(&f, &FieldFacts::of(input)),
            expect,
            "{input:?}"
        );
    }

    #[test]
    fn internal() {
        check("host=ip-10-0-1-23.ec2.internal", 1);
        check("192.168.1.20 and 172.20.0.1", 2);
        check("8.8.8.8", 0);
        check("db01.corp", 1);
    }
}
