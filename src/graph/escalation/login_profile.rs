//! `iam:CreateLoginProfile` / `iam:UpdateLoginProfile` on another user.
//!
//! **What it finds:** a principal allowed to set (or reset) the console password of another
//! user of its account.
//! **Why it matters:** it can sign in as that user and use all of its permissions.
//! **Example:** iam-vulnerable `privesc5-CreateLoginProfile`, `privesc6-UpdateLoginProfile`:
//! `aws iam update-login-profile --user-name admin --password '...'`.

use super::{Ctx, Escalation, Found, Step};
use crate::graph::Node;
use crate::model::PrincipalRef;

pub const NAME: &str = "login-profile";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let m = ctx.model;
    let grants: Vec<_> = ["iam:CreateLoginProfile", "iam:UpdateLoginProfile"]
        .into_iter()
        .filter_map(|a| ctx.grant(p, a).map(|g| (a, g)))
        .collect();
    if grants.is_empty() {
        return;
    }
    for uid in ctx.users_beside(p) {
        let target = PrincipalRef::User(*uid);
        let Some(user) = m.users.get(uid.index()) else {
            continue;
        };
        if target == p {
            continue;
        }
        let arn = m.str(user.arn);
        for (action, grant) in &grants {
            if grant.covers(arn) {
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
