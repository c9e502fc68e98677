//! Does a `Principal` / `NotPrincipal` element name the request's principal, and how: the
//! caller itself, the role (or IAM user) behind its session, or its whole account? The
//! difference matters for permissions boundaries, session policies and delegation (see
//! `logic`).

use crate::eval::request::{AwsPrincipal, AwsPrincipalKind, RequestPrincipal};
use crate::policy::{PrincipalClause, PrincipalEntry, PrincipalKind, PrincipalSet};

/// How a statement's principal element matches the requester. Variants are ordered from the
/// weakest grant to the strongest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrincipalMatch {
    /// The statement names the requester's account (`111122223333`,
    /// `arn:aws:iam::111122223333:root`, or the account's canonical user id). A resource
    /// policy that names an account delegates to that account's IAM policies.
    Account,
    /// The statement names the role of a role session, or the IAM user behind a
    /// federated-user session. Such grants are still limited by the permissions boundary and
    /// session policies.
    Underlying,
    /// The statement names the requester itself: `*`, `{"AWS": "*"}`, its user or session
    /// ARN, its service or identity provider; or the statement has no principal element
    /// (identity policies, SCPs, boundaries apply to their own principal).
    Direct,
}

/// The strongest way any entry of a `Principal` element names the requester, or `None`.
pub fn principal_set_matches(set: &PrincipalSet, who: &RequestPrincipal) -> Option<PrincipalMatch> {
    match set {
        PrincipalSet::Any => Some(PrincipalMatch::Direct),
        PrincipalSet::Entries(entries) => {
            entries.iter().filter_map(|e| entry_matches(e, who)).max()
        }
    }
}

/// Whether a statement applies to the requester by its principal element.
///
/// `Principal`: as [`principal_set_matches`]. `NotPrincipal`: the statement applies unless
/// the element lists *every* identity AWS validates for the request — for a role session
/// its account and its role (whose ARN covers the session, as in `Principal`); for an IAM
/// user or a federated-user session its account and its ARN — which is why the IAM User Guide
/// asks to list the account along with the principal. A requester with a permissions boundary is never
/// excluded from a `NotPrincipal` + `Deny` statement: the IAM User Guide says such a statement
/// "will always deny any IAM principal that has a permissions boundary policy attached".
pub fn clause_matches(
    clause: &PrincipalClause,
    who: &RequestPrincipal,
    deny_with_boundary: bool,
) -> Option<PrincipalMatch> {
    if !clause.negated {
        return principal_set_matches(&clause.principals, who);
    }
    if deny_with_boundary {
        return Some(PrincipalMatch::Direct);
    }
    let entries = match &clause.principals {
        PrincipalSet::Any => return None,
        PrincipalSet::Entries(entries) => entries,
    };
    if entries.iter().any(is_everyone) {
        return None;
    }
    let listed =
        |probe: &RequestPrincipal| entries.iter().any(|e| entry_matches(e, probe).is_some());
    let all_listed = match who {
        RequestPrincipal::Aws(p) => identities(p).iter().all(|id| {
            entries.iter().any(|e| match id {
                Identity::Arn(arn) => e.kind == PrincipalKind::Aws && e.value == *arn,
                Identity::Account => account_entry(e, p),
            })
        }),
        other => listed(other),
    };
    if all_listed {
        None
    } else {
        Some(PrincipalMatch::Direct)
    }
}

/// One identity a request from an IAM principal carries.
enum Identity {
    Arn(String),
    Account,
}

fn identities(p: &AwsPrincipal) -> Vec<Identity> {
    let mut ids = vec![Identity::Account];
    match &p.kind {
        AwsPrincipalKind::Root => {}
        AwsPrincipalKind::User => ids.push(Identity::Arn(p.arn.clone())),
        // AWS "might validate the account first, then the role, and then the assumed-role
        // user"; the role's ARN covers its sessions as it does in `Principal`, so the account
        // and the role must be listed and the session ARN may be.
        AwsPrincipalKind::RoleSession { role_arn } => ids.push(Identity::Arn(role_arn.clone())),
        AwsPrincipalKind::FederatedUser { .. } => ids.push(Identity::Arn(p.arn.clone())),
    }
    ids
}

/// `"*"` under `AWS` (or anywhere): everyone, anonymous included.
fn is_everyone(e: &PrincipalEntry) -> bool {
    e.value == "*" && e.kind == PrincipalKind::Aws
}

fn entry_matches(e: &PrincipalEntry, who: &RequestPrincipal) -> Option<PrincipalMatch> {
    if is_everyone(e) {
        return Some(PrincipalMatch::Direct);
    }
    match (e.kind, who) {
        (PrincipalKind::Aws, RequestPrincipal::Aws(p)) => {
            if e.value == p.arn {
                return Some(PrincipalMatch::Direct);
            }
            match &p.kind {
                AwsPrincipalKind::RoleSession { role_arn } if e.value == *role_arn => {
                    return Some(PrincipalMatch::Underlying)
                }
                AwsPrincipalKind::FederatedUser { user_arn } if e.value == *user_arn => {
                    return Some(PrincipalMatch::Underlying)
                }
                _ => {}
            }
            if account_entry(e, p) {
                // The root user *is* the account: naming the account names it directly.
                return Some(if p.kind == AwsPrincipalKind::Root {
                    PrincipalMatch::Direct
                } else {
                    PrincipalMatch::Account
                });
            }
            None
        }
        (PrincipalKind::CanonicalUser, RequestPrincipal::Aws(p)) => (p.canonical_user.as_deref()
            == Some(e.value.as_str()))
        .then_some(PrincipalMatch::Account),
        (PrincipalKind::Service, RequestPrincipal::Service(name)) => e
            .value
            .eq_ignore_ascii_case(name)
            .then_some(PrincipalMatch::Direct),
        (PrincipalKind::Federated, RequestPrincipal::Federated { provider }) => {
            (e.value == *provider).then_some(PrincipalMatch::Direct)
        }
        _ => None,
    }
}

/// Whether an entry names the principal's account: the bare id, or
/// `arn:<partition>:iam::<id>:root`, or the account's canonical user id.
fn account_entry(e: &PrincipalEntry, p: &AwsPrincipal) -> bool {
    match e.kind {
        PrincipalKind::Aws => {
            e.value == p.account || root_arn_account(&e.value) == Some(p.account.as_str())
        }
        PrincipalKind::CanonicalUser => p.canonical_user.as_deref() == Some(e.value.as_str()),
        _ => false,
    }
}

/// The account id of `arn:<partition>:iam::<id>:root`.
pub fn root_arn_account(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:")?;
    let (_partition, rest) = rest.split_once(':')?;
    rest.strip_prefix("iam::")?.strip_suffix(":root")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> RequestPrincipal {
        RequestPrincipal::Aws(AwsPrincipal {
            arn: "arn:aws:sts::111122223333:assumed-role/R/s1".into(),
            account: "111122223333".into(),
            kind: AwsPrincipalKind::RoleSession {
                role_arn: "arn:aws:iam::111122223333:role/path/R".into(),
            },
            canonical_user: Some("c0ffee".into()),
        })
    }

    fn user() -> RequestPrincipal {
        RequestPrincipal::Aws(AwsPrincipal {
            arn: "arn:aws:iam::111122223333:user/alice".into(),
            account: "111122223333".into(),
            kind: AwsPrincipalKind::User,
            canonical_user: None,
        })
    }

    fn entries(list: &[(PrincipalKind, &str)]) -> PrincipalSet {
        PrincipalSet::Entries(
            list.iter()
                .map(|(kind, v)| PrincipalEntry {
                    kind: *kind,
                    value: v.to_string(),
                })
                .collect(),
        )
    }

    /// `(negated, set, who, boundary, expect)`
    fn check(
        negated: bool,
        set: PrincipalSet,
        who: RequestPrincipal,
        boundary: bool,
        expect: Option<PrincipalMatch>,
    ) {
        let clause = PrincipalClause {
            negated,
            principals: set,
        };
        assert_eq!(
            clause_matches(&clause, &who, boundary),
            expect,
            "{clause:?} vs {who:?}"
        );
    }

    #[test]
    fn principal_element() {
        use PrincipalKind::*;
        use PrincipalMatch::*;
        check(
            false,
            PrincipalSet::Any,
            RequestPrincipal::Anonymous,
            false,
            Some(Direct),
        );
        check(
            false,
            entries(&[(Aws, "*")]),
            RequestPrincipal::Anonymous,
            false,
            Some(Direct),
        );
        check(
            false,
            entries(&[(Aws, "*")]),
            RequestPrincipal::Service("s3.amazonaws.com".into()),
            false,
            Some(Direct),
        );
        check(
            false,
            entries(&[(Aws, "111122223333")]),
            session(),
            false,
            Some(Account),
        );
        check(
            false,
            entries(&[(Aws, "arn:aws:iam::111122223333:root")]),
            session(),
            false,
            Some(Account),
        );
        check(
            false,
            entries(&[(Aws, "arn:aws:iam::444455556666:root")]),
            session(),
            false,
            None,
        );
        check(
            false,
            entries(&[(Aws, "arn:aws:iam::111122223333:role/path/R")]),
            session(),
            false,
            Some(Underlying),
        );
        check(
            false,
            entries(&[(Aws, "arn:aws:iam::111122223333:role/R")]),
            session(),
            false,
            None,
        );
        check(
            false,
            entries(&[(Aws, "arn:aws:sts::111122223333:assumed-role/R/s1")]),
            session(),
            false,
            Some(Direct),
        );
        check(
            false,
            entries(&[(Aws, "arn:aws:sts::111122223333:assumed-role/R/s2")]),
            session(),
            false,
            None,
        );
        check(
            false,
            entries(&[
                (Aws, "111122223333"),
                (Aws, "arn:aws:sts::111122223333:assumed-role/R/s1"),
            ]),
            session(),
            false,
            Some(Direct),
        );
        check(
            false,
            entries(&[(CanonicalUser, "c0ffee")]),
            session(),
            false,
            Some(Account),
        );
        check(
            false,
            entries(&[(Service, "cloudtrail.amazonaws.com")]),
            RequestPrincipal::Service("cloudtrail.amazonaws.com".into()),
            false,
            Some(Direct),
        );
        check(
            false,
            entries(&[(Service, "cloudtrail.amazonaws.com")]),
            session(),
            false,
            None,
        );
        check(
            false,
            entries(&[(Federated, "cognito-identity.amazonaws.com")]),
            RequestPrincipal::Federated {
                provider: "cognito-identity.amazonaws.com".into(),
            },
            false,
            Some(Direct),
        );
        check(
            false,
            entries(&[(Aws, "111122223333")]),
            RequestPrincipal::Anonymous,
            false,
            None,
        );
        let root = RequestPrincipal::Aws(AwsPrincipal {
            arn: "arn:aws:iam::111122223333:root".into(),
            account: "111122223333".into(),
            kind: AwsPrincipalKind::Root,
            canonical_user: None,
        });
        check(
            false,
            entries(&[(Aws, "111122223333")]),
            root,
            false,
            Some(Direct),
        );
    }

    #[test]
    fn not_principal_element() {
        use PrincipalKind::*;
        use PrincipalMatch::*;
        // Listing the user alone does not exclude it: its account is not listed.
        check(
            true,
            entries(&[(Aws, "arn:aws:iam::111122223333:user/alice")]),
            user(),
            false,
            Some(Direct),
        );
        check(
            true,
            entries(&[
                (Aws, "arn:aws:iam::111122223333:user/alice"),
                (Aws, "arn:aws:iam::111122223333:root"),
            ]),
            user(),
            false,
            None,
        );
        // A session is excluded with its role ARN and its account; its session ARN alone
        // (without the role) or the role alone (without the account) does not exclude it.
        check(
            true,
            entries(&[
                (Aws, "arn:aws:iam::111122223333:role/path/R"),
                (Aws, "111122223333"),
            ]),
            session(),
            false,
            None,
        );
        check(
            true,
            entries(&[
                (Aws, "arn:aws:sts::111122223333:assumed-role/R/s1"),
                (Aws, "111122223333"),
            ]),
            session(),
            false,
            Some(Direct),
        );
        check(
            true,
            entries(&[(Aws, "arn:aws:iam::111122223333:role/path/R")]),
            session(),
            false,
            Some(Direct),
        );
        check(
            true,
            entries(&[
                (Aws, "arn:aws:sts::111122223333:assumed-role/R/s1"),
                (Aws, "arn:aws:iam::111122223333:role/path/R"),
                (Aws, "arn:aws:iam::111122223333:root"),
            ]),
            session(),
            false,
            None,
        );
        // ... unless it has a permissions boundary (NotPrincipal + Deny always denies it).
        check(
            true,
            entries(&[
                (Aws, "arn:aws:sts::111122223333:assumed-role/R/s1"),
                (Aws, "arn:aws:iam::111122223333:role/path/R"),
                (Aws, "arn:aws:iam::111122223333:root"),
            ]),
            session(),
            true,
            Some(Direct),
        );
        check(
            true,
            entries(&[(Aws, "*")]),
            RequestPrincipal::Anonymous,
            false,
            None,
        );
        check(
            true,
            entries(&[(Aws, "111122223333")]),
            RequestPrincipal::Anonymous,
            false,
            Some(Direct),
        );
        check(true, PrincipalSet::Any, user(), false, None);
        check(
            true,
            entries(&[(Service, "cloudtrail.amazonaws.com")]),
            RequestPrincipal::Service("cloudtrail.amazonaws.com".into()),
            false,
            None,
        );
    }

    #[test]
    fn root_arns() {
        assert_eq!(
            root_arn_account("arn:aws:iam::111122223333:root"),
            Some("111122223333")
        );
        assert_eq!(
            root_arn_account("arn:aws-cn:iam::111122223333:root"),
            Some("111122223333")
        );
        assert_eq!(
            root_arn_account("arn:aws:iam::111122223333:user/root"),
            None
        );
    }

    /// A SAML provider is named like any federated provider: by its ARN exactly, and a trust
    /// statement for `sts:AssumeRoleWithSAML` admits its identities with the claims the
    /// trust asks for (`SAML:aud`, `saml:sub`), compared case-insensitively by key.
    #[test]
    fn saml_provider_identities() {
        use crate::eval::{decide, AuthzInputs, IdentityInputs, Outcome, PolicyRef, Request};
        use crate::eval::{RequestContext, ResourcePolicyMode};
        use PrincipalKind::*;
        let saml = "arn:aws:iam::111122223333:saml-provider/Okta";
        let federated = |p: &str| RequestPrincipal::Federated { provider: p.into() };
        let check = |set: PrincipalSet, who: RequestPrincipal, expect: Option<PrincipalMatch>| {
            assert_eq!(principal_set_matches(&set, &who), expect, "{set:?} {who:?}");
        };
        check(
            entries(&[(Federated, saml)]),
            federated(saml),
            Some(PrincipalMatch::Direct),
        );
        check(
            entries(&[(Federated, saml)]),
            federated("arn:aws:iam::111122223333:saml-provider/Other"),
            None,
        );
        check(entries(&[(Aws, "111122223333")]), federated(saml), None);

        let trust = crate::policy::parse::parse_policy_text(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow",
                "Principal":{{"Federated":"{saml}"}},
                "Action":["sts:AssumeRoleWithSAML","sts:TagSession"],
                "Condition":{{"StringEquals":{{"SAML:aud":"https://signin.aws.amazon.com/saml",
                                              "saml:sub":"alice"}}}}}}]}}"#
        ))
        .expect("valid trust");
        let inputs = AuthzInputs {
            identity: IdentityInputs::Unconstrained,
            resource_account: "111122223333".into(),
            resource_policy: Some(PolicyRef {
                label: "trust",
                doc: &trust,
            }),
            resource_policy_mode: ResourcePolicyMode::Required,
            rcps: None,
            vpc_endpoint_policy: None,
            s3: None,
            kms: None,
        };
        let decision = |action: &str, claims: &[(&str, &str)]| {
            let mut context = RequestContext::new();
            for (k, v) in claims {
                context.set(k, *v);
            }
            let req = Request {
                principal: federated(saml),
                action: action.into(),
                resource: "arn:aws:iam::111122223333:role/sso".into(),
                context,
            };
            decide(&inputs, &req).expect("decidable").outcome
        };
        let aud = ("saml:aud", "https://signin.aws.amazon.com/saml");
        let alice = ("SAML:sub", "alice");
        assert_eq!(
            decision("sts:AssumeRoleWithSAML", &[aud, alice]),
            Outcome::Allowed
        );
        assert_eq!(
            decision("sts:AssumeRoleWithSAML", &[aud, ("saml:sub", "mallory")]),
            Outcome::ImplicitDeny
        );
        assert_eq!(
            decision("sts:AssumeRoleWithSAML", &[alice]),
            Outcome::ImplicitDeny
        );
        assert_eq!(
            decision("sts:AssumeRoleWithWebIdentity", &[aud, alice]),
            Outcome::ImplicitDeny
        );
    }
}
