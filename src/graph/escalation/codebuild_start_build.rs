//! `codebuild:StartBuild` / `codebuild:StartBuildBatch` on an existing project.
//!
//! **What it finds:** a principal allowed to start builds; projects are not in the export,
//! so every role CodeBuild may assume is a candidate.
//! **Why it matters:** a build started with `--buildspec-override` runs the principal's
//! commands with the project's service role (pathfinding.cloud `codebuild-002`, `-003`).
//! **Example:** `aws codebuild start-build --project-name p --buildspec-override file://evil.yml`.

use super::{may_all, takeover_edges, Ctx, Found};
use crate::model::PrincipalRef;

pub const NAME: &str = "codebuild-start-build";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    for calls in [
        &["codebuild:StartBuild"][..],
        &["codebuild:StartBuildBatch"],
    ] {
        if may_all(ctx, p, calls) {
            let roles = ctx.roles_trusting_service(p, "codebuild.amazonaws.com");
            takeover_edges(NAME, calls, roles, out);
            return;
        }
    }
}
