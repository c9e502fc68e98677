//! Test support: differential tests that hold a typed fast path (`gaad.rs`,
//! `instances.rs`) equal to the `Value` path it mirrors, on a sample document and on every
//! single-node mutation of it.

use super::builder::Builder;
use super::IngestError;
use crate::model::{ExportLayout, Sym};
use serde_json::Value;

/// A fresh builder for one load.
pub(super) fn builder() -> Builder {
    Builder::new(std::path::PathBuf::from("."), ExportLayout::Native)
}

/// What one load left: `model` (the arenas the file can touch, already rendered) with the
/// interned strings, source locations (sorted), coverage and warnings; or the error.
pub(super) fn outcome(
    run: impl FnOnce(&mut Builder) -> Result<(), IngestError>,
    model: impl FnOnce(&Builder) -> String,
) -> String {
    let mut b = builder();
    if let Err(e) = run(&mut b) {
        return format!("error: {e}");
    }
    let m = &b.model;
    let strings: Vec<&str> = (0..m.interner.len() as u32)
        .map(|i| m.interner.resolve(Sym(i)))
        .collect();
    let mut sources: Vec<String> = b
        .sources
        .iter()
        .map(|(item, loc)| format!("{item:?} {loc:?}"))
        .collect();
    sources.sort();
    format!(
        "{strings:?}\n{}\n{sources:?}\n{:?}\n{:?}",
        model(&b),
        b.coverage,
        b.warnings
    )
}

/// The two ways of loading one file: `by_value` (the reference) gives its `outcome`;
/// `by_records` gives its own, or `None` when the typed path refuses the text (the caller
/// would fall back to the `Value` path).
pub(super) struct TwoPaths {
    pub(super) by_value: fn(&str) -> String,
    pub(super) by_records: fn(&str) -> Option<String>,
}

impl TwoPaths {
    /// `text` loads to the same model, or fails with the same error, both ways; `expect`
    /// says whether the typed path takes it (`true`) or leaves it to the `Value` path.
    pub(super) fn check(&self, text: &str, expect: bool) {
        let reference = (self.by_value)(text);
        match (self.by_records)(text) {
            Some(got) => {
                assert!(expect, "typed path took {text}");
                assert_eq!(got, reference, "{text}");
            }
            None => assert!(
                !expect,
                "typed path refused {text}\n(value path: {reference:.300})"
            ),
        }
    }

    /// Every node of `base` replaced by each of `replacements`, and every object field
    /// removed: whichever path loads a variant, the result (model or error) is the `Value`
    /// path's. Returns how many variants the typed path took, of how many.
    pub(super) fn check_mutations(&self, base: &Value, replacements: &[Value]) -> (usize, usize) {
        let (mut typed, mut total) = (0, 0);
        for (p, doc) in mutations(base, replacements) {
            let text = doc.to_string();
            let reference = (self.by_value)(&text);
            total += 1;
            if let Some(got) = (self.by_records)(&text) {
                typed += 1;
                assert_eq!(got, reference, "at {p}: {text}");
            }
        }
        (typed, total)
    }
}

/// The single-node mutations of `base`, each with the JSON pointer of the node it changes.
fn mutations(base: &Value, replacements: &[Value]) -> Vec<(String, Value)> {
    let mut pointers = Vec::new();
    let mut stack = vec![(String::new(), base)];
    while let Some((p, v)) = stack.pop() {
        match v {
            Value::Object(m) => stack.extend(m.iter().map(|(k, c)| {
                (
                    format!("{p}/{}", k.replace('~', "~0").replace('/', "~1")),
                    c,
                )
            })),
            Value::Array(a) => {
                stack.extend(a.iter().enumerate().map(|(i, c)| (format!("{p}/{i}"), c)))
            }
            _ => {}
        }
        pointers.push(p);
    }
    let mut variants = Vec::new();
    for p in pointers {
        for r in replacements {
            let mut doc = base.clone();
            if let Some(slot) = doc.pointer_mut(&p) {
                *slot = r.clone();
                variants.push((p.clone(), doc));
            }
        }
        if let Some((parent, key)) = p.rsplit_once('/') {
            let mut doc = base.clone();
            if let Some(Value::Object(m)) = doc.pointer_mut(parent) {
                m.shift_remove(key);
                variants.push((p.clone(), doc));
            }
        }
    }
    variants
}
