//! `high_entropy_secret`: random-looking strings of 20+ characters from the base64/hex
//! alphabets — mixed case and digits, high Shannon entropy, frequent changes of character
//! class — the shape of generated keys, tokens and passwords. UUIDs and plain hex (commit
//! ids, checksums) count only under a secret-sounding key.
//!
//! Why it matters: most secret formats are unknown to any prefix list; randomness is what they
//! share (the approach of detect-secrets and truffleHog).
//!
//! Example: `ToCynx5Se4e2PtoZxEhW7lUJcOX15c54` is a hit; `AbstractSingletonProxyFactory` and
//! `203db13e-70c7-462b-9a3d-bf32640cb0be` are not.

use super::password_assignment::is_secret_key;
use super::{runs, shannon_entropy, Detector, Field, FieldFacts};
use crate::classify::Label;

pub struct HighEntropySecret;

fn token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-')
}

fn class_of(b: u8) -> u8 {
    match b {
        b'a'..=b'z' => 0,
        b'A'..=b'Z' => 1,
        b'0'..=b'9' => 2,
        _ => 3,
    }
}

fn is_uuid(t: &str) -> bool {
    let parts: Vec<&str> = t.split('-').collect();
    parts.len() == 5
        && parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// URL paths and slugs (`wp-content/uploads/2019/10/NPC-Chula-Vista`): mostly words between
/// separators.
fn looks_like_path(t: &str) -> bool {
    let segments: Vec<&str> = t
        .split(['/', '-', '_', '.'])
        .filter(|s| !s.is_empty())
        .collect();
    let wordy = segments
        .iter()
        .filter(|s| {
            s.len() >= 3
                && s.bytes().all(|b| b.is_ascii_alphabetic())
                && s.bytes().any(|b| b"aeiouAEIOU".contains(&b))
        })
        .count();
    segments.len() >= 3 && wordy * 2 >= segments.len()
}

/// True when `t` looks generated rather than written.
pub fn looks_random(t: &str) -> bool {
    if looks_like_path(t) {
        return false;
    }
    let b = t.as_bytes();
    let (mut up, mut low, mut dig) = (false, false, false);
    let mut changes = 0usize;
    for (k, &c) in b.iter().enumerate() {
        up |= c.is_ascii_uppercase();
        low |= c.is_ascii_lowercase();
        dig |= c.is_ascii_digit();
        if k > 0 && class_of(c) != class_of(b[k - 1]) {
            changes += 1;
        }
    }
    let classes = usize::from(up) + usize::from(low) + usize::from(dig);
    let entropy_floor = (0.82 * (t.len() as f64).log2()).min(4.2);
    classes >= 3 && changes * 10 >= t.len() * 3 && shannon_entropy(t) >= entropy_floor
}

impl Detector for HighEntropySecret {
    fn name(&self) -> &'static str {
        "high_entropy_secret"
    }
    fn indicates(&self) -> Label {
        Label::Credentials
    }
    fn scan(&self, field: &Field<'_>, facts: &FieldFacts) -> u32 {
        if field.value.len() < 20 || facts.digits < 2 {
            return 0;
        }
        let secret_key = field.key.is_some_and(is_secret_key);
        runs(field.value, token_byte)
            .filter(|(_, t)| {
                let t = t.trim_end_matches('=');
                if !(20..=400).contains(&t.len()) {
                    return false;
                }
                if is_uuid(t) || t.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return secret_key && t.len() >= 20 && shannon_entropy(t) >= 3.0;
                }
                looks_random(t)
            })
            .count() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(key: Option<&str>, input: &str, expect: u32) {
        let f = Field { key, value: input };
        assert_eq!(
            HighEntropySecret.scan(&f, &FieldFacts::of(input)),
            expect,
            "{input:?}"
        );
    }

    #[test]
    fn secrets() {
        check(None, "key=\"ToCynx5Se4e2PtoZxEhW7lUJcOX15c54\"", 1);
        check(None, "AbstractSingletonProxyFactoryBean2", 0);
        check(None, "203db13e-70c7-462b-9a3d-bf32640cb0be", 0);
        check(None, "commit 8b1118b376c313ed420e5133ba91307817ed52c2", 0);
        check(
            Some("hex_secret"),
            "8b1118b376c313ed420e5133ba91307817ed52c2",
            1,
        );
        check(None, "https://uab.studentaidcalculator.com/survey.aspx", 0);
        check(
            None,
            "www.x.edu/wp-content/uploads/2019/10/NPC-Chula-Vista",
            0,
        );
    }
}
