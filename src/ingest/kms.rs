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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn check(input: Value, expect: Result<Vec<(&str, Option<&str>)>, &str>) {
        let got = parse_list_keys(&Node::root(&input, "k.json")).map_err(|e| e.to_string());
        let got = got.map(|ks| {
            ks.into_iter()
                .map(|k| (k.key_id, k.arn))
                .collect::<Vec<_>>()
        });
        let expect = expect.map(|v| {
            v.into_iter()
                .map(|(a, b)| (a.to_string(), b.map(str::to_string)))
                .collect::<Vec<_>>()
        });
        assert_eq!(got, expect.map_err(str::to_string));
    }

    #[test]
    fn list_keys() {
        check(
            json!({"Keys": [{"KeyId": "k1", "KeyArn": "arn:aws:kms:us-east-1:111122223333:key/k1"}, {"KeyId": "k2"}]}),
            Ok(vec![
                ("k1", Some("arn:aws:kms:us-east-1:111122223333:key/k1")),
                ("k2", None),
            ]),
        );
        check(
            json!({"Keys": [{"KeyId": "a/b"}]}),
            Err("k.json: /Keys/0/KeyId: invalid KMS key id \"a/b\""),
        );
        check(
            json!({"Keys": [{"KeyId": "k", "KeyArn": "arn:aws:s3:::x"}]}),
            Err("k.json: /Keys/0/KeyArn: invalid KMS key ARN \"arn:aws:s3:::x\""),
        );
    }
}
