//! `iam:UpdateAssumeRolePolicy` + `sts:AssumeRole`: rewrite a role's trust, then assume it.
//!
//! **What it finds:** a principal allowed to replace the trust policy of a role and to call
//! `sts:AssumeRole` on it.
//! **Why it matters:** it can make the role trust itself and take its permissions.
//! **Example:** iam-vulnerable `privesc14-UpdatingAssumeRolePolicy`:
//! `aws iam update-assume-role-policy --role-name admin --policy-document file://trust-me.json`.

use super::{Ctx, Escalation, Found, Step};
use crate::graph::Node;
use crate::model::{PrincipalRef, RoleId};

pub const NAME: &str = "update-assume-role-policy";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    for (rid, arn) in rewritable_trusts(ctx, p) {
        out.push(Found {
            target: Node::Principal(PrincipalRef::Role(rid)),
            escalation: Escalation {
                detector: NAME,
                steps: trust_rewrite_steps(arn),
            },
        });
    }
}

/// The roles of `p`'s account (other than `p`) whose trust `p` may rewrite and which it may
/// then assume, with their ARNs (also what `modify_role_then_assume` rewrites first).
pub fn rewritable_trusts<'c>(ctx: &'c Ctx<'_>, p: PrincipalRef) -> Vec<(RoleId, &'c str)> {
    let (Some(update), Some(assume)) = (
        ctx.grant(p, "iam:UpdateAssumeRolePolicy"),
        ctx.grant(p, "sts:AssumeRole"),
    ) else {
        return Vec::new();
    };
    ctx.other_roles(p)
        .filter(|(_, arn)| update.covers(arn) && assume.covers(arn))
        .collect()
}

/// The calls that make role `arn` trust the caller and assume it.
pub fn trust_rewrite_steps(arn: &str) -> Vec<Step> {
    vec![
        Step::new("iam:UpdateAssumeRolePolicy", arn),
        Step::new("sts:AssumeRole", arn),
    ]
}
