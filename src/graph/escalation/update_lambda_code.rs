//! `lambda:UpdateFunctionCode` on an existing function.
//!
//! **What it finds:** a principal allowed to replace the code of an existing function (one
//! in the export, or — for a GAAD-only export — any function whose role trusts Lambda).
//! **Why it matters:** the next invocation runs the principal's code with the function's
//! execution role.
//! **Example:** iam-vulnerable `privesc17-EditExistingLambdaFunctionWithRole`:
//! `aws lambda update-function-code --function-name f --zip-file fileb://evil.zip`.

use super::{Ctx, Escalation, Found, Step};
use crate::graph::Node;
use crate::model::PrincipalRef;

pub const NAME: &str = "update-lambda-code";

/// Functions: the Service Authorization Reference ("Actions, resources, and condition keys
/// for AWS Lambda") lists resource type `function`
/// (`arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}`, a version or
/// alias after one more `:`) for `UpdateFunctionCode`.
pub const FUNCTION_ARNS: &str = "arn:aws:lambda:*:*:function:*";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let m = ctx.model;
    let account = ctx.account(p);
    let Some(grant) = ctx.grant(p, "lambda:UpdateFunctionCode") else {
        return;
    };
    if m.lambda_functions.is_empty() {
        // Functions were not collected: any role Lambda may assume could be behind one, for
        // a principal that may update some function.
        if !ctx.may(p, "lambda:UpdateFunctionCode", FUNCTION_ARNS) {
            return;
        }
        for rid in ctx.roles_trusting_service(p, "lambda.amazonaws.com") {
            out.push(Found {
                target: Node::Principal(PrincipalRef::Role(rid)),
                escalation: Escalation {
                    detector: NAME,
                    steps: vec![Step::new("lambda:UpdateFunctionCode", FUNCTION_ARNS)],
                },
            });
        }
        return;
    }
    for f in &m.lambda_functions {
        let Some(role) = f.role.and_then(|r| m.index.roles.get(&r).copied()) else {
            continue;
        };
        if PrincipalRef::Role(role) == p || Some(f.account) != account {
            continue;
        }
        let arn = m.str(f.arn);
        if grant.covers(arn) {
            out.push(Found {
                target: Node::Principal(PrincipalRef::Role(role)),
                escalation: Escalation {
                    detector: NAME,
                    steps: vec![Step::new("lambda:UpdateFunctionCode", arn)],
                },
            });
        }
    }
}
