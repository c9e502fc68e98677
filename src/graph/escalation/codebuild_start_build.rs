//! `codebuild:StartBuild` / `codebuild:StartBuildBatch` on an existing project.
//!
//! **What it finds:** a principal allowed to start builds; projects are not in the export,
//! so every role CodeBuild may assume is a candidate.
//! **Why it matters:** a build started with `--buildspec-override` runs the principal's
//! commands with the project's service role (pathfinding.cloud `codebuild-002`, `-003`).
//! **Example:** `aws codebuild start-build --project-name p --buildspec-override file://evil.yml`.

use super::{may_all, takeover_edges, Call, Ctx, Found};
use crate::model::PrincipalRef;

pub const NAME: &str = "codebuild-start-build";

/// Build projects: the Service Authorization Reference ("Actions, resources, and condition
/// keys for AWS CodeBuild") lists resource type `project`
/// (`arn:${Partition}:codebuild:${Region}:${Account}:project/${ProjectName}`) for both
/// `StartBuild` and `StartBuildBatch`, and no other.
pub const PROJECT_ARNS: &str = "arn:aws:codebuild:*:*:project/*";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    for calls in [
        &[("codebuild:StartBuild", PROJECT_ARNS)][..],
        &[("codebuild:StartBuildBatch", PROJECT_ARNS)] as &[Call],
    ] {
        if may_all(ctx, p, calls) {
            let roles = ctx.roles_trusting_service(p, "codebuild.amazonaws.com");
            takeover_edges(NAME, calls, roles, out);
            return;
        }
    }
}
