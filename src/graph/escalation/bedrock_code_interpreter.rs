//! `bedrock-agentcore:StartCodeInterpreterSession` + `InvokeCodeInterpreter` on an existing
//! code interpreter.
//!
//! **What it finds:** a principal allowed to open and drive sessions of Bedrock AgentCore
//! code interpreters; interpreters are not in the export, so every role AgentCore may
//! assume is a candidate.
//! **Why it matters:** the code runs in a microVM whose metadata service hands out the
//! interpreter's execution role credentials (pathfinding.cloud `bedrock-002`).
//! **Example:** `aws bedrock-agentcore start-code-interpreter-session --code-interpreter-identifier ci ...`.

use super::{may_all, takeover_edges, Call, Ctx, Found};
use crate::model::PrincipalRef;

pub const NAME: &str = "bedrock-code-interpreter";

/// Custom code interpreters. The Service Authorization Reference ("Actions, resources, and
/// condition keys for Amazon Bedrock AgentCore") lists two resource types for
/// `StartCodeInterpreterSession` and `InvokeCodeInterpreter`: `code-interpreter`, the AWS
/// managed interpreter (`arn:${Partition}:bedrock-agentcore:${Region}:aws:code-interpreter/${CodeInterpreterId}`,
/// owned by `aws`, running with no role of the account), and `code-interpreter-custom`
/// (`arn:${Partition}:bedrock-agentcore:${Region}:${Account}:code-interpreter-custom/${CodeInterpreterId}`),
/// the interpreters created with an execution role. Only the custom ones hold a role to
/// take over.
pub const CUSTOM_INTERPRETER_ARNS: &str = "arn:aws:bedrock-agentcore:*:*:code-interpreter-custom/*";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let calls: [Call; 2] = [
        (
            "bedrock-agentcore:StartCodeInterpreterSession",
            CUSTOM_INTERPRETER_ARNS,
        ),
        (
            "bedrock-agentcore:InvokeCodeInterpreter",
            CUSTOM_INTERPRETER_ARNS,
        ),
    ];
    if may_all(ctx, p, &calls) {
        let roles = ctx.roles_trusting_service(p, "bedrock-agentcore.amazonaws.com");
        takeover_edges(NAME, &calls, roles, out);
    }
}
