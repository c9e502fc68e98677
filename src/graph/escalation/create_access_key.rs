//! `iam:CreateAccessKey` on another user.
//!
//! **What it finds:** a principal allowed to create access keys for another user of its
//! account.
//! **Why it matters:** the new key is that user's credentials: every permission of the user.
//! A user holds at most two access keys; one that already has two needs
//! `iam:DeleteAccessKey` first (pathfinding.cloud `iam-003`). The export does not show key
//! counts, so the candidate needs `iam:CreateAccessKey` only (an over-approximation).
//! **Example:** iam-vulnerable `privesc4-CreateAccessKey`:
//! `aws iam create-access-key --user-name admin`.

use super::{credential_takeovers, Ctx, Found};
use crate::model::PrincipalRef;

pub const NAME: &str = "create-access-key";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    credential_takeovers(ctx, p, NAME, &["iam:CreateAccessKey"], out);
}
