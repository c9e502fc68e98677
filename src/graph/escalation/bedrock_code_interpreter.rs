//! `bedrock-agentcore:StartCodeInterpreterSession` + `InvokeCodeInterpreter` on an existing
//! code interpreter.
//!
//! **What it finds:** a principal allowed to open and drive sessions of Bedrock AgentCore
//! code interpreters; interpreters are not in the export, so every role AgentCore may
//! assume is a candidate.
//! **Why it matters:** the code runs in a microVM whose metadata service hands out the
//! interpreter's execution role credentials (pathfinding.cloud `bedrock-002`).
//! **Example:** `aws bedrock-agentcore start-code-interpreter-session --code-interpreter-identifier ci ...`.

use super::{may_all, takeover_edges, Ctx, Found};
use crate::model::PrincipalRef;

pub const NAME: &str = "bedrock-code-interpreter";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let calls = [
        "bedrock-agentcore:StartCodeInterpreterSession",
        "bedrock-agentcore:InvokeCodeInterpreter",
    ];
    if may_all(ctx, p, &calls) {
        let roles = ctx.roles_trusting_service(p, "bedrock-agentcore.amazonaws.com");
        takeover_edges(NAME, &calls, roles, out);
    }
}
