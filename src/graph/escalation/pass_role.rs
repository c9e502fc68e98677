//! `iam:PassRole` to a compute service the principal can then run code on.
//!
//! **What it finds:** a principal allowed to pass a role (one that trusts the service) to a
//! new EC2 instance (on demand or spot), Lambda function, Glue dev endpoint / job /
//! interactive session, CloudFormation stack or stack set, Data Pipeline, CodeBuild
//! project, SageMaker notebook / training / processing job, ECS task or service, App Runner
//! service, or Bedrock AgentCore code interpreter — with the service calls that start the
//! code (the catalogue of pathfinding.cloud: `ec2-001`/`004`, `lambda-001`/`002`/`006`,
//! `glue-001`/`003`–`007`, `cloudformation-001`/`003`/`004`, `datapipeline-001`,
//! `codebuild-001`/`004`, `sagemaker-001`–`003`, `ecs-001`–`005`/`008`/`009`,
//! `apprunner-001`, `bedrock-001`).
//! **Why it matters:** the code runs with the passed role's credentials, which the principal
//! controls: it gains that role's permissions.
//! **Example:** iam-vulnerable `privesc15-PassExistingRoleToNewLambdaThenInvoke`:
//! `aws lambda create-function --role arn:aws:iam::A:role/admin ... && aws lambda invoke ...`;
//! also `privesc3`, `privesc16`, `privesc18`, `privesc20`, `privesc21`, CodeBuild and SageMaker.

use super::{Ctx, Escalation, Found, Step};
use crate::graph::Node;
use crate::model::PrincipalRef;

pub const NAME: &str = "pass-role";

/// (service principal that must be trusted, calls that launch code with the role). Where
/// one launcher's calls include another's, the longer comes first: a principal allowed
/// both gets the edge with every call it will make.
const LAUNCHERS: &[(&str, &[&str])] = &[
    ("ec2.amazonaws.com", &["ec2:RunInstances"]),
    ("ec2.amazonaws.com", &["ec2:RequestSpotInstances"]),
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
        "glue.amazonaws.com",
        &["glue:CreateJob", "glue:CreateTrigger"],
    ),
    // An existing job's role and script replaced (passing the new role).
    (
        "glue.amazonaws.com",
        &["glue:UpdateJob", "glue:StartJobRun"],
    ),
    (
        "glue.amazonaws.com",
        &["glue:UpdateJob", "glue:CreateTrigger"],
    ),
    (
        "glue.amazonaws.com",
        &["glue:CreateSession", "glue:RunStatement"],
    ),
    (
        "cloudformation.amazonaws.com",
        &["cloudformation:CreateStack"],
    ),
    (
        "cloudformation.amazonaws.com",
        &[
            "cloudformation:CreateStackSet",
            "cloudformation:CreateStackInstances",
        ],
    ),
    (
        "cloudformation.amazonaws.com",
        &["cloudformation:UpdateStackSet"],
    ),
    (
        "datapipeline.amazonaws.com",
        &[
            "datapipeline:CreatePipeline",
            "datapipeline:PutPipelineDefinition",
            "datapipeline:ActivatePipeline",
        ],
    ),
    // The pipeline's EC2 resource role (through its instance profile).
    (
        "ec2.amazonaws.com",
        &[
            "datapipeline:CreatePipeline",
            "datapipeline:PutPipelineDefinition",
            "datapipeline:ActivatePipeline",
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
    // A notebook's lifecycle script runs with its role without anyone opening it.
    (
        "sagemaker.amazonaws.com",
        &["sagemaker:CreateNotebookInstance"],
    ),
    ("sagemaker.amazonaws.com", &["sagemaker:CreateTrainingJob"]),
    (
        "sagemaker.amazonaws.com",
        &["sagemaker:CreateProcessingJob"],
    ),
    (
        "ecs-tasks.amazonaws.com",
        &["ecs:RegisterTaskDefinition", "ecs:RunTask"],
    ),
    (
        "ecs-tasks.amazonaws.com",
        &["ecs:RegisterTaskDefinition", "ecs:StartTask"],
    ),
    (
        "ecs-tasks.amazonaws.com",
        &["ecs:RegisterTaskDefinition", "ecs:CreateService"],
    ),
    // An existing task definition run with the role as a task-role override.
    ("ecs-tasks.amazonaws.com", &["ecs:RunTask"]),
    ("ecs-tasks.amazonaws.com", &["ecs:StartTask"]),
    (
        "tasks.apprunner.amazonaws.com",
        &["apprunner:CreateService"],
    ),
    (
        "bedrock-agentcore.amazonaws.com",
        &[
            "bedrock-agentcore:CreateCodeInterpreter",
            "bedrock-agentcore:StartCodeInterpreterSession",
            "bedrock-agentcore:InvokeCodeInterpreter",
        ],
    ),
];

/// The service the role is passed to (`iam:PassedToService`): the one the role trusts,
/// except for a Data Pipeline's EC2 resource role, which is passed to Data Pipeline.
fn passed_to_service<'s>(trusted: &'s str, calls: &[&str]) -> &'s str {
    if calls.iter().any(|c| c.starts_with("datapipeline:")) {
        "datapipeline.amazonaws.com"
    } else {
        trusted
    }
}

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let m = ctx.model;
    let Some(pass) = ctx.grant(p, "iam:PassRole") else {
        return;
    };
    let mut seen = Vec::new();
    for (service, calls) in LAUNCHERS {
        if !calls.iter().all(|c| ctx.may(p, c, "*")) {
            continue;
        }
        for rid in ctx.roles_trusting_service(p, service) {
            if seen.contains(&rid) {
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
            if !pass.covers(arn) {
                continue;
            }
            let mut steps = vec![Step::new("iam:PassRole", arn)
                .with("iam:PassedToService", passed_to_service(service, calls))];
            steps.extend(calls.iter().map(|c| Step::new(c, "*")));
            seen.push(rid);
            out.push(Found {
                target: Node::Principal(PrincipalRef::Role(rid)),
                escalation: Escalation {
                    detector: NAME,
                    steps,
                },
            });
        }
    }
}
