//! The DataDog/pathfinding-labs scenarios that do not end at an S3 bucket (privilege
//! escalation to an admin principal, `../shared/data/scenarios/pathfinding-labs/`), each
//! assembled from its Terraform into an export in a temporary folder (`tests/pathfinding/`),
//! must show the documented path in leakpath's escalation analysis
//! (`routes::escalations::escalation_reach`): the starting principal reaches the documented
//! target principal over confirmed assume-role and escalation edges, visiting the documented
//! intermediate users and roles in order, and ends with admin rights: the target is reached
//! escalated ("(escalated)", "(in group)"), or it holds admin rights itself (its identity
//! policies may allow `iam:AttachRolePolicy` and `iam:CreateAccessKey` on any role and user
//! of its account). A self-escalation (only the start documented) must reach the start
//! escalated.
//!
//! The lab's shared starting users (`pl-pathfinding-starting-user-<env>`) come from its
//! environment module; the converter writes those a scenario's trust names, with no policies.
//!
//! Only users and roles are matched: documented functions, instances, projects, groups and
//! policies are the means of a hop (leakpath names them in the hop's calls), not nodes.
//!
//! Every scenario has an explicit expectation: `Found`, `KnownMiss` (the path exists under
//! AWS's rules and leakpath does not show it: the reason names the missing detector) or
//! `NotModelled` (an export cannot show it, or it is not an escalation). `KnownMiss` and
//! `NotModelled` assert the path is *not* found, so the test fails when that changes and the
//! pin must be updated.

mod pathfinding;

use leakpath::routes::escalations::{escalation_reach, PrincipalEscalation};
use leakpath::routes::RouteOptions;
use pathfinding::{fill, Expect, IndexEntry, ManagedPolicies, DATA, LABS, MANAGED};
use std::path::Path;
use std::time::Instant;

/// The pinned expectation of every scenario not ending at a bucket, by its index path
/// (`modules/scenarios/` left out), and the path when scenario.yaml's is not what the .tf
/// builds.
fn expectations() -> Vec<(&'static str, Expect, Option<Override>)> {
    use Expect::*;
    let cfn_role_created = "the escalated role is created by the stack during the attack, so \
        no export holds it beforehand: the path ends at the admin role the stack runs as";
    let one_hop = |s: &str| format!("single-account/privesc-one-hop/to-admin/{s}");
    let mut t: Vec<(String, Expect, Option<Override>)> = vec![
        (
            "attack-simulation/sysdig-8-minutes-to-admin".into(),
            NotModelled(
                "the first hop reads another user's access keys from an S3 object (RAG data): \
                 credentials inside data are not an IAM permission an export shows",
            ),
            None,
        ),
        (
            "cross-account/dev-to-prod/multi-hop/lambda-invoke-update".into(),
            KnownMiss(
                "the prod function's resource policy (aws_lambda_permission) lets the dev \
                 account call lambda:UpdateFunctionCode on it: the converter writes no function \
                 resource policies, update-lambda-code looks only at functions of the \
                 principal's own account, and the dev role's policy names the function in \
                 us-west-2 while the converter deploys to us-east-1",
            ),
            None,
        ),
        (
            "cross-account/dev-to-prod/multi-hop/multi-hop-both-sides".into(),
            Found,
            None,
        ),
        (
            "cross-account/dev-to-prod/multi-hop/passrole-lambda-admin".into(),
            Found,
            None,
        ),
        (
            "cross-account/dev-to-prod/one-hop/root-trust-role-assumption".into(),
            Found,
            None,
        ),
        (
            "cross-account/dev-to-prod/one-hop/simple-role-assumption".into(),
            Found,
            None,
        ),
        (
            "cross-account/ops-to-prod/one-hop/simple-role-assumption".into(),
            NotModelled(
                "the .tf gives no prod role admin rights (two hold SecurityAudit, \
                 pl-x-account-prod-admin-role nothing): leakpath reaches all three (ops user \
                 -> ops role -> each prod role), but there is no admin to gain",
            ),
            None,
        ),
        (
            "end-of-life-privesc-paths/iam-passrole+datapipeline-pipeline-to-admin".into(),
            Found,
            None,
        ),
        (
            "single-account/cspm-misconfig/cspm-ec2-001-instance-with-privileged-role".into(),
            NotModelled(
                "a misconfiguration (an instance running with an admin role), not a path: \
                 scenario.yaml documents no principals",
            ),
            None,
        ),
        (
            "single-account/cspm-toxic-combo/public-lambda-with-admin".into(),
            NotModelled(
                "starts outside: anyone may call the function's public URL; that is an \
                 outside route (find_routes), not one principal escalating",
            ),
            None,
        ),
        (
            "single-account/privesc-multi-hop/to-admin/lambda-004-to-iam-002-to-admin".into(),
            Found,
            None,
        ),
        (
            "single-account/privesc-multi-hop/to-admin/multiple-paths-combined".into(),
            NotModelled(
                "the starting user pl-pathfinding-starting-user-prod and its policy come from \
                 the lab's environment module, and no role of the scenario trusts it by ARN: \
                 the export has no such principal",
            ),
            None,
        ),
        (
            "single-account/privesc-multi-hop/to-admin/sts-001-to-ecs-002-to-admin".into(),
            Found,
            None,
        ),
    ];
    let cfn = |n: &str, role: &'static str| {
        (
            one_hop(n),
            Found,
            Some(Override {
                path: &[],
                target: Some(role),
                why: cfn_role_created,
            }),
        )
    };
    t.push(cfn(
        "cloudformation-001-iam-passrole-cloudformation",
        "arn:aws:iam::{account_id}:role/pl-prod-cloudformation-001-to-admin-cfn-role",
    ));
    t.push(cfn(
        "cloudformation-002-cloudformation-updatestack",
        "arn:aws:iam::{account_id}:role/pl-prod-cloudformation-002-to-admin-stack-role",
    ));
    t.push(cfn(
        "cloudformation-003-iam-passrole+cloudformation-createstackset+cloudformation-createstackinstances",
        "arn:aws:iam::{account_id}:role/pl-prod-cloudformation-003-to-admin-execution-role",
    ));
    t.push(cfn(
        "cloudformation-004-iam-passrole+cloudformation-updatestackset",
        "arn:aws:iam::{account_id}:role/pl-prod-cloudformation-004-to-admin-stackset-execution-role",
    ));
    t.push(cfn(
        "cloudformation-005-cloudformation-createchangeset+executechangeset",
        "arn:aws:iam::{account_id}:role/pl-prod-cloudformation-005-to-admin-stack-role",
    ));
    t.push((
        one_hop("ec2-005-ec2-createlaunchtemplateversion+ec2-modifylaunchtemplate"),
        Found,
        Some(Override {
            path: &[],
            target: Some("arn:aws:iam::{account_id}:role/pl-prod-ec2-005-to-admin-target-role"),
            why: "the low-privilege role is the one the template launched with before the \
                  attacker's new version: it is replaced, not passed through",
        }),
    ));
    for n in [
        "apprunner-001-iam-passrole+apprunner-createservice",
        "apprunner-002-apprunner-updateservice",
        "bedrock-001-iam-passrole+bedrockagentcore-codeinterpreter",
        "bedrock-002-bedrockagentcore-startsession+invoke",
        "codebuild-001-iam-passrole+codebuild-createproject+codebuild-startbuild",
        "codebuild-002-codebuild-startbuild",
        "codebuild-003-codebuild-startbuildbatch",
        "codebuild-004-iam-passrole+codebuild-createproject+codebuild-startbuildbatch",
        "ec2-001-iam-passrole+ec2-runinstances",
        "ec2-002-ec2-modifyinstanceattribute+stopinstances+startinstances",
        "ec2-003-ec2-instance-connect-sendsshpublickey",
        "ec2-004-iam-passrole+ec2-requestspotinstances",
        "ecs-001-iam-passrole+ecs-createcluster+ecs-registertaskdefinition+ecs-createservice",
        "ecs-002-iam-passrole+ecs-createcluster+ecs-registertaskdefinition+ecs-runtask",
        "ecs-003-iam-passrole+ecs-registertaskdefinition+ecs-createservice",
        "ecs-004-iam-passrole+ecs-registertaskdefinition+ecs-runtask",
        "ecs-005-iam-passrole+ecs-registertaskdefinition+ecs-starttask",
        "ecs-006-ecs-executecommand+describetasks",
        "ecs-007-iam-passrole+ecs-starttask+ecs-registercontainerinstance",
        "ecs-008-iam-passrole+ecs-runtask",
        "ecs-009-iam-passrole+ecs-starttask",
        "glue-001-iam-passrole+glue-createdevendpoint",
        "glue-002-glue-updatedevendpoint",
        "glue-003-iam-passrole+glue-createjob+glue-startjobrun",
        "glue-004-iam-passrole+glue-createjob+glue-createtrigger",
        "glue-005-iam-passrole+glue-updatejob+glue-startjobrun",
        "glue-006-iam-passrole+glue-updatejob+glue-createtrigger",
        "glue-007-iam-passrole+glue-createsession+glue-runstatement",
        "iam-002-iam-createaccesskey",
        "iam-003-iam-deleteaccesskey+createaccesskey",
        "iam-004-iam-createloginprofile",
        "iam-006-iam-updateloginprofile",
        "iam-012-iam-updateassumerolepolicy",
        "iam-014-iam-attachrolepolicy+sts-assumerole",
        "iam-015-iam-attachuserpolicy+iam-createaccesskey",
        "iam-016-iam-createpolicyversion+sts-assumerole",
        "iam-017-iam-putrolepolicy+sts-assumerole",
        "iam-018-iam-putuserpolicy+iam-createaccesskey",
        "iam-019-iam-attachrolepolicy+iam-updateassumerolepolicy",
        "iam-020-iam-createpolicyversion+iam-updateassumerolepolicy",
        "iam-021-iam-putrolepolicy+iam-updateassumerolepolicy",
        "lambda-001-iam-passrole+lambda-createfunction+lambda-invokefunction",
        "lambda-002-iam-passrole+lambda-createfunction+createeventsourcemapping-dynamodb",
        "lambda-003-lambda-updatefunctioncode",
        "lambda-004-lambda-updatefunctioncode+lambda-invokefunction",
        "lambda-005-lambda-updatefunctioncode+lambda-addpermission",
        "lambda-006-iam-passrole+lambda-createfunction+lambda-addpermission",
        "sagemaker-001-iam-passrole+sagemaker-createnotebookinstance",
        "sagemaker-002-iam-passrole+sagemaker-createtrainingjob",
        "sagemaker-003-iam-passrole+sagemaker-createprocessingjob",
        "sagemaker-004-sagemaker-createpresignednotebookinstanceurl",
        "sagemaker-005-sagemaker-updatenotebook-lifecycle-config",
        "ssm-001-ssm-startsession",
        "ssm-002-ssm-sendcommand",
        "sts-001-sts-assumerole",
    ] {
        t.push((one_hop(n), Found, None));
    }
    for n in [
        "iam-001-iam-createpolicyversion",
        "iam-005-iam-putrolepolicy",
        "iam-007-iam-putuserpolicy",
        "iam-008-iam-attachuserpolicy",
        "iam-009-iam-attachrolepolicy",
        "iam-010-iam-attachgrouppolicy",
        "iam-011-iam-putgrouppolicy",
        "iam-013-iam-addusertogroup",
    ] {
        t.push((
            format!("single-account/privesc-self-escalation/to-admin/{n}"),
            Found,
            None,
        ));
    }
    t.into_iter()
        .map(|(d, e, o)| {
            let d: &'static str = Box::leak(format!("modules/scenarios/{d}").into_boxed_str());
            (d, e, o)
        })
        .collect()
}

/// The path a scenario's .tf builds when scenario.yaml's cannot be matched as written.
#[derive(Debug, Clone, Copy)]
struct Override {
    /// Intermediate users and roles (ARN templates), replacing the documented ones.
    path: &'static [&'static str],
    /// The target (an ARN template), replacing the documented one.
    target: Option<&'static str>,
    why: &'static str,
}

/// Is `doc` (a documented ARN, possibly with `*`) an IAM user or role?
fn is_principal(doc: &str) -> bool {
    doc.starts_with("arn:aws:iam::") && (doc.contains(":user/") || doc.contains(":role/"))
}

/// Does a reached node stand for documented principal `doc`? A `*` in `doc` matches any
/// run of characters; an escalated principal is shown as "<arn> (escalated)" or
/// "<arn> (in <group>)".
fn node_matches(node: &str, doc: &str) -> bool {
    let arn = node.split(" (").next().unwrap_or(node);
    match doc.split_once('*') {
        None => arn == doc,
        Some((head, tail)) => {
            arn.len() >= head.len() + tail.len() && arn.starts_with(head) && arn.ends_with(tail)
        }
    }
}

/// Does `reach` (one principal's path to one node) show the documented path? `want` holds
/// the documented users and roles after the start; an empty `want` asks for the start
/// escalated (a self-escalation).
/// `admin`: whether a reached principal (by node name) holds admin rights itself, so reaching
/// its session is enough; otherwise the target must be reached escalated.
fn shows(
    reach: &PrincipalEscalation,
    start: &str,
    want: &[String],
    admin: impl Fn(&str) -> bool,
) -> bool {
    let nodes: Vec<&str> = reach.path.iter().map(|h| h.to.as_str()).collect();
    let Some(last) = nodes.last() else {
        return false;
    };
    let escalated = last.contains(" (");
    match want.split_last() {
        None => node_matches(last, start) && escalated,
        Some((target, middle)) => {
            let mut it = nodes.iter();
            node_matches(last, target)
                && (escalated || admin(last))
                && middle
                    .iter()
                    .all(|w| it.by_ref().any(|n| node_matches(n, w)))
        }
    }
}

/// Whether the user or role `arn` holds admin rights through its own identity policies: they
/// may allow `iam:AttachRolePolicy` and `iam:CreateAccessKey` on any role and user of its
/// account (so it can give itself anything).
fn holds_admin(m: &leakpath::model::Model, node: &str) -> bool {
    let arn = node.split(" (").next().unwrap_or(node);
    use leakpath::graph::patterns::{doc_may_allow, ResourceTarget};
    use leakpath::model::{Collected, PrincipalRef};
    let p = match (m.user_by_arn(arn), m.role_by_arn(arn)) {
        (Some(u), _) => PrincipalRef::User(u),
        (None, Some(r)) => PrincipalRef::Role(r),
        _ => return false,
    };
    let account = arn.split(':').nth(4).unwrap_or("");
    let docs: Vec<_> = m
        .identity_policies(p)
        .into_iter()
        .filter_map(|ip| match ip.policy {
            Collected::Present(id) => m.policy(id).map(|pol| &pol.document),
            Collected::Missing => None,
        })
        .collect();
    [
        ("iam:AttachRolePolicy", "role/pathfinding-any-role"),
        ("iam:CreateAccessKey", "user/pathfinding-any-user"),
    ]
    .iter()
    .all(|(action, res)| {
        let target = format!("arn:aws:iam::{account}:{res}");
        docs.iter()
            .any(|d| doc_may_allow(d, action, ResourceTarget::Exact(&target)))
    })
}

fn render(r: &PrincipalEscalation) -> String {
    let hops: Vec<String> = r
        .path
        .iter()
        .map(|h| format!("-[{}]-> {}", h.via, h.to))
        .collect();
    format!("{} {}", r.principal, hops.join(" "))
}

/// Whether the scenario's documented path is found (with its rendering), or what was seen.
fn run(
    labs: &Path,
    managed: &ManagedPolicies,
    entry: &IndexEntry,
    over: Option<&Override>,
) -> Result<String, String> {
    let dir = labs.join(&entry.path);
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    // PATHFINDING_EXPORTS=<dir> keeps each assembled export there, to inspect or scan by hand.
    let out = match std::env::var_os("PATHFINDING_EXPORTS") {
        Some(keep) => Path::new(&keep).join(dir.file_name().unwrap_or_default()),
        None => tmp.path().to_path_buf(),
    };
    pathfinding::write_export(&dir, managed, &out).map_err(|e| format!("does not convert: {e}"))?;
    let export =
        leakpath::ingest::load_export(&out).map_err(|e| format!("export does not load: {e}"))?;
    let documented: Vec<String> = entry.principals.iter().flatten().map(|p| fill(p)).collect();
    let start = documented
        .first()
        .filter(|s| is_principal(s))
        .ok_or_else(|| format!("no starting user or role documented: {documented:?}"))?;
    let m = &export.model;
    if m.user_by_arn(start).is_none() && m.role_by_arn(start).is_none() {
        return Err(format!("{start} is not in the export"));
    }
    let mut want: Vec<String> = documented[1..]
        .iter()
        .filter(|p| is_principal(p))
        .cloned()
        .collect();
    if let Some(o) = over {
        want = o.path.iter().map(|p| fill(p)).collect();
        want.extend(o.target.map(fill));
    }
    let reach = escalation_reach(m, &export.sources, &RouteOptions::default())
        .map_err(|e| format!("escalation analysis: {e}"))?;
    let mine: Vec<&PrincipalEscalation> = reach.iter().filter(|r| r.principal == *start).collect();
    match mine
        .iter()
        .find(|r| shows(r, start, &want, |node| holds_admin(m, node)))
    {
        Some(r) => {
            if let Some(h) = r.path.iter().find(|h| h.policy.is_empty()) {
                return Err(format!("hop without evidence: {h:?}"));
            }
            Ok(render(r))
        }
        None => Err(format!(
            "{start} does not reach {:?} with admin rights; it reaches: {:#?}",
            want.last().unwrap_or(start),
            mine.iter().map(|r| render(r)).collect::<Vec<_>>()
        )),
    }
}

#[test]
fn pathfinding_escalation_scenarios() {
    let labs = Path::new(DATA).join(LABS);
    if !labs.exists() {
        eprintln!("SKIPPED: ../shared/data not present");
        return;
    }
    let index = pathfinding::load_index(&labs).expect("scenarios index");
    let managed = ManagedPolicies::load(&Path::new(DATA).join(MANAGED)).expect("managed policies");
    let table = expectations();
    let mut want: Vec<&str> = index
        .iter()
        .filter(|e| e.target != "to-bucket")
        .map(|e| e.path.as_str())
        .collect();
    let mut have: Vec<&str> = table.iter().map(|(d, ..)| *d).collect();
    want.sort_unstable();
    have.sort_unstable();
    let explore = std::env::var_os("PATHFINDING_EXPLORE").is_some();
    if !explore {
        assert_eq!(
            have, want,
            "the table must list every scenario not ending at a bucket once"
        );
    }
    let mut failures = Vec::new();
    let (mut n_found, mut n_miss, mut n_nm) = (0, 0, 0);
    for entry in index.iter().filter(|e| e.target != "to-bucket") {
        let row = table.iter().find(|(d, ..)| *d == entry.path);
        let expect = row.map(|(_, e, _)| *e);
        let over = row.and_then(|(.., o)| o.as_ref());
        let t = Instant::now();
        let outcome = run(&labs, &managed, entry, over);
        let ms = t.elapsed().as_millis();
        let verdict = match (expect, &outcome) {
            (Some(Expect::Found), Ok(r)) => {
                n_found += 1;
                match over {
                    Some(o) => format!("found (path from the .tf: {}): {r}", o.why),
                    None => format!("found: {r}"),
                }
            }
            (Some(Expect::KnownMiss(why)), Err(_)) => {
                n_miss += 1;
                format!("known miss: {why}")
            }
            (Some(Expect::NotModelled(why)), Err(_)) => {
                n_nm += 1;
                format!("not modelled: {why}")
            }
            (Some(e), o) => {
                failures.push(format!("{}: expected {e:?}, got {o:?}", entry.path));
                format!("UNEXPECTED {o:?}")
            }
            (None, o) => {
                failures.push(format!("{}: no expectation", entry.path));
                format!("NO EXPECTATION {o:?}")
            }
        };
        eprintln!("[{ms:>5} ms] {}: {verdict}", entry.path);
    }
    eprintln!(
        "pathfinding escalation: {n_found} found, {n_miss} known misses, {n_nm} not modelled, of {}",
        want.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn reached_nodes_match_documented_principals() {
    let u = "arn:aws:iam::1:user/u";
    let r = "arn:aws:iam::1:role/r";
    let hop = |to: &str| leakpath::routes::finding::RouteHop {
        from: String::new(),
        to: to.to_string(),
        via: String::new(),
        policy: String::new(),
    };
    let reach = |tos: &[&str]| PrincipalEscalation {
        principal: u.to_string(),
        path: tos.iter().map(|t| hop(t)).collect(),
        detectors: Vec::new(),
    };
    let want = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let r_esc = "arn:aws:iam::1:role/r (escalated)";
    let u_esc = "arn:aws:iam::1:user/u (escalated)";
    // (reached nodes, documented path after the start, target holds admin, shown?)
    let table: &[(&[&str], &[&str], bool, bool)] = &[
        (&[r], &[r], true, true),
        (&[r], &[r], false, false),
        (&[r_esc], &[r], false, true),
        (&["arn:aws:iam::1:role/rr"], &[r], true, false),
        (
            &["arn:aws:iam::1:role/x", r],
            &["arn:aws:iam::1:role/*", r],
            true,
            true,
        ),
        (&[r, "arn:aws:iam::1:role/x"], &[r], true, false),
        (&[u_esc], &[], false, true),
        (&[r], &[], true, false),
        (&["arn:aws:iam::1:user/u (in g)"], &[], false, true),
        (&[r], &["arn:aws:iam::1:role/*"], true, true),
        (&[r], &["arn:aws:iam::2:role/*"], true, false),
    ];
    for (tos, w, admin, ok) in table {
        assert_eq!(
            shows(&reach(tos), u, &want(w), |_| *admin),
            *ok,
            "{tos:?} vs {w:?}"
        );
    }
}
