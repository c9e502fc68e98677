//! `iam:PassRole` to a compute service the principal can then run code on.
//!
//! **What it finds:** a principal allowed to pass a role (one that trusts the service) to a
//! new EC2 instance, Lambda function, Glue dev endpoint, CloudFormation stack, Data
//! Pipeline, CodeBuild project, SageMaker notebook / training / processing job, or ECS task
//! — with the service call that starts the code.
//! **Why it matters:** the code runs with the passed role's credentials, which the principal
//! controls: it gains that role's permissions.
//! **Example:** iam-vulnerable `privesc15-PassExistingRoleToNewLambdaThenInvoke`:
//! `aws lambda create-function --role arn:aws:iam::A:role/admin ... && aws lambda invoke ...`;
//! also `privesc3`, `privesc16`, `privesc18`, `privesc20`, `privesc21`, CodeBuild and SageMaker.

use super::{Ctx, Escalation, Found, Step};
use crate::graph::Node;
use crate::model::PrincipalRef;

pub const NAME: &str = "pass-role";

/// (service principal that must be trusted, calls that launch code with the role).
const LAUNCHERS: &[(&str, &[&str])] = &[
    ("ec2.amazonaws.com", &["ec2:RunInstances"]),
    (
        "lambda.amazonaws.com",
        &["lambda:CreateFunction", "lambda:InvokeFunction"],
    ),
    (
        "lambda.amazonaws.com",
        &["lambda:CreateFunction", "lambda:CreateEventSourceMapping"],
    ),
    (
        "lambda.amazonaws.com",
        &["lambda:CreateFunction", "lambda:AddPermission"],
    ),
    ("glue.amazonaws.com", &["glue:CreateDevEndpoint"]),
    (
        "glue.amazonaws.com",
        &["glue:CreateJob", "glue:StartJobRun"],
    ),
    (
        "cloudformation.amazonaws.com",
        &["cloudformation:CreateStack"],
    ),
    (
        "datapipeline.amazonaws.com",
        &[
            "datapipeline:CreatePipeline",
            "datapipeline:PutPipelineDefinition",
        ],
    ),
    (
        "codebuild.amazonaws.com",
        &["codebuild:CreateProject", "codebuild:StartBuild"],
    ),
    (
        "codebuild.amazonaws.com",
        &["codebuild:CreateProject", "codebuild:StartBuildBatch"],
    ),
    (
        "sagemaker.amazonaws.com",
        &[
            "sagemaker:CreateNotebookInstance",
            "sagemaker:CreatePresignedNotebookInstanceUrl",
        ],
    ),
    ("sagemaker.amazonaws.com", &["sagemaker:CreateTrainingJob"]),
    (
        "sagemaker.amazonaws.com",
        &["sagemaker:CreateProcessingJob"],
    ),
    (
        "ecs-tasks.amazonaws.com",
        &["ecs:RunTask", "ecs:RegisterTaskDefinition"],
    ),
];

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let m = ctx.model;
    let account = ctx.account(p);
    let mut seen = Vec::new();
    for (service, calls) in LAUNCHERS {
        if !calls.iter().all(|c| ctx.may(p, c, "*")) {
            continue;
        }
        for rid in ctx.roles_trusting_service(&account, service) {
            let target = PrincipalRef::Role(rid);
            if target == p || seen.contains(&rid) {
                continue;
            }
            // EC2 takes roles through instance profiles only.
            let Some(role) = m.roles.get(rid.index()) else {
                continue;
            };
            if *service == "ec2.amazonaws.com" && role.instance_profiles.is_empty() {
                continue;
            }
            let arn = m.str(role.arn);
            if !ctx.may(p, "iam:PassRole", arn) {
                continue;
            }
            let mut steps =
                vec![Step::new("iam:PassRole", arn).with("iam:PassedToService", service)];
            steps.extend(calls.iter().map(|c| Step::new(c, "*")));
            seen.push(rid);
            out.push(Found {
                target: Node::Principal(target),
                escalation: Escalation {
                    detector: NAME,
                    steps,
                },
            });
        }
    }
}
