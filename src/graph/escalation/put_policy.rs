//! `iam:PutUserPolicy` / `iam:PutGroupPolicy` / `iam:PutRolePolicy` on itself (its user, one
//! of its groups, its role).
//!
//! **What it finds:** a principal allowed to write an inline policy onto its own identity.
//! **Why it matters:** the inline policy can say `"Action": "*"`: the principal has every
//! permission its boundary and the SCPs leave.
//! **Example:** iam-vulnerable `privesc10-PutUserPolicy`, `privesc11-PutGroupPolicy`,
//! `privesc12-PutRolePolicy`: `aws iam put-user-policy --user-name me --policy-name x --policy-document file://admin.json`.

use super::rewrite::{policy_write_on_itself, PUT};
use super::{escalated, Ctx, Escalation, Found, Step};
use crate::model::PrincipalRef;

pub const NAME: &str = "put-inline-policy";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    if let Some((action, arn)) = policy_write_on_itself(ctx, p, &PUT) {
        out.push(Found {
            target: escalated(p),
            escalation: Escalation {
                detector: NAME,
                steps: vec![Step::new(action, &arn)],
            },
        });
    }
}
