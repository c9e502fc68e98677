//! `leakpath.toml`: scan settings (format documented on `model::Settings`).

use super::json::file_text;
use super::IngestError;
use crate::model::settings::{FindingSelector, SeverityOverride, Suppression};
use crate::model::{is_account_id, Settings};
use ipnet::IpNet;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsFile {
    #[serde(default)]
    trusted_accounts: Vec<String>,
    #[serde(default)]
    trusted_cidrs: Vec<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    suppress: Vec<RawSelection>,
    #[serde(default)]
    severity: Vec<RawSelection>,
}

/// One `[[suppress]]` or `[[severity]]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSelection {
    id: Option<String>,
    pattern: Option<String>,
    exposure: Option<String>,
    reason: Option<String>,
    expires: Option<String>,
    severity: Option<String>,
}

const EXPOSURES: [&str; 5] = [
    "public",
    "cross-account",
    "federated",
    "internet-compute",
    "egress",
];
const SEVERITIES: [&str; 5] = ["informational", "low", "medium", "high", "critical"];

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && matches!(s[5..7].parse::<u8>(), Ok(1..=12))
        && matches!(s[8..10].parse::<u8>(), Ok(1..=31))
}

/// Checks one selection table; `what` is `suppress[3]` or `severity[0]` for messages.
fn selector(raw: &RawSelection, what: &str) -> Result<(FindingSelector, String), String> {
    let reason = match raw.reason.as_deref().map(str::trim) {
        Some(r) if !r.is_empty() => r.to_string(),
        _ => return Err(format!("{what}: `reason` is required")),
    };
    if let Some(e) = &raw.exposure {
        if !EXPOSURES.contains(&e.as_str()) {
            return Err(format!("{what}: unknown exposure {e:?}"));
        }
    }
    let sel = match (&raw.id, &raw.pattern) {
        (Some(id), None) if raw.exposure.is_none() => FindingSelector::Id(id.clone()),
        (Some(_), None) => return Err(format!("{what}: `exposure` goes with `pattern`, not `id`")),
        (None, Some(p)) => FindingSelector::Dataset {
            pattern: p.clone(),
            exposure: raw.exposure.clone(),
        },
        _ => return Err(format!("{what}: give exactly one of `id` and `pattern`")),
    };
    Ok((sel, reason))
}

/// Parses the bytes of `leakpath.toml` (`rel` names it in errors).
pub fn parse_settings(bytes: &[u8], rel: &str) -> Result<Settings, IngestError> {
    let text = file_text(bytes, rel)?;
    let err = |message: String| IngestError::Settings {
        file: rel.to_string(),
        message,
    };
    let raw: SettingsFile =
        toml::from_str(text).map_err(|e| err(e.to_string().trim().to_string()))?;
    let mut trusted_cidrs = Vec::new();
    for (i, c) in raw.trusted_cidrs.iter().enumerate() {
        let net: IpNet = c
            .parse()
            .map_err(|_| err(format!("trusted_cidrs[{i}]: invalid CIDR {c:?}")))?;
        trusted_cidrs.push(net);
    }
    for (i, a) in raw.trusted_accounts.iter().enumerate() {
        if !is_account_id(a) {
            return Err(err(format!(
                "trusted_accounts[{i}]: {a:?} is not a 12-digit account id"
            )));
        }
    }
    let mut suppressions = Vec::new();
    for (i, r) in raw.suppress.iter().enumerate() {
        let what = format!("suppress[{i}]");
        let (selector, reason) = selector(r, &what).map_err(err)?;
        if r.severity.is_some() {
            return Err(err(format!("{what}: `severity` belongs in [[severity]]")));
        }
        if let Some(d) = &r.expires {
            if !is_iso_date(d) {
                return Err(err(format!("{what}: expires {d:?} is not YYYY-MM-DD")));
            }
        }
        suppressions.push(Suppression {
            selector,
            reason,
            expires: r.expires.clone(),
        });
    }
    let mut severity_overrides = Vec::new();
    for (i, r) in raw.severity.iter().enumerate() {
        let what = format!("severity[{i}]");
        let (selector, reason) = selector(r, &what).map_err(err)?;
        let severity = match &r.severity {
            Some(s) if SEVERITIES.contains(&s.as_str()) => s.clone(),
            Some(s) => return Err(err(format!("{what}: unknown severity {s:?}"))),
            None => return Err(err(format!("{what}: `severity` is required"))),
        };
        if r.expires.is_some() {
            return Err(err(format!("{what}: `expires` belongs in [[suppress]]")));
        }
        severity_overrides.push(SeverityOverride {
            selector,
            severity,
            reason,
        });
    }
    Ok(Settings {
        from_file: true,
        trusted_accounts: raw.trusted_accounts,
        trusted_cidrs,
        labels: raw.labels,
        suppressions,
        severity_overrides,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expect: Result<(usize, usize, usize), &str>) {
        let got = parse_settings(input.as_bytes(), "leakpath.toml")
            .map(|s| {
                (
                    s.trusted_accounts.len(),
                    s.trusted_cidrs.len(),
                    s.labels.len(),
                )
            })
            .map_err(|e| e.to_string());
        match (&got, &expect) {
            (Ok(g), Ok(e)) => assert_eq!(g, e),
            (Err(g), Err(e)) => assert!(g.starts_with(e), "{g}"),
            _ => panic!("{input}: got {got:?}, want {expect:?}"),
        }
    }

    #[test]
    fn settings_parse_and_validate() {
        check("", Ok((0, 0, 0)));
        check(
            "trusted_accounts = [\"111122223333\"]\ntrusted_cidrs = [\"10.0.0.0/8\", \"2001:db8::/32\"]\n[labels]\nb = \"pii\"\n",
            Ok((1, 2, 1)),
        );
        check(
            "trusted_accounts = [\"1111\"]",
            Err("leakpath.toml: invalid settings: trusted_accounts[0]: \"1111\" is not a 12-digit account id"),
        );
        check(
            "trusted_cidrs = [\"10.0.0.0/99\"]",
            Err("leakpath.toml: invalid settings: trusted_cidrs[0]: invalid CIDR"),
        );
        check(
            "trusted_acounts = []",
            Err("leakpath.toml: invalid settings: "),
        );
        check(
            "trusted_accounts = 3",
            Err("leakpath.toml: invalid settings: "),
        );
    }

    fn check_selection(input: &str, expect: Result<(usize, usize), &str>) {
        let got = parse_settings(input.as_bytes(), "leakpath.toml")
            .map(|s| (s.suppressions.len(), s.severity_overrides.len()))
            .map_err(|e| e.to_string());
        match (&got, &expect) {
            (Ok(g), Ok(e)) => assert_eq!(g, e),
            (Err(g), Err(e)) => assert!(g.contains(e), "{g}"),
            _ => panic!("{input}: got {got:?}, want {expect:?}"),
        }
    }

    #[test]
    fn suppressions_and_overrides_parse_and_validate() {
        check_selection(
            "[[suppress]]\npattern = \"arn:aws:s3:::mk-*\"\nexposure = \"public\"\nreason = \"by design\"\nexpires = \"2027-06-30\"\n\
             [[suppress]]\nid = \"lp-1\"\nreason = \"accepted\"\n\
             [[severity]]\nid = \"lp-2\"\nseverity = \"critical\"\nreason = \"keys\"\n",
            Ok((2, 1)),
        );
        check_selection(
            "[[suppress]]\nid = \"lp-1\"\n",
            Err("suppress[0]: `reason` is required"),
        );
        check_selection(
            "[[suppress]]\nid = \"a\"\npattern = \"b\"\nreason = \"r\"\n",
            Err("exactly one of `id` and `pattern`"),
        );
        check_selection(
            "[[suppress]]\nid = \"a\"\nreason = \"r\"\nexpires = \"2027-13-01\"\n",
            Err("is not YYYY-MM-DD"),
        );
        check_selection(
            "[[suppress]]\npattern = \"*\"\nexposure = \"outside\"\nreason = \"r\"\n",
            Err("unknown exposure"),
        );
        check_selection(
            "[[severity]]\nid = \"a\"\nseverity = \"urgent\"\nreason = \"r\"\n",
            Err("unknown severity"),
        );
        check_selection(
            "[[suppress]]\nid = \"a\"\nreason = \"r\"\nsnooze = 3\n",
            Err("invalid settings"),
        );
    }
}
