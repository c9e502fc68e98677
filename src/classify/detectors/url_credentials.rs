//! `url_credentials`: user names with passwords embedded in URLs and connection strings
//! (`postgres://app:s3cret@db.internal:5432/prod`, `https://user:pass@host`).
//!
//! Why it matters: connection strings are copied into configs, logs and notebooks, and each
//! one is a working database or service login.
//!
//! Example: `jdbc:mysql://root:hunter2@10.0.0.5/app` is a hit; `https://example.com/a:b` and
//! `user:${DB_PASSWORD}@host` are not.

use super::{Detector, Field, FieldFacts};
use crate::classify::Label;

pub struct UrlCredentials;

impl Detector for UrlCredentials {
    fn name(&self) -> &'static str {
        "url_credentials"
    }
    fn indicates(&self) -> Label {
        Label::Credentials
    }
    fn scan(&self, field: &Field<'_>, facts: &FieldFacts) -> u32 {
        if facts.at_signs == 0 {
            return 0;
        }
        let s = field.value;
        let mut hits = 0;
        let mut from = 0;
        while let Some(pos) = s.get(from..).and_then(|t| t.find("://")) {
            let start = from + pos + 3;
            let authority_end = s
                .get(start..)
                .and_then(|t| {
                    t.find(|c: char| {
                        c == '/' || c.is_whitespace() || c == '"' || c == '\'' || c == '?'
                    })
                })
                .map(|e| start + e)
                .unwrap_or(s.len());
            if let Some(authority) = s.get(start..authority_end) {
                if let Some(at) = authority.rfind('@') {
                    let userinfo = &authority[..at];
                    if let Some((user, pass)) = userinfo.split_once(':') {
                        let placeholder = pass.starts_with("${")
                            || pass.starts_with("{{")
                            || pass.starts_with('<')
                            || pass.starts_with('%')
                            || pass.chars().all(|c| c == '*' || c == 'x');
                        if !user.is_empty() && pass.len() >= 3 && !placeholder {
                            hits += 1;
                        }
                    }
                }
            }
            from = start;
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
            UrlCredentials.scan(&f, &FieldFacts::of(input)),
            expect,
            "{input:?}"
        );
    }

    #[test]
    fn urls() {
        check("jdbc:mysql://root:hunter2@10.0.0.5/app", 1);
        check(
            "basic_auth = 'http://username:whywouldyouusehttpforpasswords@example.com'",
            1,
        );
        check("https://example.com/a:b@c", 0);
        check("postgres://user:${DB_PASSWORD}@host/db", 0);
        check("mailto:someone@example.com", 0);
    }
}
