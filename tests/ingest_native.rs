//! Ingest of the native layout, on our own fixtures (tests/fixtures/ingest, written by
//! make_fixtures.py): an org-wide export and a single-account export at the root.

use leakpath::ingest::{load_export, LoadedExport};
use leakpath::model::*;
use leakpath::policy::{OperatorBase, PrincipalSet};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/ingest"
    ))
    .join(name)
}

fn load(name: &str) -> LoadedExport {
    load_export(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

const ACCT: &str = "444455556666";

/// Asserts the coverage report lists `file` (exactly) as missing.
fn check_missing(e: &LoadedExport, file: &str, expect: bool) {
    let found = e.coverage.missing.iter().any(|m| m.file == file);
    assert_eq!(found, expect, "missing {file}? {:#?}", e.coverage.missing);
}

#[test]
fn organization_tree_with_scps_rcps_and_management_account() {
    let e = load("org");
    let m = &e.model;
    assert_eq!(m.layout, ExportLayout::Native);
    let Collected::Present(o) = &m.organization else {
        panic!("organization")
    };
    assert_eq!(m.str(o.management_account), "111122223333");
    let acct = m.sym(ACCT).unwrap();
    let Collected::Present(path) = o.path_to_root(acct) else {
        panic!("path")
    };
    let kinds: Vec<OrgNodeKind> = path.iter().map(|n| o.node(*n).unwrap().kind).collect();
    assert_eq!(
        kinds,
        vec![
            OrgNodeKind::Account,
            OrgNodeKind::OrganizationalUnit,
            OrgNodeKind::Root
        ]
    );
    // The SCP sits on the OU; the RCP's targets were not collected.
    let ou = o.node(path[1]).unwrap();
    assert_eq!(ou.scps.len(), 1);
    assert_eq!(ou.name.as_deref(), Some("Prod"));
    let rcp = o
        .policies
        .iter()
        .find(|p| p.policy_type == OrgPolicyType::ResourceControl)
        .unwrap();
    assert_eq!(rcp.targets, Collected::Missing);
    assert!(!o.targets_complete);
    check_missing(
        &e,
        "organizations/policies/p-rcp00001/list-targets-for-policy.json",
        true,
    );
    assert_eq!(
        o.policy_type_enabled("RESOURCE_CONTROL_POLICY"),
        Collected::Present(true)
    );
    // RCP condition operators keep IfExists.
    let doc = &m.policy(rcp.document).unwrap().document;
    assert!(doc.statements[0]
        .conditions
        .iter()
        .all(|c| c.operator.if_exists));
    // The management account is named by the org but has no folder.
    let mgmt = m.account(o.management_account).unwrap();
    assert!(!mgmt.exported);
    check_missing(&e, "accounts/111122223333/", true);
}

#[test]
fn iam_is_linked_and_url_encoded_documents_decode() {
    let e = load("org");
    let m = &e.model;
    let alice = m
        .user_by_arn(&format!("arn:aws:iam::{ACCT}:user/alice"))
        .unwrap();
    let user = &m.users[alice.index()];
    // Group membership: one resolved, one missing (ghost-group is not in the GAAD).
    assert_eq!(user.groups.len(), 2);
    assert!(user.groups[0].group.is_present());
    assert_eq!(user.groups[1].group, Collected::Missing);
    let pols = m.identity_policies(PrincipalRef::User(alice));
    // inline + S3Reader + group's ReadOnlyAccess (missing: not in Policies) + ghost group.
    assert_eq!(pols.len(), 4);
    assert_eq!(pols.iter().filter(|p| p.policy.is_missing()).count(), 2);
    // Inline policy: URL-encoded, single-statement object, policy variable kept.
    let Collected::Present(inline) = pols[0].policy else {
        panic!()
    };
    let st = &m.policy(inline).unwrap().document.statements[0];
    assert_eq!(
        st.resource.as_ref().unwrap().patterns[1],
        "arn:aws:s3:::data-bucket/${aws:username}/*"
    );
    assert_eq!(
        e.sources.cite(ItemRef::Statement(inline, 0)).unwrap(),
        format!("accounts/{ACCT}/iam/get-account-authorization-details.json#/UserDetailList/0/UserPolicyList/0/PolicyDocument/Statement")
    );
    // Managed policy resolves to its default version (v2), not v1.
    let Collected::Present(managed) = pols[1].policy else {
        panic!()
    };
    assert_eq!(
        m.policy(managed).unwrap().document.statements[0]
            .action
            .patterns,
        vec!["s3:Get*"]
    );
    // Boundary.
    let Some(Collected::Present(b)) = m.boundary(PrincipalRef::User(alice)) else {
        panic!("boundary")
    };
    assert!(m.policy(b).unwrap().document.statements[0].action.negated);
    // Role trust policy, instance profile linked both ways.
    let app = m
        .role_by_arn(&format!("arn:aws:iam::{ACCT}:role/app"))
        .unwrap();
    let role = &m.roles[app.index()];
    let Collected::Present(trust) = role.trust_policy else {
        panic!()
    };
    assert_eq!(m.policy(trust).unwrap().kind, PolicyKind::Trust);
    assert_eq!(role.instance_profiles.len(), 1);
    let ip = &m.instance_profiles[role.instance_profiles[0].index()];
    assert_eq!(ip.roles, vec![(role.arn, Collected::Present(app))]);
    let partner = m
        .role_by_arn(&format!("arn:aws:iam::{ACCT}:role/partner"))
        .unwrap();
    let Collected::Present(t) = m.roles[partner.index()].trust_policy else {
        panic!()
    };
    let c = &m.policy(t).unwrap().document.statements[0].conditions[0];
    assert_eq!(
        (c.operator.base.clone(), c.key.as_str(), c.values.clone()),
        (
            OperatorBase::StringEquals,
            "sts:ExternalId",
            vec!["x-123".to_string()]
        )
    );
}

#[test]
fn buckets_with_every_s3_file_kind() {
    let e = load("org");
    let m = &e.model;
    let b = &m.buckets[m.bucket_by_name("data-bucket").unwrap().index()];
    assert_eq!(b.region, Collected::Present("us-east-1".into()));
    let Collected::Present(Some(p)) = b.policy else {
        panic!()
    };
    let doc = &m.policy(p).unwrap().document;
    assert_eq!(
        doc.statements[0].principal.as_ref().unwrap().principals,
        PrincipalSet::Any
    );
    assert_eq!(doc.statements[1].conditions[1].values, vec!["true"]);
    let Collected::Present(acl) = &b.acl else {
        panic!()
    };
    assert!(acl.grants.iter().any(|g| g.grantee
        == Grantee::Group {
            uri: Grantee::ALL_USERS.into()
        }
        && g.permission == AclPermission::Read));
    assert_eq!(
        b.public_access_block,
        Collected::Present(None),
        "{{}} = collected, none"
    );
    assert_eq!(
        b.ownership,
        Collected::Present(Some(ObjectOwnership::ObjectWriter))
    );
    let Collected::Present(Some(enc)) = &b.encryption else {
        panic!()
    };
    assert_eq!(
        enc.kms_key_id(),
        Some("arn:aws:kms:us-east-1:444455556666:key/1111aaaa-2222-3333-4444-555566667777")
    );
    let Collected::Present(ks) = &b.key_sample else {
        panic!()
    };
    assert_eq!(ks.objects.len(), 2);
    assert!(ks.truncated);
    let Collected::Present(samples) = &b.samples else {
        panic!()
    };
    assert_eq!(samples.len(), 1);
    assert_eq!(
        samples[0].relative_path,
        format!("accounts/{ACCT}/s3/buckets/data-bucket/samples/customers/customers.csv")
    );
    assert_eq!(samples[0].size, 31);
    assert!(samples[0].path.is_file());
    // empty-bucket: policy file says "none"; everything else was not collected.
    let eb = &m.buckets[m.bucket_by_name("empty-bucket").unwrap().index()];
    assert_eq!(eb.policy, Collected::Present(None));
    assert_eq!(eb.acl, Collected::Missing);
    assert_eq!(eb.region, Collected::Missing);
    check_missing(
        &e,
        &format!("accounts/{ACCT}/s3/buckets/empty-bucket/get-bucket-acl.json"),
        true,
    );
    check_missing(
        &e,
        &format!("accounts/{ACCT}/s3/buckets/empty-bucket/get-bucket-policy.json"),
        false,
    );
    // Account-level BPA.
    let a = m.account(m.sym(ACCT).unwrap()).unwrap();
    let Collected::Present(Some(pab)) = a.public_access_block else {
        panic!()
    };
    assert!(pab.block_public_policy && !pab.block_public_acls);
    assert_eq!(a.s3_canonical_id.as_deref(), Some("c0ffee"));
}

#[test]
fn kms_network_lambda_and_settings() {
    let e = load("org");
    let m = &e.model;
    assert_eq!(m.kms_keys.len(), 1);
    let k = &m.kms_keys[0];
    assert!(k.policy.is_present());
    assert_eq!(
        k.metadata.present().unwrap().key_manager.as_deref(),
        Some("CUSTOMER")
    );
    assert_eq!(m.vpcs[0].cidr_blocks.len(), 2);
    assert!(m
        .subnets
        .iter()
        .any(|s| m.str(s.id) == "subnet-pub" && s.map_public_ip_on_launch));
    let main = m.route_tables.iter().find(|t| t.is_main()).unwrap();
    assert!(matches!(main.routes[1].target, RouteTarget::NatGateway(_)));
    assert!(matches!(main.routes[2].target, RouteTarget::VpcEndpoint(_)));
    let public = m.route_tables.iter().find(|t| !t.is_main()).unwrap();
    assert!(matches!(
        public.routes[2].destination,
        RouteDestination::V6(_)
    ));
    assert!(matches!(
        public.routes[2].target,
        RouteTarget::EgressOnlyInternetGateway(_)
    ));
    let sg = &m.security_groups[0];
    assert_eq!(sg.ingress.len(), 2);
    assert_eq!(sg.ingress[0].peers.len(), 2);
    assert!(matches!(
        sg.ingress[1].peers[1],
        SgPeer::SecurityGroup { .. }
    ));
    assert_eq!(sg.egress[0].protocol, IpProtocol::All);
    assert_eq!(
        e.sources.cite(ItemRef::SgIngressRule(SecurityGroupId(0), 1)).unwrap(),
        format!("accounts/{ACCT}/ec2/us-east-1/describe-security-groups.json#/SecurityGroups/0/IpPermissions/1")
    );
    let acl = &m.network_acls[0];
    assert_eq!(acl.entries.len(), 3);
    assert_eq!(acl.entries[0].port_range, Some((443, 443)));
    assert_eq!(acl.entries[1].action, NaclAction::Deny);
    assert!(acl.entries[2].egress);
    assert_eq!(acl.subnets.len(), 2);
    assert_eq!(m.internet_gateways[0].attachments.len(), 1);
    assert_eq!(m.nat_gateways[0].public_ips.len(), 1);
    let vpce = &m.vpc_endpoints[0];
    assert!(vpce.policy.is_some());
    assert_eq!(vpce.route_tables.len(), 1);
    let i = &m.instances[0];
    assert_eq!(
        m.str(i.instance_profile.unwrap()),
        format!("arn:aws:iam::{ACCT}:instance-profile/app-profile")
    );
    assert!(i.has_public_address());
    assert_eq!(i.security_groups.len(), 1, "deduplicated");
    assert_eq!(i.ipv6_addresses.len(), 1);
    assert_eq!(i.metadata_http_tokens.as_deref(), Some("required"));
    // Lambda: URL with NONE auth, resource policy; `quiet` says "no policy" (null), no URL file.
    let f = m
        .lambda_functions
        .iter()
        .find(|f| f.name == "exporter")
        .unwrap();
    assert!(matches!(&f.url, Collected::Present(Some(u)) if u.auth_type == FunctionUrlAuth::None));
    assert!(matches!(f.policy, Collected::Present(Some(_))));
    assert_eq!(f.vpc_config.as_ref().unwrap().subnets.len(), 1);
    let q = m
        .lambda_functions
        .iter()
        .find(|f| f.name == "quiet")
        .unwrap();
    assert_eq!(q.policy, Collected::Present(None));
    assert_eq!(q.url, Collected::Missing);
    // Settings.
    assert!(m.settings.from_file);
    assert_eq!(m.settings.trusted_accounts, vec!["999988887777"]);
    assert_eq!(
        m.settings.labels.get("data-bucket").map(String::as_str),
        Some("pii")
    );
    // The unknown file is ignored with a note; samples and settings are not.
    assert_eq!(
        e.coverage.ignored_files,
        vec![format!("accounts/{ACCT}/notes.txt")]
    );
    assert!(e.warnings.is_empty(), "{:?}", e.warnings);
}

#[test]
fn every_model_item_has_a_source() {
    let e = load("org");
    let m = &e.model;
    for i in 0..m.policies.len() {
        let id = PolicyId(i as u32);
        assert!(e.sources.get(ItemRef::Policy(id)).is_some());
        for s in 0..m.policies[i].document.statements.len() {
            let loc = e.sources.get(ItemRef::Statement(id, s)).unwrap();
            assert!(m.root.join(&*loc.file).is_file(), "{loc}");
        }
    }
    for i in 0..m.buckets.len() {
        assert!(e.sources.get(ItemRef::Bucket(BucketId(i as u32))).is_some());
    }
    for i in 0..m.route_tables.len() {
        for r in 0..m.route_tables[i].routes.len() {
            assert!(e
                .sources
                .get(ItemRef::Route(RouteTableId(i as u32), r))
                .is_some());
        }
    }
    for i in 0..m.instances.len() {
        assert!(e
            .sources
            .get(ItemRef::Instance(InstanceId(i as u32)))
            .is_some());
    }
    assert!(e.sources.get(ItemRef::KmsKey(KmsKeyId(0))).is_some());
    assert!(e
        .sources
        .get(ItemRef::LambdaFunction(LambdaFunctionId(0)))
        .is_some());
}

#[test]
fn single_account_export_takes_its_id_from_arns() {
    let e = load("single");
    let m = &e.model;
    assert_eq!(m.layout, ExportLayout::NativeSingleAccount);
    assert_eq!(m.accounts.len(), 1);
    assert_eq!(m.str(m.accounts[0].id), ACCT);
    assert!(m.organization.is_missing());
    assert_eq!(m.buckets.len(), 2);
    assert_eq!(m.users.len(), 1);
    assert!(m.accounts[0].regions.is_empty());
    check_missing(&e, "s3control/get-public-access-block.json", true);
    assert_eq!(m.accounts[0].public_access_block, Collected::Missing);
    assert!(e
        .coverage
        .missing
        .iter()
        .any(|x| x.consequence.starts_with("no regional data")));
    let b = &m.buckets[m.bucket_by_name("data-bucket").unwrap().index()];
    let Collected::Present(samples) = &b.samples else {
        panic!()
    };
    assert_eq!(
        samples[0].relative_path,
        "s3/buckets/data-bucket/samples/customers/customers.csv"
    );
}

/// The team's demo export (datasets/demo, its README is the ground truth) loads whole.
#[test]
fn demo_export_loads() {
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/demo"));
    if !root.is_dir() {
        eprintln!("SKIPPED: datasets/demo not present");
        return;
    }
    let e = load_export(&root).unwrap_or_else(|e| panic!("{e}"));
    let m = &e.model;
    assert_eq!(m.accounts.len(), 2);
    let Collected::Present(o) = &m.organization else {
        panic!("organization")
    };
    assert_eq!(m.str(o.management_account), "111111111111");
    let prod = m.sym("222222222222").unwrap();
    let Collected::Present(path) = o.path_to_root(prod) else {
        panic!("path")
    };
    assert_eq!(m.str(o.node(path[1]).unwrap().id), "ou-a1b2-wkld0001");
    // FullAWSAccess at every level of acme-prod's path, the two guard SCPs on the OU.
    for n in &path {
        assert!(!o.node(*n).unwrap().scps.is_empty());
    }
    assert_eq!(o.node(path[1]).unwrap().scps.len(), 3);
    let prod_acct = m.account(prod).unwrap();
    assert_eq!(
        prod_acct.public_access_block,
        Collected::Present(Some(PublicAccessBlock::default()))
    );
    let web = m
        .instances
        .iter()
        .find(|i| m.str(i.id) == "i-08e3ddd9e6b7b2345")
        .unwrap();
    assert_eq!(
        web.public_ip.map(|i| i.to_string()).as_deref(),
        Some("54.210.10.20")
    );
    assert!(m
        .settings
        .trusted_accounts
        .contains(&"333333333333".to_string()));
    assert!(e.warnings.is_empty(), "{:?}", e.warnings);
}
