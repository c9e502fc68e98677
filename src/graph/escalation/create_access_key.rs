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

use super::{Ctx, Escalation, Found, Step};
use crate::graph::Node;
use crate::model::PrincipalRef;

pub const NAME: &str = "create-access-key";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let m = ctx.model;
    let Some(grant) = ctx.grant(p, "iam:CreateAccessKey") else {
        return;
    };
    for uid in ctx.users_beside(p) {
        let target = PrincipalRef::User(*uid);
        let Some(user) = m.users.get(uid.index()) else {
            continue;
        };
        if target == p {
            continue;
        }
        let arn = m.str(user.arn);
        if grant.covers(arn) {
            out.push(Found {
                target: Node::Principal(target),
                escalation: Escalation {
                    detector: NAME,
                    steps: vec![Step::new("iam:CreateAccessKey", arn)],
                },
            });
        }
    }
}
