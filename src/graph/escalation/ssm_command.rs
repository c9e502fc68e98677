//! `ssm:SendCommand` / `ssm:StartSession` on instances with a profile role.
//!
//! **What it finds:** a principal allowed to run commands or open shells on EC2 instances
//! through Systems Manager; the instances' profile roles are candidates (all roles with an
//! instance profile when instances were not collected).
//! **Why it matters:** commands run on the instance can read the profile role's credentials
//! from the instance metadata service.
//! **Example:** iam-vulnerable `privesc-ssmSendCommand`, `privesc-ssmStartSession`:
//! `aws ssm send-command --instance-ids i-... --document-name AWS-RunShellScript ...`.

use super::{takeover_edges, Call, Ctx, Found, INSTANCE_ARNS};
use crate::model::PrincipalRef;

pub const NAME: &str = "ssm-command";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    // The first call `p` may make on an instance (not merely on a document: a principal
    // allowed `ssm:SendCommand` only on documents may still open sessions on instances).
    let calls: [Call; 2] = [
        ("ssm:SendCommand", INSTANCE_ARNS),
        ("ssm:StartSession", INSTANCE_ARNS),
    ];
    if let Some(call) = calls.into_iter().find(|(a, r)| ctx.may(p, a, r)) {
        takeover_edges(NAME, &[call], ctx.instance_roles(p), out);
    }
}
