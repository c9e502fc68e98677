//! S3 response shapes: `list-buckets`, `get-bucket-policy`, `get-bucket-acl`,
//! `get-public-access-block` (bucket and account level), `get-bucket-ownership-controls`,
//! `get-bucket-encryption`, `get-bucket-location`, `list-objects-v2`.
//!
//! "Collected, and there is none": the CLI prints nothing to stdout when AWS answers
//! `NoSuchBucketPolicy`, `NoSuchPublicAccessBlockConfiguration`,
//! `OwnershipControlsNotFoundError` or `ServerSideEncryptionConfigurationNotFoundError`, so a
//! collector records that answer as a file holding `{}` or `null`; those parse to `None`
//! here. A missing file is "not collected" (handled by the caller).

use super::builder::Builder;
use super::json::Node;
use super::IngestError;
use crate::model::{
    Acl, AclGrant, AclPermission, BucketEncryption, EncryptionRule, Grantee, KeySample,
    ObjectOwnership, ObjectSummary, PolicyId, PolicyKind, PublicAccessBlock, Sym,
};

/// A bucket named by `list-buckets`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedBucket {
    pub name: String,
    pub creation_date: Option<String>,
    /// `BucketRegion` (newer CLIs list it).
    pub region: Option<String>,
}

/// `list-buckets`: the buckets and the owner's canonical id.
pub fn parse_list_buckets(node: &Node) -> Result<(Vec<ListedBucket>, Option<String>), IngestError> {
    let mut out = Vec::new();
    for bkt in node.list("Buckets")? {
        let name_node = bkt.req("Name")?;
        let name = name_node.str()?;
        if !valid_bucket_name(name) {
            return Err(name_node.invalid(format!("invalid bucket name {name:?}")));
        }
        out.push(ListedBucket {
            name: name.to_string(),
            creation_date: bkt.opt_str("CreationDate")?.map(str::to_string),
            region: match bkt.opt_str("BucketRegion")? {
                Some(r) => Some(r.to_string()),
                None => bkt.opt_str("Region")?.map(str::to_string),
            },
        });
    }
    let owner = match node.get("Owner")? {
        Some(o) => o.opt_str("ID")?.map(str::to_string),
        None => None,
    };
    Ok((out, owner))
}

/// Bucket names as S3 has allowed them (including legacy names with `_` and capitals):
/// 1–255 characters, no `/`, no control characters.
pub fn valid_bucket_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && !name.contains('/')
        && !name.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// Whether a response is the "collected, none" marker (`{}` or `null`).
pub fn is_none_marker(node: &Node) -> bool {
    match node.v {
        serde_json::Value::Null => true,
        serde_json::Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

/// `get-bucket-policy` (`{"Policy": "<json string>"}`) and `lambda get-policy`.
pub fn parse_policy_response(
    b: &mut Builder,
    node: &Node,
    kind: PolicyKind,
    name: Option<String>,
    account: Sym,
) -> Result<Option<PolicyId>, IngestError> {
    if is_none_marker(node) {
        return Ok(None);
    }
    let p = node.req("Policy")?;
    Ok(Some(b.add_policy(kind, name, Some(account), &p)?))
}

/// `get-bucket-acl`.
pub fn parse_acl(node: &Node) -> Result<Acl, IngestError> {
    let owner_id = match node.get("Owner")? {
        Some(o) => o.opt_str("ID")?.map(str::to_string),
        None => None,
    };
    let mut grants = Vec::new();
    for g in node.list("Grants")? {
        let gr = g.req("Grantee")?;
        let ty = gr.req_str("Type")?;
        let grantee = match ty {
            "CanonicalUser" => Grantee::CanonicalUser {
                id: gr.req_str("ID")?.to_string(),
                display_name: gr.opt_str("DisplayName")?.map(str::to_string),
            },
            "Group" => Grantee::Group {
                uri: gr.req_str("URI")?.to_string(),
            },
            "AmazonCustomerByEmail" => Grantee::AmazonCustomerByEmail {
                email: gr.req_str("EmailAddress")?.to_string(),
            },
            other => Grantee::Other {
                grantee_type: other.to_string(),
            },
        };
        grants.push(AclGrant {
            grantee,
            permission: AclPermission::from_aws(g.req_str("Permission")?),
        });
    }
    Ok(Acl { owner_id, grants })
}

/// `s3api get-public-access-block` and `s3control get-public-access-block`.
pub fn parse_public_access_block(node: &Node) -> Result<Option<PublicAccessBlock>, IngestError> {
    if is_none_marker(node) {
        return Ok(None);
    }
    let c = node.req("PublicAccessBlockConfiguration")?;
    Ok(Some(PublicAccessBlock {
        block_public_acls: c.opt_bool("BlockPublicAcls")?.unwrap_or(false),
        ignore_public_acls: c.opt_bool("IgnorePublicAcls")?.unwrap_or(false),
        block_public_policy: c.opt_bool("BlockPublicPolicy")?.unwrap_or(false),
        restrict_public_buckets: c.opt_bool("RestrictPublicBuckets")?.unwrap_or(false),
    }))
}

/// `get-bucket-ownership-controls`.
pub fn parse_ownership(node: &Node) -> Result<Option<ObjectOwnership>, IngestError> {
    if is_none_marker(node) {
        return Ok(None);
    }
    let rules = node.req("OwnershipControls")?.list("Rules")?;
    match rules.first() {
        Some(r) => Ok(Some(ObjectOwnership::from_aws(
            r.req_str("ObjectOwnership")?,
        ))),
        None => Ok(None),
    }
}

/// `get-bucket-encryption`.
pub fn parse_encryption(node: &Node) -> Result<Option<BucketEncryption>, IngestError> {
    if is_none_marker(node) {
        return Ok(None);
    }
    let mut rules = Vec::new();
    for r in node
        .req("ServerSideEncryptionConfiguration")?
        .list("Rules")?
    {
        let d = r.req("ApplyServerSideEncryptionByDefault")?;
        rules.push(EncryptionRule {
            algorithm: d.req_str("SSEAlgorithm")?.to_string(),
            kms_key_id: d.opt_str("KMSMasterKeyID")?.map(str::to_string),
            bucket_key_enabled: r.opt_bool("BucketKeyEnabled")?,
        });
    }
    Ok(Some(BucketEncryption { rules }))
}

/// `get-bucket-location`: `null` or `""` means us-east-1 and the legacy `EU` eu-west-1.
pub fn parse_location(node: &Node) -> Result<String, IngestError> {
    let loc = match node.v {
        serde_json::Value::Null => None,
        _ => node.opt_str("LocationConstraint")?,
    };
    Ok(match loc {
        None | Some("") => "us-east-1".to_string(),
        Some("EU") => "eu-west-1".to_string(),
        Some(r) => r.to_string(),
    })
}

/// `list-objects-v2` (a sample of keys).
pub fn parse_key_sample(node: &Node) -> Result<KeySample, IngestError> {
    if matches!(node.v, serde_json::Value::Null) {
        return Ok(KeySample {
            objects: Vec::new(),
            truncated: false,
        });
    }
    let mut objects = Vec::new();
    for o in node.list("Contents")? {
        objects.push(ObjectSummary {
            key: o.req_str("Key")?.to_string(),
            size: o.opt_u64("Size")?,
            storage_class: o.opt_str("StorageClass")?.map(str::to_string),
        });
    }
    let truncated = node.opt_bool("IsTruncated")?.unwrap_or(false)
        || node.get("NextToken")?.is_some()
        || node.get("NextContinuationToken")?.is_some();
    Ok(KeySample { objects, truncated })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn check<T: std::fmt::Debug + PartialEq>(
        f: fn(&Node) -> Result<T, IngestError>,
        input: Value,
        expect: Result<T, &str>,
    ) {
        let got = f(&Node::root(&input, "f.json")).map_err(|e| e.to_string());
        match (got, expect) {
            (Ok(g), Ok(e)) => assert_eq!(g, e),
            (Err(g), Err(e)) => assert_eq!(g, e),
            (g, e) => panic!("{input}: got {g:?}, want {e:?}"),
        }
    }

    #[test]
    fn locations_normalize() {
        check(
            parse_location,
            json!({"LocationConstraint": null}),
            Ok("us-east-1".into()),
        );
        check(parse_location, json!(null), Ok("us-east-1".into()));
        check(
            parse_location,
            json!({"LocationConstraint": "EU"}),
            Ok("eu-west-1".into()),
        );
        check(
            parse_location,
            json!({"LocationConstraint": "ap-south-1"}),
            Ok("ap-south-1".into()),
        );
        check(
            parse_location,
            json!({"LocationConstraint": 3}),
            Err("f.json: /LocationConstraint: expected a string, found a number"),
        );
    }

    #[test]
    fn public_access_block_none_and_partial() {
        check(parse_public_access_block, json!({}), Ok(None));
        check(
            parse_public_access_block,
            json!({"PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "RestrictPublicBuckets": true}}),
            Ok(Some(PublicAccessBlock {
                block_public_acls: true,
                ignore_public_acls: false,
                block_public_policy: false,
                restrict_public_buckets: true,
            })),
        );
        check(
            parse_public_access_block,
            json!({"PublicAccessBlockConfiguration": {"BlockPublicAcls": "yes"}}),
            Err("f.json: /PublicAccessBlockConfiguration/BlockPublicAcls: expected a boolean, found a string"),
        );
    }

    #[test]
    fn ownership_encryption_and_acl() {
        check(
            parse_ownership,
            json!({"OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}}),
            Ok(Some(ObjectOwnership::BucketOwnerEnforced)),
        );
        check(
            parse_encryption,
            json!({"ServerSideEncryptionConfiguration": {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "arn:aws:kms:us-east-1:111122223333:key/k"}, "BucketKeyEnabled": true}]}}),
            Ok(Some(BucketEncryption {
                rules: vec![EncryptionRule {
                    algorithm: "aws:kms".into(),
                    kms_key_id: Some("arn:aws:kms:us-east-1:111122223333:key/k".into()),
                    bucket_key_enabled: Some(true),
                }],
            })),
        );
        check(
            parse_acl,
            json!({"Owner": {"ID": "o"}, "Grants": [
                {"Grantee": {"Type": "Group", "URI": Grantee::ALL_USERS}, "Permission": "READ"},
                {"Grantee": {"Type": "CanonicalUser", "ID": "o"}, "Permission": "FULL_CONTROL"}]}),
            Ok(Acl {
                owner_id: Some("o".into()),
                grants: vec![
                    AclGrant {
                        grantee: Grantee::Group {
                            uri: Grantee::ALL_USERS.into(),
                        },
                        permission: AclPermission::Read,
                    },
                    AclGrant {
                        grantee: Grantee::CanonicalUser {
                            id: "o".into(),
                            display_name: None,
                        },
                        permission: AclPermission::FullControl,
                    },
                ],
            }),
        );
        check(
            parse_acl,
            json!({"Grants": [{"Grantee": {"Type": "Group"}, "Permission": "READ"}]}),
            Err("f.json: /Grants/0/Grantee: expected a field `URI`, found none"),
        );
    }

    #[test]
    fn key_samples() {
        check(
            parse_key_sample,
            json!({"Contents": [{"Key": "a.csv", "Size": 10}], "NextToken": "x"}),
            Ok(KeySample {
                objects: vec![ObjectSummary {
                    key: "a.csv".into(),
                    size: Some(10),
                    storage_class: None,
                }],
                truncated: true,
            }),
        );
        check(
            parse_key_sample,
            json!({"Contents": [{"Key": "a", "Size": -1}]}),
            Err("f.json: /Contents/0/Size: expected a non-negative integer, found a number"),
        );
    }
}
