//! `ec2:ModifyInstanceAttribute` (user data) + `ec2:StopInstances` + `ec2:StartInstances`.
//!
//! **What it finds:** a principal allowed to stop an instance, replace its user data and
//! start it again; the instances' profile roles are candidates (every role with an instance
//! profile when instances were not collected).
//! **Why it matters:** cloud-init runs the new user data at boot, on the instance, where the
//! profile role's credentials are one metadata request away (pathfinding.cloud `ec2-002`).
//! **Example:** `aws ec2 stop-instances --instance-ids i-1 && aws ec2 modify-instance-attribute
//! --instance-id i-1 --attribute userData --value file://evil.b64 && aws ec2 start-instances ...`.

use super::{may_all, takeover_edges, Call, Ctx, Found, INSTANCE_ARNS};
use crate::model::PrincipalRef;

pub const NAME: &str = "ec2-user-data";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let calls: [Call; 3] = [
        ("ec2:StopInstances", INSTANCE_ARNS),
        ("ec2:ModifyInstanceAttribute", INSTANCE_ARNS),
        ("ec2:StartInstances", INSTANCE_ARNS),
    ];
    if may_all(ctx, p, &calls) {
        takeover_edges(NAME, &calls, ctx.instance_roles(p), out);
    }
}
