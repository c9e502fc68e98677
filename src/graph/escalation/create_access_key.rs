//! `iam:CreateAccessKey` on another user.
//!
//! **What it finds:** a principal allowed to create access keys for another user of its
//! account.
//! **Why it matters:** the new key is that user's credentials: every permission of the user.
//! **Example:** iam-vulnerable `privesc4-CreateAccessKey`:
//! `aws iam create-access-key --user-name admin`.

use super::{Ctx, Escalation, Found, Step};
use crate::graph::Node;
use crate::model::{PrincipalRef, UserId};

pub const NAME: &str = "create-access-key";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let m = ctx.model;
    let account = ctx.account(p);
    for (ui, user) in m.users.iter().enumerate() {
        let target = PrincipalRef::User(UserId(ui as u32));
        if target == p || m.str(user.account) != account {
            continue;
        }
        let arn = m.str(user.arn);
        if ctx.may(p, "iam:CreateAccessKey", arn) {
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
