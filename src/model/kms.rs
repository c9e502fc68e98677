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

/// Key states in which a KMS key performs no cryptographic operation (KMS Developer Guide,
/// "Key states of AWS KMS keys": disabled, pending deletion, pending import of key
/// material, pending deletion of a replica, or unavailable with its custom key store).
const UNUSABLE_STATES: [&str; 5] = [
    "Disabled",
    "PendingDeletion",
    "PendingImport",
    "PendingReplicaDeletion",
    "Unavailable",
];

impl KmsKey {
    /// Whether `describe-key` says the key cannot decrypt or encrypt now (`Enabled: false`
    /// or an unusable `KeyState`). Metadata not collected: usable (a route is never hidden
    /// on a guess).
    pub fn unusable(&self) -> bool {
        match &self.metadata {
            Collected::Present(md) => {
                md.enabled == Some(false)
                    || md
                        .key_state
                        .as_deref()
                        .is_some_and(|s| UNUSABLE_STATES.iter().any(|u| u.eq_ignore_ascii_case(s)))
            }
            Collected::Missing => false,
        }
    }
}

/// The key policy AWS gives the AWS managed key `aws/s3` of `account` (KMS Developer
/// Guide, "AWS managed keys": their policies cannot be changed, and they "can be used only
/// by principals in the account, through the service"): any principal of the account, only
/// through S3 at `via_service` (`s3.<region>.amazonaws.com`); key metadata for the account.
pub fn aws_managed_s3_key_policy(account: &str, via_service: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Id": "auto-s3-2",
        "Statement": [
            {
                "Sid": "Allow access through S3 for all principals in the account that are authorized to use S3",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:CallerAccount": account, "kms:ViaService": via_service}}
            },
            {
                "Sid": "Allow direct access to key metadata to the account",
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{account}:root")},
                "Action": ["kms:Describe*", "kms:Get*", "kms:List*"],
                "Resource": "*"
            }
        ]
    })
    .to_string()
}

/// Whether a bucket's default encryption uses the AWS managed key `aws/s3`: an SSE-KMS or
/// DSSE-KMS rule and no rule naming a key (`KMSMasterKeyID` absent).
pub fn uses_aws_managed_s3_key(enc: &super::s3::BucketEncryption) -> bool {
    enc.kms_key_id().is_none()
        && enc.rules.iter().any(|r| {
            r.algorithm.eq_ignore_ascii_case("aws:kms")
                || r.algorithm.eq_ignore_ascii_case("aws:kms:dsse")
        })
}

/// The AWS managed key `aws/s3` a bucket's default encryption uses. The export does not
/// list it (its key id is not exported), so it stands with AWS's fixed key policy.
#[derive(Debug, Clone)]
pub struct ManagedKey {
    /// Evidence label of the synthetic key policy.
    pub label: String,
    /// `arn:aws:kms:<region>:<account>:alias/aws/s3`.
    pub arn: String,
    pub account: String,
    /// `kms:ViaService` of S3's call, as the key policy pins it.
    pub via_service: String,
    pub policy: crate::policy::PolicyDocument,
}

/// The AWS managed keys `aws/s3` the buckets' default encryption uses (by bucket index).
pub fn managed_s3_keys(model: &super::Model) -> std::collections::HashMap<usize, ManagedKey> {
    let mut out = std::collections::HashMap::new();
    for (i, bucket) in model.buckets.iter().enumerate() {
        let Collected::Present(Some(enc)) = &bucket.encryption else {
            continue;
        };
        if !uses_aws_managed_s3_key(enc) {
            continue;
        }
        let account = model.str(bucket.account).to_string();
        let (arn, via_service) = match bucket.region.present() {
            Some(r) => (
                format!("arn:aws:kms:{r}:{account}:alias/aws/s3"),
                format!("s3.{r}.amazonaws.com"),
            ),
            None => (
                format!("arn:aws:kms::{account}:alias/aws/s3"),
                "s3.amazonaws.com".to_string(),
            ),
        };
        let text = aws_managed_s3_key_policy(&account, &via_service);
        // The text is ours and valid; a parse failure would only leave the gate out.
        let Ok(policy) = crate::policy::parse::parse_policy_text(&text) else {
            continue;
        };
        out.insert(
            i,
            ManagedKey {
                label: format!("leakpath:aws-managed-key:{arn}"),
                arn,
                account,
                via_service,
                policy,
            },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::s3::{BucketEncryption, EncryptionRule};

    fn check_state(metadata: Collected<KeyMetadata>, expect: bool) {
        let key = KmsKey {
            arn: Sym(0),
            key_id: "k".into(),
            account: Sym(0),
            region: Sym(0),
            policy: Collected::Missing,
            metadata: metadata.clone(),
        };
        assert_eq!(key.unusable(), expect, "{metadata:?}");
    }

    fn md(enabled: Option<bool>, state: Option<&str>) -> Collected<KeyMetadata> {
        Collected::Present(KeyMetadata {
            key_manager: None,
            key_state: state.map(str::to_string),
            enabled,
            key_usage: None,
            description: None,
        })
    }

    #[test]
    fn key_states() {
        check_state(md(Some(true), Some("Enabled")), false);
        check_state(md(Some(false), Some("Disabled")), true);
        check_state(md(Some(false), None), true);
        check_state(md(None, Some("PendingDeletion")), true);
        check_state(md(None, Some("Updating")), false);
        check_state(Collected::Missing, false);
    }

    #[test]
    fn aws_managed_key_rules() {
        let rule = |algorithm: &str, key: Option<&str>| EncryptionRule {
            algorithm: algorithm.into(),
            kms_key_id: key.map(str::to_string),
            bucket_key_enabled: None,
        };
        let enc = |rules| BucketEncryption { rules };
        assert!(uses_aws_managed_s3_key(&enc(vec![rule("aws:kms", None)])));
        assert!(uses_aws_managed_s3_key(&enc(vec![rule(
            "aws:kms:dsse",
            None
        )])));
        assert!(!uses_aws_managed_s3_key(&enc(vec![rule(
            "aws:kms",
            Some("k")
        )])));
        assert!(!uses_aws_managed_s3_key(&enc(vec![rule("AES256", None)])));
        let policy = aws_managed_s3_key_policy("111122223333", "s3.us-east-1.amazonaws.com");
        assert!(
            crate::policy::parse::parse_policy_text(&policy).is_ok(),
            "{policy}"
        );
    }
}
