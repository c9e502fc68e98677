//! `ecs:ExecuteCommand` into a running ECS task.
//!
//! **What it finds:** a principal allowed to open ECS Exec sessions; tasks are not in the
//! export, so every role ECS tasks may assume is a candidate.
//! **Why it matters:** a shell in the container reads the task role's credentials from the
//! container credentials endpoint (pathfinding.cloud `ecs-006`).
//! **Example:** `aws ecs execute-command --cluster c --task t --interactive --command /bin/sh`.

use super::{may_all, takeover_edges, Ctx, Found};
use crate::model::PrincipalRef;

pub const NAME: &str = "ecs-execute-command";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let calls = ["ecs:ExecuteCommand"];
    if may_all(ctx, p, &calls) {
        let roles = ctx.roles_trusting_service(p, "ecs-tasks.amazonaws.com");
        takeover_edges(NAME, &calls, roles, out);
    }
}
