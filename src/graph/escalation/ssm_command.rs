//! `ssm:SendCommand` / `ssm:StartSession` on instances with a profile role.
//!
//! **What it finds:** a principal allowed to run commands or open shells on EC2 instances
//! through Systems Manager; the instances' profile roles are candidates (all roles with an
//! instance profile when instances were not collected).
//! **Why it matters:** commands run on the instance can read the profile role's credentials
//! from the instance metadata service.
//! **Example:** iam-vulnerable `privesc-ssmSendCommand`, `privesc-ssmStartSession`:
//! `aws ssm send-command --instance-ids i-... --document-name AWS-RunShellScript ...`.

use super::{takeover_edges_on, Ctx, Found, INSTANCE_ARNS};
use crate::model::PrincipalRef;

pub const NAME: &str = "ssm-command";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let calls = ["ssm:SendCommand", "ssm:StartSession"];
    if let Some(action) = calls.into_iter().find(|a| ctx.may(p, a, "*")) {
        takeover_edges_on(NAME, &[action], INSTANCE_ARNS, ctx.instance_roles(p), out);
    }
}
