//! KMS response shapes: `list-keys`, `get-key-policy`, `describe-key`.

use super::json::Node;
use super::IngestError;
use crate::model::{Arn, KeyMetadata};

/// A key named by `list-keys`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedKey {
    pub key_id: String,
    pub arn: Option<String>,
}

/// `list-keys`.
pub fn parse_list_keys(node: &Node) -> Result<Vec<ListedKey>, IngestError> {
    let mut out = Vec::new();
    for k in node.list("Keys")? {
        let arn = match k.get("KeyArn")? {
            Some(a) => Some(kms_arn(&a)?.to_string()),
            None => None,
        };
        out.push(ListedKey {
            key_id: key_id(&k.req("KeyId")?)?.to_string(),
            arn,
        });
    }
    Ok(out)
}

/// A KMS key id usable as a folder name (no `/`, not empty).
fn key_id<'a>(n: &Node<'a>) -> Result<&'a str, IngestError> {
    let s = n.str()?;
    if s.is_empty() || s.contains('/') || s.chars().any(char::is_control) {
        return Err(n.invalid(format!("invalid KMS key id {s:?}")));
    }
    Ok(s)
}

fn kms_arn<'a>(n: &Node<'a>) -> Result<&'a str, IngestError> {
    let s = n.str()?;
    match Arn::parse(s) {
        Some(a) if a.service == "kms" => Ok(s),
        _ => Err(n.invalid(format!("invalid KMS key ARN {s:?}"))),
    }
}

/// `describe-key` (`{"KeyMetadata": {...}}`): the metadata, the key id and its ARN.
pub fn parse_describe_key(
    node: &Node,
) -> Result<(KeyMetadata, String, Option<String>), IngestError> {
    let m = node.req("KeyMetadata")?;
    let arn = match m.get("Arn")? {
        Some(a) => Some(kms_arn(&a)?.to_string()),
        None => None,
    };
    Ok((
        KeyMetadata {
            key_manager: m.opt_str("KeyManager")?.map(str::to_string),
            key_state: m.opt_str("KeyState")?.map(str::to_string),
            enabled: m.opt_bool("Enabled")?,
            key_usage: m.opt_str("KeyUsage")?.map(str::to_string),
            description: m.opt_str("Description")?.map(str::to_string),
        },
        key_id(&m.req("KeyId")?)?.to_string(),
        arn,
    ))
}
