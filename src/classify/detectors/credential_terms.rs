//! `credential_terms`: words of authentication in text (`password`, `secret`, `token`,
//! `apikey`, `bearer`, `credentials`, `login`, …), counted through the shared lexicon.
//!
//! Why it matters: secrets often sit in prose ("the password for the share is …") or under
//! odd keys that the assignment detector cannot parse; the words still give them away.
//!
//! Example: `Use this token as the bearer secret` has 3 hits.

use super::{Detector, Field, FieldFacts};
use crate::classify::lexicon::WordClass;
use crate::classify::Label;

pub struct CredentialTerms;

pub const TERMS: &[&str] = &[
    "password",
    "passwords",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "secrets",
    "token",
    "tokens",
    "apikey",
    "bearer",
    "credential",
    "credentials",
    "login",
    "oauth",
    "auth",
    "authorization",
    "authtoken",
    "accesskey",
    "privatekey",
    "keystore",
    "truststore",
    "htpasswd",
    "ssh",
    "rsa",
    "pgp",
    "gpg",
    "kerberos",
    "ntlm",
    "saml",
    "otp",
    "totp",
    "mfa",
    "sudo",
    "root",
    "admin",
    "pass",
    "pw",
    "pin",
    "keypair",
    "hmac",
    "signing",
    "webhook",
    "dsn",
    "connectionstring",
    "securestring",
    "aeskey",
    "encryptionkey",
];

impl Detector for CredentialTerms {
    fn name(&self) -> &'static str {
        "credential_terms"
    }
    fn indicates(&self) -> Label {
        Label::Credentials
    }
    fn scan(&self, _field: &Field<'_>, facts: &FieldFacts) -> u32 {
        facts.words.get(WordClass::Credential)
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
            CredentialTerms.scan(&f, &FieldFacts::of(input)),
            expect,
            "{input:?}"
        );
    }

    #[test]
    fn terms() {
        check("Use this token as the bearer secret", 3);
        check("sepal length", 0);
    }
}
