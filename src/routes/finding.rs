//! `Finding`: one confirmed route, as data — what is exposed, to whom, by which hops, the
//! witness request, the solver's verdict, and (after `classify` and `rank`) its sensitivity
//! and risk. Serialized only in `report::findings`.

use std::collections::BTreeMap;

/// The exposure classes of the output contract (`findings.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExposureClass {
    /// Anyone on the internet, anonymously or with any AWS account.
    Public,
    /// Named AWS accounts outside the zone of trust.
    CrossAccount,
    /// Identities of a web-identity or SAML provider that people outside can obtain.
    Federated,
    /// Compute reachable from the internet whose role can read the data.
    InternetCompute,
    /// A principal inside that can read the data can also write it outside.
    Egress,
}

impl ExposureClass {
    /// The kebab-case name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ExposureClass::Public => "public",
            ExposureClass::CrossAccount => "cross-account",
            ExposureClass::Federated => "federated",
            ExposureClass::InternetCompute => "internet-compute",
            ExposureClass::Egress => "egress",
        }
    }

    pub const ALL: [ExposureClass; 5] = [
        ExposureClass::Public,
        ExposureClass::CrossAccount,
        ExposureClass::Federated,
        ExposureClass::InternetCompute,
        ExposureClass::Egress,
    ];
}

/// The data store a route reaches.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dataset {
    /// `arn:aws:s3:::bucket`, or `arn:aws:s3:::bucket/prefix/` (the bucket's ARN, `/`, and
    /// the key prefix, which ends in `/` as S3 names a folder) where every object read of
    /// the route is limited to that prefix.
    pub arn: String,
    pub account: String,
    /// `s3-bucket`, or `s3-prefix` for a prefix of one.
    pub kind: String,
}

/// One hop of a route, from the outside towards the data.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RouteHop {
    pub from: String,
    pub to: String,
    /// `sts:AssumeRole`, `s3:GetObject`, `network:tcp/22`, `iam:PassRole`, …
    pub via: String,
    /// ARN or `file#/json/pointer` of the statement or setting that grants the hop.
    pub policy: String,
}

/// One concrete request of the witness: what the solver found the policies allow at a hop.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HopWitness {
    pub principal: String,
    pub action: String,
    pub resource: String,
    /// Condition keys (as AWS spells them) and their values in the witness request; includes
    /// `aws:SourceIp`, `aws:SourceVpce`, … when the model fixed or the solver chose them.
    pub context: BTreeMap<String, Vec<String>>,
}

/// The witness of a whole route: one request per hop that carries conditions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteWitness {
    pub hops: Vec<HopWitness>,
}

/// What the solver said about the whole chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SolverVerdict {
    /// Satisfiable: the witness is a request every policy on the way allows (replayed through
    /// the concrete evaluator).
    Sat,
    /// The solver could not decide (timeout or unsupported construct): kept and flagged.
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SolverOutcome {
    pub verdict: SolverVerdict,
    pub millis: u64,
}

/// The sensitivity of the exposed data (from `classify`).
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    /// `credentials`, `financial`, `health`, `personal`, `internal`, `public`, `unknown`.
    pub label: String,
    pub confidence: f64,
    /// Detector names, counts, column and file names — never values.
    pub evidence: Vec<String>,
    /// Objects and bytes seen in the key sample (`list-objects-v2`), for the risk score.
    pub object_count: u64,
    pub total_bytes: u64,
}

impl Sensitivity {
    /// Nothing to judge by: never guessed as `public`.
    pub fn unknown() -> Sensitivity {
        Sensitivity {
            label: "unknown".to_string(),
            confidence: 0.0,
            evidence: Vec::new(),
            object_count: 0,
            total_bytes: 0,
        }
    }
}

/// Whether the route is new since the previous scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingStatus {
    New,
    Open,
    Resolved,
}

impl FindingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::New => "new",
            FindingStatus::Open => "open",
            FindingStatus::Resolved => "resolved",
        }
    }
}

/// A `[[suppress]]` entry of `leakpath.toml` that matched a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedSuppression {
    pub reason: String,
    pub expires: Option<String>,
}

/// What the user's `leakpath.toml` says about a finding: reported, never dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Triage {
    pub suppressed: Option<AppliedSuppression>,
    /// The reason of a `[[severity]]` override that replaced the computed severity.
    pub severity_override: Option<String>,
}

/// One confirmed route.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub dataset: Dataset,
    pub exposure: ExposureClass,
    /// `*`, an account id, a federated provider, or `internet`.
    pub actor: String,
    pub route: Vec<RouteHop>,
    /// Data actions the route allows on the dataset, sorted.
    pub actions: Vec<String>,
    pub witness: RouteWitness,
    pub solver: SolverOutcome,
    /// Other routes for the same dataset and exposure class that the search confirmed and
    /// that need more (the search stops at the first confirmed reader per dataset and
    /// class, so this counts what was confirmed, not every route there is).
    pub alternatives: usize,
    /// Number of condition keys the actor must satisfy along the route (for ranking).
    pub conditions_required: usize,
    pub sensitivity: Sensitivity,
    pub risk: crate::rank::Risk,
    pub status: FindingStatus,
    /// Suppression and severity override from `leakpath.toml` (set by `rank::triage`).
    pub triage: Triage,
}

impl Finding {
    /// The stable id: a hash of dataset, exposure, route nodes and actions — the same route
    /// in tomorrow's scan has the same id. Never a counter or a timestamp.
    pub fn stable_id(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        // Length-prefix every part so that ("ab","c") and ("a","bc") differ.
        let mut put = |s: &str| {
            h.update((s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        };
        put(&self.dataset.arn);
        put(self.exposure.as_str());
        put(&self.actor);
        for hop in &self.route {
            put(&hop.from);
            put(&hop.to);
            put(&hop.via);
        }
        for a in &self.actions {
            put(a);
        }
        let digest = h.finalize();
        let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
        format!("lp-{hex}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(actor: &str, via: &str) -> Finding {
        Finding {
            dataset: Dataset {
                arn: "arn:aws:s3:::payroll".into(),
                account: "111111111111".into(),
                kind: "s3-bucket".into(),
            },
            exposure: ExposureClass::Public,
            actor: actor.into(),
            route: vec![RouteHop {
                from: actor.into(),
                to: "arn:aws:s3:::payroll".into(),
                via: via.into(),
                policy: "p".into(),
            }],
            actions: vec!["s3:GetObject".into()],
            witness: RouteWitness::default(),
            solver: SolverOutcome {
                verdict: SolverVerdict::Sat,
                millis: 3,
            },
            alternatives: 0,
            conditions_required: 0,
            sensitivity: Sensitivity::unknown(),
            risk: crate::rank::Risk {
                score: 0,
                severity: crate::rank::Severity::Informational,
            },
            status: FindingStatus::New,
            triage: Triage::default(),
        }
    }

    #[test]
    fn stable_id_depends_on_route_not_on_timing() {
        let a = finding("*", "s3:GetObject");
        let mut b = a.clone();
        b.solver.millis = 999;
        b.alternatives = 4;
        assert_eq!(a.stable_id(), b.stable_id());
        assert_ne!(a.stable_id(), finding("*", "s3:ListBucket").stable_id());
        assert_ne!(
            a.stable_id(),
            finding("999999999999", "s3:GetObject").stable_id()
        );
    }
}
