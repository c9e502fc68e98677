//! The IAM calls by which one principal rewrites another's permissions (not a detector:
//! the building block of `modify_role_then_assume` and `modify_user_then_sign_in`, which
//! add how the principal then acts as the one it rewrote).

use super::{Ctx, Escalation, Found, Step};
use crate::graph::{Gain, Node};
use crate::model::{GroupId, PrincipalRef};

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

/// The calls that write a policy onto a user, a role and a group.
pub struct PolicyWrites {
    pub user: &'static str,
    pub role: &'static str,
    pub group: &'static str,
}

/// Attaching managed policies.
pub const ATTACH: PolicyWrites = PolicyWrites {
    user: "iam:AttachUserPolicy",
    role: "iam:AttachRolePolicy",
    group: "iam:AttachGroupPolicy",
};

/// Putting inline policies.
pub const PUT: PolicyWrites = PolicyWrites {
    user: "iam:PutUserPolicy",
    role: "iam:PutRolePolicy",
    group: "iam:PutGroupPolicy",
};

/// The policy writes onto `target` itself (its user or role) and, for a user, onto each of
/// its groups: (call, resource).
fn policy_writes_on(
    ctx: &Ctx<'_>,
    target: PrincipalRef,
    calls: &PolicyWrites,
) -> Vec<(&'static str, String)> {
    let own = match target {
        PrincipalRef::User(_) => calls.user,
        PrincipalRef::Role(_) => calls.role,
    };
    let mut out = vec![(own, ctx.arn(target))];
    out.extend(
        ctx.groups_of(target)
            .into_iter()
            .map(|(_, garn)| (calls.group, garn.to_string())),
    );
    out
}

/// The first policy write of `calls` that `p` may make on itself or one of its groups.
pub fn policy_write_on_itself(
    ctx: &Ctx<'_>,
    p: PrincipalRef,
    calls: &PolicyWrites,
) -> Option<(&'static str, String)> {
    if ![calls.user, calls.role, calls.group]
        .into_iter()
        .any(|a| ctx.may(p, a, "*"))
    {
        return None;
    }
    policy_writes_on(ctx, p, calls)
        .into_iter()
        .find(|(action, arn)| ctx.may(p, action, arn))
}

/// Whether `p` may make some rewrite call at all.
pub fn may_rewrite(ctx: &Ctx<'_>, p: PrincipalRef) -> bool {
    REWRITE_ACTIONS.iter().any(|a| ctx.may(p, a, "*"))
}

/// Ways `p` can give `target` more permissions, each one call and what it gives: one
/// "any action" rewrite when there is one (it covers every other), else each group `target`
/// could be added to.
pub fn rewrites(ctx: &Ctx<'_>, p: PrincipalRef, target: PrincipalRef) -> Vec<(Step, Gain)> {
    let m = ctx.model;
    // (action, resource) candidates that give any action, in order: attach, then put, on
    // the target; then on each of its groups; then a new version of an attached policy.
    let writes: Vec<_> = [&ATTACH, &PUT]
        .iter()
        .map(|calls| policy_writes_on(ctx, target, calls))
        .collect();
    let groups_in: Vec<GroupId> = ctx.groups_of(target).into_iter().map(|(g, _)| g).collect();
    let mut own: Vec<(&str, String)> = Vec::new();
    for i in 0..=groups_in.len() {
        own.extend(writes.iter().filter_map(|w| w.get(i).cloned()));
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
