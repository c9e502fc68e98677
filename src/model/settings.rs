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
}
