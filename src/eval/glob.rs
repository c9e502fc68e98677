//! Wildcard patterns as IAM writes them: `*` (any run of characters, `:` and `/` included) and
//! `?` (exactly one character), with policy variables (`${aws:username}`,
//! `${aws:PrincipalTag/team, 'default'}`) substituted from the request context and the
//! escapes `${*}`, `${?}`, `${$}` standing for the literal characters.

use crate::eval::request::{ContextValue, RequestContext};

/// One element of a compiled pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Literal(char),
    /// `*`: any run of characters, possibly empty.
    Star,
    /// `?`: exactly one character.
    One,
}

/// A pattern after variable substitution, ready to match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    tokens: Vec<Token>,
}

/// How a policy string is read.
#[derive(Debug, Clone, Copy)]
pub struct Reading<'c> {
    /// Whether `*` and `?` are wildcards (Action, Resource, `StringLike`, `ArnLike`) or plain
    /// characters (`StringEquals`).
    pub wildcards: bool,
    /// Where policy variables are substituted from. `None` where variables are not
    /// interpreted: the Action and Principal elements, and documents of the 2008-10-17
    /// language version, where `${...}` is literal text.
    pub variables: Option<&'c RequestContext>,
}

/// Case handling when matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// ARNs, resource names, `StringEquals`/`StringLike` values.
    Sensitive,
    /// Actions, `StringEqualsIgnoreCase`.
    Insensitive,
}

/// Compiles a policy string. `None` when a policy variable has no value in the request (the
/// key is absent or multi-valued and the variable has no default): per the IAM docs, such a
/// value equals nothing, so the caller treats this pattern as matching no request value.
pub fn compile(raw: &str, reading: Reading<'_>) -> Option<Pattern> {
    let mut tokens = Vec::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        if reading.variables.is_some() && rest.starts_with("${") {
            if let Some(end) = rest.find('}') {
                let inner = &rest[2..end];
                match substitute(inner, reading.variables) {
                    Substitution::Text(text) => {
                        tokens.extend(text.chars().map(Token::Literal));
                    }
                    Substitution::NoValue => return None,
                }
                rest = &rest[end + 1..];
                continue;
            }
        }
        tokens.push(match c {
            '*' if reading.wildcards => Token::Star,
            '?' if reading.wildcards => Token::One,
            other => Token::Literal(other),
        });
        rest = &rest[c.len_utf8()..];
    }
    Some(Pattern { tokens })
}

enum Substitution {
    Text(String),
    NoValue,
}

/// The value of one `${...}` (without the braces).
fn substitute(inner: &str, ctx: Option<&RequestContext>) -> Substitution {
    match inner {
        "*" => return Substitution::Text("*".into()),
        "?" => return Substitution::Text("?".into()),
        "$" => return Substitution::Text("$".into()),
        _ => {}
    }
    // `${key, 'default'}`: the default applies when the key has no single value.
    let (key, default) = match inner.split_once(',') {
        Some((k, d)) => {
            let d = d.trim();
            let default = d
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))
                .map(|d| d.replace("''", "'"));
            (k.trim(), default)
        }
        None => (inner.trim(), None),
    };
    let value = ctx.and_then(|c| c.get(key)).and_then(|v| match v {
        ContextValue::Single(s) => Some(s.clone()),
        // A multi-valued key cannot be a variable.
        ContextValue::Multi(_) => None,
    });
    match value.or(default) {
        Some(text) => Substitution::Text(text),
        None => Substitution::NoValue,
    }
}

impl Pattern {
    /// Whether the whole of `text` matches the pattern.
    pub fn matches(&self, text: &str, case: Case) -> bool {
        // ASCII text is read by byte, without collecting its characters.
        if text.is_ascii() {
            let bytes = text.as_bytes();
            return self.matches_chars(bytes.len(), |i| bytes.get(i).map(|b| char::from(*b)), case);
        }
        let chars: Vec<char> = text.chars().collect();
        self.matches_chars(chars.len(), |i| chars.get(i).copied(), case)
    }

    /// `matches` on a text of `len` characters, the `i`-th given by `char_at`.
    fn matches_chars(
        &self,
        len: usize,
        char_at: impl Fn(usize) -> Option<char>,
        case: Case,
    ) -> bool {
        let eq = |p: char, t: char| match case {
            Case::Sensitive => p == t,
            Case::Insensitive => p.to_lowercase().eq(t.to_lowercase()),
        };
        // Iterative matching with one backtrack point (the last `*`), linear in practice.
        let (mut p, mut t) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        while t < len {
            match self.tokens.get(p) {
                Some(Token::Star) => {
                    star = Some((p, t));
                    p += 1;
                }
                Some(Token::One) => {
                    p += 1;
                    t += 1;
                }
                Some(Token::Literal(c)) if char_at(t).is_some_and(|tc| eq(*c, tc)) => {
                    p += 1;
                    t += 1;
                }
                _ => match star {
                    Some((sp, st)) => {
                        p = sp + 1;
                        t = st + 1;
                        star = Some((sp, st + 1));
                    }
                    None => return false,
                },
            }
        }
        self.tokens[p.min(self.tokens.len())..]
            .iter()
            .all(|tok| *tok == Token::Star)
    }

    /// True when the pattern has a `*` or `?` wildcard (after substitution).
    pub fn has_wildcard(&self) -> bool {
        self.tokens
            .iter()
            .any(|t| matches!(t, Token::Star | Token::One))
    }

    /// The pattern's literal text, when it has no wildcard.
    pub fn literal(&self) -> Option<String> {
        self.tokens
            .iter()
            .map(|t| match t {
                Token::Literal(c) => Some(*c),
                _ => None,
            })
            .collect()
    }
}

/// Compiles `raw` and matches `text` in one go; a pattern whose variable has no value matches
/// nothing.
pub fn matches(raw: &str, text: &str, reading: Reading<'_>, case: Case) -> bool {
    compile(raw, reading).is_some_and(|p| p.matches(text, case))
}

/// True when a policy string contains a policy variable (other than the `${*}`, `${?}`,
/// `${$}` escapes).
pub fn has_variable(raw: &str) -> bool {
    let mut rest = raw;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) => {
                if !matches!(&after[..end], "*" | "?" | "$") {
                    return true;
                }
                rest = &after[end + 1..];
            }
            None => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> RequestContext {
        let mut c = RequestContext::new();
        c.set("aws:username", "alice");
        c.set("aws:PrincipalTag/team", "red");
        c.set_multi("aws:TagKeys", vec!["a".into(), "b".into()]);
        c
    }

    /// `(pattern, text, wildcards, variables, case, expect)`
    fn check(pattern: &str, text: &str, wildcards: bool, vars: bool, case: Case, expect: bool) {
        let c = ctx();
        let reading = Reading {
            wildcards,
            variables: if vars { Some(&c) } else { None },
        };
        assert_eq!(
            matches(pattern, text, reading, case),
            expect,
            "{pattern} ~ {text}"
        );
    }

    #[test]
    fn wildcards() {
        use Case::*;
        check("*", "", true, false, Sensitive, true);
        check("*", "arn:aws:s3:::b/k", true, false, Sensitive, true);
        check(
            "arn:aws:s3:::b/*",
            "arn:aws:s3:::b/x/y",
            true,
            false,
            Sensitive,
            true,
        );
        check(
            "arn:aws:s3:::b/*",
            "arn:aws:s3:::b",
            true,
            false,
            Sensitive,
            false,
        );
        check(
            "arn:aws:s3:::b*",
            "arn:aws:s3:::b",
            true,
            false,
            Sensitive,
            true,
        );
        // `*` crosses `:` and `/` in resources.
        check("arn:*:b", "arn:aws:s3:::b", true, false, Sensitive, true);
        check("a?c", "abc", true, false, Sensitive, true);
        check("a?c", "ac", true, false, Sensitive, false);
        check("a?c", "abbc", true, false, Sensitive, false);
        check("*a*b*c*", "xxaxxbxxcxx", true, false, Sensitive, true);
        check("*a*b*c", "xxaxxbxxcxxd", true, false, Sensitive, false);
        check("s3:Get*", "S3:GETOBJECT", true, false, Insensitive, true);
        check("s3:Get*", "S3:GETOBJECT", true, false, Sensitive, false);
        check(
            "arn:aws:s3:::B",
            "arn:aws:s3:::b",
            true,
            false,
            Sensitive,
            false,
        );
        // Without wildcards `*` is a character.
        check("a*", "abc", false, false, Sensitive, false);
        check("a*", "a*", false, false, Sensitive, true);
    }

    #[test]
    fn variables() {
        use Case::*;
        check(
            "home/${aws:username}/*",
            "home/alice/x",
            true,
            true,
            Sensitive,
            true,
        );
        check(
            "home/${aws:username}/*",
            "home/bob/x",
            true,
            true,
            Sensitive,
            false,
        );
        check(
            "home/${AWS:UserName}",
            "home/alice",
            true,
            true,
            Sensitive,
            true,
        );
        // Not interpreted without a context (2008-10-17 documents): literal text.
        check(
            "home/${aws:username}",
            "home/${aws:username}",
            true,
            false,
            Sensitive,
            true,
        );
        // Missing variable: matches nothing, not even `*`-like text.
        check(
            "t/${aws:PrincipalTag/dept}",
            "t/",
            true,
            true,
            Sensitive,
            false,
        );
        check(
            "t/${aws:PrincipalTag/dept}*",
            "t/x",
            true,
            true,
            Sensitive,
            false,
        );
        // Defaults.
        check(
            "t/${aws:PrincipalTag/dept, 'none'}",
            "t/none",
            true,
            true,
            Sensitive,
            true,
        );
        check(
            "t/${aws:PrincipalTag/team, 'none'}",
            "t/red",
            true,
            true,
            Sensitive,
            true,
        );
        // Multi-valued keys are not variables.
        check("t/${aws:TagKeys}", "t/a", true, true, Sensitive, false);
        // Escapes are literal characters, not wildcards.
        check("a${*}", "a*", true, true, Sensitive, true);
        check("a${*}", "abc", true, true, Sensitive, false);
        check("a${?}", "a?", true, true, Sensitive, true);
        check("a${$}", "a$", true, true, Sensitive, true);
        // Substituted values are literal even when they contain wildcards.
        let mut c = RequestContext::new();
        c.set("aws:username", "*");
        let reading = Reading {
            wildcards: true,
            variables: Some(&c),
        };
        assert!(!matches(
            "u/${aws:username}",
            "u/bob",
            reading,
            Case::Sensitive
        ));
        assert!(matches(
            "u/${aws:username}",
            "u/*",
            reading,
            Case::Sensitive
        ));
    }

    #[test]
    fn variable_detection() {
        assert!(has_variable("arn:aws:s3:::b/${aws:username}/*"));
        assert!(!has_variable("arn:aws:s3:::b/${*}"));
        assert!(!has_variable("plain*"));
    }

    /// The definition, read literally: `*` any run, `?` one character.
    fn reference(p: &[char], t: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('*', rest)) => (0..=t.len()).any(|i| reference(rest, &t[i..])),
            Some(('?', rest)) => !t.is_empty() && reference(rest, &t[1..]),
            Some((c, rest)) => t.first() == Some(c) && reference(rest, &t[1..]),
        }
    }

    proptest::proptest! {
        #[test]
        fn matches_the_definition(pattern in "[ab:*?]{0,8}", text in "[ab:]{0,10}") {
            let reading = Reading { wildcards: true, variables: None };
            let p: Vec<char> = pattern.chars().collect();
            let t: Vec<char> = text.chars().collect();
            proptest::prop_assert_eq!(matches(&pattern, &text, reading, Case::Sensitive), reference(&p, &t));
        }
    }
}
