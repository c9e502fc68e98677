//! `iam:AddUserToGroup`: a user adds itself to a group with more permissions.
//!
//! **What it finds:** a user allowed `iam:AddUserToGroup` on a group of its account it is not
//! in.
//! **Why it matters:** it gains every permission of that group (for example an `admin`
//! group).
//! **Example:** iam-vulnerable `privesc13-AddUserToGroup`:
//! `aws iam add-user-to-group --group-name admin --user-name me`.

use super::{Ctx, Escalation, Found, Step};
use crate::graph::{Gain, Node};
use crate::model::PrincipalRef;

pub const NAME: &str = "add-user-to-group";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let PrincipalRef::User(u) = p else { return };
    let m = ctx.model;
    let Some(grant) = ctx.grant(p, "iam:AddUserToGroup") else {
        return;
    };
    for gid in ctx.groups_beside(p) {
        let Some(grp) = m.groups.get(gid.index()) else {
            continue;
        };
        if grp.members.contains(&u) {
            continue;
        }
        let has_policies = !grp.inline_policies.is_empty() || !grp.attached_policies.is_empty();
        let arn = m.str(grp.arn);
        if has_policies && grant.covers(arn) {
            out.push(Found {
                target: Node::Escalated {
                    principal: p,
                    gain: Gain::Group(*gid),
                },
                escalation: Escalation {
                    detector: NAME,
                    steps: vec![Step::new("iam:AddUserToGroup", arn)],
                },
            });
        }
    }
}
