//! Ingest against the real corpora in ../shared/data/exports: every GAAD, the CloudMapper
//! demo account, and the cartography fixtures (boto3 responses) for each kind we read.

use leakpath::ingest::{load_export, load_gaad_bytes, Builder, IngestError};
use leakpath::model::{Collected, ExportLayout, Grantee, PolicyKind, PrincipalRef};
use leakpath::policy::parse::parse_policy_value;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn shared() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data"));
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("SKIPPED: ../shared/data not present");
        None
    }
}

fn read_json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

/// Loads a GAAD file and compares (users, groups, roles, managed policies).
fn check_gaad(path: &Path, expect: (usize, usize, usize, usize)) {
    let e = load_export(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let m = &e.model;
    assert_eq!(m.layout, ExportLayout::GaadFile);
    assert_eq!(
        (
            m.users.len(),
            m.groups.len(),
            m.roles.len(),
            m.managed_policies.len()
        ),
        expect,
        "{}",
        path.display()
    );
}

#[test]
fn iamvulnerable_gaad_has_the_documented_counts() {
    let Some(d) = shared() else { return };
    let path = d.join("exports/cloudsplaining/example.json");
    check_gaad(&path, (44, 5, 78, 84));
    let e = load_export(&path).unwrap();
    let m = &e.model;
    // Every role has its trust policy; every attached managed policy resolves or is
    // explicitly missing; sources cite the GAAD.
    for (i, r) in m.roles.iter().enumerate() {
        let Collected::Present(p) = r.trust_policy else {
            panic!("role {} has no trust policy", r.name)
        };
        assert_eq!(m.policy(p).unwrap().kind, PolicyKind::Trust);
        let cite = e
            .sources
            .cite(leakpath::model::ItemRef::Role(leakpath::model::RoleId(
                i as u32,
            )))
            .unwrap();
        assert_eq!(cite, format!("example.json#/RoleDetailList/{i}"));
    }
    let u = m
        .users
        .iter()
        .position(|u| u.name.starts_with("privesc1-"))
        .expect("a privesc1 user");
    let pols = m.identity_policies(PrincipalRef::User(leakpath::model::UserId(u as u32)));
    assert!(!pols.is_empty(), "privesc1 user has identity policies");
}

#[test]
fn every_cloudsplaining_gaad_loads() {
    let Some(d) = shared() else { return };
    let dir = d.join("exports/cloudsplaining");
    let mut gaads = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().and_then(|x| x.to_str()) != Some("json") {
            continue;
        }
        let v = read_json(&p);
        let is_gaad = v.get("UserDetailList").is_some() || v.get("Policies").is_some();
        if is_gaad {
            let e = load_export(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            // The counts are those the file states.
            let n = |k: &str| v.get(k).and_then(|x| x.as_array()).map_or(0, |a| a.len());
            let m = &e.model;
            assert_eq!(
                (
                    m.users.len(),
                    m.groups.len(),
                    m.roles.len(),
                    m.managed_policies.len()
                ),
                (
                    n("UserDetailList"),
                    n("GroupDetailList"),
                    n("RoleDetailList"),
                    n("Policies")
                ),
                "{}",
                p.display()
            );
            gaads += 1;
        } else if v.get("Statement").is_some() {
            // Bare policy documents (wildcards.json, explicit-actions.json).
            parse_policy_value(&v).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let err = load_export(&p).unwrap_err();
            assert!(err.to_string().contains("policy document"), "{err}");
        } else {
            // cloudsplaining's own report records: every policy inside them parses, and the
            // loader refuses the file as an export with a clear reason.
            for rec in v.as_array().unwrap() {
                for k in ["PolicyDocument", "AssumeRolePolicyDocument"] {
                    if let Some(doc) = rec.get(k).filter(|d| !d.is_null()) {
                        parse_policy_value(doc).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
                    }
                }
            }
            assert!(matches!(
                load_export(&p),
                Err(IngestError::NotAnExport { .. })
            ));
        }
    }
    assert!(gaads >= 6, "found {gaads} GAADs");
}

#[test]
fn managed_policy_missing_from_the_gaad_is_explicitly_missing() {
    let Some(d) = shared() else { return };
    let e = load_export(&d.join("exports/cloudsplaining/managed_policy_mismatch.json")).unwrap();
    let g = &e.model.groups[0];
    assert_eq!(g.attached_policies.len(), 1);
    assert_eq!(g.attached_policies[0].policy, Collected::Missing);
    assert!(e
        .coverage
        .missing
        .iter()
        .any(|m| m.resource.as_deref() == Some("arn:aws:iam::aws:policy/AWSLambdaReadOnlyAccess")));
}

#[test]
fn gaad_bytes_load_like_the_file() {
    let Some(d) = shared() else { return };
    let bytes = std::fs::read(d.join("exports/cloudsplaining/example.json")).unwrap();
    let e = load_gaad_bytes(&bytes, "example.json").unwrap();
    assert_eq!(e.model.roles.len(), 78);
}

#[test]
fn cloudmapper_demo_loads_whole() {
    let Some(d) = shared() else { return };
    let e = load_export(&d.join("exports/cloudmapper-demo")).unwrap_or_else(|e| panic!("{e}"));
    let m = &e.model;
    assert_eq!(m.layout, ExportLayout::CloudMapper);
    assert_eq!(m.accounts.len(), 1);
    assert_eq!(m.str(m.accounts[0].id), "123456789012");
    for role in ["exfiller", "bad_role"] {
        assert!(
            m.role_by_arn(&format!("arn:aws:iam::123456789012:role/{role}"))
                .is_some()
                || m.roles.iter().any(|r| r.name == role),
            "role {role}"
        );
    }
    let b = m.bucket_by_name("cloudmapper_demo").expect("bucket");
    let bucket = &m.buckets[b.index()];
    let Collected::Present(Some(p)) = bucket.policy else {
        panic!("bucket policy {:?}", bucket.policy)
    };
    let doc = &m.policy(p).unwrap().document;
    assert_eq!(doc.statements[0].action.patterns, vec!["s3:GetObject"]);
    assert_eq!(
        e.sources
            .cite(leakpath::model::ItemRef::Statement(p, 0))
            .unwrap(),
        "us-east-1/s3-get-bucket-policy/cloudmapper_demo#/Policy/Statement/0"
    );
    let Collected::Present(acl) = &bucket.acl else {
        panic!("acl")
    };
    assert_eq!(acl.grants.len(), 1);
    assert!(matches!(
        acl.grants[0].grantee,
        Grantee::CanonicalUser { .. }
    ));
    assert_eq!(bucket.region, Collected::Present("us-east-1".to_string()));
    // Not collected by CloudMapper: explicit.
    assert_eq!(bucket.public_access_block, Collected::Missing);
    assert_eq!(m.accounts[0].public_access_block, Collected::Missing);
    // EC2/VPC.
    assert_eq!(m.vpcs.len(), 1);
    assert_eq!(m.instances.len(), 3);
    assert!(m.security_groups.len() >= 3);
    assert!(!m.subnets.is_empty());
    assert_eq!(m.vpc_endpoints.len(), 2);
    assert!(m.vpc_endpoints.iter().all(|v| v.policy.is_some()));
    // Lambda with its resource policy.
    assert_eq!(m.lambda_functions.len(), 1);
    assert!(matches!(
        m.lambda_functions[0].policy,
        Collected::Present(Some(_))
    ));
    // Route tables and NACLs are not in the demo: the coverage report says so.
    for f in [
        "ec2-describe-route-tables.json",
        "ec2-describe-network-acls.json",
    ] {
        assert!(
            e.coverage.missing.iter().any(|x| x.file.ends_with(f)),
            "coverage lacks {f}"
        );
    }
    // CloudMapper's other calls are ignored with a note.
    assert!(e
        .coverage
        .ignored_files
        .iter()
        .any(|f| f == "us-east-1/sqs-list-queues.json"));
}

/// A cartography fixture entry, as the AWS response it came from.
fn fixture(d: &Path, file: &str, key: &str) -> Value {
    let v = read_json(&d.join("exports/cartography-fixtures").join(file));
    v.get(key)
        .cloned()
        .unwrap_or_else(|| panic!("{file} has no {key}"))
}

fn builder() -> Builder {
    Builder::new(PathBuf::from("."), ExportLayout::Native)
}

type Ec2Parse =
    fn(&mut Builder, &leakpath::ingest::json::Node, &str, &str) -> Result<(), IngestError>;

/// A cartography EC2 fixture: the entry `key` of `file`, under the response key `wrap` when
/// the entry holds only the response's list (`None`: it is a whole response).
struct Ec2Fixture {
    file: &'static str,
    key: &'static str,
    wrap: Option<&'static str>,
}

/// Runs an EC2 parser over a fixture.
fn ec2(d: &Path, parse: Ec2Parse, f: Ec2Fixture) -> leakpath::ingest::LoadedExport {
    let entry = fixture(d, f.file, f.key);
    let response = match f.wrap {
        Some(key) => {
            let mut m = serde_json::Map::new();
            m.insert(key.to_string(), entry);
            Value::Object(m)
        }
        None => entry,
    };
    let mut b = builder();
    let n = leakpath::ingest::json::Node::root(&response, f.file);
    parse(&mut b, &n, "123456789012", "us-east-1")
        .unwrap_or_else(|e| panic!("{} {}: {e}", f.file, f.key));
    b.finish()
}

const fn whole(file: &'static str, key: &'static str) -> Ec2Fixture {
    Ec2Fixture {
        file,
        key,
        wrap: None,
    }
}

const fn wrapped(file: &'static str, key: &'static str, wrap: &'static str) -> Ec2Fixture {
    Ec2Fixture {
        file,
        key,
        wrap: Some(wrap),
    }
}

/// How many items of one kind a load made.
type Count = fn(&leakpath::model::Model) -> usize;

/// Every fixture an EC2 parser reads, with how many items it makes (a range where the
/// fixture's count is not documented).
#[test]
fn cartography_ec2_fixtures_parse() {
    use leakpath::ingest::ec2::*;
    use std::ops::RangeInclusive;
    let Some(d) = shared() else { return };
    const SOME: RangeInclusive<usize> = 1..=usize::MAX;
    let cases: Vec<(Ec2Parse, Ec2Fixture, Count, RangeInclusive<usize>)> = vec![
        (
            parse_network_acls,
            wrapped(
                "ec2/network_acls/network_acls.json",
                "DESCRIBE_NETWORK_ACLS",
                "NetworkAcls",
            ),
            // The ACLs, counted only when every one has its entries.
            |m| {
                let acls = &m.network_acls;
                if acls.iter().all(|a| !a.entries.is_empty()) {
                    acls.len()
                } else {
                    0
                }
            },
            1..=1,
        ),
        (
            parse_internet_gateways,
            wrapped(
                "ec2/internet_gateways.json",
                "TEST_INTERNET_GATEWAYS",
                "InternetGateways",
            ),
            |m| m.internet_gateways.len(),
            2..=2,
        ),
        (
            parse_security_groups,
            wrapped("ec2/security_groups.json", "DESCRIBE_SGS", "SecurityGroups"),
            |m| m.security_groups.len(),
            5..=5,
        ),
        (
            parse_subnets,
            wrapped("ec2/subnets.json", "DESCRIBE_SUBNETS", "Subnets"),
            |m| m.subnets.len(),
            3..=3,
        ),
        (
            parse_subnets,
            wrapped(
                "ec2/network_acls/subnets.json",
                "DESCRIBE_SUBNETS_FOR_ACL_TEST",
                "Subnets",
            ),
            |m| m.subnets.len(),
            2..=2,
        ),
        (
            parse_vpcs,
            whole("ec2/subnets.json", "DESCRIBE_VPCS"),
            |m| m.vpcs.len(),
            SOME,
        ),
        (
            parse_vpcs,
            wrapped("ec2/vpcs.json", "TEST_VPCS", "Vpcs"),
            |m| m.vpcs.len(),
            6..=6,
        ),
        (
            parse_instances,
            whole("ec2/instances.json", "DESCRIBE_INSTANCES"),
            |m| m.instances.len(),
            SOME,
        ),
        (
            parse_instances,
            wrapped(
                "ec2/instances.json",
                "INSTANCE_WITH_IAM_PROFILE",
                "Reservations",
            ),
            |m| {
                m.instances
                    .iter()
                    .filter(|i| i.instance_profile.is_some())
                    .count()
            },
            SOME,
        ),
        (
            parse_instances,
            whole(
                "ec2/instances_missing_private_ip.json",
                "DESCRIBE_INSTANCES_MISSING_PRIVATE_IP",
            ),
            |m| {
                m.instances
                    .iter()
                    .filter(|i| i.private_ip.is_none())
                    .count()
            },
            SOME,
        ),
        (
            parse_instances,
            wrapped(
                "ec2/network_acls/instances.json",
                "INSTANCES_FOR_ACL_TEST",
                "Reservations",
            ),
            |m| m.instances.len(),
            1..=1,
        ),
    ];
    for (parse, f, count, expect) in cases {
        let (file, key) = (f.file, f.key);
        let n = count(&ec2(&d, parse, f).model);
        assert!(
            expect.contains(&n),
            "{file} {key}: {n} items, expected {expect:?}"
        );
    }

    // Route tables: a whole describe-route-tables response.
    let e = ec2(
        &d,
        parse_route_tables,
        whole("ec2/route_tables.json", "DESCRIBE_ROUTE_TABLES"),
    );
    let rts = &e.model.route_tables;
    assert_eq!(rts.len(), 2);
    assert!(rts[0].is_main());
    assert_eq!(rts[0].routes.len(), 3);
    assert!(matches!(
        rts[0].routes[1].target,
        leakpath::model::RouteTarget::InternetGateway(_)
    ));
    assert!(matches!(
        rts[0].routes[2].destination,
        leakpath::model::RouteDestination::PrefixList(_)
    ));
    assert!(matches!(
        rts[0].routes[2].target,
        leakpath::model::RouteTarget::VpcEndpoint(_)
    ));
    let e = ec2(
        &d,
        parse_vpc_endpoints,
        wrapped(
            "ec2/vpc_endpoints.json",
            "DESCRIBE_VPC_ENDPOINTS",
            "VpcEndpoints",
        ),
    );
    let eps = &e.model.vpc_endpoints;
    assert_eq!(eps.len(), 3);
    assert!(eps[0].policy.is_some());
    assert!(eps[1].policy.is_none(), "null PolicyDocument is no policy");
    assert_eq!(eps[1].route_tables.len(), 2);
}

#[test]
fn cartography_s3_kms_org_fixtures_parse() {
    use leakpath::ingest::json::Node;
    use leakpath::ingest::{kms, s3};
    let Some(d) = shared() else { return };
    let lb = fixture(&d, "s3.json", "LIST_BUCKETS");
    let (buckets, owner) = s3::parse_list_buckets(&Node::root(&lb, "lb.json")).unwrap();
    assert_eq!(buckets.len(), 3);
    assert_eq!(owner.as_deref(), Some("OWNER_ID"));
    let acls = fixture(&d, "s3.json", "OPEN_BUCKET_ACLS");
    for (name, acl) in acls.as_object().unwrap() {
        let a = s3::parse_acl(&Node::root(acl, name)).unwrap_or_else(|e| panic!("{e}"));
        assert!(!a.grants.is_empty());
    }
    let bucket2 = s3::parse_acl(&Node::root(&acls["bucket-2"], "b2")).unwrap();
    assert!(bucket2.grants.iter().any(|g| g.grantee
        == Grantee::Group {
            uri: Grantee::ALL_USERS.into()
        }));
    let mut b = builder();
    let pol = fixture(&d, "s3.json", "LIST_STATEMENTS");
    let acct = b.intern("123456789012");
    let p = s3::parse_policy_response(
        &mut b,
        &Node::root(&pol, "p.json"),
        PolicyKind::Bucket,
        None,
        acct,
    )
    .unwrap()
    .unwrap();
    assert_eq!(b.model.policies[p.index()].document.statements.len(), 3);
    // cartography stores encryption and ownership as its own flattened records; rebuild the
    // AWS response they were made from and parse that.
    let enc = fixture(&d, "s3.json", "GET_ENCRYPTION");
    let resp = serde_json::json!({"ServerSideEncryptionConfiguration": {"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": enc["encryption_algorithm"], "KMSMasterKeyID": enc["encryption_key_id"]},
        "BucketKeyEnabled": enc["bucket_key_enabled"]}]}});
    let parsed = s3::parse_encryption(&Node::root(&resp, "enc.json"))
        .unwrap()
        .unwrap();
    assert_eq!(parsed.kms_key_id(), enc["encryption_key_id"].as_str());
    let own = fixture(&d, "s3.json", "GET_BUCKET_OWNERSHIP_CONTROLS");
    let resp = serde_json::json!({"OwnershipControls": {"Rules": [{"ObjectOwnership": own["object_ownership"]}]}});
    assert_eq!(
        s3::parse_ownership(&Node::root(&resp, "own.json")).unwrap(),
        Some(leakpath::model::ObjectOwnership::BucketOwnerPreferred)
    );
    // Account-level Block Public Access: full, none (null = collected, none), partial.
    let full = fixture(
        &d,
        "s3accountpublicaccessblock.json",
        "GET_PUBLIC_ACCESS_BLOCK",
    );
    assert!(
        s3::parse_public_access_block(&Node::root(&full, "x"))
            .unwrap()
            .unwrap()
            .block_public_policy
    );
    let none = fixture(
        &d,
        "s3accountpublicaccessblock.json",
        "GET_PUBLIC_ACCESS_BLOCK_NONE",
    );
    assert_eq!(
        s3::parse_public_access_block(&Node::root(&none, "x")).unwrap(),
        None
    );
    let partial = fixture(
        &d,
        "s3accountpublicaccessblock.json",
        "GET_PUBLIC_ACCESS_BLOCK_PARTIAL",
    );
    assert!(
        !s3::parse_public_access_block(&Node::root(&partial, "x"))
            .unwrap()
            .unwrap()
            .ignore_public_acls
    );
    // KMS: describe-key responses wrap each KeyMetadata.
    for k in fixture(&d, "kms.json", "DESCRIBE_KEYS").as_array().unwrap() {
        let resp = serde_json::json!({"KeyMetadata": k});
        let (meta, id, arn) = kms::parse_describe_key(&Node::root(&resp, "k.json")).unwrap();
        assert_eq!(Some(id.as_str()), k["KeyId"].as_str());
        assert!(arn.is_some());
        assert!(meta.key_manager.is_some());
    }
}

#[test]
fn cartography_organization_fixture_builds_a_tree() {
    let Some(d) = shared() else { return };
    let org = read_json(&d.join("exports/cartography-fixtures/organizations.json"));
    let dir = tempfile::tempdir().unwrap();
    let o = dir.path().join("organizations");
    std::fs::create_dir_all(o.join("parents")).unwrap();
    let write = |p: PathBuf, v: Value| std::fs::write(p, serde_json::to_vec(&v).unwrap()).unwrap();
    write(
        o.join("describe-organization.json"),
        serde_json::json!({"Organization": org["TEST_ORGANIZATION"]}),
    );
    write(
        o.join("list-accounts.json"),
        serde_json::json!({"Accounts": org["TEST_ORGANIZATION_ACCOUNTS"]}),
    );
    write(
        o.join("list-roots.json"),
        serde_json::json!({"Roots": org["TEST_ORGANIZATION_ROOTS"]}),
    );
    // list-children by parent → list-parents by child.
    let parent_type = |id: &str| {
        if id.starts_with("r-") {
            "ROOT"
        } else {
            "ORGANIZATIONAL_UNIT"
        }
    };
    for key in ["TEST_ORGANIZATIONAL_UNITS", "TEST_ACCOUNTS_FOR_PARENT"] {
        for (parent, children) in org[key].as_object().unwrap() {
            for c in children.as_array().unwrap() {
                let id = c["Id"].as_str().unwrap();
                write(
                    o.join("parents").join(format!("{id}.json")),
                    serde_json::json!({"Parents": [{"Id": parent, "Type": parent_type(parent)}]}),
                );
            }
        }
    }
    let e = load_export(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let Collected::Present(tree) = &e.model.organization else {
        panic!("no organization")
    };
    assert_eq!(e.model.str(tree.management_account), "111111111111");
    let accounts = org["TEST_ORGANIZATION_ACCOUNTS"].as_array().unwrap();
    for a in accounts {
        let id = e.model.sym(a["Id"].as_str().unwrap()).unwrap();
        let path = tree.path_to_root(id);
        let Collected::Present(path) = path else {
            panic!("no path for {}", a["Id"])
        };
        let last = tree.node(*path.last().unwrap()).unwrap();
        assert_eq!(last.kind, leakpath::model::OrgNodeKind::Root);
    }
}

/// Copies `from` to `to`, replacing `pairs` in file contents and file names.
fn copy_rewritten(from: &Path, to: &Path, pairs: &[(&str, &str)]) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let mut name = e.file_name().to_string_lossy().into_owned();
        for (a, b) in pairs {
            name = name.replace(a, b);
        }
        let target = to.join(name);
        if e.file_type().unwrap().is_dir() {
            copy_rewritten(&e.path(), &target, pairs);
        } else {
            let mut text = String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned();
            for (a, b) in pairs {
                text = text.replace(a, b);
            }
            std::fs::write(target, text).unwrap();
        }
    }
}

#[test]
fn cloudmapper_account_data_folder_with_two_accounts() {
    let Some(d) = shared() else { return };
    let demo = d.join("exports/cloudmapper-demo");
    let dir = tempfile::tempdir().unwrap();
    copy_rewritten(&demo, &dir.path().join("demo"), &[]);
    copy_rewritten(
        &demo,
        &dir.path().join("other"),
        &[
            ("123456789012", "210987654321"),
            ("cloudmapper_demo", "other_demo"),
            ("vpc-", "vpc-b"),
            ("subnet-", "subnet-b"),
            ("sg-", "sg-b"),
            ("i-0", "i-b0"),
            ("vpce-", "vpce-b"),
        ],
    );
    let e = load_export(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let m = &e.model;
    assert_eq!(m.accounts.len(), 2);
    assert_eq!(m.buckets.len(), 2);
    assert!(m.bucket_by_name("other_demo").is_some());
    assert_eq!(m.instances.len(), 6);
    // The same account twice is refused.
    let dup = tempfile::tempdir().unwrap();
    copy_rewritten(&demo, &dup.path().join("a"), &[]);
    copy_rewritten(
        &demo,
        &dup.path().join("b"),
        &[("cloudmapper_demo", "x_demo")],
    );
    assert!(load_export(dup.path()).is_err());
}
