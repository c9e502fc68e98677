//! `iam:SetDefaultPolicyVersion` on a customer-managed policy attached to the principal.
//!
//! **What it finds:** a principal allowed `iam:SetDefaultPolicyVersion` on a customer-managed
//! policy attached to it.
//! **Why it matters:** it can make any earlier version of the policy the effective one; an
//! older, broader version gives it those permissions back. The export holds only the
//! default version, so the gain is taken as "any action" (an over-approximation: the
//! confirmation checks the call, not the content of the other versions).
//! **Example:** iam-vulnerable `privesc2-SetExistingDefaultPolicyVersion`:
//! `aws iam set-default-policy-version --policy-arn <attached> --version-id v2`.

use super::{own_policy_rewrite, Ctx, Found};
use crate::model::PrincipalRef;

pub const NAME: &str = "set-default-policy-version";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    own_policy_rewrite(ctx, p, NAME, "iam:SetDefaultPolicyVersion", out);
}
