//! `ssm:SendCommand` / `ssm:StartSession` on instances with a profile role.
//!
//! **What it finds:** a principal allowed to run commands or open shells on EC2 instances
//! through Systems Manager; the instances' profile roles are candidates (all roles with an
//! instance profile when instances were not collected).
//! **Why it matters:** commands run on the instance can read the profile role's credentials
//! from the instance metadata service.
//! **Example:** iam-vulnerable `privesc-ssmSendCommand`, `privesc-ssmStartSession`:
//! `aws ssm send-command --instance-ids i-... --document-name AWS-RunShellScript ...`.

use super::{Ctx, Escalation, Found, Step};
use crate::graph::Node;
use crate::model::PrincipalRef;

pub const NAME: &str = "ssm-command";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    for action in ["ssm:SendCommand", "ssm:StartSession"] {
        if !ctx.may(p, action, "*") {
            continue;
        }
        for rid in instance_roles(ctx, p) {
            out.push(Found {
                target: Node::Principal(PrincipalRef::Role(rid)),
                escalation: Escalation {
                    detector: NAME,
                    steps: vec![Step::new(action, "*")],
                },
            });
        }
        return;
    }
}

/// Roles reachable on instances of `p`'s account: those of collected instances' profiles,
/// or every role with an instance profile when no instance was collected.
pub fn instance_roles(ctx: &Ctx<'_>, p: PrincipalRef) -> Vec<crate::model::RoleId> {
    let m = ctx.model;
    let account = ctx.account(p);
    let mut out = Vec::new();
    for (ri, r) in m.roles.iter().enumerate() {
        let rid = crate::model::RoleId(ri as u32);
        if PrincipalRef::Role(rid) == p
            || m.str(r.account) != account
            || r.instance_profiles.is_empty()
        {
            continue;
        }
        let on_instance = m.instances.is_empty()
            || m.instances.iter().any(|i| {
                i.instance_profile.is_some_and(|ip| {
                    crate::graph::compute::profile_of(m, ip)
                        .is_some_and(|pid| r.instance_profiles.contains(&pid))
                })
            });
        if on_instance {
            out.push(rid);
        }
    }
    out
}
