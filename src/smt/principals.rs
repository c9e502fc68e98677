//! Symbolic principal shapes as finitely many concrete cases.
//!
//! "Any principal of account A" and "any principal of any other account" range over
//! infinitely many identities, but the policies of a question can only tell finitely many
//! apart: by the account (named accounts, plus one account nobody names), by the kind (root,
//! IAM user, role session), and by the ARN regions that the `Principal` entries and the
//! `aws:PrincipalArn` conditions cut user and role ARNs into (`domain`). One concrete
//! principal per region stands for the region, so each case is a question with a concrete
//! principal, and the shape is allowed iff some case is.

use super::domain::DomainBuilder;
use super::glob::Glob;
use super::keys::{condition_pred, Enc, Pred, Stop};
use super::question::{PrincipalShape, Question};
use crate::eval::{
    AclGrantee, AwsPrincipal, AwsPrincipalKind, IdentityInputs, PolicyRef, RequestPrincipal,
};
use crate::policy::{PrincipalKind, PrincipalSet};
use std::collections::BTreeSet;

/// Most cases one question may split into before it is answered `Unknown`.
pub const MAX_CASES: usize = 256;

/// The principal of one hop in one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasePrincipal {
    pub principal: RequestPrincipal,
    /// For "any other account" shapes: the organization ids the principal is *not* in.
    pub outside_orgs: Option<Vec<String>>,
}

/// Every policy document of a question.
pub fn policies<'a>(q: &'a Question<'a>) -> Vec<PolicyRef<'a>> {
    let i = &q.inputs;
    let mut out: Vec<PolicyRef<'a>> = Vec::new();
    if let IdentityInputs::Known(ip) = &i.identity {
        out.extend(ip.policies.iter().copied());
        out.extend(ip.permissions_boundary);
        out.extend(ip.session_policies.iter().flatten().copied());
        if let Some(s) = &ip.scps {
            out.extend(s.levels.iter().flatten().copied());
        }
    }
    if let Some(r) = &i.rcps {
        out.extend(r.levels.iter().flatten().copied());
    }
    out.extend(i.resource_policy);
    out.extend(i.vpc_endpoint_policy);
    if let Some(k) = &i.kms {
        out.push(k.key_policy);
        if let Some(r) = &k.rcps {
            out.extend(r.levels.iter().flatten().copied());
        }
    }
    out
}

/// Strings that name principals: `Principal` entries, ACL grantees and `aws:PrincipalArn` /
/// `aws:PrincipalAccount` condition values.
struct Mentions {
    aws_entries: BTreeSet<String>,
    canonical: BTreeSet<String>,
    arn_preds: Vec<Glob>,
    account_values: BTreeSet<String>,
}

fn mentions(q: &Question<'_>) -> Mentions {
    let mut m = Mentions {
        aws_entries: BTreeSet::new(),
        canonical: BTreeSet::new(),
        arn_preds: Vec::new(),
        account_values: BTreeSet::new(),
    };
    for p in policies(q) {
        for stmt in &p.doc.statements {
            if let Some(clause) = &stmt.principal {
                if let PrincipalSet::Entries(es) = &clause.principals {
                    for e in es {
                        match e.kind {
                            PrincipalKind::Aws => {
                                m.aws_entries.insert(e.value.clone());
                            }
                            PrincipalKind::CanonicalUser => {
                                m.canonical.insert(e.value.clone());
                            }
                            _ => {}
                        }
                    }
                }
            }
            for c in &stmt.conditions {
                let key = c.key.to_ascii_lowercase();
                if key == "aws:principalarn" {
                    if let Ok(Pred::Globs(gs)) = condition_pred(c, None) {
                        m.arn_preds.extend(gs);
                    }
                }
                if key == "aws:principalaccount" || key == "aws:principalarn" {
                    m.account_values.extend(c.values.iter().cloned());
                }
            }
        }
    }
    if let Some(s3) = &q.inputs.s3 {
        for g in s3.bucket_acl.iter().chain(&s3.object_acl) {
            if let AclGrantee::CanonicalUser(id) = &g.grantee {
                m.canonical.insert(id.clone());
            }
        }
    }
    m
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The account an entry or ARN names, if any.
fn account_of(s: &str) -> Option<String> {
    if is_account_id(s) {
        return Some(s.to_string());
    }
    let acct = s.split(':').nth(4)?;
    is_account_id(acct).then(|| acct.to_string())
}

/// The principals that stand for "any IAM identity of account `a`".
fn of_account(
    m: &Mentions,
    a: &str,
    outside_orgs: Option<&Vec<String>>,
    limit: usize,
) -> Enc<Vec<CasePrincipal>> {
    let wrap = |p: AwsPrincipal| CasePrincipal {
        principal: RequestPrincipal::Aws(p),
        outside_orgs: outside_orgs.cloned(),
    };
    let root = |canonical: Option<String>| AwsPrincipal {
        arn: format!("arn:aws:iam::{a}:root"),
        account: a.to_string(),
        kind: AwsPrincipalKind::Root,
        canonical_user: canonical,
    };
    let mut out = vec![wrap(root(None))];
    // A session name no policy names, so the session ARN matches no entry by itself.
    let session_name = {
        let mut n = "leakpath-witness".to_string();
        while m.aws_entries.iter().any(|e| e.ends_with(&format!("/{n}"))) {
            n.push('x');
        }
        n
    };
    let session_of = |role_arn: &str, session: &str| -> AwsPrincipal {
        let name = role_arn.rsplit('/').next().unwrap_or("");
        AwsPrincipal {
            arn: format!("arn:aws:sts::{a}:assumed-role/{name}/{session}"),
            account: a.to_string(),
            kind: AwsPrincipalKind::RoleSession {
                role_arn: role_arn.to_string(),
            },
            canonical_user: None,
        }
    };

    // One user and one role per region of user and role ARNs.
    let mut b = DomainBuilder::new();
    let user_i = b.add(Glob::pattern(&format!("arn:aws:iam::{a}:user/*"), false));
    let role_i = b.add(Glob::pattern(&format!("arn:aws:iam::{a}:role/*"), false));
    for e in &m.aws_entries {
        b.add(Glob::literal(e, false));
    }
    for g in &m.arn_preds {
        b.add(g.clone());
    }
    b.hint(&format!("arn:aws:iam::{a}:user/leakpath-witness"));
    b.hint(&format!("arn:aws:iam::{a}:role/leakpath-witness"));
    // Shared: every question about "any identity of this account" with the same
    // patterns has the same regions.
    let d = b
        .build_shared(limit)
        .map_err(|e| Stop::Unknown(format!("principal ARNs of {a}: {e}")))?;
    for r in d.accepting(user_i) {
        if let Some(arn) = d.representative(r) {
            out.push(wrap(AwsPrincipal {
                arn: arn.to_string(),
                account: a.to_string(),
                kind: AwsPrincipalKind::User,
                canonical_user: None,
            }));
        }
    }
    for r in d.accepting(role_i) {
        if let Some(arn) = d.representative(r) {
            out.push(wrap(session_of(arn, &session_name)));
        }
    }
    // Sessions named by their session ARN.
    let prefix = format!("arn:aws:sts::{a}:assumed-role/");
    for e in &m.aws_entries {
        if let Some(rest) = e.strip_prefix(&prefix) {
            if let Some((role, _session)) = rest.split_once('/') {
                out.push(wrap(AwsPrincipal {
                    arn: e.clone(),
                    account: a.to_string(),
                    kind: AwsPrincipalKind::RoleSession {
                        role_arn: format!("arn:aws:iam::{a}:role/{role}"),
                    },
                    canonical_user: None,
                }));
            }
        }
    }
    // Accounts named by canonical user id (ACL grants, CanonicalUser principals).
    for c in &m.canonical {
        out.push(wrap(root(Some(c.clone()))));
        let mut s = session_of(
            &format!("arn:aws:iam::{a}:role/leakpath-witness"),
            &session_name,
        );
        s.canonical_user = Some(c.clone());
        out.push(wrap(s));
    }
    Ok(out)
}

/// The cases of one hop.
fn hop_cases(q: &Question<'_>, limit: usize) -> Enc<Vec<CasePrincipal>> {
    match &q.shape.principal {
        PrincipalShape::Exact(p) => Ok(vec![CasePrincipal {
            principal: p.clone(),
            outside_orgs: None,
        }]),
        PrincipalShape::AnyOfAccount(a) => of_account(&mentions(q), a, None, limit),
        PrincipalShape::AnyIdentityOfAccount {
            account,
            canonical_user,
        } => {
            // `of_account`'s cases without the root user; its extra cases for each canonical
            // id a policy names collapse into one: every identity of the account carries
            // the account's id.
            let mut out: Vec<CasePrincipal> = Vec::new();
            for mut c in of_account(&mentions(q), account, None, limit)? {
                let RequestPrincipal::Aws(p) = &mut c.principal else {
                    continue;
                };
                if p.kind == AwsPrincipalKind::Root {
                    continue;
                }
                p.canonical_user.clone_from(canonical_user);
                if !out.contains(&c) {
                    out.push(c);
                }
            }
            Ok(out)
        }
        PrincipalShape::AnyOutside { excluded, org_ids } => {
            let m = mentions(q);
            let mut accounts: BTreeSet<String> = m
                .aws_entries
                .iter()
                .chain(&m.account_values)
                .filter_map(|s| account_of(s))
                .filter(|a| !excluded.contains(a))
                .collect();
            // One account nobody names stands for all the others.
            let mut fresh = 999_999_999_999u64;
            while accounts.contains(&fresh.to_string()) || excluded.contains(&fresh.to_string()) {
                fresh -= 1;
            }
            accounts.insert(fresh.to_string());
            let mut out = Vec::new();
            for a in &accounts {
                out.extend(of_account(&m, a, Some(org_ids), limit)?);
            }
            Ok(out)
        }
    }
}

/// Every combination of one principal per hop.
pub fn cases(hops: &[Question<'_>]) -> Enc<Vec<Vec<CasePrincipal>>> {
    let mut combos: Vec<Vec<CasePrincipal>> = vec![Vec::new()];
    for q in hops {
        let options = hop_cases(q, super::domain::DEFAULT_STATE_LIMIT)?;
        let mut next = Vec::new();
        for c in &combos {
            for o in &options {
                let mut c2 = c.clone();
                c2.push(o.clone());
                next.push(c2);
            }
        }
        if next.len() > MAX_CASES {
            return Err(Stop::Unknown(format!(
                "the principal shapes split into more than {MAX_CASES} cases"
            )));
        }
        combos = next;
    }
    Ok(combos)
}
