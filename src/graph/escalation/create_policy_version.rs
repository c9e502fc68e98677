//! `iam:CreatePolicyVersion` on a customer-managed policy attached to the principal.
//!
//! **What it finds:** a principal allowed `iam:CreatePolicyVersion` on a customer-managed
//! policy that is attached to it (directly or through a group).
//! **Why it matters:** `--set-as-default` makes the new version effective at once without
//! `iam:SetDefaultPolicyVersion`, so the principal can write itself `"Action": "*"`.
//! **Example:** iam-vulnerable `privesc1-CreateNewPolicyVersion`:
//! `aws iam create-policy-version --policy-arn <attached> --policy-document file://admin.json --set-as-default`.

use super::{own_policy_rewrite, Ctx, Found};
use crate::model::PrincipalRef;

pub const NAME: &str = "create-policy-version";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    own_policy_rewrite(ctx, p, NAME, "iam:CreatePolicyVersion", out);
}
