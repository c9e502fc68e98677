//! The risk score (0–100) of a confirmed route and its severity band.
//!
//! ## The score
//! The sum of five documented parts, clamped to 1..=100 for every confirmed route; only a
//! route whose data is labelled `public` (meant to be public) with confidence >= 0.8 scores
//! 0, informational. A less certain `public` label counts as doubt: 15 × (1 − confidence).
//!
//! | part | values |
//! |---|---|
//! | exposure class | public 45, federated 38, cross-account 34, internet-compute 30, egress 24 |
//! | sensitivity | credentials 35, financial 32, health 32, personal 28, internal 15, unknown 18 — scaled by 0.5 + 0.5 × confidence, except `unknown`, which counts in full (not knowing is no comfort) |
//! | data volume | 0–8: 2 × log10(objects in the key sample + 1), capped |
//! | actions | 10 when the route reads objects (`s3:GetObject`, `kms:Decrypt`…), 4 when it only lists |
//! | effort | −3 per hop beyond the first (at most −9), −2 per condition the actor must meet (at most −8) |
//!
//! Severity bands: 0 informational, 1–39 low, 40–69 medium, 70–89 high, 90–100 critical.
//! Ranking is by score, highest first; a dataset's risk is its worst route's.

use crate::routes::finding::{ExposureClass, Sensitivity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Informational,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// The band a score falls in.
    pub fn from_score(score: u8) -> Severity {
        match score {
            0 => Severity::Informational,
            1..=39 => Severity::Low,
            40..=69 => Severity::Medium,
            70..=89 => Severity::High,
            _ => Severity::Critical,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Informational => "informational",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parses a band name as users write it on the command line (`--fail-on high`).
    pub fn parse(name: &str) -> Option<Severity> {
        match name.to_ascii_lowercase().as_str() {
            "informational" | "info" => Some(Severity::Informational),
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Risk {
    pub score: u8,
    pub severity: Severity,
}

/// What the score is computed from, all facts of one route.
#[derive(Debug, Clone)]
pub struct RiskInputs<'a> {
    pub exposure: ExposureClass,
    pub sensitivity: &'a Sensitivity,
    pub actions: &'a [String],
    pub hops: usize,
    pub conditions_required: usize,
}

fn exposure_points(e: ExposureClass) -> f64 {
    match e {
        ExposureClass::Public => 45.0,
        ExposureClass::Federated => 38.0,
        ExposureClass::CrossAccount => 34.0,
        ExposureClass::InternetCompute => 30.0,
        ExposureClass::Egress => 24.0,
    }
}

fn sensitivity_points(s: &Sensitivity) -> f64 {
    let confidence = s.confidence.clamp(0.0, 1.0);
    let scaled = |w: f64| w * (0.5 + 0.5 * confidence);
    match s.label.as_str() {
        "credentials" => scaled(35.0),
        "financial" | "health" => scaled(32.0),
        "personal" => scaled(28.0),
        "internal" => scaled(15.0),
        "public" => 15.0 * (1.0 - confidence),
        _ => 18.0,
    }
}

/// Reads return the data itself; list only its names.
fn action_points(actions: &[String]) -> f64 {
    let reads = actions.iter().any(|a| {
        let a = a.to_ascii_lowercase();
        a.contains(":get") || a.contains("decrypt") || a.contains(":invoke")
    });
    if reads {
        10.0
    } else if actions.is_empty() {
        0.0
    } else {
        4.0
    }
}

/// Confidence from which a `public` label makes a route informational.
pub const PUBLIC_CERTAINTY: f64 = 0.8;

/// The documented score (see the module doc).
pub fn score(inputs: &RiskInputs<'_>) -> Risk {
    if inputs.sensitivity.label == "public" && inputs.sensitivity.confidence >= PUBLIC_CERTAINTY {
        return Risk {
            score: 0,
            severity: Severity::Informational,
        };
    }
    let volume = (2.0 * ((inputs.sensitivity.object_count as f64) + 1.0).log10()).min(8.0);
    let hop_penalty = (3.0 * inputs.hops.saturating_sub(1) as f64).min(9.0);
    let condition_penalty = (2.0 * inputs.conditions_required as f64).min(8.0);
    let raw = exposure_points(inputs.exposure)
        + sensitivity_points(inputs.sensitivity)
        + volume
        + action_points(inputs.actions)
        - hop_penalty
        - condition_penalty;
    let score = raw.round().clamp(1.0, 100.0) as u8;
    Risk {
        score,
        severity: Severity::from_score(score),
    }
}

/// Applies `leakpath.toml`'s suppressions and severity overrides to one finding. `today` is
/// the scan date (YYYY-MM-DD): a suppression whose `expires` is before it has lapsed, and the
/// returned message says so (the finding then alerts as usual).
pub fn triage(
    f: &mut crate::routes::finding::Finding,
    settings: &crate::model::Settings,
    today: &str,
) -> Vec<String> {
    use crate::model::settings::FindingSelector;
    use crate::routes::finding::AppliedSuppression;
    // The id (a SHA-256 of the route) is needed only when something selects findings; a
    // scan with no `leakpath.toml` triage hashes each finding one time less.
    let id = if settings.suppressions.is_empty() && settings.severity_overrides.is_empty() {
        String::new()
    } else {
        f.stable_id()
    };
    let selects = |sel: &FindingSelector| match sel {
        FindingSelector::Id(want) => *want == id,
        FindingSelector::Dataset { pattern, exposure } => {
            exposure
                .as_deref()
                .map_or(true, |e| e == f.exposure.as_str())
                && crate::eval::glob::matches(
                    pattern,
                    &f.dataset.arn,
                    crate::eval::glob::Reading {
                        wildcards: true,
                        variables: None,
                    },
                    crate::eval::glob::Case::Sensitive,
                )
        }
    };
    let mut notes = Vec::new();
    for s in &settings.suppressions {
        if !selects(&s.selector) {
            continue;
        }
        match &s.expires {
            // ISO dates compare as strings.
            Some(e) if e.as_str() < today => notes.push(format!(
                "suppression of {id} ({}) expired on {e}; not applied",
                s.reason
            )),
            // The first suppression in force applies; lapsed ones are all reported.
            _ => {
                if f.triage.suppressed.is_none() {
                    f.triage.suppressed = Some(AppliedSuppression {
                        reason: s.reason.clone(),
                        expires: s.expires.clone(),
                    });
                }
            }
        }
    }
    if let Some(o) = settings
        .severity_overrides
        .iter()
        .find(|o| selects(&o.selector))
    {
        if let Some(sev) = Severity::parse(&o.severity) {
            f.risk.severity = sev;
            f.triage.severity_override = Some(o.reason.clone());
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sens(label: &str, confidence: f64, objects: u64) -> Sensitivity {
        Sensitivity {
            label: label.into(),
            confidence,
            evidence: vec![],
            object_count: objects,
            total_bytes: 0,
        }
    }

    fn check(
        exposure: ExposureClass,
        s: Sensitivity,
        actions: &[&str],
        hops: usize,
        conds: usize,
        expect: (u8, Severity),
    ) {
        let actions: Vec<String> = actions.iter().map(|a| a.to_string()).collect();
        let r = score(&RiskInputs {
            exposure,
            sensitivity: &s,
            actions: &actions,
            hops,
            conditions_required: conds,
        });
        assert_eq!((r.score, r.severity), expect);
    }

    #[test]
    fn scores_follow_the_documented_table() {
        use ExposureClass::*;
        // 45 + 35 + 2*log10(1001)=6 + 10 = 96
        check(
            Public,
            sens("credentials", 1.0, 1000),
            &["s3:GetObject"],
            1,
            0,
            (96, Severity::Critical),
        );
        // 24 + 28*0.75=21 + 0 + 4 - 6 - 4 = 39
        check(
            Egress,
            sens("personal", 0.5, 0),
            &["s3:ListBucket"],
            3,
            2,
            (39, Severity::Low),
        );
        // unknown data counts in full: 34 + 18 + 2 + 10 = 64
        check(
            CrossAccount,
            sens("unknown", 0.0, 9),
            &["s3:GetObject"],
            1,
            0,
            (64, Severity::Medium),
        );
        // An unsure `public` label is doubt, not comfort: 45 + 15*0.4=6 + 0 + 10 = 61.
        check(
            Public,
            sens("public", 0.6, 0),
            &["s3:GetObject"],
            1,
            0,
            (61, Severity::Medium),
        );
        check(
            Public,
            sens("public", 0.99, 50),
            &["s3:GetObject"],
            1,
            0,
            (0, Severity::Informational),
        );
    }

    #[test]
    fn bands_match_the_contract() {
        for (s, band) in [
            (0, Severity::Informational),
            (1, Severity::Low),
            (39, Severity::Low),
            (40, Severity::Medium),
            (69, Severity::Medium),
            (70, Severity::High),
            (89, Severity::High),
            (90, Severity::Critical),
            (100, Severity::Critical),
        ] {
            assert_eq!(Severity::from_score(s), band, "{s}");
        }
    }

    #[test]
    fn triage_suppresses_until_expiry_and_overrides_severity() {
        use crate::model::settings::{FindingSelector, SeverityOverride, Suppression};
        let mut settings = crate::model::Settings::default();
        settings.suppressions.push(Suppression {
            selector: FindingSelector::Dataset {
                pattern: "arn:aws:s3:::pay*".into(),
                exposure: Some("cross-account".into()),
            },
            reason: "audited".into(),
            expires: Some("2027-01-31".into()),
        });
        let base = crate::report::findings::examples().remove(0);
        assert_eq!(base.dataset.arn, "arn:aws:s3:::payroll");
        let mut f = base.clone();
        assert!(triage(&mut f, &settings, "2027-01-31").is_empty());
        assert_eq!(
            f.triage.suppressed.as_ref().map(|s| s.reason.as_str()),
            Some("audited")
        );
        let mut lapsed = base.clone();
        let notes = triage(&mut lapsed, &settings, "2027-02-01");
        assert_eq!(notes.len(), 1);
        assert!(lapsed.triage.suppressed.is_none());
        // Another class is not selected.
        let mut other = base.clone();
        other.exposure = ExposureClass::Public;
        triage(&mut other, &settings, "2026-01-01");
        assert!(other.triage.suppressed.is_none());
        settings.severity_overrides.push(SeverityOverride {
            selector: FindingSelector::Id(base.stable_id()),
            severity: "critical".into(),
            reason: "keys".into(),
        });
        let mut over = base.clone();
        triage(&mut over, &settings, "2026-01-01");
        assert_eq!(over.risk.severity, Severity::Critical);
        assert_eq!(over.triage.severity_override.as_deref(), Some("keys"));
    }
}
