//! `cloudformation:UpdateStack` on an existing stack that runs with a service role.
//!
//! **What it finds:** a principal allowed to update stacks; stacks are not in the export, so
//! every role CloudFormation may assume is a candidate.
//! **Why it matters:** the updated template is applied with the stack's role, creating
//! whatever the principal writes into it (for example an admin user for itself).
//! **Example:** iam-vulnerable `privesc-CloudFormationUpdateStack`:
//! `aws cloudformation update-stack --stack-name s --template-body file://evil.yaml`.

use super::{Ctx, Escalation, Found, Step};
use crate::graph::Node;
use crate::model::PrincipalRef;

pub const NAME: &str = "cloudformation-update-stack";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    if !ctx.may(p, "cloudformation:UpdateStack", "*") {
        return;
    }
    for rid in ctx.roles_trusting_service(&ctx.account(p), "cloudformation.amazonaws.com") {
        if PrincipalRef::Role(rid) == p {
            continue;
        }
        out.push(Found {
            target: Node::Principal(PrincipalRef::Role(rid)),
            escalation: Escalation {
                detector: NAME,
                steps: vec![Step::new("cloudformation:UpdateStack", "*")],
            },
        });
    }
}
