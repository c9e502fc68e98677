//! `iam:AttachUserPolicy` / `iam:AttachGroupPolicy` / `iam:AttachRolePolicy` on itself.
//!
//! **What it finds:** a principal allowed to attach managed policies to its own user, one of
//! its groups, or its role.
//! **Why it matters:** attaching `arn:aws:iam::aws:policy/AdministratorAccess` gives it every
//! permission its boundary and the SCPs leave.
//! **Example:** iam-vulnerable `privesc7-AttachUserPolicy`, `privesc8-AttachGroupPolicy`,
//! `privesc9-AttachRolePolicy`: `aws iam attach-user-policy --user-name me --policy-arn arn:aws:iam::aws:policy/AdministratorAccess`.

use super::{escalated, Ctx, Escalation, Found, Step};
use crate::model::PrincipalRef;

pub const NAME: &str = "attach-managed-policy";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let may_any = |a: &str| ctx.may(p, a, "*");
    if ![
        "iam:AttachUserPolicy",
        "iam:AttachRolePolicy",
        "iam:AttachGroupPolicy",
    ]
    .into_iter()
    .any(may_any)
    {
        return;
    }
    let m = ctx.model;
    let mut targets: Vec<(&str, String)> = vec![match p {
        PrincipalRef::User(_) => ("iam:AttachUserPolicy", ctx.arn(p)),
        PrincipalRef::Role(_) => ("iam:AttachRolePolicy", ctx.arn(p)),
    }];
    if let PrincipalRef::User(u) = p {
        if let Some(user) = m.users.get(u.index()) {
            for g in &user.groups {
                if let crate::model::Collected::Present(gid) = g.group {
                    if let Some(grp) = m.groups.get(gid.index()) {
                        targets.push(("iam:AttachGroupPolicy", m.str(grp.arn).to_string()));
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
                    steps: vec![Step::new(action, &arn).with(
                        "iam:PolicyARN",
                        "arn:aws:iam::aws:policy/AdministratorAccess",
                    )],
                },
            });
            return;
        }
    }
}
