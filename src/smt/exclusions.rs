//! The patterns a key's value must match none of (`KeyShape::NoneLike`), indexed for lookup.
//!
//! An outsider's `aws:userid` excludes every unique id of the export's users and
//! `ROLE-ID:*` for each of its roles: thousands of patterns, consulted when every question
//! that reads the key is encoded and when every witness is checked. Scanning them all per
//! question was an eighth of a 5,000-role scan; sorted, the patterns a policy matcher can
//! meet are found by the matcher's literal head alone.

use std::ops::Range;

/// Excluded patterns (`*` any run of characters, `?` one character, case-sensitive),
/// split by kind and sorted.
#[derive(Debug, Default)]
pub struct ExcludedPatterns {
    /// As given (their order is the caller's).
    patterns: Vec<String>,
    /// Patterns without wildcards (each excludes itself), sorted, distinct.
    literals: Vec<String>,
    /// `HEAD*` patterns whose head has no wildcard, as (head, pattern), sorted by head,
    /// one per head.
    prefixes: Vec<(String, String)>,
    /// Every other pattern, in the given order.
    others: Vec<String>,
}

/// Two sets of patterns are the same when they were given the same patterns.
impl PartialEq for ExcludedPatterns {
    fn eq(&self, other: &ExcludedPatterns) -> bool {
        self.patterns == other.patterns
    }
}

impl Eq for ExcludedPatterns {}

impl ExcludedPatterns {
    pub fn new(patterns: Vec<String>) -> ExcludedPatterns {
        let wild = |s: &str| s.contains(['*', '?']);
        let mut literals = Vec::new();
        let mut prefixes = Vec::new();
        let mut others = Vec::new();
        for p in &patterns {
            if !wild(p) {
                literals.push(p.clone());
                continue;
            }
            match p.strip_suffix('*').filter(|head| !wild(head)) {
                Some(head) => prefixes.push((head.to_string(), p.clone())),
                None => others.push(p.clone()),
            }
        }
        literals.sort();
        literals.dedup();
        prefixes.sort();
        prefixes.dedup_by(|a, b| a.0 == b.0);
        ExcludedPatterns {
            patterns,
            literals,
            prefixes,
            others,
        }
    }

    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The patterns without wildcards, sorted.
    pub fn literals(&self) -> &[String] {
        &self.literals
    }

    /// The `HEAD*` patterns as (head, pattern), sorted by head.
    pub fn prefixes(&self) -> &[(String, String)] {
        &self.prefixes
    }

    /// The patterns that are neither literals nor `HEAD*`.
    pub fn others(&self) -> &[String] {
        &self.others
    }

    /// The indices of the literals that start with `head`.
    pub fn literals_starting_with(&self, head: &str) -> Range<usize> {
        starting_with(&self.literals, |s| s.as_str(), head)
    }

    /// The indices of the prefix patterns whose head starts with `head`.
    pub fn prefixes_starting_with(&self, head: &str) -> Range<usize> {
        starting_with(&self.prefixes, |(h, _)| h.as_str(), head)
    }

    /// The index of literal `v`, if it is one.
    pub fn literal_index(&self, v: &str) -> Option<usize> {
        self.literals.binary_search_by(|l| l.as_str().cmp(v)).ok()
    }

    /// The indices of the prefix patterns whose head is a prefix of `s` (`s` itself and the
    /// empty head included): exactly those matching every string that starts with `s`.
    pub fn prefixes_of<'a>(&'a self, s: &'a str) -> impl Iterator<Item = usize> + 'a {
        s.char_indices()
            .map(|(i, _)| i)
            .chain([s.len()])
            .filter_map(move |end| {
                let head = s.get(..end)?;
                self.prefixes
                    .binary_search_by(|(h, _)| h.as_str().cmp(head))
                    .ok()
            })
    }
}

/// The range of sorted `items` whose key starts with `head` (contiguous: in sorted order
/// the strings starting with `head` follow it directly).
fn starting_with<T>(items: &[T], key: impl Fn(&T) -> &str, head: &str) -> Range<usize> {
    let start = items.partition_point(|x| key(x) < head);
    let len = items
        .get(start..)
        .unwrap_or(&[])
        .partition_point(|x| key(x).starts_with(head));
    start..start + len
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ps: &[&str]) -> ExcludedPatterns {
        ExcludedPatterns::new(ps.iter().map(|s| s.to_string()).collect())
    }

    /// `check(patterns, query, expect)`: the lookups' answers, rendered.
    fn check(patterns: &[&str], query: &str, expect: &str) {
        let x = set(patterns);
        let lits: Vec<&str> = x
            .literals_starting_with(query)
            .map(|i| x.literals()[i].as_str())
            .collect();
        let heads: Vec<&str> = x
            .prefixes_starting_with(query)
            .map(|i| x.prefixes()[i].0.as_str())
            .collect();
        let of: Vec<&str> = x
            .prefixes_of(query)
            .map(|i| x.prefixes()[i].1.as_str())
            .collect();
        let exact = x.literal_index(query).is_some();
        let got = format!(
            "literals {lits:?} heads {heads:?} prefixes-of {of:?} literal {exact} others {:?}",
            x.others()
        );
        assert_eq!(got, expect, "patterns {patterns:?}, query {query}");
    }

    #[test]
    fn lookups() {
        let ids = [
            "AIDAB",
            "AIDAA",
            "AROAX:*",
            "AROAY:*",
            "1111:*",
            "1111",
            "a*b",
            "anonymous",
        ];
        check(
            &ids,
            "AROAX:s",
            r#"literals [] heads [] prefixes-of ["AROAX:*"] literal false others ["a*b"]"#,
        );
        check(
            &ids,
            "AROA",
            r#"literals [] heads ["AROAX:", "AROAY:"] prefixes-of [] literal false others ["a*b"]"#,
        );
        check(
            &ids,
            "AIDA",
            r#"literals ["AIDAA", "AIDAB"] heads [] prefixes-of [] literal false others ["a*b"]"#,
        );
        check(
            &ids,
            "1111",
            r#"literals ["1111"] heads ["1111:"] prefixes-of [] literal true others ["a*b"]"#,
        );
        check(
            &ids,
            "",
            r#"literals ["1111", "AIDAA", "AIDAB", "anonymous"] heads ["1111:", "AROAX:", "AROAY:"] prefixes-of [] literal false others ["a*b"]"#,
        );
        // The empty head (`*`) is a prefix of everything.
        check(
            &["*", "x?"],
            "q",
            r#"literals [] heads [] prefixes-of ["*"] literal false others ["x?"]"#,
        );
    }
}
