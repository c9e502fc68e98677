//! Rewrite another role's permissions, then assume it.
//!
//! **What it finds:** a principal allowed to attach a managed policy to, or put an inline
//! policy on, a role — or to write a new default version of a customer-managed policy
//! attached to the role — that it can also assume: because the role's trust already lets
//! it, or because it may rewrite that trust too (`iam:UpdateAssumeRolePolicy`: the new trust
//! names the principal's own ARN, which admits it in its account without `sts:AssumeRole`).
//! **Why it matters:** the role's sessions then hold whatever the principal wrote: any
//! action its boundary and the SCPs leave (pathfinding.cloud `iam-014`, `-016`, `-017`,
//! `-019`, `-020`, `-021` (no `sts:AssumeRole` needed); iam-vulnerable `privesc9`/`privesc12` users against a role they
//! can assume).
//! **Example:** `aws iam attach-role-policy --role-name target --policy-arn
//! arn:aws:iam::aws:policy/AdministratorAccess && aws sts assume-role --role-arn ...target`.
//!
//! The steps hold the rewrite and then `sts:AssumeRole`: decided under the role's collected
//! trust when it already names the principal's own ARN (the trust alone admits it in its
//! account, unless an explicit deny or an SCP stops the call), under the caller's identity
//! permission otherwise (the trust policy's conditions are those of the assume-role edge
//! this detector starts from, which `routes` confirms on its own), and under the rewritten
//! trust after `iam:UpdateAssumeRolePolicy`.

use super::rewrite::{may_rewrite, push_rewrites};
use super::update_assume_role_policy::{rewritable_trusts, rewrite_then_assume};
use super::{Ctx, Found, RewrittenTrust, Step, StepTrust};
use crate::model::PrincipalRef;

pub const NAME: &str = "modify-role-then-assume";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    if !may_rewrite(ctx, p) {
        return;
    }
    let trusted = ctx.assumable(p);
    for rid in trusted {
        let target = PrincipalRef::Role(*rid);
        let Some(arn) = ctx.role_arn(*rid).filter(|_| target != p) else {
            continue;
        };
        let assume = if ctx.trust_names(*rid, p) {
            vec![Step::assume_under(arn, StepTrust::Collected)]
        } else {
            vec![Step::new("sts:AssumeRole", arn)]
        };
        push_rewrites(ctx, NAME, p, target, &assume, out);
    }
    // Roles whose trust the principal rewrites first.
    let rewritable = rewritable_trusts(ctx, p);
    if rewritable.is_empty() {
        return;
    }
    let Some(trust) = RewrittenTrust::naming(&ctx.arn(p)) else {
        return;
    };
    for (rid, arn) in rewritable {
        if !trusted.contains(&rid) {
            let then = rewrite_then_assume(arn, &trust);
            push_rewrites(ctx, NAME, p, PrincipalRef::Role(rid), &then, out);
        }
    }
}
