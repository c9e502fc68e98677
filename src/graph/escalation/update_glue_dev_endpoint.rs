//! `glue:UpdateDevEndpoint` on an existing Glue development endpoint.
//!
//! **What it finds:** a principal allowed to update a Glue dev endpoint (adding its own SSH
//! key). Dev endpoints are not in the export, so every role Glue may assume is a candidate.
//! **Why it matters:** it logs in to the endpoint and uses the endpoint's role.
//! **Example:** iam-vulnerable `privesc19-UpdateExistingGlueDevEndpoint`:
//! `aws glue update-dev-endpoint --endpoint-name e --public-key file://key.pub`.

use super::{may_all, takeover_edges, Call, Ctx, Found};
use crate::model::PrincipalRef;

pub const NAME: &str = "update-glue-dev-endpoint";

/// Development endpoints: the Service Authorization Reference ("Actions, resources, and
/// condition keys for AWS Glue") lists resource type `devendpoint` for `UpdateDevEndpoint`,
/// whose ARN is `arn:${Partition}:glue:${Region}:${Account}:devEndpoint/${DevEndpointName}`
/// (AWS Glue Developer Guide, "Specifying AWS Glue resource ARNs"; resource ARNs match
/// case-sensitively, so the pattern keeps `devEndpoint`).
pub const DEV_ENDPOINT_ARNS: &str = "arn:aws:glue:*:*:devEndpoint/*";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let calls: [Call; 1] = [("glue:UpdateDevEndpoint", DEV_ENDPOINT_ARNS)];
    if may_all(ctx, p, &calls) {
        let roles = ctx.roles_trusting_service(p, "glue.amazonaws.com");
        takeover_edges(NAME, &calls, roles, out);
    }
}
