//! `sagemaker:CreatePresignedNotebookInstanceUrl` on existing notebook instances.
//!
//! **What it finds:** a principal allowed to open existing SageMaker notebooks; notebooks are
//! not in the export, so every role SageMaker may assume is a candidate.
//! **Why it matters:** the notebook's terminal runs with the notebook's execution role.
//! **Example:** iam-vulnerable `privesc-sageMakerCreatePresignedNotebookURL`:
//! `aws sagemaker create-presigned-notebook-instance-url --notebook-instance-name n`.

use super::{may_all, takeover_edges, Call, Ctx, Found};
use crate::model::PrincipalRef;

pub const NAME: &str = "sagemaker-presigned-url";

/// Notebook instances: the Service Authorization Reference ("Actions, resources, and
/// condition keys for Amazon SageMaker AI") lists resource type `notebook-instance`
/// (`arn:${Partition}:sagemaker:${Region}:${Account}:notebook-instance/${NotebookInstanceName}`)
/// for `CreatePresignedNotebookInstanceUrl`, `StopNotebookInstance`,
/// `UpdateNotebookInstance` and `StartNotebookInstance`.
pub const NOTEBOOK_ARNS: &str = "arn:aws:sagemaker:*:*:notebook-instance/*";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let calls: [Call; 1] = [(
        "sagemaker:CreatePresignedNotebookInstanceUrl",
        NOTEBOOK_ARNS,
    )];
    if may_all(ctx, p, &calls) {
        let roles = ctx.roles_trusting_service(p, "sagemaker.amazonaws.com");
        takeover_edges(NAME, &calls, roles, out);
    }
}
