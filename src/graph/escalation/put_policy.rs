//! `iam:PutUserPolicy` / `iam:PutGroupPolicy` / `iam:PutRolePolicy` on itself (its user, one
//! of its groups, its role).
//!
//! **What it finds:** a principal allowed to write an inline policy onto its own identity.
//! **Why it matters:** the inline policy can say `"Action": "*"`: the principal has every
//! permission its boundary and the SCPs leave.
//! **Example:** iam-vulnerable `privesc10-PutUserPolicy`, `privesc11-PutGroupPolicy`,
//! `privesc12-PutRolePolicy`: `aws iam put-user-policy --user-name me --policy-name x --policy-document file://admin.json`.

use super::{escalated, Ctx, Escalation, Found, Step};
use crate::model::PrincipalRef;

pub const NAME: &str = "put-inline-policy";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let may_any = |a: &str| ctx.may(p, a, "*");
    if ![
        "iam:PutUserPolicy",
        "iam:PutRolePolicy",
        "iam:PutGroupPolicy",
    ]
    .into_iter()
    .any(may_any)
    {
        return;
    }
    let m = ctx.model;
    let mut targets: Vec<(&str, String)> = vec![match p {
        PrincipalRef::User(_) => ("iam:PutUserPolicy", ctx.arn(p)),
        PrincipalRef::Role(_) => ("iam:PutRolePolicy", ctx.arn(p)),
    }];
    if let PrincipalRef::User(u) = p {
        if let Some(user) = m.users.get(u.index()) {
            for g in &user.groups {
                if let crate::model::Collected::Present(gid) = g.group {
                    if let Some(grp) = m.groups.get(gid.index()) {
                        targets.push(("iam:PutGroupPolicy", m.str(grp.arn).to_string()));
                    }
                }
            }
        }
    }
    for (action, arn) in targets {
        if ctx.may(p, action, &arn) {
            out.push(Found {
                target: escalated(p),
                escalation: Escalation {
                    detector: NAME,
                    steps: vec![Step::new(action, &arn)],
                },
            });
            return;
        }
    }
}
