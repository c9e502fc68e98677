//! Does one statement apply to the request: its `Action`/`NotAction`, `Resource`/`NotResource`,
//! `Principal`/`NotPrincipal` and every condition. Checked in that order, so a condition that
//! cannot be read only matters for a statement that otherwise applies.

use crate::eval::conditions::{condition_holds, ConditionError};
use crate::eval::glob::{self, Case, Reading};
use crate::eval::principal::{clause_matches, PrincipalMatch};
use crate::eval::request::{Request, RequestContext};
use crate::eval::EvalError;
use crate::policy::{Effect, PolicyDocument, Statement};

/// What kind of policy a statement sits in, which decides how a missing `Principal` element
/// is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    /// Identity policies, boundaries, session policies, SCPs: they apply to their own
    /// principal and have no `Principal` element.
    Identity,
    /// Resource policies, trust and key policies, RCPs, endpoint policies: a statement applies
    /// only to the principals its `Principal`/`NotPrincipal` element names.
    Resource,
}

/// Everything a statement is matched against.
#[derive(Debug, Clone, Copy)]
pub struct Target<'r> {
    pub request: &'r Request,
    /// The request context with the derived keys (`request::derived_context`).
    pub context: &'r RequestContext,
    /// The requester has a permissions boundary (for `NotPrincipal` + `Deny`).
    pub has_boundary: bool,
}

/// Policy variables are interpreted only in documents of the `2012-10-17` language; in
/// `2008-10-17` documents (and those without a version, which AWS reads as 2008-10-17)
/// `${...}` is literal text.
pub fn reads_variables(doc: &PolicyDocument) -> bool {
    doc.version.as_deref() == Some("2012-10-17")
}

/// Whether `stmt` (in `doc`, labelled `label`) applies to the request, and how its principal
/// element matched. `Ok(None)` when it does not apply.
pub fn statement_applies(
    label: &str,
    doc: &PolicyDocument,
    stmt: &Statement,
    kind: PolicyKind,
    target: Target<'_>,
) -> Result<Option<PrincipalMatch>, EvalError> {
    let req = target.request;
    let action_reading = Reading {
        wildcards: true,
        variables: None,
    };
    let action_listed = stmt
        .action
        .patterns
        .iter()
        .any(|p| glob::matches(p, &req.action, action_reading, Case::Insensitive));
    if action_listed == stmt.action.negated {
        return Ok(None);
    }

    if let Some(resource) = &stmt.resource {
        let reading = Reading {
            wildcards: true,
            variables: reads_variables(doc).then_some(target.context),
        };
        let listed = resource
            .patterns
            .iter()
            .any(|p| glob::matches(p, &req.resource, reading, Case::Sensitive));
        if listed == resource.negated {
            return Ok(None);
        }
    }

    let principal_match = match (&stmt.principal, kind) {
        (None, PolicyKind::Identity) => Some(PrincipalMatch::Direct),
        (None, PolicyKind::Resource) => None,
        (Some(clause), _) => clause_matches(
            clause,
            &req.principal,
            stmt.effect == Effect::Deny && target.has_boundary,
        ),
    };
    let Some(principal_match) = principal_match else {
        return Ok(None);
    };

    for cond in &stmt.conditions {
        match condition_holds(cond, target.context, reads_variables(doc)) {
            Ok(true) => {}
            Ok(false) => return Ok(None),
            Err(ConditionError::UnsupportedOperator) => {
                return Err(EvalError::UnsupportedOperator {
                    policy: label.to_string(),
                    statement: stmt.index,
                    operator: cond.operator.raw.clone(),
                })
            }
            Err(ConditionError::Malformed(problem)) => {
                return Err(EvalError::MalformedValue {
                    policy: label.to_string(),
                    statement: stmt.index,
                    operator: cond.operator.raw.clone(),
                    key: cond.key.clone(),
                    problem,
                })
            }
        }
    }
    Ok(Some(principal_match))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::request::{AwsPrincipal, AwsPrincipalKind, RequestPrincipal};
    use crate::policy::parse::parse_policy_value;
    use serde_json::json;

    fn alice() -> RequestPrincipal {
        RequestPrincipal::Aws(AwsPrincipal {
            arn: "arn:aws:iam::111122223333:user/alice".into(),
            account: "111122223333".into(),
            kind: AwsPrincipalKind::User,
            canonical_user: None,
        })
    }

    /// `(version, statement, kind, action, resource) → applies`
    fn check(
        version: &str,
        stmt: serde_json::Value,
        kind: PolicyKind,
        action: &str,
        resource: &str,
        expect: bool,
    ) {
        let doc = parse_policy_value(&json!({"Version": version, "Statement": [stmt]}))
            .expect("test policy parses");
        let req = Request {
            principal: alice(),
            action: action.into(),
            resource: resource.into(),
            context: RequestContext::new(),
        };
        let context = crate::eval::request::derived_context(&req);
        let target = Target {
            request: &req,
            context: &context,
            has_boundary: false,
        };
        let got = doc
            .statements
            .first()
            .map(|s| statement_applies("p", &doc, s, kind, target));
        assert_eq!(
            got.map(|r| r.map(|m| m.is_some())),
            Some(Ok(expect)),
            "{stmt} vs {action} {resource}"
        );
    }

    #[test]
    fn elements() {
        use PolicyKind::*;
        let v = "2012-10-17";
        let obj = "arn:aws:s3:::b/home/alice/x";
        check(
            v,
            json!({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}),
            Identity,
            "s3:GetObject",
            obj,
            true,
        );
        check(
            v,
            json!({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}),
            Identity,
            "s3:PutObject",
            obj,
            false,
        );
        check(
            v,
            json!({"Effect": "Allow", "NotAction": "s3:Get*", "Resource": "*"}),
            Identity,
            "s3:PutObject",
            obj,
            true,
        );
        check(
            v,
            json!({"Effect": "Allow", "NotAction": "s3:Get*", "Resource": "*"}),
            Identity,
            "s3:GetObject",
            obj,
            false,
        );
        check(
            v,
            json!({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::b/*"}),
            Identity,
            "s3:GetObject",
            obj,
            false,
        );
        check(
            v,
            json!({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::c/*"}),
            Identity,
            "s3:GetObject",
            obj,
            true,
        );
        check(
            v,
            json!({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/home/${aws:username}/*"}),
            Identity,
            "s3:GetObject",
            obj,
            true,
        );
        check(
            "2008-10-17",
            json!({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/home/${aws:username}/*"}),
            Identity,
            "s3:GetObject",
            obj,
            false,
        );
        // Trust policies have no Resource element: it does not restrict.
        check(
            v,
            json!({"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}),
            Resource,
            "sts:AssumeRole",
            "arn:aws:iam::111122223333:role/R",
            true,
        );
        // A resource policy statement without a principal names nobody.
        check(
            v,
            json!({"Effect": "Allow", "Action": "*", "Resource": "*"}),
            Resource,
            "s3:GetObject",
            obj,
            false,
        );
        // Conditions are checked last and AND-ed.
        check(
            v,
            json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:username": "alice"}, "Null": {"aws:SourceVpce": "true"}}}),
            Identity,
            "s3:GetObject",
            obj,
            true,
        );
        check(
            v,
            json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:username": "alice"}, "Null": {"aws:SourceVpce": "false"}}}),
            Identity,
            "s3:GetObject",
            obj,
            false,
        );
    }
}
