//! `iam:CreateLoginProfile` / `iam:UpdateLoginProfile` on another user.
//!
//! **What it finds:** a principal allowed to set (or reset) the console password of another
//! user of its account.
//! **Why it matters:** it can sign in as that user and use all of its permissions.
//! **Example:** iam-vulnerable `privesc5-CreateLoginProfile`, `privesc6-UpdateLoginProfile`:
//! `aws iam update-login-profile --user-name admin --password '...'`.

use super::{Ctx, Escalation, Found, Step};
use crate::graph::Node;
use crate::model::{PrincipalRef, UserId};

pub const NAME: &str = "login-profile";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let m = ctx.model;
    let account = ctx.account(p);
    for (ui, user) in m.users.iter().enumerate() {
        let target = PrincipalRef::User(UserId(ui as u32));
        if target == p || m.str(user.account) != account {
            continue;
        }
        let arn = m.str(user.arn);
        for action in ["iam:CreateLoginProfile", "iam:UpdateLoginProfile"] {
            if ctx.may(p, action, arn) {
                out.push(Found {
                    target: Node::Principal(target),
                    escalation: Escalation {
                        detector: NAME,
                        steps: vec![Step::new(action, arn)],
                    },
                });
                break;
            }
        }
    }
}
