//! The 21 DataDog/pathfinding-labs scenarios that end at an S3 bucket
//! (`../shared/data/scenarios/pathfinding-labs/`), each assembled from its Terraform into an
//! export in a temporary folder (`tests/pathfinding/`), must show the documented attack path:
//! `who_can` (or `find_routes`, for a path that starts outside the zone of trust) names the
//! starting principal, and its path visits every documented principal in order.
//!
//! A route may name nodes the documentation leaves out (an escalated principal, an
//! instance). A documented `instance/i-xxxxxxxxx` is matched by an instance node or by a hop
//! whose action runs code on an instance (SSM, EC2 Instance Connect, a pass-role launch),
//! since leakpath names the instance in the hop rather than as a node.
//!
//! Every scenario has an explicit expectation: `Found`, `KnownMiss` (leakpath should find it
//! and does not: the reason names the missing edge) or `NotModelled` (an export cannot show
//! it). `KnownMiss` and `NotModelled` assert the path is *not* found, so the test fails when
//! that changes and the pin must be updated.

mod pathfinding;

use leakpath::routes::finding::SolverVerdict;
use leakpath::routes::who_can::{who_can, WhoCanEntry};
use leakpath::routes::{find_routes, RouteOptions};
use pathfinding::{fill, Expect, IndexEntry, ManagedPolicies, DATA, LABS, MANAGED};
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

/// Which paths a scenario must show (ARN templates with scenario.yaml's placeholders).
#[derive(Debug, Clone, Copy)]
enum Paths {
    /// scenario.yaml's `attack_path.principals`, as one path.
    Documented,
    /// scenario.yaml does not describe what the .tf builds (stale names, several paths, an
    /// outside actor named in prose): these are the paths, and why.
    Tf(&'static [&'static [&'static str]], &'static str),
    /// A list of principals, not a path: those whose name contains `yes` can perform the
    /// action (directly or through a path), those containing `no` cannot.
    Split { yes: &'static str, no: &'static str },
}

struct Case {
    dir: &'static str,
    action: &'static str,
    paths: Paths,
    expect: Expect,
    /// For a path pinned as not found: the part of it that must still be found (empty: none).
    found_part: &'static [&'static str],
}

const GET: &str = "s3:GetObject";

fn cases() -> Vec<Case> {
    use Expect::*;
    use Paths::*;
    let case = |dir, action, paths, expect| Case {
        dir,
        action,
        paths,
        expect,
        found_part: &[],
    };
    vec![
        Case {
            found_part: &[
                "arn:aws:iam::{operations_account_id}:role/pl-ops-goidc-pivot-deployer-role",
                "arn:aws:iam::{prod_account_id}:role/pl-prod-goidc-pivot-deployer-role",
                "arn:aws:s3:::pl-prod-goidc-pivot-flag-{prod_account_id}-{suffix}",
            ],
            ..case(
                "modules/scenarios/cross-account/ops-to-prod/one-hop/github-oidc-cross-account-pivot",
                GET,
                Tf(
                    &[&[
                        "token.actions.githubusercontent.com",
                        "arn:aws:iam::{operations_account_id}:role/pl-ops-goidc-pivot-deployer-role",
                        "arn:aws:iam::{prod_account_id}:role/pl-prod-goidc-pivot-deployer-role",
                        "arn:aws:s3:::pl-prod-goidc-pivot-flag-{prod_account_id}-{suffix}",
                    ]],
                    "scenario.yaml names the GitHub repository in prose; leakpath's actor is the OIDC issuer, and the bucket is named only in the summary",
                ),
                NotModelled(
                    "the ops role's trust pins the sub claim to one repository (repo:<owner>/<repo>:*): leakpath reads a GitHub trust pinned to one owner as the organization's own CI, not an outside actor (routes/confirm.rs confirm_web_identity denies the edge by design)",
                ),
            )
        },
        case(
            "modules/scenarios/end-of-life-privesc-paths/iam-passrole+datapipeline-pipeline-to-bucket",
            GET,
            Tf(
                &[&[
                    "arn:aws:iam::{account_id}:user/pl-prod-datapipeline-001-to-bucket-starting-user",
                    "arn:aws:iam::{account_id}:role/pl-prod-datapipeline-001-to-bucket-pipeline-role",
                    "arn:aws:ec2:{region}:{account_id}:instance/i-xxxxxxxxx",
                    "arn:aws:s3:::pl-sensitive-data-datapipeline-001-{account_id}-{suffix}",
                ]],
                "the documented path goes on to the attacker's own exfil bucket, in the attacker's account, which the victim's export does not hold; the route checked ends at the sensitive bucket the pipeline reads",
            ),
            Found,
        ),
        case(
            "modules/scenarios/single-account/privesc-multi-hop/to-bucket/role-chain-to-s3",
            GET,
            Tf(
                &[&[
                    "arn:aws:iam::{account_id}:user/pl-prod-rcs-to-bucket-starting-user",
                    "arn:aws:iam::{account_id}:role/pl-prod-initial-role",
                    "arn:aws:iam::{account_id}:role/pl-prod-intermediate-role",
                    "arn:aws:iam::{account_id}:role/pl-prod-s3-access-role",
                    "arn:aws:s3:::pl-prod-role-chain-destination-{account_id}-{suffix}",
                ]],
                "scenario.yaml names role-a/b/c and the shared starting user; prod.tf builds initial/intermediate/s3-access roles and its own user",
            ),
            Found,
        ),
        case(
            "modules/scenarios/single-account/privesc-one-hop/to-bucket/ec2-003-ec2-instance-connect-sendsshpublickey",
            GET,
            Documented,
            Found,
        ),
        case(
            "modules/scenarios/single-account/privesc-one-hop/to-bucket/glue-001-iam-passrole+glue-createdevendpoint",
            GET,
            Documented,
            Found,
        ),
        case(
            "modules/scenarios/single-account/privesc-one-hop/to-bucket/glue-002-glue-updatedevendpoint",
            GET,
            Documented,
            Found,
        ),
        case(
            "modules/scenarios/single-account/privesc-one-hop/to-bucket/iam-002-iam-createaccesskey",
            GET,
            Documented,
            Found,
        ),
        case(
            "modules/scenarios/single-account/privesc-one-hop/to-bucket/iam-003-iam-deleteaccesskey+createaccesskey",
            GET,
            Documented,
            Found,
        ),
        case(
            "modules/scenarios/single-account/privesc-one-hop/to-bucket/iam-004-iam-createloginprofile",
            GET,
            Documented,
            Found,
        ),
        case(
            "modules/scenarios/single-account/privesc-one-hop/to-bucket/iam-006-iam-updateloginprofile",
            GET,
            Documented,
            Found,
        ),
        case(
            "modules/scenarios/single-account/privesc-one-hop/to-bucket/iam-012-iam-updateassumerolepolicy",
            GET,
            Documented,
            Found,
        ),
        case(
            "modules/scenarios/single-account/privesc-one-hop/to-bucket/ssm-001-ssm-startsession",
            GET,
            Tf(
                &[&[
                    "arn:aws:iam::{account_id}:user/pl-prod-ssm-001-to-bucket-starting-user",
                    "arn:aws:ec2:{region}:{account_id}:instance/i-xxxxxxxxx",
                    "arn:aws:iam::{account_id}:role/pl-prod-ssm-001-to-bucket-ec2-role",
                    "arn:aws:s3:::pl-sensitive-data-ssm-001-{account_id}-{suffix}",
                ]],
                "scenario.yaml's bucket name has an extra -to-bucket; main.tf creates pl-sensitive-data-ssm-001-<account>-<suffix>",
            ),
            Found,
        ),
        case(
            "modules/scenarios/single-account/privesc-one-hop/to-bucket/ssm-002-ssm-sendcommand",
            GET,
            Documented,
            Found,
        ),
        case(
            "modules/scenarios/single-account/privesc-one-hop/to-bucket/sts-001-sts-assumerole",
            GET,
            Documented,
            Found,
        ),
        case(
            "modules/scenarios/single-account/privesc-self-escalation/to-bucket/iam-005-iam-putrolepolicy",
            GET,
            Documented,
            Found,
        ),
        case(
            "modules/scenarios/single-account/privesc-self-escalation/to-bucket/iam-009-iam-attachrolepolicy",
            GET,
            Tf(
                &[&[
                    "arn:aws:iam::{account_id}:user/pl-prod-iam-009-to-bucket-starting-user",
                    "arn:aws:iam::{account_id}:role/pl-prod-iam-009-to-bucket-starting-role",
                    "arn:aws:s3:::pl-prod-iam-009-to-bucket-{account_id}-{suffix}",
                ]],
                "scenario.yaml names the shared starting user pl-pathfinding-starting-user-prod; main.tf builds its own starting user",
            ),
            Found,
        ),
        case(
            "modules/scenarios/tool-testing/exclusive-resource-policy",
            GET,
            Tf(
                &[&[
                    "arn:aws:iam::{account_id}:user/pl-prod-erp-to-bucket-starting-user",
                    "arn:aws:iam::{account_id}:role/pl-exclusive-bucket-access-role",
                    "arn:aws:s3:::pl-exclusive-sensitive-data-{account_id}-{suffix}",
                ]],
                "scenario.yaml names role-a/exclusive-role and the shared starting user; prod.tf builds one role and its own user",
            ),
            Found,
        ),
        case(
            "modules/scenarios/tool-testing/resource-policy-bypass",
            GET,
            Tf(
                &[&[
                    "arn:aws:iam::{account_id}:user/pl-prod-rpb-to-bucket-starting-user",
                    "arn:aws:iam::{account_id}:role/pl-bucket-access-role",
                    "arn:aws:s3:::pl-sensitive-data-{account_id}-{suffix}",
                ]],
                "scenario.yaml names role-a/bucket-role and the shared starting user; prod.tf builds one role and its own user",
            ),
            Found,
        ),
        case(
            "modules/scenarios/tool-testing/test-effective-permissions-evaluation",
            GET,
            Split {
                yes: "-isAdmin-",
                no: "-notAdmin-",
            },
            Found,
        ),
        case(
            "modules/scenarios/tool-testing/test-reverse-blast-radius-direct-and-indirect-through-admin",
            GET,
            Tf(
                &[
                    &[
                        "arn:aws:iam::{account_id}:user/pl-prod-rbr-admin-user1",
                        "arn:aws:s3:::pl-sensitive-data-rbr-admin-{account_id}-{suffix}",
                    ],
                    &[
                        "arn:aws:iam::{account_id}:user/pl-prod-rbr-admin-user2",
                        "arn:aws:iam::{account_id}:role/pl-prod-rbr-admin-role3",
                        "arn:aws:s3:::pl-sensitive-data-rbr-admin-{account_id}-{suffix}",
                    ],
                ],
                "scenario.yaml lists the principals of two paths (user1 direct; user2 through admin role3) as one",
            ),
            Found,
        ),
        case(
            "modules/scenarios/tool-testing/test-reverse-blast-radius-direct-and-indirect-to-bucket",
            GET,
            Tf(
                &[
                    &[
                        "arn:aws:iam::{account_id}:user/pl-prod-rbr-di-user1",
                        "arn:aws:s3:::pl-sensitive-data-rbr-di-{account_id}-{suffix}",
                    ],
                    &[
                        "arn:aws:iam::{account_id}:user/pl-prod-rbr-di-user2",
                        "arn:aws:iam::{account_id}:role/pl-prod-rbr-di-role3",
                        "arn:aws:s3:::pl-sensitive-data-rbr-di-{account_id}-{suffix}",
                    ],
                ],
                "scenario.yaml lists the principals of two paths (user1 direct; user2 through role3) as one",
            ),
            Found,
        ),
    ]
}

/// Actions whose hop runs code on (or logs in to) an EC2 instance: the hop stands for the
/// instance node scenario.yaml names.
fn hop_reaches_instance(via: &str) -> bool {
    let v = via.to_ascii_lowercase();
    [
        "ssm:",
        "ec2-instance-connect:",
        "ec2:runinstances",
        "datapipeline:",
    ]
    .iter()
    .any(|s| v.contains(s))
}

/// Does route node `node` stand for documented principal `doc`?
fn node_matches(node: &str, doc: &str) -> bool {
    if doc.contains(":instance/") {
        return node.contains(":instance/");
    }
    // An escalated principal is shown as "<arn> (escalated)" or "<arn> (in <group>)".
    node == doc
        || node
            .strip_prefix(doc)
            .is_some_and(|rest| rest.starts_with(" ("))
}

/// Is `want` (after its first element) a subsequence of `nodes`?
fn visits_in_order(nodes: &[String], want: &[String]) -> bool {
    let mut it = nodes.iter();
    want.iter().all(|w| it.by_ref().any(|n| node_matches(n, w)))
}

/// The nodes a who-can entry visits, from the principal to the resource's bucket.
fn entry_nodes(e: &WhoCanEntry, bucket_arn: &str) -> Vec<String> {
    let mut nodes = vec![e.who.clone()];
    for h in &e.path {
        // The instance sits on either side of the role it runs with: SSM reaches the
        // instance, then its role; a pass-role launch passes the role, then runs the instance.
        let instance = hop_reaches_instance(&h.via).then(|| format!("(via {}) :instance/", h.via));
        nodes.extend(instance.clone());
        nodes.push(h.to.clone());
        nodes.extend(instance);
    }
    nodes.push(bucket_arn.to_string());
    nodes
}

fn bucket_of(arn: &str) -> Option<&str> {
    arn.strip_prefix("arn:aws:s3:::")
        .map(|r| r.split('/').next().unwrap_or(r))
}

/// One path's outcome: found (with its rendering) or not (with what was seen).
/// `who_can` answers per resource, computed once per scenario.
type WhoCanCache = HashMap<String, Vec<WhoCanEntry>>;

fn find_path(
    export: &leakpath::ingest::LoadedExport,
    cache: &mut WhoCanCache,
    action: &str,
    path: &[String],
) -> Result<String, String> {
    let bucket = path
        .iter()
        .rev()
        .find_map(|p| bucket_of(p))
        .ok_or("no bucket in the path")?;
    let bucket_arn = format!("arn:aws:s3:::{bucket}");
    let resource = if action == "s3:ListBucket" {
        bucket_arn.clone()
    } else {
        format!("{bucket_arn}/pathfinding-probe.txt")
    };
    let start = path.first().ok_or("empty path")?;
    if !start.starts_with("arn:") {
        // An outside actor: the zone-of-trust search reports it.
        let findings = find_routes(&export.model, &export.sources, &RouteOptions::default())
            .map_err(|e| format!("find_routes: {e}"))?;
        let mut seen = Vec::new();
        for f in findings
            .iter()
            .filter(|f| bucket_of(&f.dataset.arn) == Some(bucket))
        {
            let mut nodes = vec![f.actor.clone()];
            nodes.extend(f.route.iter().map(|h| h.to.clone()));
            nodes.push(bucket_arn.clone());
            let rendered = format!("{} [{:?}]", nodes.join(" -> "), f.solver.verdict);
            if f.actor == *start
                && f.solver.verdict == SolverVerdict::Sat
                && visits_in_order(&nodes[1..], &path[1..])
            {
                return Ok(rendered);
            }
            seen.push(rendered);
        }
        return Err(format!(
            "no route from {start}; routes to the bucket: {seen:#?}"
        ));
    }
    let entries = match cache.get(&resource) {
        Some(e) => e,
        None => {
            let e = who_can(
                &export.model,
                &export.sources,
                action,
                &resource,
                &RouteOptions::default(),
            )
            .map_err(|e| format!("who_can: {e}"))?;
            cache.entry(resource.clone()).or_insert(e)
        }
    };
    let render = |e: &WhoCanEntry| {
        format!(
            "{} [{}]: {}",
            e.who,
            e.result,
            e.path
                .iter()
                .map(|h| format!("-[{}]-> {}", h.via, h.to))
                .collect::<Vec<_>>()
                .join(" ")
        )
    };
    match entries.iter().find(|e| e.who == *start) {
        Some(e)
            if e.result == "sat"
                && visits_in_order(&entry_nodes(e, &bucket_arn)[1..], &path[1..]) =>
        {
            // A confirmed answer carries its evidence: a cited policy per hop and the final
            // request the solver found.
            if let Some(h) = e.path.iter().find(|h| h.policy.is_empty()) {
                return Err(format!("hop without evidence: {h:?}"));
            }
            match &e.request {
                Some(w) if w.action.eq_ignore_ascii_case(action) => Ok(render(e)),
                other => Err(format!("no witness request for {action}: {other:?}")),
            }
        }
        Some(e) => Err(format!(
            "{start} found, but not along the path: {}",
            render(e)
        )),
        None => Err(format!(
            "{start} not among who-can {action} {resource}: {:#?}",
            entries.iter().map(render).collect::<Vec<_>>()
        )),
    }
}

/// The outcome of one scenario, or why it did not meet its expectation.
fn check(
    labs: &Path,
    managed: &ManagedPolicies,
    entry: &IndexEntry,
    case: &Case,
) -> Result<String, String> {
    let dir = labs.join(case.dir);
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    // PATHFINDING_EXPORTS=<dir> keeps each assembled export there, to inspect or scan by hand.
    let out = match std::env::var_os("PATHFINDING_EXPORTS") {
        Some(keep) => Path::new(&keep).join(dir.file_name().unwrap_or_default()),
        None => tmp.path().to_path_buf(),
    };
    let summary = pathfinding::write_export(&dir, managed, &out)
        .map_err(|e| format!("does not convert: {e}"))?;
    if !summary.not_exported.is_empty() {
        eprintln!(
            "     {}: not in the export: {:?}",
            entry.name, summary.not_exported
        );
    }
    let export =
        leakpath::ingest::load_export(&out).map_err(|e| format!("export does not load: {e}"))?;
    let filled = |p: &[&str]| p.iter().map(|s| fill(s)).collect::<Vec<String>>();
    let documented: Vec<String> = entry.principals.iter().flatten().map(|p| fill(p)).collect();
    // (path, must it be found?)
    let mut paths: Vec<(Vec<String>, bool)> = Vec::new();
    match case.paths {
        Paths::Documented => paths.push((documented.clone(), true)),
        Paths::Tf(ps, _) => paths.extend(ps.iter().map(|p| (filled(p), true))),
        Paths::Split { yes, no } => {
            let bucket = documented
                .iter()
                .find(|p| bucket_of(p).is_some())
                .ok_or("no bucket among the documented principals")?;
            for p in &documented {
                if p.contains(yes) {
                    paths.push((vec![p.clone(), bucket.clone()], true));
                } else if p.contains(no) {
                    paths.push((vec![p.clone(), bucket.clone()], false));
                }
            }
        }
    }
    // scenario.yaml often names a bucket without the random suffix the .tf appends.
    let mut notes = Vec::new();
    for (p, _) in &mut paths {
        for node in p.iter_mut() {
            let Some(name) = bucket_of(node).map(str::to_string) else {
                continue;
            };
            let suffixed = format!("{name}-{}", pathfinding::SUFFIX);
            if !summary.buckets.contains(&name) && summary.buckets.contains(&suffixed) {
                notes.push(format!("bucket {name} is documented without its suffix"));
                *node = format!("arn:aws:s3:::{suffixed}");
            }
        }
    }
    notes.dedup();
    // A documented path without a bucket (iam-003) targets the scenario's one bucket.
    for (p, _) in &mut paths {
        if !p.iter().any(|x| bucket_of(x).is_some()) {
            match summary.buckets.as_slice() {
                [b] => p.push(format!("arn:aws:s3:::{b}")),
                other => return Err(format!("path names no bucket and the export has {other:?}")),
            }
        }
    }
    let mut cache = WhoCanCache::new();
    let mut found = Vec::new();
    let mut missed = Vec::new();
    for (p, should) in &paths {
        match (find_path(&export, &mut cache, case.action, p), should) {
            (Ok(r), true) => found.push(r),
            (Err(why), true) => missed.push(why),
            (Ok(r), false) => return Err(format!("must not be found, but is: {r}")),
            (Err(_), false) => {
                // Not vacuous: the principal is in the export, it just cannot reach.
                let start = p.first().map(String::as_str).unwrap_or("");
                let m = &export.model;
                if m.user_by_arn(start).is_none() && m.role_by_arn(start).is_none() {
                    return Err(format!("{start} is not in the export"));
                }
            }
        }
    }
    if !case.found_part.is_empty() {
        let part = filled(case.found_part);
        if let Err(why) = find_path(&export, &mut cache, case.action, &part) {
            return Err(format!("the in-zone part of the path is not found: {why}"));
        }
    }
    match case.expect {
        Expect::Found if missed.is_empty() => {
            let note = match case.paths {
                Paths::Tf(_, why) => format!(" (paths from the .tf: {why})"),
                _ => String::new(),
            };
            let note = if notes.is_empty() {
                note
            } else {
                format!("{note} ({})", notes.join("; "))
            };
            Ok(format!("found{note}: {}", found.join(" | ")))
        }
        Expect::Found => Err(format!("expected Found; missed: {}", missed.join("\n"))),
        Expect::KnownMiss(why) if !missed.is_empty() => Ok(format!("known miss: {why}")),
        Expect::NotModelled(why) if !missed.is_empty() => Ok(format!("not modelled: {why}")),
        Expect::KnownMiss(_) | Expect::NotModelled(_) => Err(format!(
            "pinned as {:?} but now found: {} — update the pin to Found",
            case.expect,
            found.join(" | ")
        )),
    }
}

#[test]
fn pathfinding_labs_to_bucket_paths() {
    let data = Path::new(DATA);
    if !data.exists() {
        eprintln!("SKIPPED: ../shared/data not present");
        return;
    }
    let labs = data.join(LABS);
    let index = pathfinding::load_index(&labs).expect("scenarios_index.json");
    let managed = ManagedPolicies::load(&data.join(MANAGED)).expect("managed policies");
    let cases = cases();
    // No scenario is skipped silently: the table covers exactly the index's to-bucket ones.
    let mut want: Vec<&str> = index
        .iter()
        .filter(|e| e.target == "to-bucket")
        .map(|e| e.path.as_str())
        .collect();
    let mut have: Vec<&str> = cases.iter().map(|c| c.dir).collect();
    want.sort();
    have.sort();
    assert_eq!(
        have, want,
        "the case table must list every to-bucket scenario once"
    );

    let mut failures = Vec::new();
    let (mut n_found, mut n_miss, mut n_nm) = (0, 0, 0);
    for case in &cases {
        let Some(entry) = index.iter().find(|e| e.path == case.dir) else {
            failures.push(format!("{}: not in the index", case.dir));
            continue;
        };
        let t = Instant::now();
        let outcome = check(&labs, &managed, entry, case);
        let ms = t.elapsed().as_millis();
        match &outcome {
            Ok(msg) => {
                match case.expect {
                    Expect::Found => n_found += 1,
                    Expect::KnownMiss(_) => n_miss += 1,
                    Expect::NotModelled(_) => n_nm += 1,
                }
                eprintln!("ok   {} ({ms} ms): {msg}", entry.name);
            }
            Err(why) => {
                eprintln!("FAIL {} ({ms} ms): {why}", entry.name);
                failures.push(format!("{}: {why}", entry.name));
            }
        }
    }
    eprintln!(
        "pathfinding-labs to-bucket: {n_found} found, {n_miss} known miss, {n_nm} not modelled, {} failing",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The matching rules the scenario check relies on: documented principals in order, an
/// escalated principal standing for itself, an instance placeholder for an instance hop.
#[test]
fn route_nodes_match_documented_principals() {
    let u = "arn:aws:iam::1:user/u";
    let r = "arn:aws:iam::1:role/r";
    let b = "arn:aws:s3:::b";
    let i = "arn:aws:ec2:us-east-1:1:instance/i-xxxxxxxxx";
    let nodes = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let table: &[(&[&str], &[&str], bool)] = &[
        (&[r, b], &[r, b], true),
        (&[r, b], &[b, r], false),
        (&[r, "x", b], &[r, b], true),
        (&["arn:aws:iam::1:role/r (escalated)", b], &[r, b], true),
        (&["arn:aws:iam::1:role/rr", b], &[r, b], false),
        (
            &["(via ssm:SendCommand) :instance/", r, b],
            &[i, r, b],
            true,
        ),
        (&[r, b], &[i, r, b], false),
        (&[u], &[r], false),
    ];
    for (route, want, ok) in table {
        assert_eq!(
            visits_in_order(&nodes(route), &nodes(want)),
            *ok,
            "{route:?} vs {want:?}"
        );
    }
}
