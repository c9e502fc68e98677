//! `ec2-instance-connect:SendSSHPublicKey` on instances with a profile role.
//!
//! **What it finds:** a principal allowed to push a temporary SSH key to EC2 instances; the
//! instances' profile roles are candidates.
//! **Why it matters:** once logged in, it reads the profile role's credentials from the
//! instance metadata service.
//! **Example:** iam-vulnerable `privesc-ec2InstanceConnect`:
//! `aws ec2-instance-connect send-ssh-public-key --instance-id i-... --instance-os-user ec2-user --ssh-public-key file://k.pub`.

use super::{takeover_edges, Call, Ctx, Found, INSTANCE_ARNS};
use crate::model::PrincipalRef;

pub const NAME: &str = "ec2-instance-connect";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let calls: [Call; 2] = [
        ("ec2-instance-connect:SendSSHPublicKey", INSTANCE_ARNS),
        (
            "ec2-instance-connect:SendSerialConsoleSSHPublicKey",
            INSTANCE_ARNS,
        ),
    ];
    if let Some(call) = calls.into_iter().find(|(a, r)| ctx.may(p, a, r)) {
        takeover_edges(NAME, &[call], ctx.instance_roles(p), out);
    }
}
