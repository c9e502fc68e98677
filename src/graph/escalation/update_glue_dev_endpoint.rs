//! `glue:UpdateDevEndpoint` on an existing Glue development endpoint.
//!
//! **What it finds:** a principal allowed to update a Glue dev endpoint (adding its own SSH
//! key). Dev endpoints are not in the export, so every role Glue may assume is a candidate.
//! **Why it matters:** it logs in to the endpoint and uses the endpoint's role.
//! **Example:** iam-vulnerable `privesc19-UpdateExistingGlueDevEndpoint`:
//! `aws glue update-dev-endpoint --endpoint-name e --public-key file://key.pub`.

use super::{takeover_edges, Ctx, Found};
use crate::model::PrincipalRef;

pub const NAME: &str = "update-glue-dev-endpoint";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let action = "glue:UpdateDevEndpoint";
    if ctx.may(p, action, "*") {
        let roles = ctx.roles_trusting_service(p, "glue.amazonaws.com");
        takeover_edges(NAME, &[action], roles, out);
    }
}
