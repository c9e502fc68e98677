//! `apprunner:UpdateService` on an existing App Runner service.
//!
//! **What it finds:** a principal allowed to update App Runner services; services are not
//! in the export, so every role App Runner tasks may assume is a candidate.
//! **Why it matters:** the updated image and start command run with the service's instance
//! role (pathfinding.cloud `apprunner-002`).
//! **Example:** `aws apprunner update-service --service-arn ... --source-configuration file://evil.json`.

use super::{may_all, takeover_edges, Call, Ctx, Found};
use crate::model::PrincipalRef;

pub const NAME: &str = "apprunner-update-service";

/// App Runner services: the Service Authorization Reference ("Actions, resources, and
/// condition keys for AWS App Runner") lists resource type `service`
/// (`arn:${Partition}:apprunner:${Region}:${Account}:service/${ServiceName}/${ServiceId}`)
/// for `UpdateService`, next to the configurations and connections the update may name
/// (`autoscalingconfiguration`, `connection`, `observabilityconfiguration`,
/// `vpcconnector`); the service is in every request, the others only when named.
pub const SERVICE_ARNS: &str = "arn:aws:apprunner:*:*:service/*";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let calls: [Call; 1] = [("apprunner:UpdateService", SERVICE_ARNS)];
    if may_all(ctx, p, &calls) {
        let roles = ctx.roles_trusting_service(p, "tasks.apprunner.amazonaws.com");
        takeover_edges(NAME, &calls, roles, out);
    }
}
