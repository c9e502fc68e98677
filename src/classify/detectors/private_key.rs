//! `private_key`: private key material — PEM/OpenSSH/PGP blocks (`-----BEGIN RSA PRIVATE
//! KEY-----`, `BEGIN OPENSSH PRIVATE KEY`, `BEGIN PGP PRIVATE KEY BLOCK`), the same header
//! base64-encoded once more (`LS0tLS1CRUdJTi…`, as in Kubernetes secrets), and PuTTY key files.
//!
//! Why it matters: a private key is an identity: SSH access to servers, TLS impersonation,
//! code signing. There is no legitimate reason for one to sit in a shared bucket.
//!
//! Also base64 DER keys without armour (`MIIBOgIBAAJBA…`, PKCS#1/PKCS#8) and the private
//! members of JSON Web Keys (`"d"`, `"p"`, `"q"`, … with a long
//! base64url value).
//!
//! Example: `-----BEGIN EC PRIVATE KEY-----` is a hit; `-----BEGIN PUBLIC KEY-----` is not.

use super::{Detector, Field, FieldFacts};
use crate::classify::Label;

pub struct PrivateKey;

fn count(hay: &[u8], needle: &[u8]) -> u32 {
    if hay.len() < needle.len() {
        return 0;
    }
    hay.windows(needle.len()).filter(|w| *w == needle).count() as u32
}

/// Base64 DER private keys without PEM armour: PKCS#1 RSA (`MII…IBAAJ`/`IBAAK`) and PKCS#8
/// (`MII…IBADAN`) sequences.
fn der_private_keys(s: &str) -> u32 {
    let mut hits = 0;
    let mut from = 0;
    while let Some(pos) = s.get(from..).and_then(|t| t.find("MII")) {
        let start = from + pos;
        let head = s.get(start..(start + 20).min(s.len())).unwrap_or("");
        if head.contains("IBAAJ") || head.contains("IBAAK") || head.contains("IBADAN") {
            hits += 1;
        }
        from = start + 3;
    }
    hits
}

impl Detector for PrivateKey {
    fn name(&self) -> &'static str {
        "private_key"
    }
    fn indicates(&self) -> Label {
        Label::Credentials
    }
    fn scan(&self, field: &Field<'_>, facts: &FieldFacts) -> u32 {
        // JSON Web Key private parameters ("d", "p", "q", "dp", "dq", "qi", and "k" of a
        // symmetric key): long base64url values under those exact keys.
        if let Some(key) = field.key {
            if matches!(key, "d" | "p" | "q" | "dp" | "dq" | "qi" | "k") {
                let v = field.value.trim();
                let b64url = v
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
                if b64url && v.len() >= 20 && facts.upper > 0 && facts.lower > 0 {
                    return 1;
                }
            }
        }
        if facts.upper < 8 {
            return 0;
        }
        // One pass for any of the markers before the specific searches.
        let marker = field.value.as_bytes().windows(4).any(|w| {
            matches!(
                w,
                b"----" | b"LS0t" | b"MIIB" | b"MIIC" | b"MIIE" | b"MIIJ" | b"PuTT"
            )
        });
        if !marker {
            return 0;
        }
        let b = field.value.as_bytes();
        let mut hits = 0;
        // "-----BEGIN ... PRIVATE KEY" on one line.
        let mut from = 0;
        while let Some(pos) = field.value.get(from..).and_then(|t| t.find("-----BEGIN ")) {
            let start = from + pos;
            let rest = field.value.get(start..).unwrap_or("");
            let header_end = rest
                .get(11..)
                .and_then(|r| r.find("-----"))
                .map(|e| e + 11)
                .unwrap_or(rest.len().min(80));
            if rest
                .get(..header_end)
                .is_some_and(|h| h.contains("PRIVATE KEY") || h.contains("NKEY SEED"))
            {
                hits += 1;
            }
            from = start + 11;
        }
        if !field.value.contains("LS0tLS1")
            && !field.value.contains("MII")
            && !field.value.contains("PuTTY")
        {
            return hits;
        }
        hits += count(b, b"LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVk") // "-----BEGIN RSA PRIVATE KEY"
            + count(b, b"LS0tLS1CRUdJTiBQUklWQVRFIEtFWS") // "-----BEGIN PRIVATE KEY"
            + count(b, b"LS0tLS1CRUdJTiBPUEVOU1NIIFBSSVZBVEUgS0VZ") // "-----BEGIN OPENSSH PRIVATE KEY"
            + count(b, b"LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS") // "-----BEGIN EC PRIVATE KEY"
            + count(b, b"LS0tLS1CRUdJTiBQUklW") // "-----BEGIN PRIV…" (truncated/other)
            .saturating_sub(count(b, b"LS0tLS1CRUdJTiBQUklWQVRFIEtFWS"))
            + count(b, b"PuTTY-User-Key-File")
            + der_private_keys(field.value);
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
            PrivateKey.scan(&f, &FieldFacts::of(input)),
            expect,
            "{input:?}"
        );
    }

    #[test]
    fn keys() {
        check("-----BEGIN EC PRIVATE KEY-----", 1);
        check("-----BEGIN OPENSSH PRIVATE KEY-----", 1);
        check("-----BEGIN PGP PRIVATE KEY BLOCK-----", 1);
        check("-----BEGIN PUBLIC KEY-----", 0);
        check(
            "MIIBOgIBAAJBAJtFfagSXdo0JmX6EdwWGvFMaXeOFY5xOTs3PWsnhRFakQFbAuI/",
            1,
        );
        check("// -----BEGIN USER NKEY SEED-----", 1);
        check(
            "pkey = (\"LS0tLS1CRUdJTiBQUklWQVRFIENDcUdTTTQ5QXdFSEJHMHdhd0lCQVFRZ0ViVn\"",
            1,
        );
        check("LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo=", 1);
        let f = Field {
            key: Some("d"),
            value: "slaQqyHQPudOpq2mbDskum8rOu9IMkLGjINAFWwfqr-",
        };
        assert_eq!(PrivateKey.scan(&f, &FieldFacts::of(f.value)), 1);
    }
}
