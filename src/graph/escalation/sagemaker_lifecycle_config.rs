//! A new lifecycle configuration on an existing SageMaker notebook instance.
//!
//! **What it finds:** a principal allowed to create a notebook lifecycle configuration and
//! to stop, update and start notebook instances; notebooks are not in the export, so every
//! role SageMaker may assume is a candidate.
//! **Why it matters:** the lifecycle script runs at the notebook's start with its execution
//! role (pathfinding.cloud `sagemaker-005`).
//! **Example:** `aws sagemaker create-notebook-instance-lifecycle-config ... && aws sagemaker
//! update-notebook-instance --notebook-instance-name n --lifecycle-config-name evil ...`.

use super::sagemaker_presigned_url::NOTEBOOK_ARNS;
use super::{may_all, takeover_edges, Call, Ctx, Found};
use crate::model::PrincipalRef;

pub const NAME: &str = "sagemaker-lifecycle-config";

/// Lifecycle configurations: the Service Authorization Reference lists resource type
/// `notebook-instance-lifecycle-config` (`arn:${Partition}:sagemaker:${Region}:${Account}:
/// notebook-instance-lifecycle-config/${NotebookInstanceLifecycleConfigName}`) for
/// `CreateNotebookInstanceLifecycleConfig`; the notebook calls act on the notebook instance
/// (`NOTEBOOK_ARNS`).
pub const LIFECYCLE_CONFIG_ARNS: &str =
    "arn:aws:sagemaker:*:*:notebook-instance-lifecycle-config/*";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let calls: [Call; 4] = [
        (
            "sagemaker:CreateNotebookInstanceLifecycleConfig",
            LIFECYCLE_CONFIG_ARNS,
        ),
        ("sagemaker:StopNotebookInstance", NOTEBOOK_ARNS),
        ("sagemaker:UpdateNotebookInstance", NOTEBOOK_ARNS),
        ("sagemaker:StartNotebookInstance", NOTEBOOK_ARNS),
    ];
    if may_all(ctx, p, &calls) {
        let roles = ctx.roles_trusting_service(p, "sagemaker.amazonaws.com");
        takeover_edges(NAME, &calls, roles, out);
    }
}
