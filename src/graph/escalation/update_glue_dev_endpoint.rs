//! `glue:UpdateDevEndpoint` on an existing Glue development endpoint.
//!
//! **What it finds:** a principal allowed to update a Glue dev endpoint (adding its own SSH
//! key). Dev endpoints are not in the export, so every role Glue may assume is a candidate.
//! **Why it matters:** it logs in to the endpoint and uses the endpoint's role.
//! **Example:** iam-vulnerable `privesc19-UpdateExistingGlueDevEndpoint`:
//! `aws glue update-dev-endpoint --endpoint-name e --public-key file://key.pub`.

use super::{Ctx, Escalation, Found, Step};
use crate::graph::Node;
use crate::model::PrincipalRef;

pub const NAME: &str = "update-glue-dev-endpoint";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    if !ctx.may(p, "glue:UpdateDevEndpoint", "*") {
        return;
    }
    for rid in ctx.roles_trusting_service(p, "glue.amazonaws.com") {
        if PrincipalRef::Role(rid) == p {
            continue;
        }
        out.push(Found {
            target: Node::Principal(PrincipalRef::Role(rid)),
            escalation: Escalation {
                detector: NAME,
                steps: vec![Step::new("glue:UpdateDevEndpoint", "*")],
            },
        });
    }
}
