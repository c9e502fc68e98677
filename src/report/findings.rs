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
use crate::routes::finding::{Finding, FindingStatus, HopWitness, SolverVerdict};
use serde_json::{json, Value};

/// The native line of one finding, as serde sees it: one definition behind both the `Value`
/// (`native_json`) and the bytes written straight from it (`write_native_line`), so the two
/// cannot drift. Field order is the order on the wire.
#[derive(serde::Serialize)]
struct NativeLine<'a> {
    schema: &'static str,
    id: String,
    status: &'static str,
    dataset: DatasetJson<'a>,
    exposure: &'static str,
    actor: &'a str,
    route: Vec<RouteHopJson<'a>>,
    actions: &'a [String],
    witness: WitnessJson<'a>,
    sensitivity: SensitivityJson<'a>,
    risk: RiskJson<'a>,
    solver: SolverJson,
    alternatives: usize,
    // Present only on suppressed findings: null values are not valid OCSF.
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<SuppressedJson<'a>>,
}

#[derive(serde::Serialize)]
struct DatasetJson<'a> {
    arn: &'a str,
    account: &'a str,
    kind: &'a str,
}

#[derive(serde::Serialize)]
struct RouteHopJson<'a> {
    from: &'a str,
    to: &'a str,
    via: &'a str,
    policy: &'a str,
}

#[derive(serde::Serialize)]
struct SensitivityJson<'a> {
    label: &'a str,
    confidence: f64,
    evidence: &'a [String],
}

#[derive(serde::Serialize)]
struct RiskJson<'a> {
    score: u8,
    severity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    severity_override: Option<&'a str>,
}

#[derive(serde::Serialize)]
struct SolverJson {
    result: &'static str,
    millis: u64,
}

#[derive(serde::Serialize)]
struct SuppressedJson<'a> {
    reason: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires: Option<&'a str>,
}

/// A witness context value: one value as a string, any other count as an array.
struct ContextValuesJson<'a>(&'a [String]);

impl serde::Serialize for ContextValuesJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            [one] => s.serialize_str(one),
            many => s.collect_seq(many),
        }
    }
}

/// One hop's request; `hops` (every hop's request) follows the last hop's own fields when
/// the route has more than one hop.
struct HopWitnessJson<'a> {
    hop: &'a HopWitness,
    hops: Option<&'a [HopWitness]>,
}

impl serde::Serialize for HopWitnessJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let w = self.hop;
        let mut m = s.serialize_map(Some(4 + usize::from(self.hops.is_some())))?;
        m.serialize_entry("principal", &w.principal)?;
        m.serialize_entry("action", &w.action)?;
        m.serialize_entry("resource", &w.resource)?;
        m.serialize_entry(
            "context",
            &ContextJson {
                context: &w.context,
            },
        )?;
        if let Some(hops) = self.hops {
            let all: Vec<HopWitnessJson> = hops
                .iter()
                .map(|hop| HopWitnessJson { hop, hops: None })
                .collect();
            m.serialize_entry("hops", &all)?;
        }
        m.end()
    }
}

struct ContextJson<'a> {
    context: &'a std::collections::BTreeMap<String, Vec<String>>,
}

impl serde::Serialize for ContextJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(
            self.context
                .iter()
                .map(|(k, vs)| (k, ContextValuesJson(vs))),
        )
    }
}

/// The route's witness: the request of the hop that reaches the data (with every hop's
/// request under `hops` when there are several), or `{}` when no hop has one.
struct WitnessJson<'a>(&'a [HopWitness]);

impl serde::Serialize for WitnessJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self.0.last() {
            None => s.serialize_map(Some(0))?.end(),
            Some(hop) => HopWitnessJson {
                hop,
                hops: (self.0.len() > 1).then_some(self.0),
            }
            .serialize(s),
        }
    }
}

impl<'a> NativeLine<'a> {
    fn of(f: &'a Finding, status: FindingStatus) -> NativeLine<'a> {
        NativeLine {
            schema: "leakpath.finding/v1",
            id: f.stable_id(),
            status: status.as_str(),
            dataset: DatasetJson {
                arn: &f.dataset.arn,
                account: &f.dataset.account,
                kind: &f.dataset.kind,
            },
            exposure: f.exposure.as_str(),
            actor: &f.actor,
            route: f
                .route
                .iter()
                .map(|h| RouteHopJson {
                    from: &h.from,
                    to: &h.to,
                    via: &h.via,
                    policy: &h.policy,
                })
                .collect(),
            actions: &f.actions,
            witness: WitnessJson(&f.witness.hops),
            sensitivity: SensitivityJson {
                label: &f.sensitivity.label,
                confidence: (f.sensitivity.confidence * 1000.0).round() / 1000.0,
                evidence: &f.sensitivity.evidence,
            },
            risk: RiskJson {
                score: f.risk.score,
                severity: f.risk.severity.as_str(),
                severity_override: f.triage.severity_override.as_deref(),
            },
            solver: SolverJson {
                result: match f.solver.verdict {
                    SolverVerdict::Sat => "sat",
                    SolverVerdict::Unknown => "unknown",
                },
                millis: f.solver.millis,
            },
            alternatives: f.alternatives,
            suppressed: f.triage.suppressed.as_ref().map(|s| SuppressedJson {
                reason: &s.reason,
                expires: s.expires.as_deref(),
            }),
        }
    }
}

/// The native object of one finding.
pub fn native_json(f: &Finding) -> Value {
    // Serializing these plain structs into a `Value` cannot fail (every map key is a string).
    serde_json::to_value(NativeLine::of(f, f.status)).unwrap_or(Value::Null)
}

/// Appends the native line of `f` (as `native_json` with `status` in place of the
/// finding's own, without its newline) to `out`, without building a `Value` first.
pub fn write_native_line(f: &Finding, status: FindingStatus, out: &mut Vec<u8>) {
    // Writing plain structs into a `Vec` cannot fail.
    let _ = serde_json::to_writer(out, &NativeLine::of(f, status));
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
/// stamped on OCSF lines. Lines are serialized in parallel, in chunks whose order is kept.
pub fn write_lines<'a>(
    findings: impl IntoIterator<Item = &'a Finding>,
    resolved: &[Value],
    format: LineFormat,
    time_ms: i64,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    // Enough lines per chunk that a chunk's buffer is worth a task, few enough that both
    // workers stay busy.
    const LINES_PER_CHUNK: usize = 64;
    let findings: Vec<&Finding> = findings.into_iter().collect();
    let put = |v: &Value, buf: &mut Vec<u8>| {
        // Writing a `Value` into a `Vec` cannot fail.
        let _ = serde_json::to_writer(&mut *buf, v);
        buf.push(b'\n');
    };
    let chunks: Vec<Vec<u8>> = findings
        .par_chunks(LINES_PER_CHUNK)
        .map(|chunk| {
            let mut buf = Vec::with_capacity(chunk.len() * 2048);
            for f in chunk {
                match format {
                    LineFormat::Native => {
                        write_native_line(f, f.status, &mut buf);
                        buf.push(b'\n');
                    }
                    LineFormat::Ocsf => put(&ocsf_json(f, time_ms), &mut buf),
                }
            }
            buf
        })
        .collect();
    for chunk in &chunks {
        out.write_all(chunk)?;
    }
    let mut buf = Vec::new();
    for v in resolved {
        match format {
            LineFormat::Native => put(v, &mut buf),
            LineFormat::Ocsf => put(&ocsf_from_native(v, time_ms), &mut buf),
        }
    }
    out.write_all(&buf)
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

    /// The line written without a `Value` is the `Value`'s own text.
    fn check_line(f: &Finding) {
        let mut line = Vec::new();
        write_native_line(f, f.status, &mut line);
        assert_eq!(
            String::from_utf8(line).unwrap(),
            native_json(f).to_string(),
            "{f:?}"
        );
    }

    #[test]
    fn native_line_is_the_native_object() {
        let mut many = examples();
        let mut three_hops = many[0].clone();
        three_hops.witness.hops.push(HopWitness::default());
        three_hops.triage.severity_override = Some("accepted risk".into());
        three_hops.sensitivity.confidence = f64::NAN;
        many.push(three_hops);
        let mut one_hop = many[0].clone();
        one_hop.witness.hops.remove(0);
        one_hop.witness.hops[0]
            .context
            .insert("aws:SourceVpce".into(), Vec::new());
        one_hop.triage.suppressed = Some(crate::routes::finding::AppliedSuppression {
            reason: "test".into(),
            expires: None,
        });
        many.push(one_hop);
        for f in &many {
            check_line(f);
        }
        let v = native_json(&many[2]);
        assert_eq!(v["risk"]["severity_override"], "accepted risk");
        assert_eq!(v["sensitivity"]["confidence"], Value::Null);
        assert_eq!(v["witness"]["hops"][2]["context"], json!({}));
        let v = native_json(&many[3]);
        assert_eq!(v["witness"]["context"]["aws:SourceVpce"], json!([]));
        assert_eq!(v["suppressed"], json!({"reason": "test"}));
        assert!(v["witness"].get("hops").is_none());
        let v = native_json(&many[1]);
        assert_eq!(v["witness"], json!({}));
        assert_eq!(
            v["suppressed"],
            json!({"reason": "marketing assets are public by design", "expires": "2027-06-30"})
        );
        assert!(v["risk"].get("severity_override").is_none());
    }

    #[test]
    fn lines_keep_their_order() {
        let base = examples().remove(0);
        let many: Vec<Finding> = (0..300)
            .map(|i| {
                let mut f = base.clone();
                f.actor = format!("{i:012}");
                f
            })
            .collect();
        let mut out = Vec::new();
        write_lines(
            &many,
            &[json!({"status": "resolved"})],
            LineFormat::Native,
            0,
            &mut out,
        )
        .unwrap();
        let lines: Vec<&str> = std::str::from_utf8(&out).unwrap().lines().collect();
        assert_eq!(lines.len(), 301);
        for (f, line) in many.iter().zip(&lines) {
            assert_eq!(*line, native_json(f).to_string());
        }
        assert_eq!(lines[300], r#"{"status":"resolved"}"#);
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
