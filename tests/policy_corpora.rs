//! "Is this resource policy public?" over the public policy corpora in `../shared/data`:
//! - peers' verdicts (policyuniverse `is_internet_accessible`, prowler `is_policy_public`),
//!   compared one by one; every disagreement is listed below with the reason AWS's
//!   documentation gives us, and the test fails when a new one appears or a listed one goes;
//! - every resource policy (one with a `Principal`) of the S3 User Guide's examples and of
//!   quacky's S3 samples, which carry no public verdict: each must be read, and the counts of
//!   public and non-public ones are pinned.

use leakpath::eval::is_public_policy;
use leakpath::policy::parse::parse_policy_value;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");

fn data_dir() -> Option<PathBuf> {
    let dir = Path::new(DATA).join("policies");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("SKIPPED: ../shared/data not present");
        None
    }
}

/// Our answer to "is it public?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ours {
    Public,
    NotPublic,
    /// AWS would reject the document (the parser says why): no verdict.
    Rejected,
}

fn our_verdict(policy: &Value) -> Ours {
    match parse_policy_value(policy) {
        Ok(doc) if is_public_policy(&doc).public => Ours::Public,
        Ok(_) => Ours::NotPublic,
        Err(_) => Ours::Rejected,
    }
}

/// Every peer disagreement: `(file:line, our verdict, why the AWS documentation supports us)`.
/// "BPA" is the S3 User Guide's "The meaning of public" (Block Public Access).
const DISAGREEMENTS: &[(&str, Ours, &str)] = &[
    // Principal given as a bare string: IAM's grammar allows only "*" or a map such as
    // {"AWS": ...}; S3 rejects the policy, so there is nothing to judge.
    (
        "policyuniverse_tests_verdicts.jsonl:10",
        Ours::Rejected,
        "Principal must be \"*\" or a map, not an ARN string",
    ),
    (
        "policyuniverse_tests_verdicts.jsonl:11",
        Ours::Rejected,
        "Principal must be \"*\" or a map, not an ARN string",
    ),
    (
        "policyuniverse_tests_verdicts.jsonl:12",
        Ours::Rejected,
        "Principal must be \"*\" or a map, not an ARN string",
    ),
    (
        "policyuniverse_tests_verdicts.jsonl:13",
        Ours::Rejected,
        "Principal must be \"*\" or a map, not an ARN string",
    ),
    (
        "policyuniverse_tests_verdicts.jsonl:14",
        Ours::Rejected,
        "Principal must be \"*\" or a map, not an ARN string",
    ),
    (
        "policyuniverse_tests_verdicts.jsonl:36",
        Ours::Rejected,
        "Principal must be \"*\" or a map, not an ARN string",
    ),
    // ForAllValues and IfExists both hold when the key is absent (IAM User Guide, "Condition
    // operators" and "Multivalued context keys"): every request without aws:SourceArn (any
    // direct request) satisfies the condition, so it pins nothing. BPA: public.
    (
        "policyuniverse_tests_verdicts.jsonl:27",
        Ours::Public,
        "ForAllValues:...IfExists holds when aws:SourceArn is absent",
    ),
    (
        "policyuniverse_tests_verdicts.jsonl:41",
        Ours::Public,
        "ForAllValues:...IfExists holds when aws:SourceArn is absent",
    ),
    // `ARNEquals` / `ARNLike` are not operators IAM defines (it defines ArnEquals, ArnLike,
    // matched exactly). leakpath does not guess what an unknown operator means, so it cannot
    // be what makes a policy non-public; the other condition of :34 (StringNotLike on
    // aws:userid) is negated and pins nothing.
    (
        "policyuniverse_tests_verdicts.jsonl:28",
        Ours::Public,
        "`ARNEquals` is not an IAM operator (ArnEquals is)",
    ),
    (
        "policyuniverse_tests_verdicts.jsonl:34",
        Ours::Public,
        "`ARNLike` is not an IAM operator; StringNotLike pins nothing",
    ),
    // BPA: a fixed aws:SourceArn value makes a statement non-public; the guide asks for a
    // value without wildcard or variable, not for a well-formed account field.
    (
        "policyuniverse_tests_verdicts.jsonl:40",
        Ours::NotPublic,
        "fixed aws:SourceArn value (BPA)",
    ),
    // BPA lists aws:userid with a fixed value; "AROAI...:" has no wildcard.
    (
        "policyuniverse_tests_verdicts.jsonl:49",
        Ours::NotPublic,
        "fixed aws:userid value (BPA)",
    ),
    // prowler asks whether access reaches beyond trusted accounts (kwargs
    // is_cross_account_allowed, trusted_account_ids); BPA: named accounts are fixed
    // principals, never public.
    (
        "prowler_policy_lib_verdicts.jsonl:181",
        Ours::NotPublic,
        "named account roots are fixed principals (BPA)",
    ),
    // A condition value that is a JSON object: IAM accepts only strings or lists of them.
    (
        "prowler_policy_lib_verdicts.jsonl:222",
        Ours::Rejected,
        "condition value is an object",
    ),
    (
        "prowler_policy_lib_verdicts.jsonl:223",
        Ours::Rejected,
        "condition value is an object",
    ),
    // prowler's check_cross_service_confused_deputy question; BPA: a service principal is a
    // fixed principal.
    (
        "prowler_policy_lib_verdicts.jsonl:229",
        Ours::NotPublic,
        "service principal is fixed (BPA)",
    ),
    // prowler compares with its trusted_ips; BPA: single addresses (/32) are fixed CIDRs.
    (
        "prowler_policy_lib_verdicts.jsonl:235",
        Ours::NotPublic,
        "aws:SourceIp pinned to /32 addresses (BPA)",
    ),
    // kms:ViaService is not a key BPA lists: anyone in any account can call through Glue.
    (
        "prowler_policy_lib_verdicts.jsonl:238",
        Ours::Public,
        "kms:ViaService pins no principal (BPA)",
    ),
];

/// One peer verdict: where it is, the policy, the peer's answer.
struct PeerCase {
    place: String,
    policy: Value,
    peer_public: bool,
}

fn read_lines(path: &Path) -> Vec<(usize, Value)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let v: Value = serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), i + 1));
            (i + 1, v)
        })
        .collect()
}

fn peer_cases(dir: &Path) -> Vec<PeerCase> {
    let mut cases = Vec::new();
    let file = "policyuniverse_tests_verdicts.jsonl";
    for (line, v) in read_lines(&dir.join("verdicts").join(file)) {
        let (Some("is_internet_accessible"), Some(result)) =
            (v["method"].as_str(), v["result"].as_bool())
        else {
            continue;
        };
        // Single statements are judged as a policy holding just that statement.
        let policy = match v["kind"].as_str() {
            Some("statement") => json!({"Version": "2012-10-17", "Statement": [v["doc"].clone()]}),
            _ => v["doc"].clone(),
        };
        cases.push(PeerCase {
            place: format!("{file}:{line}"),
            policy,
            peer_public: result,
        });
    }
    let file = "prowler_policy_lib_verdicts.jsonl";
    for (line, v) in read_lines(&dir.join("verdicts").join(file)) {
        let (Some("is_policy_public"), Some(result)) =
            (v["function"].as_str(), v["result"].as_bool())
        else {
            continue;
        };
        cases.push(PeerCase {
            place: format!("{file}:{line}"),
            policy: v["args"][0].clone(),
            peer_public: result,
        });
    }
    cases
}

#[test]
fn peers_agree_except_where_listed() {
    let Some(dir) = data_dir() else { return };
    let cases = peer_cases(&dir);
    assert!(
        cases.len() >= 70,
        "expected the peers' verdicts, found {}",
        cases.len()
    );
    let mut found: BTreeMap<String, Ours> = BTreeMap::new();
    let mut agree: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for case in &cases {
        let ours = our_verdict(&case.policy);
        let peer = if case.peer_public {
            Ours::Public
        } else {
            Ours::NotPublic
        };
        let source = case.place.split(':').next().unwrap_or_default();
        let entry = agree
            .entry(if source.starts_with("policyuniverse") {
                "policyuniverse"
            } else {
                "prowler"
            })
            .or_default();
        entry.1 += 1;
        if ours == peer {
            entry.0 += 1;
        } else {
            found.insert(case.place.clone(), ours);
        }
    }
    for (peer, (same, total)) in &agree {
        eprintln!("{peer}: we agree on {same} of {total} verdicts");
    }
    let listed: BTreeMap<String, Ours> = DISAGREEMENTS
        .iter()
        .map(|(place, ours, _)| (place.to_string(), *ours))
        .collect();
    let new: Vec<String> = found
        .iter()
        .filter(|(place, ours)| listed.get(*place) != Some(ours))
        .map(|(place, ours)| {
            let policy = cases
                .iter()
                .find(|c| c.place == *place)
                .map(|c| c.policy.to_string())
                .unwrap_or_default();
            format!("{place} → {ours:?}: {policy}")
        })
        .collect();
    let gone: Vec<&String> = listed
        .keys()
        .filter(|place| !found.contains_key(*place))
        .collect();
    assert!(
        new.is_empty(),
        "new disagreements with peers (decide who is right by AWS's docs, then list them):\n{}",
        new.join("\n")
    );
    assert!(
        gone.is_empty(),
        "listed disagreements that no longer occur: {gone:?}"
    );
}

/// Resource policies of a corpus without verdicts: `(place, policy)`.
fn s3_guide_policies(dir: &Path) -> Vec<(String, Value)> {
    let file = "s3_user_guide_examples.jsonl";
    read_lines(&dir.join("aws-docs").join(file))
        .into_iter()
        .filter(|(_, v)| has_principal(&v["policy"]))
        .map(|(line, v)| (format!("{file}:{line}"), v["policy"].clone()))
        .collect()
}

fn quacky_s3_policies(dir: &Path) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.join("verdicts").join("quacky").join("samples")];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json")
                && p.to_string_lossy().contains("s3")
            {
                let Ok(text) = std::fs::read_to_string(&p) else {
                    continue;
                };
                let Ok(v) = serde_json::from_str::<Value>(&text) else {
                    continue;
                };
                if has_principal(&v) {
                    out.push((p.to_string_lossy().into_owned(), v));
                }
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// A resource policy is one whose statements name principals.
fn has_principal(policy: &Value) -> bool {
    let statements = match &policy["Statement"] {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    };
    statements
        .iter()
        .any(|s| s.get("Principal").is_some() || s.get("NotPrincipal").is_some())
}

/// `(public, not public, rejected)` over a corpus.
fn tally(policies: &[(String, Value)]) -> (usize, usize, usize, Vec<String>) {
    let mut counts = (0, 0, 0, Vec::new());
    for (place, policy) in policies {
        match our_verdict(policy) {
            Ours::Public => counts.0 += 1,
            Ours::NotPublic => counts.1 += 1,
            Ours::Rejected => {
                counts.2 += 1;
                counts.3.push(place.clone());
            }
        }
    }
    counts
}

#[test]
fn s3_user_guide_examples() {
    let Some(dir) = data_dir() else { return };
    let policies = s3_guide_policies(&dir);
    let (public, not_public, rejected, rejected_at) = tally(&policies);
    eprintln!("S3 User Guide resource policies: {} ({public} public, {not_public} not public, {rejected} rejected: {rejected_at:?})", policies.len());
    assert_eq!(rejected, 0, "{rejected_at:?}");
    // Checked by hand against the guide: four "make it publicly readable" examples
    // (:1, :14, :21, :173), an access point policy granting "*" that only its VPC network
    // origin makes non-public (:31), a TLS-version condition that pins no principal (:42), and
    // a VPC endpoint policy granting "*" (:109).
    let public_at: Vec<String> = policies
        .iter()
        .filter(|(_, p)| our_verdict(p) == Ours::Public)
        .map(|(place, _)| place.clone())
        .collect();
    assert_eq!(
        public_at,
        [1, 14, 21, 31, 42, 109, 173].map(|l| format!("s3_user_guide_examples.jsonl:{l}")),
        "public S3 User Guide examples changed"
    );
    assert_eq!(not_public, policies.len() - public);
}

#[test]
fn quacky_s3_samples() {
    let Some(dir) = data_dir() else { return };
    let policies = quacky_s3_policies(&dir);
    let (public, not_public, rejected, rejected_at) = tally(&policies);
    eprintln!("quacky S3 resource policies: {} ({public} public, {not_public} not public, {rejected} rejected: {rejected_at:?})", policies.len());
    // Three manual samples write Principal as a JSON list, which IAM's grammar rejects.
    let rejected_names: Vec<&str> = rejected_at
        .iter()
        .filter_map(|p| Path::new(p).parent()?.file_name()?.to_str())
        .collect();
    assert_eq!(
        rejected_names,
        [
            "s3_allow_notprincipal",
            "s3_allow_principals",
            "s3_allow_pstar"
        ]
    );
    assert_eq!(
        (public, not_public, rejected),
        (155, 108, 3),
        "quacky verdict counts changed"
    );
}
