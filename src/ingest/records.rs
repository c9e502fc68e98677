//! Typed records borrowed from a file's text: the deserialization shared by the fast paths
//! for the GAAD (`gaad.rs`) and `describe-instances` (`instances.rs`).
//!
//! A record is a struct whose fields are all `Option`s of what the load keeps; the
//! `record!` macro declares one from a table of JSON keys and fields, and every field is
//! read by its type through one trait, `Read` (strings borrowed unless they held escapes,
//! booleans, non-negative integers, policy documents as `Value`s, lists, nested records).
//! `null` is `None`, as the `Value` path's `opt_*` accessors read it; a value of another
//! type makes the whole parse fail, and the caller then loads the file through the `Value`
//! path, whose error (if any) is the one reported. So serde's error texts here never reach
//! a user.
//!
//! Every read knows how many lists/objects surround its value (`Cx::around`) and refuses to
//! open one past `MAX_JSON_DEPTH`, like `json::value_from_str`, skipped fields included.

use super::json::{Scratch, ValueSeed};
use super::IngestError;
use crate::policy::parse::MAX_JSON_DEPTH;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// A string of the document: borrowed unless it held escapes.
pub(super) type Text<'a> = Cow<'a, str>;

/// Deserializes a whole file's text (already through `json::json_text`) as the record `T`;
/// a document that is `null` or not an object is refused.
pub(super) fn parse_record<'de, T: Record<'de>>(text: &'de str) -> Result<T, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let mut scratch = Scratch::default();
    let doc = T::read(
        &mut de,
        Cx {
            scratch: &mut scratch,
            around: 0,
        },
    )?;
    de.end()?;
    Ok(doc)
}

// The errors of the loaders that read records: those `json::Node` gives, for an item at a
// pointer the loader renders.

/// `Node::req`'s error: the required field `key` of the item at `pointer` is absent or
/// `null`.
pub(super) fn missing(file: &str, pointer: &str, key: &str) -> IngestError {
    IngestError::Shape {
        file: file.to_string(),
        pointer: pointer.to_string(),
        expected: format!("a field `{key}`"),
        found: "none".to_string(),
    }
}

/// `Node::req_str`: the text field `key` (`v`) of the item at `pointer`.
pub(super) fn req<'t>(
    v: &'t Option<Text<'_>>,
    file: &str,
    pointer: &str,
    key: &str,
) -> Result<&'t str, IngestError> {
    v.as_deref().ok_or_else(|| missing(file, pointer, key))
}

/// `Node::invalid`'s error for the value at `pointer`.
pub(super) fn invalid(file: &str, pointer: String, message: impl Into<String>) -> IngestError {
    IngestError::Invalid {
        file: file.to_string(),
        pointer,
        message: message.into(),
    }
}

/// The depth of a list/object opened inside `around` others, or an error past the limit.
fn open<E: de::Error>(around: usize) -> Result<usize, E> {
    let depth = around + 1;
    if depth > MAX_JSON_DEPTH {
        return Err(E::custom("nested too deep"));
    }
    Ok(depth)
}

/// An object the load reads some fields of (declared with `record!`, or by hand where a
/// field does more than keep its value).
pub(super) trait Record<'de>: Default {
    /// Reads the value of field `key` from `map` when the record keeps it (`Ok(true)`);
    /// `Ok(false)` leaves the value for the caller to skip. `cx.around` counts the record's
    /// own object.
    fn field<A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
        cx: Cx<'_>,
    ) -> Result<bool, A::Error>;
}

/// A value a record keeps, read by its type.
pub(super) trait Read<'de>: Sized {
    fn read<D: Deserializer<'de>>(d: D, cx: Cx<'_>) -> Result<Self, D::Error>;
}

/// What a read needs: the scratch space for policy documents and the nesting so far.
pub(super) struct Cx<'s> {
    scratch: &'s mut Scratch,
    pub(super) around: usize,
}

impl Cx<'_> {
    /// Reads the value of the field whose key `map` just gave, as `T`.
    pub(super) fn next<'de, T: Read<'de>, A: MapAccess<'de>>(
        self,
        map: &mut A,
    ) -> Result<T, A::Error> {
        map.next_value_seed(Seed::<T> {
            cx: self,
            _t: PhantomData,
        })
    }
}

/// `Read` as a serde seed.
struct Seed<'s, T> {
    cx: Cx<'s>,
    _t: PhantomData<fn() -> T>,
}

impl<'de, T: Read<'de>> DeserializeSeed<'de> for Seed<'_, T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        T::read(d, self.cx)
    }
}

impl<'de, T: Read<'de>> Visitor<'de> for Seed<'_, Option<T>> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value or null")
    }

    fn visit_none<E>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        T::read(d, self.cx).map(Some)
    }
}

/// `null` is `None`.
impl<'de, T: Read<'de>> Read<'de> for Option<T> {
    fn read<D: Deserializer<'de>>(d: D, cx: Cx<'_>) -> Result<Self, D::Error> {
        d.deserialize_option(Seed::<Option<T>> {
            cx,
            _t: PhantomData,
        })
    }
}

impl<'de, T: Read<'de>> Visitor<'de> for Seed<'_, Vec<T>> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let around = open(self.cx.around)?;
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(Seed::<T> {
            cx: Cx {
                scratch: &mut *self.cx.scratch,
                around,
            },
            _t: PhantomData,
        })? {
            items.push(item);
        }
        Ok(items)
    }
}

/// A list; a `null` item is refused (by the item's own read).
impl<'de, T: Read<'de>> Read<'de> for Vec<T> {
    fn read<D: Deserializer<'de>>(d: D, cx: Cx<'_>) -> Result<Self, D::Error> {
        d.deserialize_seq(Seed::<Vec<T>> {
            cx,
            _t: PhantomData,
        })
    }
}

impl<'de, T: Record<'de>> Visitor<'de> for Seed<'_, T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let around = open(self.cx.around)?;
        let mut record = T::default();
        while let Some(key) = map.next_key_seed(TextVisitor)? {
            let cx = Cx {
                scratch: &mut *self.cx.scratch,
                around,
            };
            if !record.field(&key, &mut map, cx)? {
                map.next_value_seed(Skip { around })?;
            }
        }
        Ok(record)
    }
}

/// An object read into a record (a `null` is refused: `Option<T>` reads that).
impl<'de, T: Record<'de>> Read<'de> for T {
    fn read<D: Deserializer<'de>>(d: D, cx: Cx<'_>) -> Result<Self, D::Error> {
        d.deserialize_map(Seed::<T> {
            cx,
            _t: PhantomData,
        })
    }
}

/// A policy document as a `Value` (what the policy parser reads).
impl<'de> Read<'de> for Value {
    fn read<D: Deserializer<'de>>(d: D, cx: Cx<'_>) -> Result<Self, D::Error> {
        ValueSeed {
            scratch: cx.scratch,
            depth: cx.around,
        }
        .deserialize(d)
    }
}

impl<'de> Read<'de> for Text<'de> {
    fn read<D: Deserializer<'de>>(d: D, _: Cx<'_>) -> Result<Self, D::Error> {
        d.deserialize_str(TextVisitor)
    }
}

impl<'de> Read<'de> for bool {
    fn read<D: Deserializer<'de>>(d: D, _: Cx<'_>) -> Result<Self, D::Error> {
        bool::deserialize(d)
    }
}

/// What `Value::as_u64` accepts: serde_json hands every non-negative integer to
/// `visit_u64`, and a negative or fractional one to visitors `u64` refuses.
impl<'de> Read<'de> for u64 {
    fn read<D: Deserializer<'de>>(d: D, _: Cx<'_>) -> Result<Self, D::Error> {
        u64::deserialize(d)
    }
}

/// A string (borrowed when it has no escapes); also an object's keys.
struct TextVisitor;

impl<'de> DeserializeSeed<'de> for TextVisitor {
    type Value = Text<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Text<'de>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
        Ok(Cow::Owned(v))
    }
}

/// Declares records: structs of `Option` fields, each read from its JSON key by its type
/// (`Read`); other keys are skipped. A macro because a generic cannot name a struct's fields.
macro_rules! record {
    ($($(#[$meta:meta])* $vis:vis struct $name:ident<$lt:lifetime> {
        $($key:literal => $field:ident: $ty:ty,)+
    })+) => {$(
        $(#[$meta])*
        #[derive(Default)]
        $vis struct $name<$lt> {
            $($vis $field: $ty,)+
        }

        impl<$lt> $crate::ingest::records::Record<$lt> for $name<$lt> {
            fn field<A: ::serde::de::MapAccess<$lt>>(
                &mut self,
                key: &str,
                map: &mut A,
                cx: $crate::ingest::records::Cx<'_>,
            ) -> Result<bool, A::Error> {
                match key {
                    $($key => self.$field = cx.next(map)?,)+
                    _ => return Ok(false),
                }
                Ok(true)
            }
        }
    )+};
}
pub(super) use record;

record! {
    /// An item whose ARN is all the load reads (an instance profile's role, an instance's
    /// profile).
    pub(super) struct ArnRec<'a> {
        "Arn" => arn: Option<Text<'a>>,
    }
}

/// The fields of a list output that say it is only a first page, as
/// `Builder::note_truncation` reads them: `IsTruncated` is `true`, or `NextToken`,
/// `Marker` or `ContinuationToken` is there and not `null` (each by its last occurrence, as
/// in a parsed object).
#[derive(Default)]
pub(super) struct Truncation {
    is_truncated: bool,
    tokens: [bool; 3],
}

impl Truncation {
    pub(super) fn truncated(&self) -> bool {
        self.is_truncated || self.tokens.iter().any(|t| *t)
    }

    /// Reads `key`'s value when it is one of these fields (`Ok(true)`); `cx` is the
    /// output's own.
    pub(super) fn field<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
        cx: Cx<'_>,
    ) -> Result<bool, A::Error> {
        let around = cx.around;
        let token = match key {
            "IsTruncated" => {
                self.is_truncated = map.next_value_seed(Skip { around })? == Skipped::True;
                return Ok(true);
            }
            "NextToken" => 0,
            "Marker" => 1,
            "ContinuationToken" => 2,
            _ => return Ok(false),
        };
        let present = map.next_value_seed(Skip { around })? != Skipped::Null;
        if let Some(t) = self.tokens.get_mut(token) {
            *t = present;
        }
        Ok(true)
    }
}

/// What a skipped value was, for the few fields only looked at for that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Skipped {
    Null,
    True,
    Other,
}

/// Any value, checked (it must be valid JSON within the nesting limit) and dropped.
struct Skip {
    around: usize,
}

impl<'de> DeserializeSeed<'de> for Skip {
    type Value = Skipped;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Skipped, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = Skipped;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Skipped, E> {
        Ok(if v { Skipped::True } else { Skipped::Other })
    }

    fn visit_i64<E>(self, _: i64) -> Result<Skipped, E> {
        Ok(Skipped::Other)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Skipped, E> {
        Ok(Skipped::Other)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Skipped, E> {
        Ok(Skipped::Other)
    }

    fn visit_str<E>(self, _: &str) -> Result<Skipped, E> {
        Ok(Skipped::Other)
    }

    fn visit_unit<E>(self) -> Result<Skipped, E> {
        Ok(Skipped::Null)
    }

    fn visit_none<E>(self) -> Result<Skipped, E> {
        Ok(Skipped::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Skipped, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skipped, A::Error> {
        let around = open(self.around)?;
        while seq.next_element_seed(Skip { around })?.is_some() {}
        Ok(Skipped::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skipped, A::Error> {
        let around = open(self.around)?;
        while map.next_key_seed(Skip { around })?.is_some() {
            map.next_value_seed(Skip { around })?;
        }
        Ok(Skipped::Other)
    }
}
