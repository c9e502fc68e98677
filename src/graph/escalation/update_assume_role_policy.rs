//! `iam:UpdateAssumeRolePolicy` + `sts:AssumeRole`: rewrite a role's trust, then assume it.
//!
//! **What it finds:** a principal allowed to replace the trust policy of a role and to call
//! `sts:AssumeRole` on it.
//! **Why it matters:** it can make the role trust itself and take its permissions.
//! **Example:** iam-vulnerable `privesc14-UpdatingAssumeRolePolicy`:
//! `aws iam update-assume-role-policy --role-name admin --policy-document file://trust-me.json`.

use super::{Ctx, Escalation, Found, Step};
use crate::graph::Node;
use crate::model::PrincipalRef;

pub const NAME: &str = "update-assume-role-policy";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let m = ctx.model;
    let (Some(update), Some(assume)) = (
        ctx.grant(p, "iam:UpdateAssumeRolePolicy"),
        ctx.grant(p, "sts:AssumeRole"),
    ) else {
        return;
    };
    for rid in ctx.roles_beside(p) {
        let target = PrincipalRef::Role(*rid);
        let Some(role) = m.roles.get(rid.index()) else {
            continue;
        };
        if target == p {
            continue;
        }
        let arn = m.str(role.arn);
        if update.covers(arn) && assume.covers(arn) {
            out.push(Found {
                target: Node::Principal(target),
                escalation: Escalation {
                    detector: NAME,
                    steps: vec![
                        Step::new("iam:UpdateAssumeRolePolicy", arn),
                        Step::new("sts:AssumeRole", arn),
                    ],
                },
            });
        }
    }
}
