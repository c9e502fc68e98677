//! A new lifecycle configuration on an existing SageMaker notebook instance.
//!
//! **What it finds:** a principal allowed to create a notebook lifecycle configuration and
//! to stop, update and start notebook instances; notebooks are not in the export, so every
//! role SageMaker may assume is a candidate.
//! **Why it matters:** the lifecycle script runs at the notebook's start with its execution
//! role (pathfinding.cloud `sagemaker-005`).
//! **Example:** `aws sagemaker create-notebook-instance-lifecycle-config ... && aws sagemaker
//! update-notebook-instance --notebook-instance-name n --lifecycle-config-name evil ...`.

use super::{may_all, takeover_edges, Ctx, Found};
use crate::model::PrincipalRef;

pub const NAME: &str = "sagemaker-lifecycle-config";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let calls = [
        "sagemaker:CreateNotebookInstanceLifecycleConfig",
        "sagemaker:StopNotebookInstance",
        "sagemaker:UpdateNotebookInstance",
        "sagemaker:StartNotebookInstance",
    ];
    if may_all(ctx, p, &calls) {
        let roles = ctx.roles_trusting_service(p, "sagemaker.amazonaws.com");
        takeover_edges(NAME, &calls, roles, out);
    }
}
