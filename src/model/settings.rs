//! Scan settings from the export's optional `leakpath.toml`.
//!
//! Format (every key optional; unknown keys are an error so typos do not go unnoticed):
//! ```toml
//! # Accounts outside the export that are still inside the zone of trust.
//! trusted_accounts = ["111122223333", "444455556666"]
//! # Networks (IPv4/IPv6 CIDRs) inside the zone of trust, e.g. the corporate egress.
//! trusted_cidrs = ["203.0.113.0/24", "2001:db8::/32"]
//! # Sensitivity labels forced on buckets (bucket name → label), overriding the classifier.
//! [labels]
//! "payroll-exports" = "pii"
//!
//! # Findings to suppress: by stable `id`, or by a `pattern` over the dataset ARN (`*` and
//! # `?` wildcards), optionally only one `exposure` class. `reason` is required; after
//! # `expires` (YYYY-MM-DD, inclusive) the suppression lapses and the finding alerts again.
//! # Suppressed findings are still reported, marked `suppressed`; they never fail `--fail-on`.
//! [[suppress]]
//! pattern = "arn:aws:s3:::acme-marketing-*"
//! exposure = "public"
//! reason = "marketing assets are public by design"
//! expires = "2027-06-30"
//!
//! # Severity overrides: same selectors, a `severity` band that replaces the computed one.
//! [[severity]]
//! id = "lp-0123456789abcdef01234567"
//! severity = "critical"
//! reason = "holds the signing keys"
//! ```

use ipnet::IpNet;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// Whether a `leakpath.toml` was found.
    pub from_file: bool,
    pub trusted_accounts: Vec<String>,
    pub trusted_cidrs: Vec<IpNet>,
    pub labels: BTreeMap<String, String>,
    pub suppressions: Vec<Suppression>,
    pub severity_overrides: Vec<SeverityOverride>,
}

/// Which findings a suppression or override applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum FindingSelector {
    /// A finding's stable id.
    Id(String),
    /// A wildcard pattern (`*`, `?`) over the dataset ARN, optionally for one exposure class.
    Dataset {
        pattern: String,
        exposure: Option<String>,
    },
}

/// A `[[suppress]]` entry of `leakpath.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppression {
    pub selector: FindingSelector,
    pub reason: String,
    /// Last day (YYYY-MM-DD) on which the suppression holds; `None` = no expiry.
    pub expires: Option<String>,
}

/// A `[[severity]]` entry of `leakpath.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeverityOverride {
    pub selector: FindingSelector,
    /// `informational`, `low`, `medium`, `high` or `critical`.
    pub severity: String,
    pub reason: String,
}
