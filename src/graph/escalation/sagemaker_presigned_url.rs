//! `sagemaker:CreatePresignedNotebookInstanceUrl` on existing notebook instances.
//!
//! **What it finds:** a principal allowed to open existing SageMaker notebooks; notebooks are
//! not in the export, so every role SageMaker may assume is a candidate.
//! **Why it matters:** the notebook's terminal runs with the notebook's execution role.
//! **Example:** iam-vulnerable `privesc-sageMakerCreatePresignedNotebookURL`:
//! `aws sagemaker create-presigned-notebook-instance-url --notebook-instance-name n`.

use super::{Ctx, Escalation, Found, Step};
use crate::graph::Node;
use crate::model::PrincipalRef;

pub const NAME: &str = "sagemaker-presigned-url";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let action = "sagemaker:CreatePresignedNotebookInstanceUrl";
    if !ctx.may(p, action, "*") {
        return;
    }
    for rid in ctx.roles_trusting_service(p, "sagemaker.amazonaws.com") {
        if PrincipalRef::Role(rid) == p {
            continue;
        }
        out.push(Found {
            target: Node::Principal(PrincipalRef::Role(rid)),
            escalation: Escalation {
                detector: NAME,
                steps: vec![Step::new(action, "*")],
            },
        });
    }
}
