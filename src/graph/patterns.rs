//! Over-approximate policy matching for building candidate edges: "could this document
//! allow this action on this resource for some request?", ignoring conditions and denies.
//!
//! Candidate edges must never be missed (the solver/oracle confirms or refutes them later),
//! so everything here errs towards "may": policy variables count as wildcards, `NotResource`
//! and `NotPrincipal` may match unless they exclude everything, conditions are ignored.

use super::permissions::{widen_variables, ResourceGrant, Wildcard};
use crate::policy::{
    ActionClause, Effect, PolicyDocument, PrincipalClause, PrincipalEntry, PrincipalKind,
    PrincipalSet, ResourceClause, Statement,
};

/// What a resource request targets: one exact ARN, any ARN with a given prefix (any
/// object key of a bucket: `arn:aws:s3:::bucket/`), or any ARN a glob matches (`*` any
/// run of characters, `?` one; any CodeBuild project: `arn:*:codebuild:*:*:project/*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceTarget<'a> {
    Exact(&'a str),
    Prefix(&'a str),
    Matching(&'a str),
}

/// Whether the glob `pattern` (policy variables widened to `*`) matches some string of
/// `target`.
pub fn pattern_may_match(
    pattern: &str,
    target: ResourceTarget<'_>,
    case_insensitive: bool,
) -> bool {
    let w = Wildcard::new(&widen_variables(pattern), case_insensitive);
    match target {
        ResourceTarget::Exact(s) => w.matches(s),
        ResourceTarget::Prefix(prefix) => w.matches_some_extension(prefix),
        ResourceTarget::Matching(glob) => w.overlaps(glob),
    }
}

/// Whether an action clause covers `action` (actions match case-insensitively).
pub fn action_matches(clause: &ActionClause, action: &str) -> bool {
    // Without compiling the clause: this is asked for every statement of every policy a
    // question plans with.
    let covers = |p: &String| {
        crate::smt::glob::ascii_matches(p, action, true)
            .unwrap_or_else(|| Wildcard::new(p, true).matches(action))
    };
    clause.patterns.iter().any(covers) != clause.negated
}

/// Whether a resource clause may cover some resource of `target`. Trust policies omit
/// Resource: the statement applies to the role itself. `NotResource` excludes; for a
/// prefix or glob target it removes every resource only when it names `*`.
pub fn resource_may_match(clause: Option<&ResourceClause>, target: ResourceTarget<'_>) -> bool {
    ResourceGrant::compile(clause).may_match(target)
}

/// Whether some `Allow` statement of `doc` may allow `action` on `target` (conditions and
/// denies ignored).
pub fn doc_may_allow(doc: &PolicyDocument, action: &str, target: ResourceTarget<'_>) -> bool {
    doc.statements
        .iter()
        .any(|s| statement_may_allow(s, action, target))
}

pub fn statement_may_allow(s: &Statement, action: &str, target: ResourceTarget<'_>) -> bool {
    s.effect == Effect::Allow
        && action_matches(&s.action, action)
        && resource_may_match(s.resource.as_ref(), target)
}

/// Whether a document holds an unconditional deny of `action` on every resource of
/// `target` for every principal: then no request of that shape can be allowed.
pub fn doc_denies_outright(doc: &PolicyDocument, action: &str, target: ResourceTarget<'_>) -> bool {
    doc.statements.iter().any(|s| {
        s.effect == Effect::Deny
            && s.conditions.is_empty()
            && s.principal.as_ref().map_or(true, |p| {
                !p.negated && matches!(p.principals, PrincipalSet::Any)
            })
            && action_matches(&s.action, action)
            && match (&s.resource, target) {
                (None, _) => true,
                (Some(r), _) if r.negated => false,
                (Some(r), ResourceTarget::Exact(x)) => r
                    .patterns
                    .iter()
                    .any(|p| !p.contains("${") && Wildcard::new(p, false).matches(x)),
                (Some(r), ResourceTarget::Prefix(_) | ResourceTarget::Matching(_)) => {
                    r.patterns.iter().any(|p| p == "*")
                }
            }
    })
}

/// Every principal entry named by allowing statements of `doc` that may allow `action`
/// on `target`; `Any` when some statement names `"*"` (or uses `NotPrincipal`).
pub enum NamedPrincipals<'a> {
    Any,
    Entries(Vec<&'a PrincipalEntry>),
}

pub fn allowed_principals<'a>(
    doc: &'a PolicyDocument,
    action: &str,
    target: ResourceTarget<'_>,
) -> NamedPrincipals<'a> {
    let mut out = Vec::new();
    for s in &doc.statements {
        if !statement_may_allow(s, action, target) {
            continue;
        }
        match &s.principal {
            None => {}
            Some(PrincipalClause { negated: true, .. }) => return NamedPrincipals::Any,
            Some(PrincipalClause {
                principals: PrincipalSet::Any,
                ..
            }) => return NamedPrincipals::Any,
            Some(PrincipalClause {
                principals: PrincipalSet::Entries(es),
                ..
            }) => {
                for e in es {
                    if e.kind == PrincipalKind::Aws && e.value == "*" {
                        return NamedPrincipals::Any;
                    }
                    out.push(e);
                }
            }
        }
    }
    NamedPrincipals::Entries(out)
}

/// The account id an AWS principal entry names: `111122223333`, `arn:aws:iam::A:...`,
/// `arn:aws:sts::A:...`. `None` for `*` and malformed values.
pub fn principal_entry_account(value: &str) -> Option<&str> {
    if crate::model::is_account_id(value) {
        return Some(value);
    }
    let a = crate::model::Arn::parse(value)?;
    crate::model::is_account_id(a.account).then_some(a.account)
}

/// Every 12-digit account id written anywhere in a document: principals, and condition
/// values (`aws:PrincipalAccount`, `aws:SourceAccount`, ARNs in `aws:PrincipalArn`, …).
pub fn accounts_named(doc: &PolicyDocument, out: &mut Vec<String>) {
    for s in &doc.statements {
        if let Some(PrincipalClause {
            principals: PrincipalSet::Entries(es),
            ..
        }) = &s.principal
        {
            for e in es {
                if e.kind == PrincipalKind::Aws {
                    if let Some(a) = principal_entry_account(&e.value) {
                        out.push(a.to_string());
                    }
                }
            }
        }
        for c in &s.conditions {
            for v in &c.values {
                if let Some(a) = principal_entry_account(v) {
                    out.push(a.to_string());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pattern: &str, target: ResourceTarget<'_>, expect: bool) {
        assert_eq!(
            pattern_may_match(pattern, target, false),
            expect,
            "{pattern} vs {target:?}"
        );
    }

    #[test]
    fn patterns_over_approximate_targets() {
        use ResourceTarget::*;
        check("arn:aws:s3:::b/*", Prefix("arn:aws:s3:::b/"), true);
        check("arn:aws:s3:::b/reports/*", Prefix("arn:aws:s3:::b/"), true);
        check("arn:aws:s3:::c/*", Prefix("arn:aws:s3:::b/"), false);
        check("arn:aws:s3:::b", Prefix("arn:aws:s3:::b/"), false);
        check("*", Prefix("arn:aws:s3:::b/"), true);
        check("arn:aws:s3:::b", Exact("arn:aws:s3:::b"), true);
        check(
            "arn:aws:s3:::${aws:username}/*",
            Prefix("arn:aws:s3:::b/"),
            true,
        );
        check("arn:aws:s3:::b?", Exact("arn:aws:s3:::b"), false);
        // Globs on both sides: some string matches both.
        let instances = Matching("arn:aws:ec2:*:*:instance/*");
        let projects = Matching("arn:aws:codebuild:*:*:project/*");
        check("arn:aws:ec2:*:*:instance/*", instances, true);
        check("arn:aws:ec2:us-east-1:1:instance/i-1", instances, true);
        check("arn:aws:ssm:*:*:document/*", instances, false);
        check("arn:aws:ssm:*::document/AWS-*", instances, false);
        check("*", projects, true);
        check("arn:aws:codebuild:us-east-1:1:project/ci-?", projects, true);
        check(
            "arn:aws:codebuild:us-east-1:1:report-group/r",
            projects,
            false,
        );
        // A glob's `*` crosses `:` and `/`: this one also matches
        // `arn:aws:codebuild:r:a:report-group/x:y:project/z`.
        check("arn:aws:codebuild:*:*:report-group/*", projects, true);
        check("arn:aws:codebuild:${aws:username}", projects, true);
        check("arn:aws:s3:::b?", Matching("arn:aws:s3:::b"), false);
        check("a*", Matching("b*"), false);
        check("*a", Matching("*b"), false);
        check("*a*", Matching("*b*"), true);
        check("a?c", Matching("*b*"), true);
        check("a?c", Matching("a*d"), false);
    }

    #[test]
    fn accounts_come_from_principals_and_conditions() {
        assert_eq!(
            principal_entry_account("111122223333"),
            Some("111122223333")
        );
        assert_eq!(
            principal_entry_account("arn:aws:iam::111122223333:role/x"),
            Some("111122223333")
        );
        assert_eq!(principal_entry_account("*"), None);
    }
}
