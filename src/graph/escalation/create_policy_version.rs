//! `iam:CreatePolicyVersion` on a customer-managed policy attached to the principal.
//!
//! **What it finds:** a principal allowed `iam:CreatePolicyVersion` on a customer-managed
//! policy that is attached to it (directly or through a group).
//! **Why it matters:** `--set-as-default` makes the new version effective at once without
//! `iam:SetDefaultPolicyVersion`, so the principal can write itself `"Action": "*"`.
//! **Example:** iam-vulnerable `privesc1-CreateNewPolicyVersion`:
//! `aws iam create-policy-version --policy-arn <attached> --policy-document file://admin.json --set-as-default`.

use super::{escalated, Ctx, Escalation, Found, Step};
use crate::model::PrincipalRef;

pub const NAME: &str = "create-policy-version";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let Some(grant) = ctx.grant(p, "iam:CreatePolicyVersion") else {
        return;
    };
    for arn in ctx.attached_customer_policies(p) {
        if grant.covers(&arn) {
            out.push(Found {
                target: escalated(p),
                escalation: Escalation {
                    detector: NAME,
                    steps: vec![Step::new("iam:CreatePolicyVersion", &arn)],
                },
            });
            return;
        }
    }
}
