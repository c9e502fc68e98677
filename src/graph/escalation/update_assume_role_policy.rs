//! `iam:UpdateAssumeRolePolicy` + `sts:AssumeRole`: rewrite a role's trust, then assume it.
//!
//! **What it finds:** a principal allowed to replace the trust policy of a role and to call
//! `sts:AssumeRole` on it.
//! **Why it matters:** it can make the role trust itself and take its permissions.
//! **Example:** iam-vulnerable `privesc14-UpdatingAssumeRolePolicy`:
//! `aws iam update-assume-role-policy --role-name admin --policy-document file://trust-me.json`.

use super::{Ctx, Escalation, Found, Step};
use crate::graph::Node;
use crate::model::{PrincipalRef, RoleId};

pub const NAME: &str = "update-assume-role-policy";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let m = ctx.model;
    let account = ctx.account(p);
    for (ri, role) in m.roles.iter().enumerate() {
        let target = PrincipalRef::Role(RoleId(ri as u32));
        if target == p || role.service_linked || m.str(role.account) != account {
            continue;
        }
        let arn = m.str(role.arn);
        if ctx.may(p, "iam:UpdateAssumeRolePolicy", arn) && ctx.may(p, "sts:AssumeRole", arn) {
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
