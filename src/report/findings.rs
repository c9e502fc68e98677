//! Findings as JSON Lines: the native `leakpath.finding/v1` line and the OCSF Detection
//! Finding line that carries it.
//!
//! ## Native format (`--format jsonl`)
//! One JSON object per line, one line per confirmed route, ranked by risk (highest first):
//!
//! ```json
//! {"schema":"leakpath.finding/v1","id":"lp-…","status":"new",
//!  "dataset":{"arn":"arn:aws:s3:::payroll","account":"111111111111","kind":"s3-bucket"},
//!  "exposure":"public","actor":"*",
//!  "route":[{"from":"*","to":"arn:aws:s3:::payroll","via":"s3:GetObject","policy":"…"}],
//!  "actions":["s3:GetObject"],
//!  "witness":{"principal":"anonymous","action":"s3:GetObject","resource":"…","context":{…}},
//!  "sensitivity":{"label":"personal","confidence":0.93,"evidence":["…"]},
//!  "risk":{"score":88,"severity":"high"},
//!  "solver":{"result":"sat","millis":3},
//!  "alternatives":2}
//! ```
//!
//! `witness` is the request of the hop that reaches the data, with `hops` listing every
//! hop's request when the route has more than one; it is `{}` only where no hop has
//! conditions. Field names are the contract in `shared/spec/findings.md`; `alternatives`
//! (other confirmed routes for the same dataset and class) is an addition.
//!
//! ## OCSF format (`--format ocsf`)
//! Each line an OCSF 1.6.0 Detection Finding (class_uid 2004, `cloud` profile), the native
//! object kept whole under `unmapped.leakpath`.

use crate::rank::Severity;
use crate::routes::finding::{Finding, HopWitness, SolverVerdict};
use serde_json::{json, Map, Value};

fn hop_witness_json(w: &HopWitness) -> Value {
    let context: Map<String, Value> = w
        .context
        .iter()
        .map(|(k, vs)| {
            let v = match vs.as_slice() {
                [one] => Value::String(one.clone()),
                many => Value::Array(many.iter().cloned().map(Value::String).collect()),
            };
            (k.clone(), v)
        })
        .collect();
    json!({
        "principal": w.principal,
        "action": w.action,
        "resource": w.resource,
        "context": context,
    })
}

fn witness_json(f: &Finding) -> Value {
    let hops = &f.witness.hops;
    let Some(last) = hops.last() else {
        return json!({});
    };
    let mut obj = match hop_witness_json(last) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    if hops.len() > 1 {
        obj.insert(
            "hops".into(),
            Value::Array(hops.iter().map(hop_witness_json).collect()),
        );
    }
    Value::Object(obj)
}

/// The native object of one finding.
pub fn native_json(f: &Finding) -> Value {
    let mut v = json!({
        "schema": "leakpath.finding/v1",
        "id": f.stable_id(),
        "status": f.status.as_str(),
        "dataset": {"arn": f.dataset.arn, "account": f.dataset.account, "kind": f.dataset.kind},
        "exposure": f.exposure.as_str(),
        "actor": f.actor,
        "route": f.route.iter().map(|h| json!({
            "from": h.from, "to": h.to, "via": h.via, "policy": h.policy,
        })).collect::<Vec<_>>(),
        "actions": f.actions,
        "witness": witness_json(f),
        "sensitivity": {
            "label": f.sensitivity.label,
            "confidence": (f.sensitivity.confidence * 1000.0).round() / 1000.0,
            "evidence": f.sensitivity.evidence,
        },
        "risk": match &f.triage.severity_override {
            None => json!({"score": f.risk.score, "severity": f.risk.severity.as_str()}),
            Some(reason) => json!({"score": f.risk.score, "severity": f.risk.severity.as_str(),
                                   "severity_override": reason}),
        },
        "solver": {
            "result": match f.solver.verdict { SolverVerdict::Sat => "sat", SolverVerdict::Unknown => "unknown" },
            "millis": f.solver.millis,
        },
        "alternatives": f.alternatives,
    });
    // Present only on suppressed findings: null values are not valid OCSF.
    if let (Some(s), Some(obj)) = (&f.triage.suppressed, v.as_object_mut()) {
        let mut sup = Map::new();
        sup.insert("reason".into(), Value::String(s.reason.clone()));
        if let Some(e) = &s.expires {
            sup.insert("expires".into(), Value::String(e.clone()));
        }
        obj.insert("suppressed".into(), Value::Object(sup));
    }
    v
}

/// OCSF severity_id for a band: 1 informational … 5 critical.
fn ocsf_severity_id(s: Severity) -> u8 {
    match s {
        Severity::Informational => 1,
        Severity::Low => 2,
        Severity::Medium => 3,
        Severity::High => 4,
        Severity::Critical => 5,
    }
}

/// The OCSF 1.6.0 Detection Finding (class 2004, `cloud` profile) of one finding.
/// `time_ms` is the scan time (epoch milliseconds), the same for every line of a scan.
pub fn ocsf_json(f: &Finding, time_ms: i64) -> Value {
    ocsf_from_native(&native_json(f), time_ms)
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// The OCSF line of a native object — also of a stored one, so that a resolved route, which
/// exists only as its last native line, is emitted the same way.
pub fn ocsf_from_native(native: &Value, time_ms: i64) -> Value {
    let id = str_at(native, "/id");
    let arn = str_at(native, "/dataset/arn");
    let account = str_at(native, "/dataset/account");
    let kind = str_at(native, "/dataset/kind");
    let exposure = str_at(native, "/exposure");
    let actor = str_at(native, "/actor");
    let score = native
        .pointer("/risk/score")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    // An override in leakpath.toml replaces the band the score falls in.
    let severity = Severity::parse(str_at(native, "/risk/severity"))
        .unwrap_or_else(|| Severity::from_score(score.min(100) as u8));
    // activity 1 Create (new), 2 Update (still open), 3 Close (resolved).
    let suppressed = native.get("suppressed").is_some_and(|s| !s.is_null());
    let (activity_id, activity_name, status_id, status) = match str_at(native, "/status") {
        "resolved" => (3, "Close", 4, "Resolved"),
        _ if suppressed => (2, "Update", 3, "Suppressed"),
        "open" => (2, "Update", 2, "In Progress"),
        _ => (1, "Create", 1, "New"),
    };
    let hops: Vec<(&str, &str, &str)> = native
        .get("route")
        .and_then(Value::as_array)
        .map(|hops| {
            hops.iter()
                .map(|h| (str_at(h, "/from"), str_at(h, "/to"), str_at(h, "/via")))
                .collect()
        })
        .unwrap_or_default();
    let mut names: Vec<&str> = Vec::new();
    for (from, to, _) in &hops {
        for n in [*from, *to] {
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    let nodes: Vec<Value> = names
        .iter()
        .map(|n| json!({"uid": n, "name": n, "type": "node"}))
        .collect();
    let edges: Vec<Value> = hops
        .iter()
        .enumerate()
        .map(|(i, (from, to, via))| {
            json!({
                "uid": format!("{id}/{i}"),
                "name": via,
                "source": from,
                "target": to,
                "relation": via,
                "is_directed": true,
            })
        })
        .collect();
    let title = format!("{exposure} exposure of {arn} to {actor}");
    json!({
        "activity_id": activity_id,
        "activity_name": activity_name,
        "category_uid": 2,
        "category_name": "Findings",
        "class_uid": 2004,
        "class_name": "Detection Finding",
        "type_uid": 2004 * 100 + activity_id,
        "severity_id": ocsf_severity_id(severity),
        "severity": match severity {
            Severity::Informational => "Informational",
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
            Severity::Critical => "Critical",
        },
        "status_id": status_id,
        "status": status,
        "time": time_ms,
        "message": title,
        "metadata": {
            "version": "1.6.0",
            "product": {"name": "leakpath", "vendor_name": "leakpath", "version": env!("CARGO_PKG_VERSION")},
            "profiles": ["cloud"],
            "uid": id,
        },
        "cloud": {"provider": "AWS", "account": {"uid": account, "type": "AWS Account", "type_id": 10}},
        "finding_info": {
            "uid": id,
            "title": title,
            "desc": format!("{actor} can reach {arn} by a route of {} hop(s) that the solver confirmed", hops.len()),
            "types": [exposure],
            "attack_graph": {"uid": id, "name": title, "nodes": nodes, "edges": edges},
        },
        "resources": [{"uid": arn, "type": kind, "cloud_partition": "aws", "owner": {"account": {"uid": account, "type_id": 10}}}],
        "risk_score": score,
        "unmapped": {"leakpath": native},
    })
}

/// Which of the two line formats to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineFormat {
    Native,
    Ocsf,
}

/// Writes one line per current finding, then one per resolved route (given as its stored
/// native object with `status` already `resolved`), in `format`. `time_ms` is the scan time
/// stamped on OCSF lines.
pub fn write_lines<'a>(
    findings: impl IntoIterator<Item = &'a Finding>,
    resolved: &[Value],
    format: LineFormat,
    time_ms: i64,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut put = |v: &Value| -> std::io::Result<()> {
        serde_json::to_writer(&mut *out, v)?;
        out.write_all(b"\n")
    };
    for f in findings {
        match format {
            LineFormat::Native => put(&native_json(f))?,
            LineFormat::Ocsf => put(&ocsf_json(f, time_ms))?,
        }
    }
    for v in resolved {
        match format {
            LineFormat::Native => put(v)?,
            LineFormat::Ocsf => put(&ocsf_from_native(v, time_ms))?,
        }
    }
    Ok(())
}

/// Example findings (a two-hop cross-account route with conditions, and a resolved
/// anonymous public route with no conditions), for documentation and the schema tests.
pub fn examples() -> Vec<Finding> {
    use crate::rank::{Risk, Severity};
    use crate::routes::finding::*;
    use std::collections::BTreeMap;
    let two_hop = {
        let mut context = BTreeMap::new();
        context.insert("aws:SourceIp".to_string(), vec!["198.51.100.7".to_string()]);
        context.insert(
            "sts:ExternalId".to_string(),
            vec!["partner-1".to_string(), "partner-2".to_string()],
        );
        Finding {
        dataset: Dataset {
            arn: "arn:aws:s3:::payroll".into(),
            account: "111111111111".into(),
            kind: "s3-bucket".into(),
        },
        exposure: ExposureClass::CrossAccount,
        actor: "999999999999".into(),
        route: vec![
            RouteHop {
                from: "999999999999".into(),
                to: "arn:aws:iam::111111111111:role/reader".into(),
                via: "sts:AssumeRole".into(),
                policy: "arn:aws:iam::111111111111:role/reader#/AssumeRolePolicyDocument/Statement/0".into(),
            },
            RouteHop {
                from: "arn:aws:iam::111111111111:role/reader".into(),
                to: "arn:aws:s3:::payroll".into(),
                via: "s3:GetObject".into(),
                policy: "arn:aws:iam::111111111111:policy/read".into(),
            },
        ],
        actions: vec!["s3:GetObject".into()],
        witness: RouteWitness {
            hops: vec![
                HopWitness {
                    principal: "arn:aws:iam::999999999999:root".into(),
                    action: "sts:AssumeRole".into(),
                    resource: "arn:aws:iam::111111111111:role/reader".into(),
                    context: context.clone(),
                },
                HopWitness {
                    principal: "arn:aws:sts::111111111111:assumed-role/reader/s".into(),
                    action: "s3:GetObject".into(),
                    resource: "arn:aws:s3:::payroll/a.csv".into(),
                    context: BTreeMap::new(),
                },
            ],
        },
        solver: SolverOutcome {
            verdict: SolverVerdict::Sat,
            millis: 4,
        },
        alternatives: 1,
        conditions_required: 1,
        sensitivity: Sensitivity {
            label: "financial".into(),
            confidence: 0.91234,
            evidence: vec!["card-number x12 (Luhn-valid) in payroll.csv".into()],
            object_count: 40,
            total_bytes: 1000,
        },
        risk: Risk {
            score: 72,
            severity: crate::rank::Severity::High,
        },
        status: FindingStatus::New,
        triage: Triage::default(),
    }
    };
    let mut public = two_hop.clone();
    public.exposure = ExposureClass::Public;
    public.actor = "*".into();
    public.route = vec![RouteHop {
        from: "*".into(),
        to: "arn:aws:s3:::payroll".into(),
        via: "s3:GetObject".into(),
        policy:
            "accounts/111111111111/s3/buckets/payroll/get-bucket-policy.json#/Policy/Statement/0"
                .into(),
    }];
    public.witness = RouteWitness::default();
    public.status = FindingStatus::Resolved;
    public.triage = Triage {
        suppressed: Some(AppliedSuppression {
            reason: "marketing assets are public by design".into(),
            expires: Some("2027-06-30".into()),
        }),
        severity_override: None,
    };
    public.risk = Risk {
        score: 95,
        severity: Severity::Critical,
    };
    vec![two_hop, public]
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn native_line_has_every_contract_field() {
        let v = native_json(&examples()[0]);
        for field in [
            "schema",
            "id",
            "status",
            "dataset",
            "exposure",
            "actor",
            "route",
            "actions",
            "witness",
            "sensitivity",
            "risk",
            "solver",
        ] {
            assert!(v.get(field).is_some(), "missing {field}");
        }
        assert_eq!(v["schema"], "leakpath.finding/v1");
        assert_eq!(v["exposure"], "cross-account");
        assert_eq!(v["route"][0]["via"], "sts:AssumeRole");
        assert_eq!(v["witness"]["context"], json!({}));
        assert_eq!(
            v["witness"]["hops"][0]["context"]["aws:SourceIp"],
            "198.51.100.7"
        );
        assert_eq!(v["solver"]["result"], "sat");
        assert_eq!(v["sensitivity"]["confidence"], 0.912);
        assert_eq!(v["risk"]["severity"], "high");
    }

    #[test]
    fn ocsf_line_carries_the_native_object() {
        let f = examples().remove(0);
        let v = ocsf_json(&f, 1_700_000_000_000);
        assert_eq!(v["class_uid"], 2004);
        assert_eq!(v["type_uid"], 200401);
        assert_eq!(v["severity_id"], 4);
        assert_eq!(v["unmapped"]["leakpath"], native_json(&f));
        assert_eq!(
            v["finding_info"]["attack_graph"]["edges"][1]["target"],
            "arn:aws:s3:::payroll"
        );
    }
}
