//! Reading JSON files safely (size cap, UTF-8, depth limit before serde_json's own) and
//! `Node`, a cursor over a parsed value that knows its file and JSON pointer so every
//! shape error names both.

use super::IngestError;
use crate::policy::parse::{pointer_segment, text_within_depth, type_name, MAX_JSON_DEPTH};
use serde_json::{Map, Value};
use std::path::Path;

/// Largest JSON file read (bytes). A GAAD of a large account is tens of MB; beyond this the
/// file is not an AWS CLI output we can hold in memory responsibly.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// What a file holds once read.
#[derive(Debug)]
pub enum FileContent {
    /// Parsed JSON.
    Json(Value),
    /// The file is empty or whitespace only: the CLI printed nothing (it failed), so the
    /// data counts as not collected.
    Empty,
}

/// Reads and parses one JSON file; `rel` is its path relative to the export root (used
/// in errors).
pub fn read_json_file(path: &Path, rel: &str) -> Result<FileContent, IngestError> {
    let meta = std::fs::metadata(path).map_err(|e| IngestError::Io {
        path: rel.to_string(),
        message: e.to_string(),
    })?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(IngestError::TooLarge {
            file: rel.to_string(),
            size: meta.len(),
            limit: MAX_FILE_BYTES,
        });
    }
    let bytes = std::fs::read(path).map_err(|e| IngestError::Io {
        path: rel.to_string(),
        message: e.to_string(),
    })?;
    parse_json_bytes(&bytes, rel)
}

/// Parses JSON bytes (see `read_json_file`).
pub fn parse_json_bytes(bytes: &[u8], rel: &str) -> Result<FileContent, IngestError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(IngestError::TooLarge {
            file: rel.to_string(),
            size: bytes.len() as u64,
            limit: MAX_FILE_BYTES,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| IngestError::NotUtf8 {
        file: rel.to_string(),
        offset: e.valid_up_to(),
    })?;
    // Windows tools write a byte-order mark; JSON forbids it but it carries no meaning.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Ok(FileContent::Empty);
    }
    if !text_within_depth(text, MAX_JSON_DEPTH) {
        return Err(IngestError::TooDeep {
            file: rel.to_string(),
            limit: MAX_JSON_DEPTH,
        });
    }
    let value: Value = serde_json::from_str(text).map_err(|e| IngestError::InvalidJson {
        file: rel.to_string(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    Ok(FileContent::Json(value))
}

/// A value inside a file, with its JSON pointer.
#[derive(Debug, Clone)]
pub struct Node<'a> {
    pub v: &'a Value,
    pub file: &'a str,
    pub ptr: String,
}

impl<'a> Node<'a> {
    /// The whole document of `file`.
    pub fn root(v: &'a Value, file: &'a str) -> Node<'a> {
        Node {
            v,
            file,
            ptr: String::new(),
        }
    }

    fn child(&self, v: &'a Value, seg: &str) -> Node<'a> {
        Node {
            v,
            file: self.file,
            ptr: format!("{}/{}", self.ptr, pointer_segment(seg)),
        }
    }

    /// A shape error at this node.
    pub fn shape_err(&self, expected: &str) -> IngestError {
        IngestError::Shape {
            file: self.file.to_string(),
            pointer: self.ptr.clone(),
            expected: expected.to_string(),
            found: type_name(self.v).to_string(),
        }
    }

    /// An invalid-value error at this node.
    pub fn invalid(&self, message: impl Into<String>) -> IngestError {
        IngestError::Invalid {
            file: self.file.to_string(),
            pointer: self.ptr.clone(),
            message: message.into(),
        }
    }

    pub fn is_null(&self) -> bool {
        self.v.is_null()
    }

    pub fn obj(&self) -> Result<&'a Map<String, Value>, IngestError> {
        self.v
            .as_object()
            .ok_or_else(|| self.shape_err("an object"))
    }

    /// A field; `None` when absent or `null` (AWS omits and nulls fields interchangeably).
    pub fn get(&self, key: &str) -> Result<Option<Node<'a>>, IngestError> {
        let map = self.obj()?;
        Ok(match map.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(self.child(v, key)),
        })
    }

    /// A required field.
    pub fn req(&self, key: &str) -> Result<Node<'a>, IngestError> {
        self.get(key)?.ok_or_else(|| IngestError::Shape {
            file: self.file.to_string(),
            pointer: self.ptr.clone(),
            expected: format!("a field `{key}`"),
            found: "none".to_string(),
        })
    }

    pub fn str(&self) -> Result<&'a str, IngestError> {
        self.v.as_str().ok_or_else(|| self.shape_err("a string"))
    }

    pub fn req_str(&self, key: &str) -> Result<&'a str, IngestError> {
        self.req(key)?.str()
    }

    pub fn opt_str(&self, key: &str) -> Result<Option<&'a str>, IngestError> {
        self.get(key)?.map(|n| n.str()).transpose()
    }

    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>, IngestError> {
        self.get(key)?
            .map(|n| n.v.as_bool().ok_or_else(|| n.shape_err("a boolean")))
            .transpose()
    }

    pub fn opt_i64(&self, key: &str) -> Result<Option<i64>, IngestError> {
        self.get(key)?
            .map(|n| n.v.as_i64().ok_or_else(|| n.shape_err("an integer")))
            .transpose()
    }

    pub fn opt_u64(&self, key: &str) -> Result<Option<u64>, IngestError> {
        self.get(key)?
            .map(|n| {
                n.v.as_u64()
                    .ok_or_else(|| n.shape_err("a non-negative integer"))
            })
            .transpose()
    }

    /// The items of a list node.
    pub fn items(&self) -> Result<Vec<Node<'a>>, IngestError> {
        let list = self.v.as_array().ok_or_else(|| self.shape_err("a list"))?;
        Ok(list
            .iter()
            .enumerate()
            .map(|(i, v)| self.child(v, &i.to_string()))
            .collect())
    }

    /// The items of a list field; an absent field is an empty list (AWS omits empty lists).
    pub fn list(&self, key: &str) -> Result<Vec<Node<'a>>, IngestError> {
        match self.get(key)? {
            Some(n) => n.items(),
            None => Ok(Vec::new()),
        }
    }

    /// A list field of strings.
    pub fn str_list(&self, key: &str) -> Result<Vec<&'a str>, IngestError> {
        self.list(key)?.iter().map(|n| n.str()).collect()
    }

    /// A list of objects, each holding the string field `field` (e.g. `Groups[].GroupId`).
    pub fn field_list(&self, key: &str, field: &str) -> Result<Vec<&'a str>, IngestError> {
        self.list(key)?.iter().map(|n| n.req_str(field)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(bytes: &[u8], expect: &str) {
        let got = match parse_json_bytes(bytes, "f.json") {
            Ok(FileContent::Json(v)) => format!("json {v}"),
            Ok(FileContent::Empty) => "empty".to_string(),
            Err(e) => e.to_string(),
        };
        assert!(
            got.starts_with(expect),
            "got {got:?}, want prefix {expect:?}"
        );
    }

    #[test]
    fn bytes_become_json_or_a_named_error() {
        check(b"{\"a\": 1}", "json {\"a\":1}");
        check(b"\xef\xbb\xbf[1]", "json [1]");
        check(b"  \n", "empty");
        check(
            b"{\"a\": \xff}",
            "f.json: not valid UTF-8 (first bad byte at offset 6)",
        );
        check(b"{\"a\": }", "f.json: not valid JSON at line 1, column 7");
        check(
            "[".repeat(100_000).as_bytes(),
            "f.json: JSON nested deeper than 64 levels",
        );
    }

    #[test]
    fn node_errors_name_the_pointer() {
        let v: Value = serde_json::json!({"A": [{"B": 3}], "N": null});
        let n = Node::root(&v, "f.json");
        let item = &n.list("A").unwrap()[0];
        assert_eq!(
            item.req_str("B").unwrap_err().to_string(),
            "f.json: /A/0/B: expected a string, found a number"
        );
        assert_eq!(
            item.req("C").unwrap_err().to_string(),
            "f.json: /A/0: expected a field `C`, found none"
        );
        assert!(n.get("N").unwrap().is_none());
        assert!(n.list("Missing").unwrap().is_empty());
        assert_eq!(
            n.list("A").unwrap()[0]
                .opt_str("B")
                .unwrap_err()
                .to_string(),
            "f.json: /A/0/B: expected a string, found a number"
        );
    }
}
