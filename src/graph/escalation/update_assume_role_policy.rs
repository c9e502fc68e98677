//! `iam:UpdateAssumeRolePolicy`: rewrite a role's trust to name oneself, then assume it.
//!
//! **What it finds:** a principal allowed to replace the trust policy of another role of its
//! account.
//! **Why it matters:** it writes a trust naming its own ARN (a user's, or its role session's)
//! and assumes the role. In the role's own account a trust policy that names the caller's ARN
//! admits it alone: no identity permission for `sts:AssumeRole` is needed (the rule the
//! assume-role edges follow for trusts naming a principal; only a trust naming the account
//! needs the identity side too). It is still a request AWS evaluates: an explicit deny of
//! `sts:AssumeRole` in the caller's identity policies or permissions boundary, or an SCP that
//! denies it (or does not allow it), stops the assume. So the second step is `sts:AssumeRole`
//! decided under the rewritten trust (`RewrittenTrust`), not under the caller's identity
//! permission.
//! **Example:** iam-vulnerable `privesc14-UpdatingAssumeRolePolicy`, pathfinding.cloud
//! `iam-012` (with `sts:AssumeRole`) and `iam-019`/`-020`/`-021` (without it):
//! `aws iam update-assume-role-policy --role-name admin --policy-document file://trust-me.json
//! && aws sts assume-role --role-arn ...admin`.

use super::{Ctx, Escalation, Found, RewrittenTrust, Step, StepTrust};
use crate::graph::Node;
use crate::model::{PrincipalRef, RoleId};

pub const NAME: &str = "update-assume-role-policy";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let roles = rewritable_trusts(ctx, p);
    if roles.is_empty() {
        return;
    }
    let Some(trust) = RewrittenTrust::naming(&ctx.arn(p)) else {
        return;
    };
    for (rid, arn) in roles {
        out.push(Found {
            target: Node::Principal(PrincipalRef::Role(rid)),
            escalation: Escalation {
                detector: NAME,
                steps: rewrite_then_assume(arn, &trust).to_vec(),
            },
        });
    }
}

/// The roles of `p`'s account (other than `p`) whose trust `p` may rewrite, with their ARNs
/// (also what `modify_role_then_assume` rewrites before assuming).
pub fn rewritable_trusts<'c>(ctx: &'c Ctx<'_>, p: PrincipalRef) -> Vec<(RoleId, &'c str)> {
    let Some(update) = ctx.grant(p, "iam:UpdateAssumeRolePolicy") else {
        return Vec::new();
    };
    ctx.other_roles(p)
        .filter(|(_, arn)| update.covers(arn))
        .collect()
}

/// The calls that make role `arn` trust the caller by its own ARN (`trust` names it) and
/// then assume it under that trust.
pub fn rewrite_then_assume(arn: &str, trust: &RewrittenTrust) -> [Step; 2] {
    [
        Step::new("iam:UpdateAssumeRolePolicy", arn),
        Step::assume_under(arn, StepTrust::Rewritten(trust.clone())),
    ]
}
