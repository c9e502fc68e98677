//! `password_assignment`: a value stored under a name that says it is a secret —
//! `password = …`, `DB_PASSWD: …`, `"apiKey": "…"`, `client_secret=…`, a `Password` column —
//! unless the value is empty, a boolean, or a placeholder (`${VAR}`, `{{ … }}`, `<changeme>`,
//! `os.environ[…]`, `****`).
//!
//! Why it matters: this is how most leaked credentials look: configs, `.env` files, scripts
//! and user tables with the password right next to its name.
//!
//! Example: `password = hunter2` and column `Password` = `eiZookooB7` are hits;
//! `password = ${DB_PASSWORD}` and `passengers: 3` are not.

use super::{key_words, Detector, Field, FieldFacts};
use crate::classify::Label;

pub struct PasswordAssignment;

const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pass",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "credential",
    "credentials",
    "pw",
    "pin",
    "auth",
    "authtoken",
    "accesstoken",
    "secretkey",
    "privatekey",
];
const SQUASHED: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "apikey",
    "accesskey",
    "privatekey",
    "authtoken",
    "accesstoken",
    "clientsecret",
    "apitoken",
];
/// Key words that make a secret-sounding key describe something else (`token_type`,
/// `password_expires`, `secret_name`, `pin_code_length`).
const NOT_SECRET: &[&str] = &[
    "type",
    "url",
    "uri",
    "path",
    "file",
    "length",
    "len",
    "count",
    "expiry",
    "expires",
    "expiration",
    "policy",
    "name",
    "id",
    "ids",
    "hint",
    "reset",
    "changed",
    "age",
    "min",
    "max",
    "required",
    "enabled",
    "format",
    "endpoint",
    "header",
    "field",
    "ttl",
    "strength",
    "detector",
    "plugin",
    "rule",
    "label",
    "prompt",
];

/// True for keys that name a secret.
pub fn is_secret_key(key: &str) -> bool {
    super::memo_key(key, 1, || is_secret_key_uncached(key))
}

fn is_secret_key_uncached(key: &str) -> bool {
    let mut secret = false;
    let mut other = false;
    key_words(key, |w| {
        if SECRET_WORDS.contains(&w)
            || w.ends_with("password")
            || w.ends_with("secret")
            || w.ends_with("token")
        {
            secret = true;
        }
        if NOT_SECRET.contains(&w) {
            other = true;
        }
    });
    if !secret {
        let flat: String = key
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        secret = SQUASHED.iter().any(|s| flat.contains(s));
    }
    secret && !other
}

/// Keys that hold a secret when their value is random (`gi_api`, `signing_key`, `accessKey`),
/// but hold ordinary values otherwise (`api_version`, `primary_key`).
fn is_key_like(key: &str) -> bool {
    super::memo_key(key, 2, || is_key_like_uncached(key))
}

fn is_key_like_uncached(key: &str) -> bool {
    let mut found = false;
    let mut other = false;
    key_words(key, |w| {
        if matches!(
            w,
            "api" | "key" | "access" | "signing" | "hmac" | "private" | "session" | "cookie"
        ) {
            found = true;
        }
        if NOT_SECRET.contains(&w) {
            other = true;
        }
    });
    found && !other
}

/// One token of 16+ characters mixing letters with digits or case, no spaces.
fn random_token(v: &str) -> bool {
    let b = v.as_bytes();
    let upper = b.iter().any(u8::is_ascii_uppercase);
    let lower = b.iter().any(u8::is_ascii_lowercase);
    let digit = b.iter().any(u8::is_ascii_digit);
    b.len() >= 16
        && !b.contains(&b' ')
        && b.iter().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'+' | b'/' | b'=' | b'.')
        })
        && usize::from(upper) + usize::from(lower) + usize::from(digit) >= 2
        && super::shannon_entropy(v) >= 3.5
}

/// True for values that are not secrets in themselves: empty, booleans, placeholders,
/// references to the environment, masked values.
pub fn is_placeholder(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    let l = lower.as_str();
    v.len() < 3
        || matches!(
            l,
            "null"
                | "none"
                | "nil"
                | "true"
                | "false"
                | "undefined"
                | "empty"
                | "required"
                | "optional"
                | "string"
                | "yes"
                | "no"
        )
        || [
            "${",
            "{{",
            "$(",
            "<",
            "%(",
            "%{",
            "env",
            "os.",
            "process.env",
            "getenv",
            "****",
            "xxxx",
            "redacted",
            "[redacted]",
            "changeme>",
            "#{",
        ]
        .iter()
        .any(|p| l.starts_with(p))
        || v.contains('(')
        // Prose ("this is just a long string, like a user facing error message") and
        // measurements (1.85466) are not secrets.
        || v.split_whitespace().count() >= 4
        || (v.contains('.') && v.parse::<f64>().is_ok())
        || v.bytes()
            .all(|b| b == b'*' || b == b'x' || b == b'X' || b == b'.' || b == b'-')
}

impl Detector for PasswordAssignment {
    fn name(&self) -> &'static str {
        "password_assignment"
    }
    fn indicates(&self) -> Label {
        Label::Credentials
    }
    fn scan(&self, field: &Field<'_>, _facts: &FieldFacts) -> u32 {
        let Some(key) = field.key else { return 0 };
        let v = field
            .value
            .trim()
            .trim_matches(|c| c == '"' || c == '\'' || c == '`')
            .trim();
        if v.len() > 512 {
            return 0;
        }
        let secret = is_secret_key(key) || (is_key_like(key) && random_token(v));
        u32::from(secret && !is_placeholder(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(key: &str, input: &str, expect: u32) {
        let f = Field {
            key: Some(key),
            value: input,
        };
        assert_eq!(
            PasswordAssignment.scan(&f, &FieldFacts::of(input)),
            expect,
            "{key}={input:?}"
        );
    }

    #[test]
    fn assignments() {
        check("password", "hunter2", 1);
        check("db_passwd", "'s3cr3t!'", 1);
        check("apikey", "ToCynx5Se4e2PtoZxEhW7lUJcOX15c54", 1);
        check("clientsecret", "abcd1234", 1);
        check("password", "eiZookooB7", 1);
        check("password", "${DB_PASSWORD}", 0);
        check("password", "", 0);
        check("passengers", "3", 0);
        check("token_type", "bearer", 0);
        check("password", "os.environ['PW']", 0);
        check("gi_reo_gi_api", "DvMB_glvwjlEQ_uqIyn8k", 1);
        check(
            "SUPER_SECRET_VALUE",
            "this is just a long string, like a user facing error message",
            0,
        );
        check("PrivateKeyDetector", "1.85466", 0);
        check("api_version", "2023-01-01", 0);
        check("primary_key", "id", 0);
    }
}
