//! Route scenarios: one small export per exposure class and per blocker
//! (`tests/fixtures/routes/<scenario>/`, written by `make_fixtures.py`). Each positive
//! scenario expects exactly its routes; each negative twin differs by one blocker and
//! expects none.

#[path = "common/route_scenarios.rs"]
mod route_scenarios;
use leakpath::routes::finding::{Finding, SolverVerdict};
use leakpath::routes::RouteOptions;
use route_scenarios::Expected;
use std::path::Path;

fn findings(fixture: &str) -> Vec<Finding> {
    route_scenarios::findings_in("routes", fixture)
}

/// The scan of `fixture` finds exactly `expected` (`route_scenarios::check_in`).
fn check(fixture: &str, expected: &[Expected<'_>]) {
    route_scenarios::check_in("routes", fixture, expected)
}

const DATA: &str = "arn:aws:s3:::data";
const FOREIGN: &str = "444455556666";

#[test]
fn public_bucket_policy_and_its_twins() {
    check("public_policy", &[(DATA, "public", "*", &["s3:GetObject"])]);
    check("public_policy_restricted", &[]);
    check("public_policy_denied", &[]);
    check("public_policy_org_pinned", &[]);
}

#[test]
fn public_acl_and_ignore_public_acls() {
    check("public_acl", &[(DATA, "public", "*", &["s3:ListBucket"])]);
    check("public_acl_ignored", &[]);
}

#[test]
fn cross_account_grants_trusted_accounts_and_kms() {
    check(
        "cross_account_policy",
        &[(DATA, "cross-account", FOREIGN, &["s3:GetObject"])],
    );
    check("cross_account_trusted", &[]);
    check("cross_account_kms_blocked", &[]);
    check(
        "cross_account_kms_allowed",
        &[(DATA, "cross-account", FOREIGN, &["s3:GetObject"])],
    );
}

#[test]
fn assume_role_chains_with_boundary_and_deny_twins() {
    check(
        "assume_chain",
        &[(
            DATA,
            "cross-account",
            FOREIGN,
            &["sts:AssumeRole", "sts:AssumeRole", "s3:GetObject"],
        )],
    );
    check("assume_chain_boundary", &[]);
    check("assume_chain_deny", &[]);
}

/// The whole chain is one solver question: every hop is allowed on its own in both
/// scenarios, but a source identity set on the first hop cannot change later, so the read
/// that demands another one is unreachable.
#[test]
fn whole_chain_source_identity() {
    check(
        "assume_chain_source_identity",
        &[(
            DATA,
            "cross-account",
            FOREIGN,
            &["sts:AssumeRole", "sts:AssumeRole", "s3:GetObject"],
        )],
    );
    check("assume_chain_source_identity_mismatch", &[]);
}

#[test]
fn federated_subject_claims() {
    let route: &[&str] = &["sts:AssumeRoleWithWebIdentity", "s3:GetObject"];
    check(
        "federated_open",
        &[(
            DATA,
            "federated",
            "token.actions.githubusercontent.com",
            route,
        )],
    );
    check("federated_pinned", &[]);
    check(
        "federated_owner_spanning",
        &[(
            DATA,
            "federated",
            "token.actions.githubusercontent.com",
            route,
        )],
    );
}

/// SAML providers and EKS clusters' OIDC issuers are outside actors like any other provider:
/// a trust that only checks the audience lets every identity of the provider in; a subject
/// pinned to a fixed value (a NameID, one service account) keeps outsiders out.
#[test]
fn federated_saml_and_eks_providers() {
    check(
        "federated_saml_open",
        &[(
            DATA,
            "federated",
            "arn:aws:iam::111111111111:saml-provider/CorporateIdP",
            &["sts:AssumeRoleWithSAML", "s3:GetObject"],
        )],
    );
    check("federated_saml_pinned", &[]);
    let eks = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
    let web: &[&str] = &["sts:AssumeRoleWithWebIdentity", "s3:GetObject"];
    check("federated_eks_open", &[(DATA, "federated", eks, web)]);
    check("federated_eks_wildcard", &[(DATA, "federated", eks, web)]);
    check("federated_eks_pinned", &[]);
}

/// The witness of a SAML route carries the audience the trust asks for and a subject of the
/// outsider's choosing.
#[test]
fn federated_saml_witness_carries_the_audience() {
    let got = findings("federated_saml_open");
    let hop = got
        .first()
        .and_then(|f| f.witness.hops.first())
        .unwrap_or_else(|| panic!("no witness: {got:#?}"));
    assert_eq!(hop.action, "sts:AssumeRoleWithSAML", "{hop:?}");
    assert_eq!(
        hop.principal,
        "arn:aws:iam::111111111111:saml-provider/CorporateIdP"
    );
    let aud = hop
        .context
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("saml:aud"))
        .map(|(_, v)| v.as_slice());
    assert_eq!(
        aud,
        Some(&["https://signin.aws.amazon.com/saml".to_string()][..]),
        "{hop:?}"
    );
}

#[test]
fn internet_compute_instances_and_function_urls() {
    check(
        "internet_instance",
        &[(
            DATA,
            "internet-compute",
            "internet",
            &["network:tcp/443", "ec2:InstanceProfile", "s3:GetObject"],
        )],
    );
    check("internet_instance_nacl", &[]);
    check("internet_instance_no_route", &[]);
    check("internet_instance_private_sg", &[]);
    check(
        "lambda_url_public",
        &[(
            DATA,
            "internet-compute",
            "internet",
            &[
                "lambda:InvokeFunctionUrl",
                "lambda:ExecutionRole",
                "s3:GetObject",
            ],
        )],
    );
    check("lambda_url_iam", &[]);
}

#[test]
fn egress_and_boundary_perimeter() {
    check(
        "egress_user",
        &[(DATA, "egress", "*", &["s3:PutObject", "s3:GetObject"])],
    );
    check("egress_user_boundary", &[]);
}

#[test]
fn escalation_by_pass_role() {
    check(
        "escalation_pass_role",
        &[(
            DATA,
            "cross-account",
            FOREIGN,
            &[
                "sts:AssumeRole",
                "iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction",
                "s3:GetObject",
            ],
        )],
    );
    check("escalation_pass_role_incomplete", &[]);
}

/// `ssm:SendCommand` is authorized on the instance too: documents alone take over nothing.
#[test]
fn escalation_by_run_command() {
    check(
        "escalation_ssm_command",
        &[(
            DATA,
            "cross-account",
            FOREIGN,
            &["sts:AssumeRole", "ssm:SendCommand", "s3:GetObject"],
        )],
    );
    check("escalation_ssm_command_documents_only", &[]);
    // Documents only for commands, instances for sessions: the session is the takeover.
    check(
        "escalation_ssm_session_documents_command",
        &[(
            DATA,
            "cross-account",
            FOREIGN,
            &["sts:AssumeRole", "ssm:StartSession", "s3:GetObject"],
        )],
    );
}

/// `codebuild:StartBuild` is authorized on the build project: a role that may do anything
/// CodeBuild on one report group starts no build of the project running the builder role.
#[test]
fn escalation_by_start_build() {
    check(
        "escalation_codebuild_start_build",
        &[(
            DATA,
            "cross-account",
            FOREIGN,
            &["sts:AssumeRole", "codebuild:StartBuild", "s3:GetObject"],
        )],
    );
    check("escalation_codebuild_start_build_report_group", &[]);
}

/// `cloudformation:UpdateStack` is authorized on the stack: a stack set's administrator
/// updates no stack running with the deployer role.
#[test]
fn escalation_by_stack_update() {
    check(
        "escalation_cloudformation_update_stack",
        &[(
            DATA,
            "cross-account",
            FOREIGN,
            &[
                "sts:AssumeRole",
                "cloudformation:UpdateStack",
                "s3:GetObject",
            ],
        )],
    );
    check("escalation_cloudformation_update_stack_stack_set", &[]);
}

/// A role that may rewrite another role's trust writes one naming itself and assumes the
/// role: no identity permission for `sts:AssumeRole` is needed (nor does its boundary have
/// to allow it: the trust names the caller directly), but an explicit deny of
/// `sts:AssumeRole` in its identity policy or boundary, or an SCP denying it, stops the
/// assume and so the route.
#[test]
fn escalation_by_trust_rewrite() {
    let route: &[&str] = &[
        "sts:AssumeRole",
        "iam:UpdateAssumeRolePolicy+sts:AssumeRole",
        "s3:GetObject",
    ];
    check(
        "escalation_trust_rewrite",
        &[(DATA, "cross-account", FOREIGN, route)],
    );
    check(
        "escalation_trust_rewrite_boundary_implicit",
        &[(DATA, "cross-account", FOREIGN, route)],
    );
    check("escalation_trust_rewrite_deny", &[]);
    check("escalation_trust_rewrite_scp", &[]);
    check("escalation_trust_rewrite_boundary_deny", &[]);
}

/// The `aws:SourceVpce` values the witness of a finding shows (over every hop).
fn witness_endpoints(f: &Finding) -> Vec<String> {
    let mut out: Vec<String> = f
        .witness
        .hops
        .iter()
        .filter_map(|h| h.context.get("aws:sourcevpce"))
        .flatten()
        .cloned()
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A finding of `fixture` by class, which must exist.
fn finding_of(fixture: &str, class: &str) -> Finding {
    findings(fixture)
        .into_iter()
        .find(|f| f.exposure.as_str() == class)
        .unwrap_or_else(|| panic!("{fixture}: no {class} finding"))
}

/// A bucket that admits only requests through our S3 endpoint is read through it by the
/// instance's role (the witness names the endpoint); the endpoint's own policy is a gate.
#[test]
fn vpc_endpoint_lock_down() {
    let route: &[&str] = &["network:tcp/443", "ec2:InstanceProfile", "s3:GetObject"];
    for fixture in [
        "vpce_locked_instance",
        "vpce_locked_instance_default_policy",
    ] {
        check(fixture, &[(DATA, "internet-compute", "internet", route)]);
        assert_eq!(
            witness_endpoints(&finding_of(fixture, "internet-compute")),
            vec!["vpce-0a1".to_string()],
            "{fixture}"
        );
    }
    check("vpce_locked_instance_endpoint_denies", &[]);
    // The read hop of the plain scenario needs no endpoint, so its witness names none.
    assert!(witness_endpoints(&finding_of("internet_instance", "internet-compute")).is_empty());
}

/// A bucket locked to an endpoint the export does not hold: the route is kept as unknown.
#[test]
fn vpc_endpoint_not_held_is_unknown() {
    let got = findings("vpce_locked_unheld");
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_eq!(got[0].exposure.as_str(), "internet-compute");
    assert_eq!(got[0].solver.verdict, SolverVerdict::Unknown);
}

/// Every finding of `fixture` as (dataset, class, actor, hops' `via`, verdict,
/// alternatives), sorted.
fn outcomes(fixture: &str) -> Vec<(String, String, String, Vec<String>, SolverVerdict, usize)> {
    let mut out: Vec<_> = findings(fixture)
        .into_iter()
        .map(|f| {
            (
                f.dataset.arn.clone(),
                f.exposure.as_str().to_string(),
                f.actor.clone(),
                f.route.iter().map(|h| h.via.clone()).collect::<Vec<_>>(),
                f.solver.verdict,
                f.alternatives,
            )
        })
        .collect();
    out.sort_by(|a, b| (&a.0, &a.1, &a.2, &a.3).cmp(&(&b.0, &b.1, &b.2, &b.3)));
    out
}

/// Readers of a bucket locked to an endpoint the export does not hold, nearest first per
/// account (`scan`, reads of reached nodes): the partner reaches account A's near reader
/// (unknown read; no principal of A reads through a held path) and, one assume further,
/// A's far reader and account B's reader, whom the lock exempts for `shared/`. The far
/// reader of A is not asked (it could only add an unknown route with more hops: the group
/// counts one alternative fewer than if it were); B's reader, as far, is asked and allowed.
/// In the twin A's far reader can write outside, so its read is asked all the same and
/// makes an (unknown) egress route.
#[test]
fn unheld_endpoint_reads_are_not_asked_twice_per_account() {
    let s = |v: &[&str]| -> Vec<String> { v.iter().map(|x| x.to_string()).collect() };
    let partner = FOREIGN.to_string();
    let near = s(&["sts:AssumeRole", "s3:GetObject"]);
    let other = s(&["sts:AssumeRole", "sts:AssumeRole", "s3:GetObject"]);
    let shared = format!("{DATA}/shared/");
    let class = "cross-account".to_string();
    assert_eq!(
        outcomes("vpce_unheld_readers"),
        vec![
            (
                DATA.into(),
                class.clone(),
                partner.clone(),
                near.clone(),
                SolverVerdict::Unknown,
                0
            ),
            (
                shared.clone(),
                class.clone(),
                partner.clone(),
                other.clone(),
                SolverVerdict::Sat,
                1
            ),
        ]
    );
    assert_eq!(
        outcomes("vpce_unheld_readers_far_writer"),
        vec![
            (
                DATA.into(),
                class.clone(),
                partner.clone(),
                near,
                SolverVerdict::Unknown,
                1
            ),
            (
                DATA.into(),
                "egress".into(),
                "*".into(),
                s(&["s3:PutObject", "s3:GetObject"]),
                SolverVerdict::Unknown,
                0
            ),
            (shared, class, partner, other, SolverVerdict::Sat, 2),
        ]
    );
}

/// An endpoint policy that admits only our account's buckets blocks egress only for
/// requests through it: without an SCP forcing the endpoint the write goes direct.
#[test]
fn vpc_endpoint_egress() {
    let egress: &[&str] = &["s3:PutObject", "s3:GetObject"];
    check("vpce_egress_open", &[(DATA, "egress", "*", egress)]);
    assert!(witness_endpoints(&finding_of("vpce_egress_open", "egress")).is_empty());
    check("vpce_egress_forced", &[]);
    check(
        "vpce_egress_forced_open_endpoint",
        &[(DATA, "egress", "*", egress)],
    );
    assert_eq!(
        witness_endpoints(&finding_of("vpce_egress_forced_open_endpoint", "egress")),
        vec!["vpce-0a1".to_string()]
    );
    // The perimeter exempts forwarded requests: Athena writes the results out for the user.
    check(
        "vpce_egress_forced_athena",
        &[(DATA, "egress", "*", egress)],
    );
    let hops = finding_of("vpce_egress_forced_athena", "egress")
        .witness
        .hops;
    assert_eq!(
        hops.first().map(|h| h.action.as_str()),
        Some("athena:StartQueryExecution")
    );
    check("vpce_egress_forced_no_athena", &[]);
}

/// Public reads limited to one prefix expose that prefix (`dataset.arn` is the bucket's ARN
/// and the prefix, kind `s3-prefix`); reads that also reach keys outside it expose the
/// bucket, and so does a whole-bucket grant.
#[test]
fn prefix_datasets() {
    let check_dataset = |fixture: &str, arn: &str, kind: &str| {
        let got = findings(fixture);
        assert_eq!(got.len(), 1, "{fixture}: {got:#?}");
        assert_eq!(got[0].dataset.arn, arn, "{fixture}");
        assert_eq!(got[0].dataset.kind, kind, "{fixture}");
        assert_eq!(got[0].solver.verdict, SolverVerdict::Sat, "{fixture}");
        assert_eq!(got[0].dataset.account, "111111111111", "{fixture}");
    };
    check(
        "public_prefix",
        &[(
            "arn:aws:s3:::data/public/",
            "public",
            "*",
            &["s3:GetObject"],
        )],
    );
    check_dataset("public_prefix", "arn:aws:s3:::data/public/", "s3-prefix");
    check_dataset("public_prefix_and_bucket", DATA, "s3-bucket");
    check_dataset("public_policy", DATA, "s3-bucket");
    // Listings limited by `s3:prefix` to the same prefix keep it the dataset; a listing of
    // the whole bucket makes the bucket the dataset.
    check_dataset(
        "public_prefix_listing",
        "arn:aws:s3:::data/public/",
        "s3-prefix",
    );
    check_dataset("public_prefix_listing_all", DATA, "s3-bucket");
    for fixture in ["public_prefix_listing", "public_prefix_listing_all"] {
        assert_eq!(
            findings(fixture)[0].actions,
            vec!["s3:GetObject".to_string(), "s3:ListBucket".to_string()],
            "{fixture}"
        );
    }
}

/// One role reads objects under `public/`, another lists every key: two datasets of one
/// class, the prefix's objects and the bucket's keys (a read limited to a prefix does not
/// end the search for readers of the bucket).
#[test]
fn prefix_reader_and_bucket_lister_are_two_datasets() {
    let got: Vec<(String, Vec<String>)> = findings("cross_account_prefix_and_listing")
        .into_iter()
        .map(|f| (f.dataset.arn, f.actions))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "arn:aws:s3:::data".to_string(),
                vec!["s3:ListBucket".to_string()]
            ),
            (
                "arn:aws:s3:::data/public/".to_string(),
                vec!["s3:GetObject".to_string()]
            ),
        ]
    );
}

/// The prefix check asks the solver, not the witness: with the witness's key under
/// `public/`, a grant that also reaches `reports-*` keys is found and the bucket stays the
/// dataset.
#[test]
fn prefix_check_is_refuted_by_the_solver() {
    use leakpath::graph::{EdgeKind, Node};
    use leakpath::routes::confirm::{read_prefix, EdgeVerdict};
    let prefix_with_public_witness = |fixture: &str| {
        let root = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/routes"
        ))
        .join(fixture);
        let export = leakpath::ingest::load_export(&root).expect("export loads");
        let an = leakpath::routes::analyze(
            &export.model,
            &export.sources,
            &RouteOptions::default(),
            |g| g.graph.edge_indices().collect(),
        )
        .expect("analysis");
        let g = &an.graph.graph;
        let e = g
            .edge_indices()
            .find(|e| {
                let (from, _) = g.edge_endpoints(*e).expect("edge");
                matches!(g[*e].kind, EdgeKind::DataRead) && matches!(g[from], Node::Anyone)
            })
            .expect("a read by anyone");
        let mut answer = an.answers.get(&e).expect("answered").clone();
        assert_eq!(answer.verdict, EdgeVerdict::Allowed, "{fixture}");
        let mut witness = answer.witness.to_vec();
        for w in &mut witness {
            w.resource = "arn:aws:s3:::data/public/x".into();
        }
        answer.witness = witness.into();
        let (from, to) = g.edge_endpoints(e).expect("edge");
        read_prefix(&an.ctx, &g[from], &g[to], &g[e], &answer)
    };
    assert_eq!(
        prefix_with_public_witness("public_prefix"),
        Some("public/".to_string())
    );
    assert_eq!(prefix_with_public_witness("public_prefix_and_bucket"), None);
}

/// A network perimeter SCP on a chain: from the instance the internet reaches, the role
/// assumption goes through the STS endpoint and the read through the S3 endpoint of the
/// VPC; without an STS endpoint there is no route. A partner holding a session of our role
/// sends from its own network and cannot pass our gateway endpoint (`confirm::Holder`), so
/// the same chain from outside is no route.
#[test]
fn vpc_endpoint_perimeter_on_a_chain() {
    check(
        "vpce_compute_chain",
        &[(
            DATA,
            "internet-compute",
            "internet",
            &[
                "network:tcp/443",
                "ec2:InstanceProfile",
                "sts:AssumeRole",
                "s3:GetObject",
            ],
        )],
    );
    assert_eq!(
        witness_endpoints(&finding_of("vpce_compute_chain", "internet-compute")),
        vec!["vpce-0a1".to_string(), "vpce-0b2".to_string()]
    );
    check("vpce_compute_chain_no_sts_endpoint", &[]);
    check("vpce_assume_chain", &[]);
}

/// Forward access sessions: a bucket locked to our endpoint except for requests a service
/// makes for the caller (`aws:ViaAWSService`). The partner's session cannot pass our
/// gateway endpoint, but Athena reads the data with its permissions; without
/// `athena:StartQueryExecution` there is no route.
#[test]
fn forward_access_sessions_through_athena() {
    check(
        "fas_athena_read",
        &[(
            DATA,
            "cross-account",
            FOREIGN,
            &["sts:AssumeRole", "s3:GetObject"],
        )],
    );
    let f = finding_of("fas_athena_read", "cross-account");
    let called: Vec<&str> = f.witness.hops.iter().map(|h| h.action.as_str()).collect();
    assert!(called.contains(&"athena:StartQueryExecution"), "{called:?}");
    check("fas_athena_read_no_athena", &[]);
}

/// A bucket locked to our S3 endpoint, read by a partner's session of our role: through a
/// gateway endpoint it cannot send (no route); an interface endpoint may be reachable from a
/// network joined to our VPC that the export does not describe (unknown).
#[test]
fn partner_sessions_and_our_endpoints() {
    check("vpce_gateway_partner_session", &[]);
    let got = findings("vpce_interface_partner_session");
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_eq!(got[0].exposure.as_str(), "cross-account");
    assert_eq!(got[0].solver.verdict, SolverVerdict::Unknown);
}

/// Escalation steps travel through VPC endpoints like reads (each step's service: `iam`,
/// `sts`). Under a network perimeter SCP the trust rewrite must go through the IAM endpoint
/// and the assume through the STS endpoint: the partner holding `ops` reaches those
/// interface endpoints only over a network the export does not hold, so the route is
/// unknown; without an IAM endpoint in the VPC there is no route at all. A role that may
/// rewrite its own policy only through the IAM endpoint escalates through it when used from
/// inside (egress, confirmed), as the partner only as unknown; through an endpoint the
/// export does not hold, every route is unknown.
#[test]
fn vpc_endpoint_escalation_steps() {
    // The escalated role reads under the permissions it wrote itself, which the export does
    // not hold, so that hop cites nothing and `check` cannot be used.
    let routes = |fixture: &str| {
        let mut got: Vec<(String, Vec<String>, SolverVerdict)> = findings(fixture)
            .iter()
            .map(|f| {
                assert_eq!(f.dataset.arn, DATA);
                (
                    format!("{} {}", f.exposure.as_str(), f.actor),
                    f.route.iter().map(|h| h.via.clone()).collect(),
                    f.solver.verdict,
                )
            })
            .collect();
        got.sort_by(|a, b| a.0.cmp(&b.0));
        got
    };
    let vias = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let partner = format!("cross-account {FOREIGN}");
    assert_eq!(
        routes("vpce_escalation_trust_rewrite"),
        vec![(
            partner.clone(),
            vias(&[
                "sts:AssumeRole",
                "iam:UpdateAssumeRolePolicy+sts:AssumeRole",
                "s3:GetObject"
            ]),
            SolverVerdict::Unknown
        )]
    );
    check("vpce_escalation_trust_rewrite_no_iam_endpoint", &[]);
    let rewrite = vias(&["sts:AssumeRole", "iam:CreatePolicyVersion", "s3:GetObject"]);
    let egress = vias(&["s3:PutObject", "iam:CreatePolicyVersion", "s3:GetObject"]);
    let expect = |partner_verdict: SolverVerdict, egress_verdict: SolverVerdict| {
        vec![
            (partner.clone(), rewrite.clone(), partner_verdict),
            ("egress *".to_string(), egress.clone(), egress_verdict),
        ]
    };
    assert_eq!(
        routes("vpce_escalation_policy_version"),
        expect(SolverVerdict::Unknown, SolverVerdict::Sat)
    );
    assert_eq!(
        witness_endpoints(&finding_of("vpce_escalation_policy_version", "egress")),
        vec!["vpce-0c3"]
    );
    assert_eq!(
        routes("vpce_escalation_policy_version_unheld"),
        expect(SolverVerdict::Unknown, SolverVerdict::Unknown)
    );
}

/// `who-can` asks each node's own request along the same network paths as the scan: the
/// instance's role reads the bucket locked to our S3 endpoint through it (the witness names
/// the endpoint); not when the endpoint's policy admits another bucket only; unknown when
/// the bucket is locked to an endpoint the export does not hold.
#[test]
fn who_can_through_a_vpc_endpoint() {
    use leakpath::routes::who_can::who_can;
    let web = "arn:aws:iam::111111111111:role/web";
    let entry = |fixture: &str| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/routes")
            .join(fixture);
        let export = leakpath::ingest::load_export(&root).expect("export loads");
        let entries = who_can(
            &export.model,
            &export.sources,
            "s3:GetObject",
            "arn:aws:s3:::data/report.csv",
            &RouteOptions::default(),
        )
        .expect("who-can");
        entries
            .into_iter()
            .find(|e| e.who == web && e.path.is_empty())
    };
    let locked = entry("vpce_locked_instance").expect("the web role reads through vpce-0a1");
    assert_eq!(locked.result, "sat");
    let request = locked.request.expect("a witness request");
    assert_eq!(
        request.context.get("aws:sourcevpce"),
        Some(&vec!["vpce-0a1".to_string()])
    );
    assert!(entry("vpce_locked_instance_endpoint_denies").is_none());
    let unheld = entry("vpce_locked_unheld").expect("an unknown entry");
    assert_eq!(unheld.result, "unknown");
}
