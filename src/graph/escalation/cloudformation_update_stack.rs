//! `cloudformation:UpdateStack` (or a change set: `CreateChangeSet` + `ExecuteChangeSet`) on
//! an existing stack that runs with a service role.
//!
//! **What it finds:** a principal allowed to update stacks; stacks are not in the export, so
//! every role CloudFormation may assume is a candidate.
//! **Why it matters:** the updated template is applied with the stack's role, creating
//! whatever the principal writes into it (for example an admin user for itself)
//! (pathfinding.cloud `cloudformation-002`, `-005`).
//! **Example:** iam-vulnerable `privesc-CloudFormationUpdateStack`:
//! `aws cloudformation update-stack --stack-name s --template-body file://evil.yaml`.

use super::{may_all, takeover_edges, Call, Ctx, Found};
use crate::model::PrincipalRef;

pub const NAME: &str = "cloudformation-update-stack";

/// Stacks: the Service Authorization Reference ("Actions, resources, and condition keys for
/// AWS CloudFormation") lists resource type `stack`
/// (`arn:${Partition}:cloudformation:${Region}:${Account}:stack/${StackName}/${Id}`) for
/// `UpdateStack`, `CreateChangeSet` and `ExecuteChangeSet`, and no other.
pub const STACK_ARNS: &str = "arn:aws:cloudformation:*:*:stack/*";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    for calls in [
        &[("cloudformation:UpdateStack", STACK_ARNS)][..],
        &[
            ("cloudformation:CreateChangeSet", STACK_ARNS),
            ("cloudformation:ExecuteChangeSet", STACK_ARNS),
        ] as &[Call],
    ] {
        if may_all(ctx, p, calls) {
            let roles = ctx.roles_trusting_service(p, "cloudformation.amazonaws.com");
            takeover_edges(NAME, calls, roles, out);
            return;
        }
    }
}
