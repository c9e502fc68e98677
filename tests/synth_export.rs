//! Integration tests for `leakpath::synth`: determinism, the native layout's shapes,
//! entity counts, policy documents that parse, deliberate exposures present, and the size
//! of the large benchmark export.

use leakpath::policy::parse::{parse_policy_text, parse_policy_value};
use leakpath::synth::{generate, total_bytes, SynthConfig, SynthFile};
use serde_json::Value;
use std::collections::BTreeMap;

fn config(
    roles: usize,
    users: usize,
    policies: usize,
    buckets: usize,
    accounts: usize,
    seed: u64,
) -> SynthConfig {
    SynthConfig {
        roles,
        users,
        policies,
        buckets,
        accounts,
        seed,
    }
}

fn json_files(files: &[SynthFile]) -> BTreeMap<String, Value> {
    files
        .iter()
        .filter(|f| f.path.ends_with(".json") && !f.path.contains("/samples/"))
        .map(|f| {
            let v: Value = serde_json::from_slice(&f.bytes)
                .unwrap_or_else(|e| panic!("{} is not JSON: {e}", f.path));
            (f.path.clone(), v)
        })
        .collect()
}

/// Counts of what the generated GAADs and S3 listings hold.
#[derive(Debug, Default, PartialEq)]
struct Counts {
    accounts: usize,
    roles: usize,
    users: usize,
    customer_policies: usize,
    buckets: usize,
}

fn counts(files: &BTreeMap<String, Value>) -> Counts {
    let mut c = Counts::default();
    for (path, v) in files {
        if path.ends_with("iam/get-account-authorization-details.json") {
            c.accounts += 1;
            c.roles += v["RoleDetailList"].as_array().map_or(0, Vec::len);
            c.users += v["UserDetailList"].as_array().map_or(0, Vec::len);
            c.customer_policies += v["Policies"].as_array().map_or(0, |ps| {
                ps.iter()
                    .filter(|p| !p["Arn"].as_str().unwrap_or("").contains(":aws:policy/"))
                    .count()
            });
        }
        if path.ends_with("s3/list-buckets.json") {
            c.buckets += v["Buckets"].as_array().map_or(0, Vec::len);
        }
    }
    c
}

fn check(cfg: SynthConfig, expect: Counts) {
    let files = generate(&cfg, &[]).expect("generate");
    let parsed = json_files(&files);
    assert_eq!(counts(&parsed), expect, "{cfg:?}");
}

#[test]
fn counts_match_the_configuration() {
    // Customer policies: the requested ones plus one permissions boundary per account.
    check(
        config(40, 20, 30, 12, 1, 1),
        Counts {
            accounts: 1,
            roles: 40,
            users: 20,
            customer_policies: 31,
            buckets: 12,
        },
    );
    check(
        config(100, 50, 60, 33, 4, 9),
        Counts {
            accounts: 4,
            roles: 100,
            users: 50,
            customer_policies: 64,
            buckets: 33,
        },
    );
    check(
        config(0, 0, 0, 0, 2, 3),
        Counts {
            accounts: 2,
            roles: 0,
            users: 0,
            customer_policies: 2,
            buckets: 0,
        },
    );
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = generate(&config(80, 30, 40, 20, 3, 42), &[]).expect("a");
    let b = generate(&config(80, 30, 40, 20, 3, 42), &[]).expect("b");
    let c = generate(&config(80, 30, 40, 20, 3, 43), &[]).expect("c");
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn organization_folder_only_for_several_accounts() {
    let one = generate(&config(10, 5, 5, 5, 1, 1), &[]).expect("one");
    assert!(!one.iter().any(|f| f.path.starts_with("organizations/")));
    let three = generate(&config(10, 5, 5, 5, 3, 1), &[]).expect("three");
    let parsed = json_files(&three);
    let accounts = &parsed["organizations/list-accounts.json"]["Accounts"];
    assert_eq!(accounts.as_array().map(Vec::len), Some(3));
    let org = &parsed["organizations/describe-organization.json"]["Organization"];
    assert_eq!(org["MasterAccountId"], accounts[0]["Id"]);
    // Every account and OU has a parent file; every SCP has its targets.
    for a in accounts.as_array().into_iter().flatten() {
        let id = a["Id"].as_str().unwrap_or_default();
        assert!(
            parsed.contains_key(&format!("organizations/parents/{id}.json")),
            "{id}"
        );
    }
    let scps: Vec<&String> = parsed
        .keys()
        .filter(|p| p.ends_with("describe-policy.json"))
        .collect();
    assert!(scps.len() >= 3);
    for p in scps {
        let content = parsed[p]["Policy"]["Content"]
            .as_str()
            .expect("Content is a string");
        parse_policy_text(content).unwrap_or_else(|e| panic!("{p}: {e}"));
        let targets = p.replace("describe-policy.json", "list-targets-for-policy.json");
        assert!(
            parsed[&targets]["Targets"]
                .as_array()
                .is_some_and(|t| !t.is_empty()),
            "{targets}"
        );
    }
}

#[test]
fn every_policy_document_parses() {
    let files = generate(&config(200, 60, 80, 60, 3, 5), &[]).expect("generate");
    let parsed = json_files(&files);
    let mut seen = 0;
    for (path, v) in &parsed {
        if path.ends_with("get-account-authorization-details.json") {
            for role in v["RoleDetailList"].as_array().into_iter().flatten() {
                parse_policy_value(&role["AssumeRolePolicyDocument"])
                    .unwrap_or_else(|e| panic!("{path}: {e}"));
                for p in role["RolePolicyList"].as_array().into_iter().flatten() {
                    parse_policy_value(&p["PolicyDocument"])
                        .unwrap_or_else(|e| panic!("{path}: {e}"));
                    seen += 1;
                }
            }
            for p in v["Policies"].as_array().into_iter().flatten() {
                for version in p["PolicyVersionList"].as_array().into_iter().flatten() {
                    parse_policy_value(&version["Document"])
                        .unwrap_or_else(|e| panic!("{path}: {e}"));
                    seen += 1;
                }
            }
        }
        if path.ends_with("get-bucket-policy.json")
            || path.ends_with("get-key-policy.json")
            || path.ends_with("/get-policy.json")
        {
            if let Some(text) = v.get("Policy").and_then(Value::as_str) {
                parse_policy_text(text).unwrap_or_else(|e| panic!("{path}: {e}"));
                seen += 1;
            }
        }
        if path.ends_with("describe-vpc-endpoints.json") {
            for e in v["VpcEndpoints"].as_array().into_iter().flatten() {
                let text = e["PolicyDocument"]
                    .as_str()
                    .expect("endpoint policy is a JSON string");
                parse_policy_text(text).unwrap_or_else(|e| panic!("{path}: {e}"));
                seen += 1;
            }
        }
    }
    assert!(seen > 300, "only {seen} documents");
}

#[test]
fn every_bucket_has_every_per_bucket_file_and_instances_use_real_profiles() {
    let files = generate(&config(150, 10, 20, 40, 2, 8), &[]).expect("generate");
    let parsed = json_files(&files);
    for (path, v) in &parsed {
        if !path.ends_with("s3/list-buckets.json") {
            continue;
        }
        let base = path.trim_end_matches("list-buckets.json");
        for b in v["Buckets"].as_array().into_iter().flatten() {
            let name = b["Name"].as_str().unwrap_or_default();
            for file in [
                "get-bucket-policy",
                "get-bucket-acl",
                "get-public-access-block",
                "get-bucket-ownership-controls",
                "get-bucket-encryption",
                "get-bucket-location",
                "list-objects-v2",
            ] {
                let p = format!("{base}buckets/{name}/{file}.json");
                assert!(parsed.contains_key(&p), "missing {p}");
            }
        }
    }
    // Every instance profile named by describe-instances exists in that account's GAAD.
    for (path, v) in &parsed {
        if !path.ends_with("describe-instances.json") {
            continue;
        }
        let account = path.split('/').nth(1).unwrap_or_default();
        let gaad =
            &parsed[&format!("accounts/{account}/iam/get-account-authorization-details.json")];
        let profiles: Vec<&str> = gaad["RoleDetailList"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|r| r["InstanceProfileList"].as_array().into_iter().flatten())
            .filter_map(|p| p["Arn"].as_str())
            .collect();
        for r in v["Reservations"].as_array().into_iter().flatten() {
            for i in r["Instances"].as_array().into_iter().flatten() {
                let arn = i["IamInstanceProfile"]["Arn"].as_str().unwrap_or_default();
                assert!(profiles.contains(&arn), "{arn} not in {account}'s GAAD");
            }
        }
    }
}

#[test]
fn deliberate_exposures_of_every_class_are_present() {
    let files = generate(&config(600, 50, 100, 400, 3, 11), &[]).expect("generate");
    let all: String = files
        .iter()
        .filter(|f| f.path.ends_with(".json"))
        .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
        .collect();
    for needle in [
        r#"\"Principal\":\"*\",\"Action\":\"s3:GetObject\""#, // public bucket policy
        "http://acs.amazonaws.com/groups/global/AllUsers",    // public ACL
        "arn:aws:iam::999999999999:root",                     // foreign account
        "token.actions.githubusercontent.com:aud",            // federated
        "\"AuthType\": \"NONE\"",                             // function URL
        "\"PublicIpAddress\"",                                // internet-facing instance
        "\"Sid\": \"DeliverAnywhere\"",                       // egress shape
        "aws:PrincipalOrgID",
        "s3:prefix",
        "aws:SourceIp",
        "aws:MultiFactorAuthPresent",
    ] {
        assert!(all.contains(needle), "no {needle}");
    }
    assert!(files.iter().any(|f| f.path.contains("/samples/")));
}

#[test]
fn invalid_configurations_are_errors() {
    assert!(generate(&config(1, 1, 1, 1, 0, 1), &[]).is_err());
    assert!(generate(&config(usize::MAX, 1, 1, 1, 1, 1), &[]).is_err());
}

#[test]
fn the_large_benchmark_export_is_about_40_mb() {
    let files = generate(&config(5000, 5000, 5000, 2000, 1, 1), &[]).expect("generate");
    let mb = total_bytes(&files) as f64 / 1e6;
    eprintln!(
        "5000/5000/5000/2000 export: {} files, {mb:.1} MB",
        files.len()
    );
    assert!((35.0..=50.0).contains(&mb), "{mb:.1} MB");
}

#[test]
fn a_100_account_organization_has_nested_ous_scps_rcps_and_cross_account_chains() {
    let files = generate(&config(2000, 200, 300, 300, 100, 21), &[]).expect("generate");
    let parsed = json_files(&files);
    let accounts = parsed["organizations/list-accounts.json"]["Accounts"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(accounts.len(), 100);
    // Accounts sit in OUs, some OUs sit in other OUs, and members use at least five OUs.
    let parent_of = |id: &str| -> (String, String) {
        let p = &parsed[&format!("organizations/parents/{id}.json")]["Parents"][0];
        (
            p["Id"].as_str().unwrap_or_default().to_string(),
            p["Type"].as_str().unwrap_or_default().to_string(),
        )
    };
    let mut member_ous: Vec<String> = accounts
        .iter()
        .skip(1)
        .map(|a| parent_of(a["Id"].as_str().unwrap_or_default()))
        .filter(|(_, t)| t == "ORGANIZATIONAL_UNIT")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(member_ous.len(), 99, "every member account is in an OU");
    member_ous.sort();
    member_ous.dedup();
    assert!(member_ous.len() >= 5, "{member_ous:?}");
    let nested = member_ous
        .iter()
        .filter(|ou| parent_of(ou).1 == "ORGANIZATIONAL_UNIT")
        .count();
    assert!(nested >= 3, "{nested} nested OUs hold accounts");
    // SCPs and RCPs, each with targets; an account-level SCP.
    let kinds: Vec<(String, usize)> = parsed
        .iter()
        .filter(|(p, _)| p.ends_with("describe-policy.json"))
        .map(|(p, v)| {
            let targets = p.replace("describe-policy.json", "list-targets-for-policy.json");
            let account_targets = parsed[&targets]["Targets"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|t| t["Type"] == "ACCOUNT")
                .count();
            (
                v["Policy"]["PolicySummary"]["Type"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                account_targets,
            )
        })
        .collect();
    assert!(
        kinds
            .iter()
            .filter(|k| k.0 == "SERVICE_CONTROL_POLICY")
            .count()
            >= 6
    );
    assert!(
        kinds
            .iter()
            .filter(|k| k.0 == "RESOURCE_CONTROL_POLICY")
            .count()
            >= 2
    );
    assert!(kinds
        .iter()
        .any(|k| k.0 == "SERVICE_CONTROL_POLICY" && (1..100).contains(&k.1)));
    // Roles trusting a named role of another account, and accounts outside the org.
    let mut cross_role_trusts = 0;
    let mut outside: Vec<String> = Vec::new();
    let ids: Vec<&str> = accounts.iter().filter_map(|a| a["Id"].as_str()).collect();
    for (path, v) in &parsed {
        if !path.ends_with("get-account-authorization-details.json") {
            continue;
        }
        let me = path.split('/').nth(1).unwrap_or_default();
        for role in v["RoleDetailList"].as_array().into_iter().flatten() {
            for st in role["AssumeRolePolicyDocument"]["Statement"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let Some(aws) = st["Principal"]["AWS"].as_str() else {
                    continue;
                };
                let account = aws.split(':').nth(4).unwrap_or_default();
                if aws.contains(":role/") && account != me {
                    cross_role_trusts += 1;
                }
                if !ids.contains(&account) && !outside.iter().any(|o| o == account) {
                    outside.push(account.to_string());
                }
            }
        }
    }
    assert!(cross_role_trusts >= 20, "{cross_role_trusts}");
    assert!(outside.len() >= 3, "{outside:?}");
}
