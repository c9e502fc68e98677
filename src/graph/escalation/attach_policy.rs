//! `iam:AttachUserPolicy` / `iam:AttachGroupPolicy` / `iam:AttachRolePolicy` on itself.
//!
//! **What it finds:** a principal allowed to attach managed policies to its own user, one of
//! its groups, or its role.
//! **Why it matters:** attaching `arn:aws:iam::aws:policy/AdministratorAccess` gives it every
//! permission its boundary and the SCPs leave.
//! **Example:** iam-vulnerable `privesc7-AttachUserPolicy`, `privesc8-AttachGroupPolicy`,
//! `privesc9-AttachRolePolicy`: `aws iam attach-user-policy --user-name me --policy-arn arn:aws:iam::aws:policy/AdministratorAccess`.

use super::rewrite::{policy_write_on_itself, ATTACH};
use super::{escalated, Ctx, Escalation, Found, Step};
use crate::model::PrincipalRef;

pub const NAME: &str = "attach-managed-policy";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    if let Some((action, arn)) = policy_write_on_itself(ctx, p, &ATTACH) {
        out.push(Found {
            target: escalated(p),
            escalation: Escalation {
                detector: NAME,
                steps: vec![Step::new(action, &arn).with(
                    "iam:PolicyARN",
                    "arn:aws:iam::aws:policy/AdministratorAccess",
                )],
            },
        });
    }
}
