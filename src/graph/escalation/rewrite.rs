//! The IAM calls by which one principal rewrites another's permissions (not a detector:
//! the building block of `modify_role_then_assume` and `modify_user_then_sign_in`, which
//! add how the principal then acts as the one it rewrote).

use super::{Ctx, Escalation, Found, Step};
use crate::graph::{Gain, Node};
use crate::model::{Collected, PrincipalRef};

const ADMIN_POLICY: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

/// The actions any rewrite needs one of: a principal holding none is skipped at once.
pub const REWRITE_ACTIONS: &[&str] = &[
    "iam:AttachRolePolicy",
    "iam:PutRolePolicy",
    "iam:AttachUserPolicy",
    "iam:PutUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:PutGroupPolicy",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:AddUserToGroup",
];

/// Whether `p` may make some rewrite call at all.
pub fn may_rewrite(ctx: &Ctx<'_>, p: PrincipalRef) -> bool {
    REWRITE_ACTIONS.iter().any(|a| ctx.may(p, a, "*"))
}

/// Ways `p` can give `target` more permissions, each one call and what it gives: one
/// "any action" rewrite when there is one (it covers every other), else each group `target`
/// could be added to.
pub fn rewrites(ctx: &Ctx<'_>, p: PrincipalRef, target: PrincipalRef) -> Vec<(Step, Gain)> {
    let m = ctx.model;
    let arn = ctx.arn(target);
    // (action, resource, context) candidates that give any action.
    let mut own: Vec<(&str, String)> = match target {
        PrincipalRef::Role(_) => vec![
            ("iam:AttachRolePolicy", arn.clone()),
            ("iam:PutRolePolicy", arn.clone()),
        ],
        PrincipalRef::User(_) => vec![
            ("iam:AttachUserPolicy", arn.clone()),
            ("iam:PutUserPolicy", arn.clone()),
        ],
    };
    let mut groups_in = Vec::new();
    if let PrincipalRef::User(u) = target {
        for g in m
            .users
            .get(u.index())
            .map(|x| x.groups.as_slice())
            .unwrap_or(&[])
        {
            if let Collected::Present(gid) = g.group {
                groups_in.push(gid);
                if let Some(grp) = m.groups.get(gid.index()) {
                    let garn = m.str(grp.arn).to_string();
                    own.push(("iam:AttachGroupPolicy", garn.clone()));
                    own.push(("iam:PutGroupPolicy", garn));
                }
            }
        }
    }
    for pol in ctx.attached_customer_policies(target) {
        own.push(("iam:CreatePolicyVersion", pol.clone()));
        own.push(("iam:SetDefaultPolicyVersion", pol));
    }
    for (action, resource) in own {
        if ctx.may(p, action, &resource) {
            let mut step = Step::new(action, &resource);
            if action.starts_with("iam:Attach") {
                step = step.with("iam:PolicyARN", ADMIN_POLICY);
            }
            return vec![(step, Gain::AnyAction)];
        }
    }
    let mut out = Vec::new();
    if let (PrincipalRef::User(_), Some(grant)) = (target, ctx.grant(p, "iam:AddUserToGroup")) {
        for gid in ctx.groups_beside(target) {
            let Some(grp) = m.groups.get(gid.index()) else {
                continue;
            };
            let has_policies = !grp.inline_policies.is_empty() || !grp.attached_policies.is_empty();
            let garn = m.str(grp.arn);
            if has_policies && !groups_in.contains(gid) && grant.covers(garn) {
                out.push((Step::new("iam:AddUserToGroup", garn), Gain::Group(*gid)));
            }
        }
    }
    out
}

/// Pushes one finding per way `p` can rewrite `target` (see `rewrites`): the rewrite's call
/// followed by `then`, the calls by which `p` then acts as `target`.
pub fn push_rewrites(
    ctx: &Ctx<'_>,
    detector: &'static str,
    p: PrincipalRef,
    target: PrincipalRef,
    then: &[Step],
    out: &mut Vec<Found>,
) {
    for (step, gain) in rewrites(ctx, p, target) {
        let mut steps = Vec::with_capacity(then.len() + 1);
        steps.push(step);
        steps.extend_from_slice(then);
        out.push(Found {
            target: Node::Escalated {
                principal: target,
                gain,
            },
            escalation: Escalation { detector, steps },
        });
    }
}
