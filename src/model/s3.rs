//! S3 buckets: policy, ACL, Block Public Access, ownership, encryption, key sample and
//! sampled object bodies.

use super::{Collected, PolicyId, Sym};
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Serialize)]
pub struct Bucket {
    pub name: Sym,
    /// `arn:aws:s3:::<name>`
    pub arn: Sym,
    pub account: Sym,
    /// `get-bucket-location`, normalized: `null`/`""` is `us-east-1`, `EU` is `eu-west-1`.
    pub region: Collected<String>,
    pub creation_date: Option<String>,
    pub policy: Collected<Option<PolicyId>>,
    pub acl: Collected<Acl>,
    /// Bucket-level Block Public Access; `Present(None)` = collected, none configured.
    pub public_access_block: Collected<Option<PublicAccessBlock>>,
    pub ownership: Collected<Option<ObjectOwnership>>,
    pub encryption: Collected<Option<BucketEncryption>>,
    pub key_sample: Collected<KeySample>,
    /// Sampled object bodies (not read by ingest).
    pub samples: Collected<Vec<SampleFile>>,
}

/// The four Block Public Access flags (absent flags are false, as AWS stores them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Acl {
    pub owner_id: Option<String>,
    pub grants: Vec<AclGrant>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AclGrant {
    pub grantee: Grantee,
    pub permission: AclPermission,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Grantee {
    CanonicalUser {
        id: String,
        display_name: Option<String>,
    },
    /// A predefined group by URI (`http://acs.amazonaws.com/groups/global/AllUsers`, ...).
    Group {
        uri: String,
    },
    AmazonCustomerByEmail {
        email: String,
    },
    /// A grantee type we do not know, kept for evidence.
    Other {
        grantee_type: String,
    },
}

impl Grantee {
    pub const ALL_USERS: &'static str = "http://acs.amazonaws.com/groups/global/AllUsers";
    pub const AUTHENTICATED_USERS: &'static str =
        "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
    pub const LOG_DELIVERY: &'static str = "http://acs.amazonaws.com/groups/s3/LogDelivery";
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum AclPermission {
    FullControl,
    Read,
    Write,
    ReadAcp,
    WriteAcp,
    Other(String),
}

impl AclPermission {
    pub fn from_aws(s: &str) -> AclPermission {
        match s {
            "FULL_CONTROL" => AclPermission::FullControl,
            "READ" => AclPermission::Read,
            "WRITE" => AclPermission::Write,
            "READ_ACP" => AclPermission::ReadAcp,
            "WRITE_ACP" => AclPermission::WriteAcp,
            other => AclPermission::Other(other.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ObjectOwnership {
    /// ACLs are disabled: they grant nothing.
    BucketOwnerEnforced,
    BucketOwnerPreferred,
    ObjectWriter,
    Other(String),
}

impl ObjectOwnership {
    pub fn from_aws(s: &str) -> ObjectOwnership {
        match s {
            "BucketOwnerEnforced" => ObjectOwnership::BucketOwnerEnforced,
            "BucketOwnerPreferred" => ObjectOwnership::BucketOwnerPreferred,
            "ObjectWriter" => ObjectOwnership::ObjectWriter,
            other => ObjectOwnership::Other(other.to_string()),
        }
    }
}

/// Default encryption rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BucketEncryption {
    pub rules: Vec<EncryptionRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EncryptionRule {
    /// `AES256`, `aws:kms`, `aws:kms:dsse`.
    pub algorithm: String,
    /// `KMSMasterKeyID` as written (key id, key ARN or alias), when set.
    pub kms_key_id: Option<String>,
    pub bucket_key_enabled: Option<bool>,
}

impl BucketEncryption {
    /// The KMS key of the first KMS rule, if any.
    pub fn kms_key_id(&self) -> Option<&str> {
        self.rules.iter().find_map(|r| r.kms_key_id.as_deref())
    }
}

/// A sample of object keys (`list-objects-v2 --max-items N`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeySample {
    pub objects: Vec<ObjectSummary>,
    /// True when the listing says there is more (`NextToken`/`IsTruncated`).
    pub truncated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectSummary {
    pub key: String,
    pub size: Option<u64>,
    pub storage_class: Option<String>,
}

/// One sampled object body on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SampleFile {
    /// Path relative to the export root, `/`-separated.
    pub relative_path: String,
    /// Path to open (export root joined with the relative path).
    pub path: PathBuf,
    pub size: u64,
}
