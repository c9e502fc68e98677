//! `ec2-instance-connect:SendSSHPublicKey` on instances with a profile role.
//!
//! **What it finds:** a principal allowed to push a temporary SSH key to EC2 instances; the
//! instances' profile roles are candidates.
//! **Why it matters:** once logged in, it reads the profile role's credentials from the
//! instance metadata service.
//! **Example:** iam-vulnerable `privesc-ec2InstanceConnect`:
//! `aws ec2-instance-connect send-ssh-public-key --instance-id i-... --instance-os-user ec2-user --ssh-public-key file://k.pub`.

use super::{takeover_edges_on, Ctx, Found, INSTANCE_ARNS};
use crate::model::PrincipalRef;

pub const NAME: &str = "ec2-instance-connect";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let calls = [
        "ec2-instance-connect:SendSSHPublicKey",
        "ec2-instance-connect:SendSerialConsoleSSHPublicKey",
    ];
    if let Some(action) = calls.into_iter().find(|a| ctx.may(p, a, "*")) {
        takeover_edges_on(NAME, &[action], INSTANCE_ARNS, ctx.instance_roles(p), out);
    }
}
