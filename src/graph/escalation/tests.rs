//! Detector tests: small GAADs in, every candidate escalation edge out. Each detector has a
//! case where the path exists and a twin where one permission or precondition is missing.

use super::{detect_all, Ctx, StepTrust};
use crate::graph::{principals, AccessGraph, Gain, Node, ZoneOfTrust};
use crate::model::{Model, PrincipalRef};
use serde_json::{json, Value};

const ACCOUNT: &str = "111122223333";

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:{kind}/{name}")
}

fn allow(actions: &[&str], resource: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": actions, "Resource": resource}]})
}

fn user(name: &str, docs: &[Value], groups: &[&str]) -> Value {
    let inline: Vec<Value> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| json!({"PolicyName": format!("p{i}"), "PolicyDocument": d}))
        .collect();
    json!({"UserName": name, "Arn": arn("user", name), "Path": "/",
           "UserPolicyList": inline, "AttachedManagedPolicies": [], "GroupList": groups})
}

fn trust_service(service: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})
}

fn trust_aws(principal: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]})
}

/// A role with an admin inline policy, attached customer policies and, when asked, an
/// instance profile.
fn role(name: &str, trust: Value, attached: &[&str], profile: bool) -> Value {
    let profiles: Vec<Value> = if profile {
        vec![json!({"InstanceProfileName": name, "Path": "/",
                    "Arn": format!("arn:aws:iam::{ACCOUNT}:instance-profile/{name}"),
                    "Roles": [{"Arn": arn("role", name)}]})]
    } else {
        Vec::new()
    };
    let attached: Vec<Value> = attached
        .iter()
        .map(|p| json!({"PolicyName": p, "PolicyArn": arn("policy", p)}))
        .collect();
    json!({"RoleName": name, "Arn": arn("role", name), "Path": "/",
           "AssumeRolePolicyDocument": trust,
           "RolePolicyList": [{"PolicyName": "admin", "PolicyDocument": allow(&["*"], "*")}],
           "AttachedManagedPolicies": attached, "InstanceProfileList": profiles})
}

fn managed(name: &str, doc: Value) -> Value {
    json!({"PolicyName": name, "Arn": arn("policy", name), "Path": "/",
           "DefaultVersionId": "v1",
           "PolicyVersionList": [{"Document": doc, "VersionId": "v1", "IsDefaultVersion": true}]})
}

fn group(name: &str, doc: Value) -> Value {
    json!({"GroupName": name, "Arn": arn("group", name), "Path": "/",
           "GroupPolicyList": [{"PolicyName": "g", "PolicyDocument": doc}],
           "AttachedManagedPolicies": []})
}

fn gaad(users: Vec<Value>, roles: Vec<Value>, groups: Vec<Value>, policies: Vec<Value>) -> Value {
    json!({"UserDetailList": users, "RoleDetailList": roles,
           "GroupDetailList": groups, "Policies": policies})
}

fn short(m: &Model, n: &Node) -> String {
    let name = |p: &PrincipalRef| {
        let a = crate::graph::principal_arn(m, *p);
        a.rsplit('/').next().unwrap_or("").to_string()
    };
    match n {
        Node::Principal(p) => name(p),
        Node::Escalated {
            principal,
            gain: Gain::AnyAction,
        } => format!("{}+any", name(principal)),
        Node::Escalated {
            principal,
            gain: Gain::Group(g),
        } => format!(
            "{}+{}",
            name(principal),
            m.groups.get(g.index()).map_or("?", |x| x.name.as_str())
        ),
        other => format!("{other:?}"),
    }
}

/// Every candidate escalation of the principals named `attacker*`, as
/// `from -detector[action+action]-> to`, sorted.
fn check(input: Value, expect: &[&str]) {
    let bytes = serde_json::to_vec(&input).expect("test JSON");
    let export = crate::ingest::load_gaad_bytes(&bytes, "gaad.json").expect("test GAAD loads");
    let m = &export.model;
    let mut g = AccessGraph::new(ZoneOfTrust::of(m));
    let perms = crate::graph::permissions::PermissionIndex::new(m);
    principals::add_edges(m, &perms, &mut g);
    let ctx = Ctx::new(m, &g);
    let mut got = Vec::new();
    for (p, _) in &ctx.principals {
        let from = short(m, &Node::Principal(*p));
        if !from.starts_with("attacker") {
            continue;
        }
        for f in detect_all(&ctx, *p) {
            // An assume decided under a trust shows which: `@trust` (the role's own),
            // `@trust-naming:<caller>` (the one the caller wrote).
            let actions: Vec<String> = f
                .escalation
                .steps
                .iter()
                .map(|s| match &s.trust {
                    None => s.action.clone(),
                    Some(StepTrust::Collected) => format!("{}@trust", s.action),
                    Some(StepTrust::Rewritten(t)) => format!(
                        "{}@trust-naming:{}",
                        s.action,
                        t.caller.rsplit('/').next().unwrap_or("")
                    ),
                })
                .collect();
            got.push(format!(
                "{from} -{}[{}]-> {}",
                f.escalation.detector,
                actions.join("+"),
                short(m, &f.target)
            ));
        }
    }
    got.sort();
    let mut want: Vec<String> = expect.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(got, want, "input: {input}");
}

#[test]
fn modify_role_then_assume() {
    let target = arn("role", "target");
    // iam-014: attach a policy to a role whose trust names the attacker: the trust alone
    // admits it, no identity permission for sts:AssumeRole is needed (the assume is decided
    // under the trust: explicit denies and SCPs still apply).
    check(
        gaad(
            vec![user(
                "attacker",
                &[allow(&["iam:AttachRolePolicy"], &target)],
                &[],
            )],
            vec![role(
                "target",
                trust_aws(&arn("user", "attacker")),
                &[],
                false,
            )],
            vec![],
            vec![],
        ),
        &["attacker -modify-role-then-assume[iam:AttachRolePolicy+sts:AssumeRole@trust]-> target+any"],
    );
    // Blocked: the attach is allowed on another role only.
    check(
        gaad(
            vec![user(
                "attacker",
                &[allow(&["iam:AttachRolePolicy"], &arn("role", "other"))],
                &[],
            )],
            vec![role(
                "target",
                trust_aws(&arn("user", "attacker")),
                &[],
                false,
            )],
            vec![],
            vec![],
        ),
        &[],
    );
    // iam-017: the trust names the account, so the attacker's sts:AssumeRole is a step.
    check(
        gaad(
            vec![user(
                "attacker",
                &[allow(&["iam:PutRolePolicy", "sts:AssumeRole"], &target)],
                &[],
            )],
            vec![role(
                "target",
                trust_aws(&format!("arn:aws:iam::{ACCOUNT}:root")),
                &[],
                false,
            )],
            vec![],
            vec![],
        ),
        &["attacker -modify-role-then-assume[iam:PutRolePolicy+sts:AssumeRole]-> target+any"],
    );
    // Blocked: trusted through the account, but no sts:AssumeRole permission (no
    // assume-role edge, and no way to rewrite the trust).
    check(
        gaad(
            vec![user(
                "attacker",
                &[allow(&["iam:PutRolePolicy"], &target)],
                &[],
            )],
            vec![role(
                "target",
                trust_aws(&format!("arn:aws:iam::{ACCOUNT}:root")),
                &[],
                false,
            )],
            vec![],
            vec![],
        ),
        &[],
    );
    // iam-016: a new default version of a customer policy attached to the role.
    check(
        gaad(
            vec![user(
                "attacker",
                &[allow(
                    &["iam:CreatePolicyVersion"],
                    &arn("policy", "shared"),
                )],
                &[],
            )],
            vec![role(
                "target",
                trust_aws(&arn("user", "attacker")),
                &["shared"],
                false,
            )],
            vec![],
            vec![managed("shared", allow(&["s3:ListAllMyBuckets"], "*"))],
        ),
        &["attacker -modify-role-then-assume[iam:CreatePolicyVersion+sts:AssumeRole@trust]-> target+any"],
    );
    // iam-019/020/021: the trust does not admit the attacker; it rewrites the trust too, to
    // name its own ARN, which admits it in its own account with or without an identity
    // permission for sts:AssumeRole (iam-019 has none): the assume is decided under the
    // rewritten trust.
    let service = trust_service("ec2.amazonaws.com");
    let root = trust_aws(&format!("arn:aws:iam::{ACCOUNT}:root"));
    for (assume, trust) in [(true, service), (false, root)] {
        let mut actions = vec!["iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy"];
        if assume {
            actions.push("sts:AssumeRole");
        }
        check(
            gaad(
                vec![user("attacker", &[allow(&actions, &target)], &[])],
                vec![role("target", trust, &[], false)],
                vec![],
                vec![],
            ),
            &[
                "attacker -modify-role-then-assume[iam:AttachRolePolicy+iam:UpdateAssumeRolePolicy+sts:AssumeRole@trust-naming:attacker]-> target+any",
                "attacker -update-assume-role-policy[iam:UpdateAssumeRolePolicy+sts:AssumeRole@trust-naming:attacker]-> target",
            ],
        );
    }
    // Blocked: it can rewrite the permissions of the role, but not its trust, and the
    // trust does not admit it.
    check(
        gaad(
            vec![user(
                "attacker",
                &[
                    allow(&["iam:AttachRolePolicy"], &target),
                    allow(&["iam:UpdateAssumeRolePolicy"], &arn("role", "other")),
                ],
                &[],
            )],
            vec![role(
                "target",
                trust_service("ec2.amazonaws.com"),
                &[],
                false,
            )],
            vec![],
            vec![],
        ),
        &[],
    );
}

#[test]
fn modify_user_then_sign_in() {
    let victim = arn("user", "victim");
    // iam-018: inline policy on another user, then an access key for it.
    check(
        gaad(
            vec![
                user(
                    "attacker",
                    &[allow(&["iam:PutUserPolicy", "iam:CreateAccessKey"], &victim)],
                    &[],
                ),
                user("victim", &[], &[]),
            ],
            vec![],
            vec![],
            vec![],
        ),
        &[
            "attacker -create-access-key[iam:CreateAccessKey]-> victim",
            "attacker -modify-user-then-sign-in[iam:PutUserPolicy+iam:CreateAccessKey]-> victim+any",
        ],
    );
    // Blocked: the key can only be made for a third user.
    check(
        gaad(
            vec![
                user(
                    "attacker",
                    &[
                        allow(&["iam:PutUserPolicy"], &victim),
                        allow(&["iam:CreateAccessKey"], &arn("user", "third")),
                    ],
                    &[],
                ),
                user("victim", &[], &[]),
            ],
            vec![],
            vec![],
            vec![],
        ),
        &[],
    );
    // Add the user to a group, then set its console password.
    check(
        gaad(
            vec![
                user(
                    "attacker",
                    &[
                        allow(&["iam:AddUserToGroup"], &arn("group", "admins")),
                        allow(&["iam:UpdateLoginProfile"], &victim),
                    ],
                    &[],
                ),
                user("victim", &[], &[]),
            ],
            vec![],
            vec![group("admins", allow(&["*"], "*"))],
            vec![],
        ),
        &[
            "attacker -add-user-to-group[iam:AddUserToGroup]-> attacker+admins",
            "attacker -login-profile[iam:UpdateLoginProfile]-> victim",
            "attacker -modify-user-then-sign-in[iam:AddUserToGroup+iam:UpdateLoginProfile]-> victim+admins",
        ],
    );
}

/// A user allowed `actions` on `*` beside a role trusting `service`.
fn takeover(actions: &[&str], service: &str, profile: bool) -> Value {
    gaad(
        vec![user("attacker", &[allow(actions, "*")], &[])],
        vec![role("target", trust_service(service), &[], profile)],
        vec![],
        vec![],
    )
}

#[test]
fn takeovers_of_existing_resources() {
    check(
        takeover(&["codebuild:StartBuild"], "codebuild.amazonaws.com", false),
        &["attacker -codebuild-start-build[codebuild:StartBuild]-> target"],
    );
    check(
        takeover(&["codebuild:StartBuild"], "lambda.amazonaws.com", false),
        &[],
    );
    check(
        takeover(&["ecs:ExecuteCommand"], "ecs-tasks.amazonaws.com", false),
        &["attacker -ecs-execute-command[ecs:ExecuteCommand]-> target"],
    );
    check(
        takeover(&["ecs:ExecuteCommand"], "ecs.amazonaws.com", false),
        &[],
    );
    let user_data = [
        "ec2:StopInstances",
        "ec2:ModifyInstanceAttribute",
        "ec2:StartInstances",
    ];
    check(
        takeover(&user_data, "ec2.amazonaws.com", true),
        &["attacker -ec2-user-data[ec2:StopInstances+ec2:ModifyInstanceAttribute+ec2:StartInstances]-> target"],
    );
    check(takeover(&user_data[..2], "ec2.amazonaws.com", true), &[]);
    let template = [
        "ec2:CreateLaunchTemplateVersion",
        "ec2:ModifyLaunchTemplate",
    ];
    check(
        takeover(&template, "ec2.amazonaws.com", true),
        &["attacker -ec2-launch-template[ec2:CreateLaunchTemplateVersion+ec2:ModifyLaunchTemplate]-> target"],
    );
    // Without an instance profile no instance can carry the role.
    check(takeover(&template, "ec2.amazonaws.com", false), &[]);
    check(
        takeover(
            &["apprunner:UpdateService"],
            "tasks.apprunner.amazonaws.com",
            false,
        ),
        &["attacker -apprunner-update-service[apprunner:UpdateService]-> target"],
    );
    check(
        takeover(
            &["apprunner:UpdateService"],
            "build.apprunner.amazonaws.com",
            false,
        ),
        &[],
    );
    let interpreter = [
        "bedrock-agentcore:StartCodeInterpreterSession",
        "bedrock-agentcore:InvokeCodeInterpreter",
    ];
    check(
        takeover(&interpreter, "bedrock-agentcore.amazonaws.com", false),
        &["attacker -bedrock-code-interpreter[bedrock-agentcore:StartCodeInterpreterSession+bedrock-agentcore:InvokeCodeInterpreter]-> target"],
    );
    check(
        takeover(&interpreter[..1], "bedrock-agentcore.amazonaws.com", false),
        &[],
    );
    let lifecycle = [
        "sagemaker:CreateNotebookInstanceLifecycleConfig",
        "sagemaker:StopNotebookInstance",
        "sagemaker:UpdateNotebookInstance",
        "sagemaker:StartNotebookInstance",
    ];
    check(
        takeover(&lifecycle, "sagemaker.amazonaws.com", false),
        &["attacker -sagemaker-lifecycle-config[sagemaker:CreateNotebookInstanceLifecycleConfig+sagemaker:StopNotebookInstance+sagemaker:UpdateNotebookInstance+sagemaker:StartNotebookInstance]-> target"],
    );
    check(
        takeover(&lifecycle[1..], "sagemaker.amazonaws.com", false),
        &[],
    );
    let change_set = [
        "cloudformation:CreateChangeSet",
        "cloudformation:ExecuteChangeSet",
    ];
    check(
        takeover(&change_set, "cloudformation.amazonaws.com", false),
        &["attacker -cloudformation-update-stack[cloudformation:CreateChangeSet+cloudformation:ExecuteChangeSet]-> target"],
    );
    check(
        takeover(&change_set[..1], "cloudformation.amazonaws.com", false),
        &[],
    );
}

/// A user granted `(actions, resource)` pairs beside a role trusting `service`.
fn takeover_on(grants: &[(&[&str], &str)], service: &str, profile: bool) -> Value {
    let docs: Vec<Value> = grants.iter().map(|(a, r)| allow(a, r)).collect();
    gaad(
        vec![user("attacker", &docs, &[])],
        vec![role("target", trust_service(service), &[], profile)],
        vec![],
        vec![],
    )
}

/// Takeover calls are looked for on the resource type AWS authorizes them on: a grant on
/// another type (or service) proposes nothing, and an alternative call granted on the
/// right type is proposed even when the first call is granted elsewhere.
#[test]
fn takeovers_ask_the_resource_aws_authorizes() {
    let report_group = "arn:aws:codebuild:us-east-1:111122223333:report-group/reports";
    let projects = "arn:aws:codebuild:*:*:project/*";
    let cb = "codebuild.amazonaws.com";
    let start_build: &[&str] = &["codebuild:StartBuild"];
    let start_batch: &[&str] = &["codebuild:StartBuildBatch"];
    check(takeover_on(&[(start_build, report_group)], cb, false), &[]);
    check(
        takeover_on(
            &[(
                start_build,
                "arn:aws:codebuild:us-east-1:111122223333:project/ci-*",
            )],
            cb,
            false,
        ),
        &["attacker -codebuild-start-build[codebuild:StartBuild]-> target"],
    );
    check(
        takeover_on(
            &[(start_build, report_group), (start_batch, projects)],
            cb,
            false,
        ),
        &["attacker -codebuild-start-build[codebuild:StartBuildBatch]-> target"],
    );
    // Run Command on documents only, sessions on instances.
    check(
        takeover_on(
            &[
                (&["ssm:SendCommand"], "arn:aws:ssm:*:*:document/*"),
                (&["ssm:StartSession"], "arn:aws:ec2:*:*:instance/*"),
            ],
            "ec2.amazonaws.com",
            true,
        ),
        &["attacker -ssm-command[ssm:StartSession]-> target"],
    );
    let glue = "glue.amazonaws.com";
    let update: &[&str] = &["glue:UpdateDevEndpoint"];
    check(
        takeover_on(
            &[(update, "arn:aws:glue:us-east-1:111122223333:job/etl")],
            glue,
            false,
        ),
        &[],
    );
    check(
        takeover_on(
            &[(update, "arn:aws:glue:us-east-1:*:devEndpoint/*")],
            glue,
            false,
        ),
        &["attacker -update-glue-dev-endpoint[glue:UpdateDevEndpoint]-> target"],
    );
    let exec: &[&str] = &["ecs:ExecuteCommand"];
    let tasks = "ecs-tasks.amazonaws.com";
    check(
        takeover_on(&[(exec, "arn:aws:ssm:*:*:document/*")], tasks, false),
        &[],
    );
    check(
        takeover_on(
            &[(exec, "arn:aws:ecs:us-east-1:111122223333:cluster/prod")],
            tasks,
            false,
        ),
        &["attacker -ecs-execute-command[ecs:ExecuteCommand]-> target"],
    );
    let presign: &[&str] = &["sagemaker:CreatePresignedNotebookInstanceUrl"];
    let sm = "sagemaker.amazonaws.com";
    check(
        takeover_on(
            &[(
                presign,
                "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance-lifecycle-config/x",
            )],
            sm,
            false,
        ),
        &[],
    );
    check(
        takeover_on(&[(presign, "arn:aws:sagemaker:*:*:notebook-instance/*")], sm, false),
        &["attacker -sagemaker-presigned-url[sagemaker:CreatePresignedNotebookInstanceUrl]-> target"],
    );
    // Functions not collected: a grant on layers updates no function's code.
    let update_code: &[&str] = &["lambda:UpdateFunctionCode"];
    let lambda = "lambda.amazonaws.com";
    check(
        takeover_on(
            &[(
                update_code,
                "arn:aws:lambda:us-east-1:111122223333:layer:shared",
            )],
            lambda,
            false,
        ),
        &[],
    );
    check(
        takeover_on(
            &[(update_code, "arn:aws:lambda:us-east-1:*:function:app-*")],
            lambda,
            false,
        ),
        &["attacker -update-lambda-code[lambda:UpdateFunctionCode]-> target"],
    );
    let update_stack: &[&str] = &["cloudformation:UpdateStack"];
    let cfn = "cloudformation.amazonaws.com";
    check(
        takeover_on(
            &[(
                update_stack,
                "arn:aws:cloudformation:us-east-1:111122223333:stackset/s:1",
            )],
            cfn,
            false,
        ),
        &[],
    );
    check(
        takeover_on(
            &[(
                update_stack,
                "arn:aws:cloudformation:us-east-1:111122223333:stack/app/*",
            )],
            cfn,
            false,
        ),
        &["attacker -cloudformation-update-stack[cloudformation:UpdateStack]-> target"],
    );
}

#[test]
fn pass_role_launchers() {
    fn pass<'a>(calls: &[&'a str]) -> Vec<&'a str> {
        let mut a = vec!["iam:PassRole"];
        a.extend_from_slice(calls);
        a
    }
    check(
        takeover(
            &pass(&["ec2:RequestSpotInstances"]),
            "ec2.amazonaws.com",
            true,
        ),
        &["attacker -pass-role[iam:PassRole+ec2:RequestSpotInstances]-> target"],
    );
    check(
        takeover(
            &pass(&["ec2:RequestSpotInstances"]),
            "ec2.amazonaws.com",
            false,
        ),
        &[],
    );
    check(
        takeover(
            &pass(&["glue:CreateSession", "glue:RunStatement"]),
            "glue.amazonaws.com",
            false,
        ),
        &["attacker -pass-role[iam:PassRole+glue:CreateSession+glue:RunStatement]-> target"],
    );
    let pipeline = [
        "datapipeline:CreatePipeline",
        "datapipeline:PutPipelineDefinition",
        "datapipeline:ActivatePipeline",
    ];
    check(
        takeover(&pass(&pipeline), "datapipeline.amazonaws.com", false),
        &["attacker -pass-role[iam:PassRole+datapipeline:CreatePipeline+datapipeline:PutPipelineDefinition+datapipeline:ActivatePipeline]-> target"],
    );
    // A pipeline that is never activated runs nothing.
    check(
        takeover(&pass(&pipeline[..2]), "datapipeline.amazonaws.com", false),
        &[],
    );
    check(
        takeover(&pass(&["ecs:RunTask"]), "ecs-tasks.amazonaws.com", false),
        &["attacker -pass-role[iam:PassRole+ecs:RunTask]-> target"],
    );
    check(
        takeover(&["ecs:RunTask"], "ecs-tasks.amazonaws.com", false),
        &[],
    );
    check(
        takeover(
            &pass(&["apprunner:CreateService"]),
            "tasks.apprunner.amazonaws.com",
            false,
        ),
        &["attacker -pass-role[iam:PassRole+apprunner:CreateService]-> target"],
    );
    let reconfigure = [
        "lambda:UpdateFunctionConfiguration",
        "lambda:UpdateFunctionCode",
    ];
    check(
        takeover(&pass(&reconfigure), "lambda.amazonaws.com", false),
        &[
            "attacker -pass-role[iam:PassRole+lambda:UpdateFunctionConfiguration+lambda:UpdateFunctionCode]-> target",
            "attacker -update-lambda-code[lambda:UpdateFunctionCode]-> target",
        ],
    );
    // Without iam:PassRole the function keeps its role: only its code changes.
    check(
        takeover(&reconfigure, "lambda.amazonaws.com", false),
        &["attacker -update-lambda-code[lambda:UpdateFunctionCode]-> target"],
    );
    check(
        takeover(
            &pass(&["sagemaker:CreateNotebookInstance"]),
            "sagemaker.amazonaws.com",
            false,
        ),
        &["attacker -pass-role[iam:PassRole+sagemaker:CreateNotebookInstance]-> target"],
    );
}

#[test]
fn index_answers_like_the_patterns() {
    let target = arn("user", "victim");
    // NotAction leaving iam:CreateAccessKey, NotResource not excluding the victim.
    let not_action = |not_resource: &str| {
        json!({"Statement": [{"Effect": "Allow",
            "NotAction": ["s3:*", "iam:*Policy*", "iam:*Group*", "iam:*LoginProfile"],
            "NotResource": not_resource}]})
    };
    check(
        gaad(
            vec![
                user("attacker", &[not_action(&arn("user", "other"))], &[]),
                user("victim", &[], &[]),
            ],
            vec![],
            vec![],
            vec![],
        ),
        &["attacker -create-access-key[iam:CreateAccessKey]-> victim"],
    );
    // The same statement with NotResource naming the victim.
    check(
        gaad(
            vec![
                user("attacker", &[not_action(&target)], &[]),
                user("victim", &[], &[]),
            ],
            vec![],
            vec![],
            vec![],
        ),
        &[],
    );
    // NotAction naming iam:*: nothing of IAM is allowed.
    check(
        gaad(
            vec![
                user(
                    "attacker",
                    &[
                        json!({"Statement": [{"Effect": "Allow", "NotAction": "iam:*",
                                            "Resource": "*"}]}),
                    ],
                    &[],
                ),
                user("victim", &[], &[]),
            ],
            vec![],
            vec![],
            vec![],
        ),
        &[],
    );
    // A policy variable may name the victim; a literal other name may not.
    check(
        gaad(
            vec![
                user(
                    "attacker",
                    &[allow(
                        &["IAM:createaccesskey"],
                        &format!("arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"),
                    )],
                    &[],
                ),
                user("victim", &[], &[]),
            ],
            vec![],
            vec![],
            vec![],
        ),
        &["attacker -create-access-key[iam:CreateAccessKey]-> victim"],
    );
    check(
        gaad(
            vec![
                user(
                    "attacker",
                    &[allow(&["iam:CreateAccessKey"], &format!("{target}2"))],
                    &[],
                ),
                user("victim", &[], &[]),
            ],
            vec![],
            vec![],
            vec![],
        ),
        &[],
    );
}

/// The trust a principal writes for itself (`RewrittenTrust`) admits it in its own account
/// as AWS decides a trust naming the caller: without an identity permission and past an
/// implicit deny of its boundary, but not past an explicit deny of `sts:AssumeRole` (its
/// identity policy, its boundary) or an SCP that denies it.
#[test]
fn rewritten_trust_is_decided_like_aws() {
    use super::RewrittenTrust;
    use crate::eval::{
        decide, AuthzInputs, AwsPrincipal, AwsPrincipalKind, IdentityInputs, IdentityPolicies,
        OrgPolicies, Outcome, PolicyRef, Request, RequestContext, RequestPrincipal,
        ResourcePolicyMode,
    };
    let parse = |v: Value| crate::policy::parse::parse_policy_text(&v.to_string()).expect("policy");
    let none = parse(allow(&["s3:ListAllMyBuckets"], "*"));
    let iam_only = parse(allow(&["iam:*"], "*"));
    let deny_assume = parse(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}]}));
    let full = parse(allow(&["*"], "*"));
    let user_arn = arn("user", "attacker");
    let role_arn = arn("role", "attacker");
    let target = arn("role", "target");
    let user = RequestPrincipal::Aws(AwsPrincipal {
        arn: user_arn.clone(),
        account: ACCOUNT.into(),
        kind: AwsPrincipalKind::User,
        canonical_user: None,
    });
    let session = RequestPrincipal::Aws(AwsPrincipal {
        arn: format!("arn:aws:sts::{ACCOUNT}:assumed-role/attacker/s"),
        account: ACCOUNT.into(),
        kind: AwsPrincipalKind::RoleSession {
            role_arn: role_arn.clone(),
        },
        canonical_user: None,
    });
    fn policy(doc: &crate::policy::PolicyDocument) -> PolicyRef<'_> {
        PolicyRef { label: "p", doc }
    }
    // (caller, trust names, identity policy, boundary, SCP at the account level) → outcome
    let check = |who: &RequestPrincipal,
                 named: &str,
                 identity: &crate::policy::PolicyDocument,
                 boundary: Option<&crate::policy::PolicyDocument>,
                 scp: Option<&crate::policy::PolicyDocument>,
                 expect: Outcome| {
        let trust = RewrittenTrust::naming(named).expect("trust");
        let inputs = AuthzInputs {
            identity: IdentityInputs::Known(IdentityPolicies {
                policies: vec![policy(identity)],
                permissions_boundary: boundary.map(policy),
                session_policies: None,
                scps: scp.map(|d| OrgPolicies {
                    levels: vec![vec![policy(&full)], vec![policy(d)]],
                    management_account: false,
                }),
            }),
            resource_account: ACCOUNT.into(),
            resource_policy: Some(PolicyRef {
                label: "trust",
                doc: &trust.document,
            }),
            resource_policy_mode: ResourcePolicyMode::Required,
            rcps: None,
            vpc_endpoint_policy: None,
            s3: None,
            kms: None,
        };
        let req = Request {
            principal: who.clone(),
            action: "sts:AssumeRole".into(),
            resource: target.clone(),
            context: RequestContext::new(),
        };
        let got = decide(&inputs, &req).expect("decidable").outcome;
        assert_eq!(got, expect, "{who:?} under a trust naming {named}");
    };
    use Outcome::*;
    for (who, named) in [(&user, &user_arn), (&session, &role_arn)] {
        // The trust alone admits the caller, even with a boundary that does not allow it.
        check(who, named, &none, None, None, Allowed);
        check(who, named, &none, Some(&iam_only), Some(&full), Allowed);
        // Explicit denies and SCPs stop it.
        check(who, named, &deny_assume, None, None, ExplicitDeny);
        check(who, named, &none, Some(&deny_assume), None, ExplicitDeny);
        check(who, named, &none, None, Some(&deny_assume), ExplicitDeny);
        check(who, named, &none, None, Some(&iam_only), ImplicitDeny);
        // A trust naming someone else admits neither.
        check(who, &arn("user", "other"), &full, None, None, ImplicitDeny);
    }
}
