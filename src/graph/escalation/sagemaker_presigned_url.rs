//! `sagemaker:CreatePresignedNotebookInstanceUrl` on existing notebook instances.
//!
//! **What it finds:** a principal allowed to open existing SageMaker notebooks; notebooks are
//! not in the export, so every role SageMaker may assume is a candidate.
//! **Why it matters:** the notebook's terminal runs with the notebook's execution role.
//! **Example:** iam-vulnerable `privesc-sageMakerCreatePresignedNotebookURL`:
//! `aws sagemaker create-presigned-notebook-instance-url --notebook-instance-name n`.

use super::{takeover_edges, Ctx, Found};
use crate::model::PrincipalRef;

pub const NAME: &str = "sagemaker-presigned-url";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let action = "sagemaker:CreatePresignedNotebookInstanceUrl";
    if ctx.may(p, action, "*") {
        let roles = ctx.roles_trusting_service(p, "sagemaker.amazonaws.com");
        takeover_edges(NAME, &[action], roles, out);
    }
}
