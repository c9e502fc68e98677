//! KMS keys with their key policies.

use super::{Collected, PolicyId, Sym};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct KmsKey {
    pub arn: Sym,
    pub key_id: String,
    pub account: Sym,
    pub region: Sym,
    /// The `default` key policy.
    pub policy: Collected<PolicyId>,
    /// `describe-key` metadata.
    pub metadata: Collected<KeyMetadata>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyMetadata {
    /// `AWS` or `CUSTOMER`.
    pub key_manager: Option<String>,
    pub key_state: Option<String>,
    pub enabled: Option<bool>,
    pub key_usage: Option<String>,
    pub description: Option<String>,
}
