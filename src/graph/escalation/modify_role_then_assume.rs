//! Rewrite another role's permissions, then assume it.
//!
//! **What it finds:** a principal allowed to attach a managed policy to, or put an inline
//! policy on, a role — or to write a new default version of a customer-managed policy
//! attached to the role — that it can also assume: because the role's trust already lets
//! it, or because it may rewrite that trust too (`iam:UpdateAssumeRolePolicy`).
//! **Why it matters:** the role's sessions then hold whatever the principal wrote: any
//! action its boundary and the SCPs leave (pathfinding.cloud `iam-014`, `-016`, `-017`,
//! `-019`, `-020`, `-021`; iam-vulnerable `privesc9`/`privesc12` users against a role they
//! can assume).
//! **Example:** `aws iam attach-role-policy --role-name target --policy-arn
//! arn:aws:iam::aws:policy/AdministratorAccess && aws sts assume-role --role-arn ...target`.
//!
//! The steps hold the rewrite and, unless the trust names the principal's own ARN (then the
//! trust alone admits it in its account), `sts:AssumeRole` for the identity side; the trust
//! policy's conditions are those of the assume-role edge this detector starts from, which
//! `routes` confirms on its own.

use super::rewrite::{may_rewrite, rewrites};
use super::{Ctx, Escalation, Found, Step};
use crate::graph::Node;
use crate::model::PrincipalRef;

pub const NAME: &str = "modify-role-then-assume";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    if !may_rewrite(ctx, p) {
        return;
    }
    let m = ctx.model;
    let trusted = ctx.assumable(p);
    for rid in trusted {
        let target = PrincipalRef::Role(*rid);
        if target == p {
            continue;
        }
        let Some(role) = m.roles.get(rid.index()) else {
            continue;
        };
        let arn = m.str(role.arn);
        for (step, gain) in rewrites(ctx, p, target) {
            let mut steps = vec![step];
            if !ctx.trust_names(*rid, p) {
                steps.push(Step::new("sts:AssumeRole", arn));
            }
            out.push(Found {
                target: Node::Escalated {
                    principal: target,
                    gain,
                },
                escalation: Escalation {
                    detector: NAME,
                    steps,
                },
            });
        }
    }
    // Roles whose trust the principal rewrites first.
    let (Some(update), Some(assume)) = (
        ctx.grant(p, "iam:UpdateAssumeRolePolicy"),
        ctx.grant(p, "sts:AssumeRole"),
    ) else {
        return;
    };
    for rid in ctx.roles_beside(p) {
        let target = PrincipalRef::Role(*rid);
        if target == p || trusted.contains(rid) {
            continue;
        }
        let Some(role) = m.roles.get(rid.index()) else {
            continue;
        };
        let arn = m.str(role.arn);
        if !update.covers(arn) || !assume.covers(arn) {
            continue;
        }
        for (step, gain) in rewrites(ctx, p, target) {
            out.push(Found {
                target: Node::Escalated {
                    principal: target,
                    gain,
                },
                escalation: Escalation {
                    detector: NAME,
                    steps: vec![
                        step,
                        Step::new("iam:UpdateAssumeRolePolicy", arn),
                        Step::new("sts:AssumeRole", arn),
                    ],
                },
            });
        }
    }
}
