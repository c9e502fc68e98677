//! Symbolic request values: the slots (one per string, number, date, IP… the requester may
//! choose), the patterns policies compare them with, and the encoding of one condition entry.
//!
//! Encoding runs twice over the same policies: a *collect* pass registers every pattern each
//! slot is compared with (and which operator families touch it), then the slots are built —
//! string slots over the finite domain of regions their patterns induce, typed slots as
//! integers or bit-vectors — and an *encode* pass produces the terms. In the collect pass
//! every symbolic comparison yields an opaque variable, so no short-circuit depends on the
//! pass and both passes visit the same comparisons.

use super::domain::{Domain, DomainBuilder};
use super::exclusions::ExcludedPatterns;
use super::glob::{Glob, Tok};
use super::question::KeyShape;
use super::term::{Cmp, Model, Sort, Term, VarId, Vars, FALSE, TRUE};
use super::values::{self, Decimal};
use crate::eval::ContextValue;
use crate::policy::{Condition, OperatorBase, SetQualifier};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Why encoding stopped: the question is `Unknown`, or a real error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    Unknown(String),
}

pub type Enc<T> = Result<T, Stop>;

fn unknown<T>(why: impl Into<String>) -> Enc<T> {
    Err(Stop::Unknown(why.into()))
}

/// An operator family, as far as the slot type is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    Str,
    Num,
    Date,
    Ip,
    Bool,
    Binary,
}

/// A string of the request: known, or a slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StrVal {
    Concrete(String),
    Slot(String),
}

/// A condition key's value in one hop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyVal {
    Absent,
    Concrete(ContextValue),
    Slot(String),
}

/// A compiled positive predicate on one request value (values OR-ed).
#[derive(Debug, Clone)]
pub enum Pred {
    Globs(Vec<Glob>),
    Num(Vec<(Cmp, Decimal)>),
    Date(Vec<(Cmp, i128)>),
    Ip(Vec<(bool, u128, u128)>),
    Bool(Vec<bool>),
    Binary(Vec<Vec<u8>>),
}

impl Pred {
    fn family(&self) -> Family {
        match self {
            Pred::Globs(_) => Family::Str,
            Pred::Num(_) => Family::Num,
            Pred::Date(_) => Family::Date,
            Pred::Ip(_) => Family::Ip,
            Pred::Bool(_) => Family::Bool,
            Pred::Binary(_) => Family::Binary,
        }
    }

    /// The predicate on a concrete request value (unreadable values match nothing).
    pub fn holds(&self, r: &str) -> bool {
        match self {
            Pred::Globs(gs) => gs.iter().any(|g| g.matches(r)),
            Pred::Num(cs) => match values::parse_decimal(r) {
                Some(x) => cs.iter().any(|(op, c)| {
                    let s = x.scale.max(c.scale);
                    match (x.at_scale(s), c.at_scale(s)) {
                        (Some(a), Some(b)) => op.holds(a, b),
                        _ => false,
                    }
                }),
                None => false,
            },
            Pred::Date(cs) => match values::parse_date_ms(r) {
                Some(x) => cs.iter().any(|(op, c)| op.holds(x, *c)),
                None => false,
            },
            Pred::Ip(nets) => match values::parse_ip(r) {
                Some((is6, bits)) => nets
                    .iter()
                    .any(|(n6, lo, hi)| *n6 == is6 && *lo <= bits && bits <= *hi),
                None => false,
            },
            Pred::Bool(bs) => values::parse_bool(r).is_some_and(|b| bs.contains(&b)),
            Pred::Binary(bs) => values::decode_base64(r).is_some_and(|b| bs.contains(&b)),
        }
    }
}

/// Where policy variables get their values (`None`: variables are literal text).
pub type Lookup<'a, 'b> = Option<&'a mut (dyn FnMut(&str) -> Enc<VarValue> + 'b)>;

/// How a request value is read into a policy-variable substitution.
pub enum VarValue {
    Text(String),
    NoValue,
}

/// Compiles a policy string into a glob, substituting policy variables through `lookup`
/// (`None` = variables are literal text). `Ok(None)`: a variable has no value, so the
/// pattern matches nothing. Substituted text is literal even where it holds `*` or `?`.
pub fn compile(
    raw: &str,
    wildcards: bool,
    colon_ok: bool,
    case_insensitive: bool,
    lookup: Lookup<'_, '_>,
) -> Enc<Option<Glob>> {
    let mut toks = Vec::with_capacity(raw.len());
    let mut rest = raw;
    let mut lookup = lookup;
    while let Some(c) = rest.chars().next() {
        if let Some(look) = lookup.as_mut() {
            if rest.starts_with("${") {
                if let Some(end) = rest.find('}') {
                    let inner = &rest[2..end];
                    let text = match inner {
                        "*" | "?" | "$" => Some(inner.to_string()),
                        _ => {
                            let (key, default) = match inner.split_once(',') {
                                Some((k, d)) => {
                                    let d = d.trim();
                                    let default = d
                                        .strip_prefix('\'')
                                        .and_then(|d| d.strip_suffix('\''))
                                        .map(|d| d.replace("''", "'"));
                                    (k.trim(), default)
                                }
                                None => (inner.trim(), None),
                            };
                            match look(key)? {
                                VarValue::Text(t) => Some(t),
                                VarValue::NoValue => default,
                            }
                        }
                    };
                    match text {
                        Some(t) => toks.extend(t.chars().map(Tok::Lit)),
                        None => return Ok(None),
                    }
                    rest = &rest[end + 1..];
                    continue;
                }
            }
        }
        toks.push(match c {
            '*' if wildcards => Tok::Star { colon_ok },
            '?' if wildcards => Tok::One { colon_ok },
            other => Tok::Lit(other),
        });
        rest = &rest[c.len_utf8()..];
    }
    Ok(Some(Glob::from_toks(toks, case_insensitive, raw)))
}

/// Compiles an `Arn*` operator value: six `:`-separated parts matched one by one (wildcards
/// in the first five stay inside their part), or a value without `:` matched whole. Values
/// of two to five parts match nothing (`Ok(None)`).
pub fn compile_arn(raw: &str, mut lookup: Lookup<'_, '_>) -> Enc<Option<Glob>> {
    let parts: Vec<&str> = raw.splitn(6, ':').collect();
    match parts.len() {
        1 => compile(raw, true, true, false, lookup.as_deref_mut()),
        6 => {
            let mut toks = Vec::new();
            for (i, part) in parts.iter().enumerate() {
                let last = i == 5;
                let Some(g) = compile(part, true, last, false, lookup.as_deref_mut())? else {
                    return Ok(None);
                };
                // A literal `:` inside one of the first five parts can never match a part
                // of the request (parts hold no `:`).
                if !last && g.toks().contains(&Tok::Lit(':')) {
                    return Ok(None);
                }
                if i > 0 {
                    toks.push(Tok::Lit(':'));
                }
                toks.extend_from_slice(g.toks());
            }
            Ok(Some(Glob::from_toks(toks, false, raw)))
        }
        _ => Ok(None),
    }
}

/// Builds the positive predicate of a (non-`Null`) condition's values.
pub fn condition_pred(cond: &Condition, mut lookup: Lookup<'_, '_>) -> Enc<Pred> {
    use OperatorBase::*;
    let base = &cond.operator.base;
    // Typed families read the substituted literal text.
    let texts = |mut lookup: Lookup<'_, '_>| -> Enc<Vec<String>> {
        let mut out = Vec::new();
        for v in &cond.values {
            if let Some(g) = compile(v, false, true, false, lookup.as_deref_mut())? {
                out.push(
                    g.toks()
                        .iter()
                        .map(|t| match t {
                            Tok::Lit(c) => *c,
                            _ => '*',
                        })
                        .collect(),
                );
            }
        }
        Ok(out)
    };
    let malformed = |what: &str, v: &str| {
        Stop::Unknown(format!(
            "condition {} on `{}`: {v:?} is not {what}",
            cond.operator.raw, cond.key
        ))
    };
    let cmp = |b: &OperatorBase| match b {
        NumericLessThan | DateLessThan => Cmp::Lt,
        NumericLessThanEquals | DateLessThanEquals => Cmp::Le,
        NumericGreaterThan | DateGreaterThan => Cmp::Gt,
        NumericGreaterThanEquals | DateGreaterThanEquals => Cmp::Ge,
        _ => Cmp::Eq,
    };
    Ok(match base {
        StringEquals
        | StringNotEquals
        | StringEqualsIgnoreCase
        | StringNotEqualsIgnoreCase
        | StringLike
        | StringNotLike => {
            let wild = matches!(base, StringLike | StringNotLike);
            let ci = matches!(base, StringEqualsIgnoreCase | StringNotEqualsIgnoreCase);
            let mut gs = Vec::new();
            for v in &cond.values {
                if let Some(g) = compile(v, wild, true, ci, lookup.as_deref_mut())? {
                    gs.push(g);
                }
            }
            Pred::Globs(gs)
        }
        ArnEquals | ArnNotEquals | ArnLike | ArnNotLike => {
            let mut gs = Vec::new();
            for v in &cond.values {
                if let Some(g) = compile_arn(v, lookup.as_deref_mut())? {
                    gs.push(g);
                }
            }
            Pred::Globs(gs)
        }
        NumericEquals
        | NumericNotEquals
        | NumericLessThan
        | NumericLessThanEquals
        | NumericGreaterThan
        | NumericGreaterThanEquals => {
            let op = cmp(base);
            let mut cs = Vec::new();
            for t in texts(lookup)? {
                let d = values::parse_decimal(&t).ok_or_else(|| malformed("a number", &t))?;
                cs.push((op, d));
            }
            Pred::Num(cs)
        }
        DateEquals
        | DateNotEquals
        | DateLessThan
        | DateLessThanEquals
        | DateGreaterThan
        | DateGreaterThanEquals => {
            let op = cmp(base);
            let mut cs = Vec::new();
            for t in texts(lookup)? {
                let d = values::parse_date_ms(&t).ok_or_else(|| malformed("a date", &t))?;
                cs.push((op, d));
            }
            Pred::Date(cs)
        }
        Bool => {
            let mut bs = Vec::new();
            for t in texts(lookup)? {
                bs.push(values::parse_bool(&t).ok_or_else(|| malformed("true or false", &t))?);
            }
            Pred::Bool(bs)
        }
        BinaryEquals => {
            let mut bs = Vec::new();
            for t in texts(lookup)? {
                bs.push(values::decode_base64(&t).ok_or_else(|| malformed("base64", &t))?);
            }
            Pred::Binary(bs)
        }
        IpAddress | NotIpAddress => {
            let mut ns = Vec::new();
            for t in texts(lookup)? {
                ns.push(
                    values::parse_network_range(&t)
                        .ok_or_else(|| malformed("an IP address or CIDR", &t))?,
                );
            }
            Pred::Ip(ns)
        }
        Null | Unknown(_) => {
            return unknown(format!(
                "unsupported condition operator `{}`",
                cond.operator.raw
            ))
        }
    })
}

/// What a slot's shape allows beyond its comparisons.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SlotShape {
    /// The slot may be absent (a presence variable decides).
    MaybeAbsent,
    Present,
    /// Present, none of `values`, matching none of `patterns` (`NoneOf`, `NoneLike`).
    PresentNoneOf {
        values: Arc<[String]>,
        patterns: Arc<ExcludedPatterns>,
    },
    PublicIp,
    /// A string slot constrained to a glob (action/resource shapes).
    Matching(Glob),
    /// A string slot with no constraint and always present (action, resource).
    Any,
}

/// The built form of a slot.
#[derive(Debug, Clone)]
pub enum SlotKind {
    // Shared: the encode pass clones a slot's kind for every predicate on it.
    Str {
        var: VarId,
        domain: Arc<Domain>,
    },
    StrSet {
        has: Vec<VarId>,
        domain: Arc<Domain>,
    },
    Num {
        var: VarId,
        valid: VarId,
        scale: u32,
    },
    Date {
        var: VarId,
        valid: VarId,
    },
    Ip {
        is6: VarId,
        bits: VarId,
        valid: VarId,
    },
    /// A finite set of candidate strings that covers every behaviour (Bool, Binary).
    Choice {
        var: VarId,
        cands: Vec<String>,
    },
}

#[derive(Debug, Clone)]
struct Slot {
    shape: SlotShape,
    present_var: Option<VarId>,
    families: BTreeSet<Family>,
    multi: bool,
    builder: DomainBuilder,
    num_scale: u32,
    binaries: Vec<Vec<u8>>,
    kind: Option<SlotKind>,
    /// The glob indices of the shape's own constraint matchers (encode pass).
    shape_matchers: Vec<usize>,
}

/// Keys AWS sets to exactly `true` or `false` whenever they are present.
pub fn is_boolean_key(key: &str) -> bool {
    matches!(
        key.to_ascii_lowercase().as_str(),
        "aws:securetransport"
            | "aws:multifactorauthpresent"
            | "aws:viaawsservice"
            | "aws:principalisawsservice"
    )
}

/// Names of multi-valued keys: their requests may carry several values.
pub fn is_multi_valued_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.ends_with(":tagkeys")
        || matches!(
            k.as_str(),
            "aws:principalorgpaths"
                | "aws:calledvia"
                | "aws:principalservicenameslist"
                | "aws:resourceorgpaths"
                | "aws:sourceorgpaths"
        )
}

/// Which excluded values and patterns of a `PresentNoneOf` slot some policy matcher may
/// accept (by index, ascending: values in order, literals and prefixes of the
/// `ExcludedPatterns`); only those become matchers of the domain.
#[derive(Default)]
struct Excluded {
    values: Vec<usize>,
    literals: Vec<usize>,
    prefixes: Vec<usize>,
}

impl Excluded {
    fn policy_may_accept(
        values: &[String],
        patterns: &ExcludedPatterns,
        policy: &[Glob],
    ) -> Excluded {
        // A value can only meet a matcher it starts with the literal head of (a byte
        // comparison; the matcher's run is asked only then): the values can be thousands
        // (every ARN of the zone for an outsider's `aws:SourceArn`).
        let heads: Vec<String> = policy.iter().map(Glob::literal_head).collect();
        let values: Vec<usize> = values
            .iter()
            .enumerate()
            .filter(|(_, v)| {
                policy
                    .iter()
                    .zip(&heads)
                    .any(|(g, head)| v.starts_with(head.as_str()) && g.matches(v))
            })
            .map(|(i, _)| i)
            .collect();
        let mut literals = Vec::new();
        let mut prefixes = Vec::new();
        for g in policy {
            // Every string `g` accepts starts with its literal head: only the literals
            // starting with it, and the prefixes compatible with it (one starts with the
            // other), can meet `g`.
            let head = g.literal_head();
            let lits = patterns.literals();
            literals.extend(
                patterns
                    .literals_starting_with(&head)
                    .filter(|&i| lits.get(i).is_some_and(|l| g.matches(l))),
            );
            let heads = patterns.prefixes();
            let compatible = patterns
                .prefixes_starting_with(&head)
                .chain(patterns.prefixes_of(&head));
            prefixes.extend(compatible.filter(|&i| {
                heads
                    .get(i)
                    .is_some_and(|(h, _)| g.matches_some_starting_with(h))
            }));
        }
        literals.sort_unstable();
        literals.dedup();
        prefixes.sort_unstable();
        prefixes.dedup();
        Excluded {
            values,
            literals,
            prefixes,
        }
    }

    /// Whether some value, literal or prefix is left out.
    fn drops_some(&self, values: &[String], patterns: &ExcludedPatterns) -> bool {
        self.values.len() < values.len()
            || self.literals.len() < patterns.literals().len()
            || self.prefixes.len() < patterns.prefixes().len()
    }

    /// Whether `rep` is a value, or matches a pattern, that was left out.
    fn drops(&self, values: &[String], patterns: &ExcludedPatterns, rep: &str) -> bool {
        let dropped = |kept: &[usize], i: usize| kept.binary_search(&i).is_err();
        values
            .iter()
            .enumerate()
            .any(|(i, v)| v == rep && dropped(&self.values, i))
            || patterns
                .literal_index(rep)
                .is_some_and(|i| dropped(&self.literals, i))
            || patterns
                .prefixes_of(rep)
                .any(|i| dropped(&self.prefixes, i))
    }

    /// The matchers of what is kept: values, literals, other patterns, prefixes.
    fn kept_matchers(&self, values: &[String], patterns: &ExcludedPatterns) -> Vec<Glob> {
        self.matchers(values, patterns, patterns.others())
    }

    /// The matchers of what was left out (every other pattern is always kept).
    fn dropped_matchers(&self, values: &[String], patterns: &ExcludedPatterns) -> Vec<Glob> {
        let left_out = |kept: &[usize], n: usize| -> Vec<usize> {
            (0..n).filter(|i| kept.binary_search(i).is_err()).collect()
        };
        Excluded {
            values: left_out(&self.values, values.len()),
            literals: left_out(&self.literals, patterns.literals().len()),
            prefixes: left_out(&self.prefixes, patterns.prefixes().len()),
        }
        .matchers(values, patterns, &[])
    }

    /// The matchers of the values and literals listed, then `others`, then the prefixes
    /// listed.
    fn matchers(
        &self,
        values: &[String],
        patterns: &ExcludedPatterns,
        others: &[String],
    ) -> Vec<Glob> {
        let literal = |v: &String| Glob::literal(v, false);
        let pattern = |p: &String| Glob::pattern(p, false);
        let values = self
            .values
            .iter()
            .filter_map(|&i| values.get(i))
            .map(literal);
        let literals = self
            .literals
            .iter()
            .filter_map(|&i| patterns.literals().get(i))
            .map(literal);
        let prefixes = self
            .prefixes
            .iter()
            .filter_map(|&i| patterns.prefixes().get(i))
            .map(|(_, p)| pattern(p));
        values
            .chain(literals)
            .chain(others.iter().map(pattern))
            .chain(prefixes)
            .collect()
    }
}

/// The slots of one question and the variable table.
#[derive(Debug, Clone)]
pub struct Slots {
    pub collect: bool,
    pub vars: Vars,
    dummy: VarId,
    slots: BTreeMap<String, Slot>,
    /// Which slot holds each condition key of each hop (for the witness).
    bound: BTreeMap<(usize, String), String>,
    /// Constraints from shapes and slot domains, asserted with the question.
    pub constraints: Vec<Term>,
}

impl Slots {
    pub fn new() -> Slots {
        let mut vars = Vars::new();
        let dummy = vars.declare("collect#opaque", Sort::Bool);
        Slots {
            collect: true,
            vars,
            dummy,
            slots: BTreeMap::new(),
            bound: BTreeMap::new(),
            constraints: Vec::new(),
        }
    }

    /// Records that `key` of hop `hop` reads slot `slot`.
    pub fn bind_key(&mut self, hop: usize, key: &str, slot: &str) {
        self.bound
            .insert((hop, key.to_ascii_lowercase()), slot.to_string());
    }

    /// The condition keys of a hop that read slots, with their slots.
    pub fn hop_keys(&self, hop: usize) -> Vec<(String, String)> {
        self.bound
            .iter()
            .filter(|((h, _), _)| *h == hop)
            .map(|((_, k), s)| (k.clone(), s.clone()))
            .collect()
    }

    /// The value a model gives a string slot of a request string (action, resource).
    pub fn string_value(&self, name: &str, model: &Model) -> Option<String> {
        match self.kind(name)? {
            SlotKind::Str { var, domain } => domain
                .representative(model.enum_value(*var))
                .map(str::to_string),
            _ => None,
        }
    }

    /// The value a model gives a condition-key slot; `None` = absent.
    pub fn key_value(&self, name: &str, model: &Model) -> Option<ContextValue> {
        let slot = self.slots.get(name)?;
        if let Some(p) = slot.present_var {
            if !model.bool_value(p) && !matches!(slot.kind, Some(SlotKind::StrSet { .. })) {
                return None;
            }
        }
        let single = |s: String| Some(ContextValue::Single(s));
        match slot.kind.as_ref()? {
            SlotKind::Str { var, domain } => {
                single(domain.representative(model.enum_value(*var))?.to_string())
            }
            SlotKind::StrSet { has, domain } => {
                let vals: Vec<String> = has
                    .iter()
                    .enumerate()
                    .filter(|(_, &h)| model.bool_value(h))
                    .filter_map(|(r, _)| domain.representative(r as u32).map(str::to_string))
                    .collect();
                if vals.is_empty() {
                    None
                } else {
                    Some(ContextValue::Multi(vals))
                }
            }
            SlotKind::Num { var, valid, scale } => single(if model.bool_value(*valid) {
                values::render_decimal(model.int_value(*var), *scale)
            } else {
                "not-a-number".to_string()
            }),
            SlotKind::Date { var, valid } => single(if model.bool_value(*valid) {
                values::render_date(model.int_value(*var))
            } else {
                "not-a-date".to_string()
            }),
            SlotKind::Ip { is6, bits, valid } => single(if model.bool_value(*valid) {
                values::render_ip(model.bool_value(*is6), model.bv_value(*bits))
            } else {
                "not-an-ip".to_string()
            }),
            SlotKind::Choice { var, cands } => {
                single(cands.get(model.enum_value(*var) as usize)?.clone())
            }
        }
    }

    fn opaque(&self) -> Term {
        Term::BoolVar(self.dummy)
    }

    /// Declares a string slot for a request string (action, resource) with its shape glob.
    pub fn string_slot(&mut self, name: &str, matching: Option<Glob>) {
        if self.slots.contains_key(name) {
            return;
        }
        let shape = match matching {
            Some(g) => SlotShape::Matching(g),
            None => SlotShape::Any,
        };
        self.insert(name, shape, None);
    }

    /// Declares a condition-key slot from its shape (first declaration wins for shared
    /// slots).
    pub fn key_slot(&mut self, name: &str, shape: &KeyShape) -> Enc<()> {
        if self.slots.contains_key(name) {
            return Ok(());
        }
        let (shape, maybe_absent) = match shape {
            KeyShape::Free => (SlotShape::MaybeAbsent, true),
            KeyShape::AnyPresent => (SlotShape::Present, false),
            KeyShape::NoneOf(vs) => (
                SlotShape::PresentNoneOf {
                    values: vs.clone(),
                    patterns: Arc::default(),
                },
                false,
            ),
            // The list is shared, not split: a pattern without wildcards is read as a value
            // where the slot is built.
            KeyShape::NoneLike(ps) => (
                SlotShape::PresentNoneOf {
                    values: Arc::from(Vec::new()),
                    patterns: ps.clone(),
                },
                false,
            ),
            KeyShape::PublicIp => (SlotShape::PublicIp, false),
            KeyShape::Shared { inner, .. } => return self.key_slot(name, inner),
            KeyShape::Absent | KeyShape::Fixed(_) => {
                return unknown("internal: a fixed key has no slot");
            }
        };
        let present_var =
            maybe_absent.then(|| self.vars.declare(&format!("{name}#present"), Sort::Bool));
        self.insert(name, shape, present_var);
        if let Some(slot) = self.slots.get_mut(name) {
            if is_multi_valued_key(name.rsplit('/').next().unwrap_or(name)) {
                slot.multi = true;
            }
            if slot.shape == SlotShape::PublicIp {
                slot.families.insert(Family::Ip);
            }
        }
        Ok(())
    }

    fn insert(&mut self, name: &str, shape: SlotShape, present_var: Option<VarId>) {
        let mut builder = DomainBuilder::new();
        let mut shape_matchers = Vec::new();
        match &shape {
            SlotShape::Matching(g) => shape_matchers.push(builder.add(g.clone())),
            // The excluded values become matchers when the slot is built, and only those
            // some policy matcher accepts (`build_slot`).
            _ => {}
        }
        self.slots.insert(
            name.to_string(),
            Slot {
                shape,
                present_var,
                families: BTreeSet::new(),
                multi: false,
                builder,
                num_scale: 0,
                binaries: Vec::new(),
                kind: None,
                shape_matchers,
            },
        );
    }

    pub fn hint(&mut self, name: &str, value: &str) {
        if let Some(s) = self.slots.get_mut(name) {
            s.builder.hint(value);
        }
    }

    fn slot(&mut self, name: &str) -> Enc<&mut Slot> {
        match self.slots.get_mut(name) {
            Some(s) => Ok(s),
            None => unknown(format!("internal: slot {name} not declared")),
        }
    }

    /// Builds every slot after the collect pass and switches to the encode pass.
    pub fn build(&mut self, domain_limit: usize) -> Enc<()> {
        // Each slot is taken out while it is built (building declares variables and adds
        // constraints), not cloned: a slot holds its matchers and excluded values.
        let mut slots = std::mem::take(&mut self.slots);
        let mut built = Ok(());
        for (name, slot) in slots.iter_mut() {
            match self.build_slot(name, slot, domain_limit) {
                Ok(kind) => slot.kind = Some(kind),
                Err(e) => {
                    built = Err(e);
                    break;
                }
            }
        }
        self.slots = slots;
        built?;
        self.collect = false;
        Ok(())
    }

    fn build_slot(&mut self, name: &str, slot: &mut Slot, limit: usize) -> Enc<SlotKind> {
        let fams: Vec<Family> = slot.families.iter().copied().collect();
        let family = match fams.as_slice() {
            [] => Family::Str,
            [f] => *f,
            _ => return unknown(format!("key {name} is compared as {fams:?} at once")),
        };
        if slot.multi && family != Family::Str {
            return unknown(format!("multi-valued key {name} compared as {family:?}"));
        }
        if family != Family::Str
            && !matches!(
                slot.shape,
                SlotShape::MaybeAbsent | SlotShape::Present | SlotShape::PublicIp
            )
        {
            return unknown(format!("shape of {name} needs a string key"));
        }
        if slot.shape == SlotShape::PublicIp && family != Family::Ip {
            return unknown(format!("public-IP key {name} compared as {family:?}"));
        }
        let v = |vars: &mut Vars, suffix: &str, sort: Sort| {
            vars.declare(&format!("{name}#{suffix}"), sort)
        };
        let kind = match family {
            Family::Str => {
                // The encode pass needs the built domain only, not the builder.
                let mut builder = std::mem::take(&mut slot.builder);
                let policy_matchers = builder.len();
                let mut shape_matchers = slot.shape_matchers.clone();
                // A single-valued key whose shape requires a pattern (the request's
                // resource) never takes a value outside it.
                if let (false, SlotShape::Matching(_), [m]) =
                    (slot.multi, &slot.shape, shape_matchers.as_slice())
                {
                    builder.guard(*m);
                }
                // Excluded values and patterns (`NoneOf`, `NoneLike`: e.g. every unique id
                // of the export for an outsider's `aws:userid`): one no policy matcher
                // accepts lies in a region of strings no policy tells apart, which holds
                // other strings, so leaving it out changes no answer; only the witness must
                // not pick it, which is checked below (then every one is excluded
                // explicitly). The same holds for an excluded prefix (`OUR-ROLE-ID:*`) no
                // policy matcher accepts any continuation of; other excluded patterns are
                // always matchers.
                let mut excluded = Excluded::default();
                if let SlotShape::PresentNoneOf { values, patterns } = &slot.shape {
                    let policy = builder.matchers().get(..policy_matchers).unwrap_or(&[]);
                    excluded = Excluded::policy_may_accept(values, patterns, policy);
                    for g in excluded.kept_matchers(values, patterns) {
                        shape_matchers.push(builder.add(g));
                    }
                }
                let build = |b: DomainBuilder| {
                    b.build_shared(limit)
                        .map_err(|e| Stop::Unknown(format!("key {name}: {e}")))
                };
                // The builder is kept only when the domain may have to be built again.
                let drops_some = match &slot.shape {
                    SlotShape::PresentNoneOf { values, patterns } => {
                        excluded.drops_some(values, patterns)
                    }
                    _ => false,
                };
                let first = if drops_some {
                    builder.clone()
                } else {
                    std::mem::take(&mut builder)
                };
                let mut domain = build(first)?;
                if let SlotShape::PresentNoneOf { values, patterns } = &slot.shape {
                    let picks_dropped = drops_some
                        && (0..domain.len()).any(|r| {
                            domain
                                .representative(r)
                                .is_some_and(|rep| excluded.drops(values, patterns, rep))
                        });
                    if picks_dropped {
                        for g in excluded.dropped_matchers(values, patterns) {
                            shape_matchers.push(builder.add(g));
                        }
                        domain = build(builder)?;
                    }
                }
                let n = domain.len();
                if slot.multi {
                    let has: Vec<VarId> = (0..n)
                        .map(|r| v(&mut self.vars, &format!("has{r}"), Sort::Bool))
                        .collect();
                    let any = Term::or(has.iter().map(|&h| Term::bool_var(h)));
                    if slot.present_var.is_none() {
                        self.constraints.push(any);
                    }
                    for &m in &shape_matchers {
                        for r in domain.accepting(m) {
                            if let Some(&h) = has.get(r as usize) {
                                self.constraints.push(Term::not(Term::bool_var(h)));
                            }
                        }
                    }
                    SlotKind::StrSet { has, domain }
                } else {
                    let var = v(&mut self.vars, "str", Sort::Enum(n));
                    for &m in &shape_matchers {
                        let t = Term::enum_in(var, n, domain.accepting(m));
                        self.constraints.push(match slot.shape {
                            SlotShape::Matching(_) => t,
                            _ => Term::not(t),
                        });
                    }
                    SlotKind::Str { var, domain }
                }
            }
            Family::Num => SlotKind::Num {
                var: v(&mut self.vars, "num", Sort::Int),
                valid: v(&mut self.vars, "valid", Sort::Bool),
                scale: slot.num_scale + 1,
            },
            Family::Date => {
                let var = v(&mut self.vars, "date", Sort::Int);
                self.constraints
                    .push(Term::int_cmp(var, Cmp::Ge, values::DATE_MIN_MS as i128));
                self.constraints
                    .push(Term::int_cmp(var, Cmp::Le, values::DATE_MAX_MS as i128));
                SlotKind::Date {
                    var,
                    valid: v(&mut self.vars, "valid", Sort::Bool),
                }
            }
            Family::Ip => {
                let is6 = v(&mut self.vars, "is6", Sort::Bool);
                let bits = v(&mut self.vars, "ip", Sort::Bv(128));
                let valid = v(&mut self.vars, "valid", Sort::Bool);
                // An IPv4 address lives in the low 32 bits.
                self.constraints.push(Term::or([
                    Term::bool_var(is6),
                    Term::bv_range(bits, 128, 0, u32::MAX as u128),
                ]));
                if slot.shape == SlotShape::PublicIp {
                    self.constraints.push(Term::bool_var(valid));
                    for (list, six) in [
                        (values::NON_PUBLIC_V4, false),
                        (values::NON_PUBLIC_V6, true),
                    ] {
                        for cidr in list {
                            if let Some((_, lo, hi)) = values::parse_network_range(cidr) {
                                let fam = if six {
                                    Term::bool_var(is6)
                                } else {
                                    Term::not(Term::bool_var(is6))
                                };
                                self.constraints.push(Term::not(Term::and([
                                    fam,
                                    Term::bv_range(bits, 128, lo, hi),
                                ])));
                            }
                        }
                    }
                }
                SlotKind::Ip { is6, bits, valid }
            }
            Family::Bool => {
                // A key AWS always sets to true or false has no third value: a witness must
                // not avoid a `Bool` condition by sending neither.
                let key = name.rsplit('/').next().unwrap_or(name);
                let mut cands = vec!["true".to_string(), "false".to_string()];
                if !is_boolean_key(key) {
                    cands.push("x".to_string());
                }
                SlotKind::Choice {
                    var: v(&mut self.vars, "choice", Sort::Enum(cands.len() as u32)),
                    cands,
                }
            }
            Family::Binary => {
                let mut cands: Vec<String> = slot
                    .binaries
                    .iter()
                    .map(|b| values::encode_base64(b))
                    .collect();
                // One more valid value equal to none of them, and one unreadable value.
                let mut other = vec![0u8];
                while slot.binaries.contains(&other) {
                    other.push(0);
                }
                cands.push(values::encode_base64(&other));
                cands.push("!".to_string());
                let n = cands.len() as u32;
                SlotKind::Choice {
                    var: v(&mut self.vars, "choice", Sort::Enum(n)),
                    cands,
                }
            }
        };
        Ok(kind)
    }

    /// Presence of a key slot as a term.
    pub fn present(&mut self, name: &str) -> Enc<Term> {
        if self.collect {
            return Ok(self.opaque());
        }
        let slot = self.slot(name)?;
        if let Some(SlotKind::StrSet { has, .. }) = &slot.kind {
            return Ok(Term::or(has.iter().map(|&h| Term::bool_var(h))));
        }
        Ok(match slot.present_var {
            Some(p) => Term::bool_var(p),
            None => TRUE,
        })
    }

    /// Does the (single) value of a string slot match `g`?
    pub fn str_matches(&mut self, v: &StrVal, g: &Glob) -> Enc<Term> {
        match v {
            StrVal::Concrete(s) => Ok(Term::Const(g.matches(s))),
            StrVal::Slot(name) => {
                let collect = self.collect;
                let slot = self.slot(name)?;
                if collect {
                    slot.families.insert(Family::Str);
                    slot.builder.add(g.clone());
                    return Ok(Term::BoolVar(self.dummy));
                }
                match &slot.kind {
                    Some(SlotKind::Str { var, domain }) => {
                        let idx = domain.index_of(g).ok_or_else(|| {
                            Stop::Unknown(format!("internal: pattern {g} not collected for {name}"))
                        })?;
                        Ok(Term::enum_in(*var, domain.len(), domain.accepting(idx)))
                    }
                    other => unknown(format!("internal: {name} is not a string slot: {other:?}")),
                }
            }
        }
    }

    /// The value-level predicate on a key slot: for single-valued slots a term; `None` for
    /// multi-valued string slots (the caller combines per region).
    fn pred_on_slot(&mut self, name: &str, pred: &Pred) -> Enc<Term> {
        let collect = self.collect;
        let dummy = self.dummy;
        let slot = self.slot(name)?;
        if collect {
            slot.families.insert(pred.family());
            match pred {
                Pred::Globs(gs) => {
                    for g in gs {
                        slot.builder.add(g.clone());
                    }
                }
                Pred::Num(cs) => {
                    for (_, d) in cs {
                        slot.num_scale = slot.num_scale.max(d.scale);
                    }
                }
                Pred::Binary(bs) => {
                    for b in bs {
                        if !slot.binaries.contains(b) {
                            slot.binaries.push(b.clone());
                        }
                    }
                }
                _ => {}
            }
            return Ok(Term::BoolVar(dummy));
        }
        let kind = slot.kind.clone();
        match (kind, pred) {
            (Some(SlotKind::Str { var, domain }), Pred::Globs(gs)) => {
                let mut regions = Vec::new();
                for g in gs {
                    let idx = domain.index_of(g).ok_or_else(|| {
                        Stop::Unknown(format!("internal: pattern {g} not collected"))
                    })?;
                    regions.extend(domain.accepting(idx));
                }
                Ok(Term::enum_in(var, domain.len(), regions))
            }
            (Some(SlotKind::Num { var, valid, scale }), Pred::Num(cs)) => {
                let mut alts = Vec::new();
                for (op, d) in cs {
                    let c = d
                        .at_scale(scale)
                        .ok_or_else(|| Stop::Unknown(format!("number {d:?} out of range")))?;
                    alts.push(Term::int_cmp(var, *op, c));
                }
                Ok(Term::and([Term::bool_var(valid), Term::or(alts)]))
            }
            (Some(SlotKind::Date { var, valid }), Pred::Date(cs)) => Ok(Term::and([
                Term::bool_var(valid),
                Term::or(cs.iter().map(|(op, c)| Term::int_cmp(var, *op, *c))),
            ])),
            (Some(SlotKind::Ip { is6, bits, valid }), Pred::Ip(nets)) => Ok(Term::and([
                Term::bool_var(valid),
                Term::or(nets.iter().map(|(n6, lo, hi)| {
                    let fam = if *n6 {
                        Term::bool_var(is6)
                    } else {
                        Term::not(Term::bool_var(is6))
                    };
                    Term::and([fam, Term::bv_range(bits, 128, *lo, *hi)])
                })),
            ])),
            (Some(SlotKind::Choice { var, cands }), p @ (Pred::Bool(_) | Pred::Binary(_))) => {
                let n = cands.len() as u32;
                Ok(Term::enum_in(
                    var,
                    n,
                    cands
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| p.holds(c))
                        .map(|(i, _)| i as u32),
                ))
            }
            (kind, p) => unknown(format!(
                "internal: slot {name} ({kind:?}) vs {:?}",
                p.family()
            )),
        }
    }

    /// Encodes one condition entry on a key value.
    pub fn condition(
        &mut self,
        cond: &Condition,
        kv: &KeyVal,
        lookup: Lookup<'_, '_>,
    ) -> Enc<Term> {
        let op = &cond.operator;
        if let OperatorBase::Unknown(_) = op.base {
            return unknown(format!("unsupported condition operator `{}`", op.raw));
        }
        if op.base == OperatorBase::Null {
            let mut wants = Vec::new();
            for v in &cond.values {
                match v.to_ascii_lowercase().as_str() {
                    "true" => wants.push(false),
                    "false" => wants.push(true),
                    other => {
                        return unknown(format!("Null expects true or false, found {other:?}"))
                    }
                }
            }
            let present = match kv {
                KeyVal::Absent => FALSE,
                KeyVal::Concrete(cv) => Term::Const(!cv.values().is_empty()),
                KeyVal::Slot(name) => self.present(name)?,
            };
            return Ok(Term::or(wants.into_iter().map(|w| {
                if w {
                    present.clone()
                } else {
                    Term::not(present.clone())
                }
            })));
        }
        let pred = condition_pred(cond, lookup)?;
        let negated = op.base.is_negated();
        let absent_result = op.if_exists
            || match op.set {
                Some(SetQualifier::ForAllValues) => true,
                Some(SetQualifier::ForAnyValue) => false,
                None => negated,
            };
        let sat = |holds: Term| if negated { Term::not(holds) } else { holds };
        // "every value satisfies" vs "some value satisfies".
        let universal = match op.set {
            Some(SetQualifier::ForAllValues) => true,
            Some(SetQualifier::ForAnyValue) => false,
            None => negated,
        };
        match kv {
            KeyVal::Absent => Ok(Term::Const(absent_result)),
            KeyVal::Concrete(cv) => {
                let vs = cv.values();
                if vs.is_empty() {
                    return Ok(Term::Const(absent_result));
                }
                let each = vs.iter().map(|r| sat(Term::Const(pred.holds(r))));
                Ok(if universal {
                    Term::and(each)
                } else {
                    Term::or(each)
                })
            }
            KeyVal::Slot(name) => {
                if self.collect {
                    if op.set.is_some() {
                        self.slot(name)?.multi = true;
                    }
                    return self.pred_on_slot(name, &pred);
                }
                let kind = self.slot(name)?.kind.clone();
                let present = self.present(name)?;
                let when_present = match kind {
                    Some(SlotKind::StrSet { has, domain }) => {
                        let gs = match &pred {
                            Pred::Globs(gs) => gs,
                            _ => return unknown(format!("internal: multi-valued {name} vs typed")),
                        };
                        let idx: Vec<usize> = gs
                            .iter()
                            .map(|g| domain.index_of(g))
                            .collect::<Option<_>>()
                            .ok_or_else(|| {
                                Stop::Unknown("internal: pattern not collected".into())
                            })?;
                        let per_region = has.iter().enumerate().map(|(r, &h)| {
                            let holds = idx
                                .iter()
                                .any(|&i| domain.accepting(i).contains(&(r as u32)));
                            let s = if negated { !holds } else { holds };
                            if universal {
                                Term::implies(Term::bool_var(h), Term::Const(s))
                            } else {
                                Term::and([Term::bool_var(h), Term::Const(s)])
                            }
                        });
                        if universal {
                            Term::and(per_region)
                        } else {
                            Term::or(per_region)
                        }
                    }
                    _ => sat(self.pred_on_slot(name, &pred)?),
                };
                Ok(Term::ite(present, when_present, Term::Const(absent_result)))
            }
        }
    }

    /// The built kind of a slot (encode pass).
    pub fn kind(&self, name: &str) -> Option<&SlotKind> {
        self.slots.get(name).and_then(|s| s.kind.as_ref())
    }

    pub fn present_var(&self, name: &str) -> Option<VarId> {
        self.slots.get(name).and_then(|s| s.present_var)
    }

    pub fn slot_names(&self) -> impl Iterator<Item = &String> {
        self.slots.keys()
    }
}

impl Default for Slots {
    fn default() -> Slots {
        Slots::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::ConditionOperator;

    fn cond(op: &str, key: &str, values: &[&str]) -> Condition {
        Condition {
            operator: ConditionOperator::from_raw(op),
            key: key.into(),
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    /// Concrete conditions fold to the constant eval computes.
    fn check(op: &str, values: &[&str], request: Option<ContextValue>, expect: bool) {
        let mut s = Slots::new();
        s.collect = false;
        let kv = match request {
            Some(v) => KeyVal::Concrete(v),
            None => KeyVal::Absent,
        };
        let t = s.condition(&cond(op, "k", values), &kv, None).unwrap();
        assert_eq!(t, Term::Const(expect), "{op} {values:?} {kv:?}");
    }

    fn one(v: &str) -> Option<ContextValue> {
        Some(ContextValue::Single(v.into()))
    }

    fn many(v: &[&str]) -> Option<ContextValue> {
        Some(ContextValue::Multi(
            v.iter().map(|s| s.to_string()).collect(),
        ))
    }

    #[test]
    fn concrete_conditions_follow_the_iam_rules() {
        check("StringEquals", &["a", "b"], one("b"), true);
        check("StringNotEquals", &["a", "b"], one("b"), false);
        check("StringNotEquals", &["a"], None, true);
        check("StringEquals", &["a"], None, false);
        check("StringEqualsIfExists", &["a"], None, true);
        check("StringLike", &["a*"], one("abc"), true);
        check("StringEqualsIgnoreCase", &["ABC"], one("abc"), true);
        check("ForAllValues:StringEquals", &["a"], many(&[]), true);
        check("ForAnyValue:StringEquals", &["a"], many(&["b", "a"]), true);
        check(
            "ForAllValues:StringEquals",
            &["a"],
            many(&["b", "a"]),
            false,
        );
        check("StringNotEquals", &["a"], many(&["b", "a"]), false);
        check("NumericLessThan", &["10"], one("9.5"), true);
        check("NumericNotEquals", &["10"], one("x"), true);
        check(
            "DateGreaterThan",
            &["2020-01-01"],
            one("2021-01-01T00:00:00Z"),
            true,
        );
        check("IpAddress", &["10.0.0.0/8"], one("10.1.2.3"), true);
        check("NotIpAddress", &["10.0.0.0/8"], one("::1"), true);
        check("Bool", &["true"], one("TRUE"), true);
        check("BinaryEquals", &["aGVsbG8="], one("aGVsbG8"), true);
        check(
            "ArnLike",
            &["arn:aws:sns:*:1:*"],
            one("arn:aws:sns:us-east-1:1:t"),
            true,
        );
        check(
            "ArnLike",
            &["arn:aws:*:1:t"],
            one("arn:aws:sns:us-east-1:1:t"),
            false,
        );
        check("ArnLike", &["*"], one("x"), true);
        check("Null", &["true"], None, true);
        check("Null", &["false"], many(&[]), false);
    }

    #[test]
    fn variables_substitute_or_drop_the_value() {
        let mut look = |k: &str| -> Enc<VarValue> {
            Ok(if k.eq_ignore_ascii_case("aws:username") {
                VarValue::Text("al*ce".into())
            } else {
                VarValue::NoValue
            })
        };
        let g = compile("home/${aws:username}/*", true, true, false, Some(&mut look))
            .unwrap()
            .unwrap();
        assert!(g.matches("home/al*ce/x"));
        assert!(!g.matches("home/alice/x"));
        assert!(compile(
            "t/${aws:PrincipalTag/x}",
            true,
            true,
            false,
            Some(&mut look)
        )
        .unwrap()
        .is_none());
        let g = compile(
            "t/${aws:PrincipalTag/x, 'd''x'}",
            true,
            true,
            false,
            Some(&mut look),
        )
        .unwrap()
        .unwrap();
        assert!(g.matches("t/d'x"));
        let g = compile("a${*}", true, true, false, Some(&mut look))
            .unwrap()
            .unwrap();
        assert!(g.matches("a*") && !g.matches("ab"));
    }
}
