//! Reading JSON files safely (size cap, UTF-8, depth limit before serde_json's own) and
//! `Node`, a cursor over a parsed value that knows its file and JSON pointer so every
//! shape error names both.
//!
//! Speed: a file is opened once (no separate existence and size checks by path); values
//! are built at their final size in one pass that also enforces the nesting limit (only a
//! failing file is re-checked step by step, so its error is the one it always got); a
//! `Node`'s JSON pointer is a chain of borrowed segments rendered only when an error or a
//! source location needs it.

use super::IngestError;
use crate::policy::parse::{pointer_segment, text_within_depth, type_name, MAX_JSON_DEPTH};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::io::Read;
use std::path::Path;
use std::rc::Rc;

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
    read_json_file_sized(path, rel).map(|(content, _)| content)
}

/// `read_json_file`, also returning the file's size in bytes.
pub(crate) fn read_json_file_sized(
    path: &Path,
    rel: &str,
) -> Result<(FileContent, u64), IngestError> {
    let bytes = read_file_bytes(path, rel)?;
    Ok((parse_json_bytes(&bytes, rel)?, bytes.len() as u64))
}

/// Reads one file whole, refusing files over `MAX_FILE_BYTES`; `rel` is its path relative
/// to the export root (used in errors).
pub(crate) fn read_file_bytes(path: &Path, rel: &str) -> Result<Vec<u8>, IngestError> {
    let mut bytes = Vec::new();
    read_file_into(path, rel, &mut bytes)?;
    Ok(bytes)
}

/// Files up to this size (nearly every file of an export) are read without asking for
/// their size first: at 15,000 files the extra `statx` per file was measurable.
const SMALL_FILE_BYTES: usize = 64 * 1024;

/// `read_file_bytes` into `buf` (cleared first), so that a caller reading many files
/// reuses one buffer.
pub(crate) fn read_file_into(path: &Path, rel: &str, buf: &mut Vec<u8>) -> Result<(), IngestError> {
    let io_err = |e: std::io::Error| IngestError::Io {
        path: rel.to_string(),
        message: e.to_string(),
    };
    // One open per file.
    let mut file = std::fs::File::open(path).map_err(io_err)?;
    buf.clear();
    buf.reserve(SMALL_FILE_BYTES + 1);
    let head = (&mut file)
        .take(SMALL_FILE_BYTES as u64 + 1)
        .read_to_end(buf)
        .map_err(io_err)?;
    if head <= SMALL_FILE_BYTES {
        // The whole file.
        return Ok(());
    }
    // A large file: its size from the open file, checked against the cap before reading
    // the rest.
    let len = file.metadata().map_err(io_err)?.len();
    if len > MAX_FILE_BYTES {
        return Err(IngestError::TooLarge {
            file: rel.to_string(),
            size: len,
            limit: MAX_FILE_BYTES,
        });
    }
    // `len` <= MAX_FILE_BYTES fits in memory by the cap's own reasoning; +1 lets the final
    // zero-length read land without growing the buffer.
    buf.reserve((len as usize + 1).saturating_sub(buf.len()));
    // The cap again while reading: the file may grow after `metadata`.
    (&mut file)
        .take(MAX_FILE_BYTES + 1 - head as u64)
        .read_to_end(buf)
        .map_err(io_err)?;
    Ok(())
}

/// Parses JSON bytes (see `read_json_file`).
pub fn parse_json_bytes(bytes: &[u8], rel: &str) -> Result<FileContent, IngestError> {
    match json_text(bytes, rel)? {
        None => Ok(FileContent::Empty),
        Some(text) => parse_json_text(text, rel).map(FileContent::Json),
    }
}

/// The JSON text of a file's bytes: the size cap, UTF-8 and a byte-order mark dealt with;
/// `None` when the file is empty or whitespace only (see `FileContent::Empty`).
pub(crate) fn json_text<'b>(bytes: &'b [u8], rel: &str) -> Result<Option<&'b str>, IngestError> {
    let text = file_text(bytes, rel)?;
    // Windows tools write a byte-order mark; JSON forbids it but it carries no meaning.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(text))
}

/// The text of a file's bytes (`rel` names it in errors): within the size cap and UTF-8.
pub(crate) fn file_text<'b>(bytes: &'b [u8], rel: &str) -> Result<&'b str, IngestError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(IngestError::TooLarge {
            file: rel.to_string(),
            size: bytes.len() as u64,
            limit: MAX_FILE_BYTES,
        });
    }
    std::str::from_utf8(bytes).map_err(|e| IngestError::NotUtf8 {
        file: rel.to_string(),
        offset: e.valid_up_to(),
    })
}

/// Parses non-empty JSON text (from `json_text`) into a `Value`.
pub(crate) fn parse_json_text(text: &str, rel: &str) -> Result<Value, IngestError> {
    // One pass that parses and enforces the nesting limit. Only when it fails are the
    // checks made one by one, in their documented order (nesting first, then serde_json's
    // own error), so a bad file gets exactly the error it always got.
    if let Ok(value) = value_from_str(text) {
        return Ok(value);
    }
    if !text_within_depth(text, MAX_JSON_DEPTH) {
        return Err(IngestError::TooDeep {
            file: rel.to_string(),
            limit: MAX_JSON_DEPTH,
        });
    }
    serde_json::from_str::<Value>(text).map_err(|e| IngestError::InvalidJson {
        file: rel.to_string(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

/// Parses JSON text into the `Value` `serde_json::from_str` gives, failing past
/// `MAX_JSON_DEPTH` nested lists/objects, but builds each object and list at its final size
/// from a reused scratch stack: serde_json grows them entry by entry, and the reallocations
/// and frees were a third of the load's time.
pub(crate) fn value_from_str(text: &str) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let mut scratch = Scratch::default();
    let value = ValueSeed {
        scratch: &mut scratch,
        depth: 0,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// Values and object entries parsed but not yet placed in their parent.
#[derive(Default)]
pub(crate) struct Scratch {
    values: Vec<Value>,
    entries: Vec<(String, Value)>,
}

/// Deserializes one value; mirrors serde_json's own `Value` visitor case by case.
pub(crate) struct ValueSeed<'s> {
    pub(crate) scratch: &'s mut Scratch,
    /// Lists/objects around this value.
    pub(crate) depth: usize,
}

impl ValueSeed<'_> {
    /// The depth of a list/object opened here, or an error past the limit.
    fn open<E: serde::de::Error>(&self) -> Result<usize, E> {
        let depth = self.depth + 1;
        if depth > MAX_JSON_DEPTH {
            return Err(E::custom("nested too deep"));
        }
        Ok(depth)
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let depth = self.open()?;
        let base = self.scratch.values.len();
        while let Some(v) = seq.next_element_seed(ValueSeed {
            scratch: &mut *self.scratch,
            depth,
        })? {
            self.scratch.values.push(v);
        }
        // `drain` knows its length: the list is allocated once, at its size.
        Ok(Value::Array(self.scratch.values.drain(base..).collect()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let depth = self.open()?;
        let base = self.scratch.entries.len();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(ValueSeed {
                scratch: &mut *self.scratch,
                depth,
            })?;
            self.scratch.entries.push((key, value));
        }
        let entries = self.scratch.entries.drain(base..);
        let mut object = Map::with_capacity(entries.len());
        for (key, value) in entries {
            // Like serde_json: a repeated key keeps its first place and its last value.
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// One step of a JSON pointer: a key (borrowed from the document), a list index, or a
/// pointer suffix given whole (already escaped).
#[derive(Debug)]
enum Segment<'a> {
    Key(&'a str),
    Index(usize),
    Raw(String),
}

/// A JSON pointer as a chain of segments from the node back to the root; shared between a
/// node and its children, rendered as text only on demand.
#[derive(Debug)]
struct PointerLink<'a> {
    parent: Option<Rc<PointerLink<'a>>>,
    segment: Segment<'a>,
}

/// A value inside a file, with its JSON pointer.
#[derive(Debug, Clone)]
pub struct Node<'a> {
    pub v: &'a Value,
    pub file: &'a str,
    /// `None` at the document root.
    pointer: Option<Rc<PointerLink<'a>>>,
}

impl<'a> Node<'a> {
    /// The whole document of `file`.
    pub fn root(v: &'a Value, file: &'a str) -> Node<'a> {
        Node {
            v,
            file,
            pointer: None,
        }
    }

    /// The value `v` at the JSON pointer `pointer` (already escaped, `""` for the root) of
    /// `file`.
    pub fn at(v: &'a Value, file: &'a str, pointer: String) -> Node<'a> {
        Node {
            v,
            file,
            pointer: (!pointer.is_empty()).then(|| {
                Rc::new(PointerLink {
                    parent: None,
                    segment: Segment::Raw(pointer),
                })
            }),
        }
    }

    fn child(&self, v: &'a Value, segment: Segment<'a>) -> Node<'a> {
        Node {
            v,
            file: self.file,
            pointer: Some(Rc::new(PointerLink {
                parent: self.pointer.clone(),
                segment,
            })),
        }
    }

    /// This node's JSON pointer (`/RoleDetailList/3/AssumeRolePolicyDocument`; `""` at
    /// the root).
    pub fn ptr(&self) -> String {
        let mut segments = Vec::new();
        let mut link = self.pointer.as_deref();
        while let Some(l) = link {
            segments.push(&l.segment);
            link = l.parent.as_deref();
        }
        let mut out = String::new();
        for s in segments.into_iter().rev() {
            match s {
                Segment::Key(k) => {
                    out.push('/');
                    if k.contains(['~', '/']) {
                        out.push_str(&pointer_segment(k));
                    } else {
                        out.push_str(k);
                    }
                }
                Segment::Index(i) => {
                    out.push('/');
                    out.push_str(&i.to_string());
                }
                Segment::Raw(r) => out.push_str(r),
            }
        }
        out
    }

    /// A shape error at this node.
    pub fn shape_err(&self, expected: &str) -> IngestError {
        IngestError::Shape {
            file: self.file.to_string(),
            pointer: self.ptr(),
            expected: expected.to_string(),
            found: type_name(self.v).to_string(),
        }
    }

    /// An invalid-value error at this node.
    pub fn invalid(&self, message: impl Into<String>) -> IngestError {
        IngestError::Invalid {
            file: self.file.to_string(),
            pointer: self.ptr(),
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

    /// A field's value without a node: `None` when absent or `null`.
    fn field(&self, key: &str) -> Result<Option<(&'a String, &'a Value)>, IngestError> {
        let map = self.obj()?;
        Ok(match map.get_key_value(key) {
            None | Some((_, Value::Null)) => None,
            Some(kv) => Some(kv),
        })
    }

    /// A field; `None` when absent or `null` (AWS omits and nulls fields interchangeably).
    pub fn get(&self, key: &str) -> Result<Option<Node<'a>>, IngestError> {
        Ok(self
            .field(key)?
            .map(|(k, v)| self.child(v, Segment::Key(k.as_str()))))
    }

    /// A required field.
    pub fn req(&self, key: &str) -> Result<Node<'a>, IngestError> {
        self.get(key)?.ok_or_else(|| self.missing(key))
    }

    fn missing(&self, key: &str) -> IngestError {
        IngestError::Shape {
            file: self.file.to_string(),
            pointer: self.ptr(),
            expected: format!("a field `{key}`"),
            found: "none".to_string(),
        }
    }

    pub fn str(&self) -> Result<&'a str, IngestError> {
        self.v.as_str().ok_or_else(|| self.shape_err("a string"))
    }

    /// A field read by `read` (which says whether the value has the right type); the
    /// child node is built only for the error.
    fn typed_field<T>(
        &self,
        key: &str,
        expected: &str,
        read: impl Fn(&'a Value) -> Option<T>,
    ) -> Result<Option<T>, IngestError> {
        match self.field(key)? {
            None => Ok(None),
            Some((k, v)) => match read(v) {
                Some(t) => Ok(Some(t)),
                None => Err(self.child(v, Segment::Key(k.as_str())).shape_err(expected)),
            },
        }
    }

    pub fn req_str(&self, key: &str) -> Result<&'a str, IngestError> {
        self.opt_str(key)?.ok_or_else(|| self.missing(key))
    }

    pub fn opt_str(&self, key: &str) -> Result<Option<&'a str>, IngestError> {
        self.typed_field(key, "a string", Value::as_str)
    }

    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>, IngestError> {
        self.typed_field(key, "a boolean", Value::as_bool)
    }

    pub fn opt_i64(&self, key: &str) -> Result<Option<i64>, IngestError> {
        self.typed_field(key, "an integer", Value::as_i64)
    }

    pub fn opt_u64(&self, key: &str) -> Result<Option<u64>, IngestError> {
        self.typed_field(key, "a non-negative integer", Value::as_u64)
    }

    /// The items of a list node.
    pub fn items(&self) -> Result<Vec<Node<'a>>, IngestError> {
        let list = self.v.as_array().ok_or_else(|| self.shape_err("a list"))?;
        Ok(list
            .iter()
            .enumerate()
            .map(|(i, v)| self.child(v, Segment::Index(i)))
            .collect())
    }

    /// The items of a list field; an absent field is an empty list (AWS omits empty lists).
    pub fn list(&self, key: &str) -> Result<Vec<Node<'a>>, IngestError> {
        match self.get(key)? {
            Some(n) => n.items(),
            None => Ok(Vec::new()),
        }
    }

    /// Item `i` of a list field (`None` when the field is absent or shorter), without
    /// making a node for every item.
    pub fn list_item(&self, key: &str, i: usize) -> Result<Option<Node<'a>>, IngestError> {
        let Some(n) = self.get(key)? else {
            return Ok(None);
        };
        let list = n.v.as_array().ok_or_else(|| n.shape_err("a list"))?;
        Ok(list.get(i).map(|v| n.child(v, Segment::Index(i))))
    }

    /// A list field of strings.
    pub fn str_list(&self, key: &str) -> Result<Vec<&'a str>, IngestError> {
        let Some(n) = self.get(key)? else {
            return Ok(Vec::new());
        };
        let list = n.v.as_array().ok_or_else(|| n.shape_err("a list"))?;
        let mut out = Vec::with_capacity(list.len());
        for (i, v) in list.iter().enumerate() {
            match v.as_str() {
                Some(s) => out.push(s),
                None => return Err(n.child(v, Segment::Index(i)).shape_err("a string")),
            }
        }
        Ok(out)
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
    fn values_are_serde_jsons_own() {
        for text in [
            r#"{"b": 1, "a": [true, null, -3, 18446744073709551615, 1.5e3, "x\u00e9"], "b": {"k": []}}"#,
            r#"[{}, [], "", 0, -0.0, 1e-7, {"a": {"a": {"a": [1, [2, [3]]]}}}]"#,
            "  \"just a string\"  ",
        ] {
            let ours = value_from_str(text).unwrap();
            let theirs: Value = serde_json::from_str(text).unwrap();
            assert_eq!(ours, theirs, "{text}");
            // Same key order too (preserve_order), not only the same map.
            assert_eq!(ours.to_string(), theirs.to_string(), "{text}");
        }
        // The nesting limit counts lists and objects: 64 is fine, 65 is not.
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(value_from_str(&nested(MAX_JSON_DEPTH)).is_ok());
        assert!(value_from_str(&nested(MAX_JSON_DEPTH + 1)).is_err());
        check(nested(MAX_JSON_DEPTH).as_bytes(), "json [[[[");
        check(
            nested(MAX_JSON_DEPTH + 1).as_bytes(),
            "f.json: JSON nested deeper than 64 levels",
        );
        // Too deep and malformed: the depth error, as before.
        check(
            format!("{{\"a\": {}", "[".repeat(70)).as_bytes(),
            "f.json: JSON nested deeper than 64 levels",
        );
        check(b"[1, 2", "f.json: not valid JSON at line 1, column 5");
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
