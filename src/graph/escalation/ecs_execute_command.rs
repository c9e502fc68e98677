//! `ecs:ExecuteCommand` into a running ECS task.
//!
//! **What it finds:** a principal allowed to open ECS Exec sessions; tasks are not in the
//! export, so every role ECS tasks may assume is a candidate.
//! **Why it matters:** a shell in the container reads the task role's credentials from the
//! container credentials endpoint (pathfinding.cloud `ecs-006`).
//! **Example:** `aws ecs execute-command --cluster c --task t --interactive --command /bin/sh`.

use super::{may_all, takeover_edges, Call, Ctx, Found};
use crate::model::PrincipalRef;

pub const NAME: &str = "ecs-execute-command";

/// Any ECS resource. The Service Authorization Reference ("Actions, resources, and
/// condition keys for Amazon Elastic Container Service") lists two resource types for
/// `ExecuteCommand`, `cluster` (`arn:${Partition}:ecs:${Region}:${Account}:cluster/${ClusterName}`)
/// and `task` (`arn:${Partition}:ecs:${Region}:${Account}:task/${ClusterName}/${TaskId}`).
/// Which one AWS decides on is not settled by what was consulted: users report needing both
/// (aws/containers-roadmap#1050), AWS's ECS Exec checker asks on the task rather than the
/// cluster (aws-containers/amazon-ecs-exec-checker#6), and policies in use grant it on the
/// cluster alone. Asking on one of them could deny a call AWS allows, and one glob cannot
/// name just the two, so the step is asked on the smallest glob over both: any ECS
/// resource. A grant on another service's resources (SSM documents, say) still takes over
/// no task.
pub const ECS_ARNS: &str = "arn:aws:ecs:*";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let calls: [Call; 1] = [("ecs:ExecuteCommand", ECS_ARNS)];
    if may_all(ctx, p, &calls) {
        let roles = ctx.roles_trusting_service(p, "ecs-tasks.amazonaws.com");
        takeover_edges(NAME, &calls, roles, out);
    }
}
