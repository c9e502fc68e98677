//! Interned strings (`Sym`): ARNs, ids and names are stored once and compared as integers.

use serde::Serialize;
use std::collections::HashMap;

/// An interned string. Only meaningful together with the `Interner` that made it (the
/// model's `Model::interner`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Sym(pub u32);

/// String interner: each distinct string gets one `Sym`, in insertion order.
#[derive(Debug, Clone, Default)]
pub struct Interner {
    strings: Vec<Box<str>>,
    ids: HashMap<Box<str>, Sym>,
}

impl Interner {
    pub fn new() -> Interner {
        Interner::default()
    }

    /// The symbol for `s`, creating it on first use.
    pub fn intern(&mut self, s: &str) -> Sym {
        if let Some(sym) = self.ids.get(s) {
            return *sym;
        }
        // More than u32::MAX distinct strings cannot come from an export under the file
        // size limits ingest enforces; saturate rather than wrap if it ever did.
        let sym = Sym(u32::try_from(self.strings.len()).unwrap_or(u32::MAX));
        self.strings.push(s.into());
        self.ids.insert(s.into(), sym);
        sym
    }

    /// The symbol for `s` if it was interned, without creating one.
    pub fn get(&self, s: &str) -> Option<Sym> {
        self.ids.get(s).copied()
    }

    /// The string behind a symbol (`""` for a symbol from another interner that is out of
    /// range, rather than a panic).
    pub fn resolve(&self, sym: Sym) -> &str {
        self.strings.get(sym.0 as usize).map(|s| &**s).unwrap_or("")
    }

    pub fn len(&self) -> usize {
        self.strings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(inputs: &[&str], expect: &[u32]) {
        let mut i = Interner::new();
        let got: Vec<u32> = inputs.iter().map(|s| i.intern(s).0).collect();
        assert_eq!(got, expect);
        for s in inputs {
            assert_eq!(i.resolve(i.get(s).unwrap()), *s);
        }
    }

    #[test]
    fn same_string_same_symbol() {
        check(&["a", "b", "a", "", "b"], &[0, 1, 0, 2, 1]);
        check(&[], &[]);
        let i = Interner::new();
        assert_eq!(i.resolve(Sym(7)), "");
        assert_eq!(i.get("x"), None);
    }
}
