//! Rewrite another user's permissions, then take its credentials.
//!
//! **What it finds:** a principal allowed to give another user of its account more
//! permissions — attach or put a policy on the user or one of its groups, write a new
//! default version of a customer-managed policy attached to it, add it to a group — and to
//! mint credentials for that user (`iam:CreateAccessKey`, `iam:CreateLoginProfile`,
//! `iam:UpdateLoginProfile`).
//! **Why it matters:** it signs in as the user, who now holds what the principal wrote
//! (pathfinding.cloud `iam-015`, `iam-018`).
//! **Example:** `aws iam put-user-policy --user-name target --policy-name x
//! --policy-document file://admin.json && aws iam create-access-key --user-name target`.

use super::rewrite::{may_rewrite, push_rewrites};
use super::{Ctx, Found, Step};
use crate::model::PrincipalRef;

pub const NAME: &str = "modify-user-then-sign-in";

const CREDENTIALS: &[&str] = &[
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
];

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let grants: Vec<_> = CREDENTIALS
        .iter()
        .filter_map(|a| ctx.grant(p, a).map(|g| (*a, g)))
        .collect();
    if grants.is_empty() || !may_rewrite(ctx, p) {
        return;
    }
    for (uid, arn) in ctx.other_users(p) {
        if let Some((action, _)) = grants.iter().find(|(_, g)| g.covers(arn)) {
            let sign_in = [Step::new(action, arn)];
            push_rewrites(ctx, NAME, p, PrincipalRef::User(uid), &sign_in, out);
        }
    }
}
