//! The solver-agnostic term IR: boolean formulas over finite-domain string variables,
//! bit-vectors (IP addresses), integers (numbers, dates) and booleans.
//!
//! Terms are built only through folding constructors (`Term::and`, `Term::or`,
//! `Term::not`, `Term::enum_in`, …): constants are propagated as the term is built, so a
//! question whose answer does not depend on any variable never reaches a solver.

use std::collections::HashMap;
use std::fmt;

/// Index of a declared variable in `Vars`.
pub type VarId = u32;

/// The sort of a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sort {
    Bool,
    /// A value among `0..n` (a string key over its finite domain of regions). `n >= 1`.
    Enum(u32),
    /// An unsigned bit-vector of the given width (IP addresses: 128).
    Bv(u32),
    /// A mathematical integer (numbers scaled to integers, dates as epoch seconds).
    Int,
}

/// A declared variable: a readable name (for debugging and witnesses) and its sort.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarDecl {
    pub name: String,
    pub sort: Sort,
}

/// The variable table of one question. Variables are identified by name, so hops of a
/// chain that name the same key share the variable.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    decls: Vec<VarDecl>,
    by_name: HashMap<String, VarId>,
}

impl Vars {
    pub fn new() -> Vars {
        Vars::default()
    }

    /// Declares `name` with `sort`, or returns the existing variable of that name. A name
    /// declared twice with different sorts gets a distinct variable for the second sort
    /// (suffixed), so the table never holds an ill-sorted term.
    pub fn declare(&mut self, name: &str, sort: Sort) -> VarId {
        if let Some(&id) = self.by_name.get(name) {
            if self.decls.get(id as usize).map(|d| d.sort) == Some(sort) {
                return id;
            }
            let renamed = format!("{name}#{sort:?}");
            return self.declare(&renamed, sort);
        }
        let id = self.decls.len() as VarId;
        self.decls.push(VarDecl {
            name: name.to_string(),
            sort,
        });
        self.by_name.insert(name.to_string(), id);
        id
    }

    pub fn get(&self, id: VarId) -> Option<&VarDecl> {
        self.decls.get(id as usize)
    }

    pub fn sort(&self, id: VarId) -> Option<Sort> {
        self.get(id).map(|d| d.sort)
    }

    pub fn lookup(&self, name: &str) -> Option<VarId> {
        self.by_name.get(name).copied()
    }

    pub fn len(&self) -> usize {
        self.decls.len()
    }

    pub fn is_empty(&self) -> bool {
        self.decls.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (VarId, &VarDecl)> {
        self.decls.iter().enumerate().map(|(i, d)| (i as VarId, d))
    }
}

/// Integer comparison `var OP constant`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    pub fn holds(self, a: i128, b: i128) -> bool {
        match self {
            Cmp::Eq => a == b,
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
        }
    }
}

/// A boolean formula. Build with the folding constructors; the variants are public so
/// backends can translate them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Term {
    Const(bool),
    /// A `Sort::Bool` variable.
    BoolVar(VarId),
    /// An `Enum` variable takes one of the listed values (sorted, deduplicated, non-empty,
    /// not all of the domain — those fold to constants).
    EnumIn(VarId, Vec<u32>),
    /// A `Bv` variable lies in the closed unsigned range `lo..=hi`.
    BvRange(VarId, u128, u128),
    /// An `Int` variable compared with a constant (i64 range; the constant may be outside).
    IntCmp(VarId, Cmp, i128),
    Not(Box<Term>),
    /// Conjunction of at least two non-constant terms.
    And(Vec<Term>),
    /// Disjunction of at least two non-constant terms.
    Or(Vec<Term>),
}

pub const TRUE: Term = Term::Const(true);
pub const FALSE: Term = Term::Const(false);

impl Term {
    pub fn bool_var(v: VarId) -> Term {
        Term::BoolVar(v)
    }

    /// `v ∈ values` for an enum variable of domain size `size`.
    pub fn enum_in(v: VarId, size: u32, values: impl IntoIterator<Item = u32>) -> Term {
        let mut vals: Vec<u32> = values.into_iter().filter(|&x| x < size).collect();
        vals.sort_unstable();
        vals.dedup();
        if vals.is_empty() {
            FALSE
        } else if vals.len() as u32 == size {
            TRUE
        } else {
            Term::EnumIn(v, vals)
        }
    }

    /// `lo <= v <= hi` for a bit-vector variable of `width` bits.
    pub fn bv_range(v: VarId, width: u32, lo: u128, hi: u128) -> Term {
        let max = if width >= 128 {
            u128::MAX
        } else {
            (1u128 << width) - 1
        };
        let hi = hi.min(max);
        if lo > hi {
            FALSE
        } else if lo == 0 && hi == max {
            TRUE
        } else {
            Term::BvRange(v, lo, hi)
        }
    }

    /// `v OP c` for an integer variable (ranging over i64).
    pub fn int_cmp(v: VarId, op: Cmp, c: i128) -> Term {
        let (min, max) = (i64::MIN as i128, i64::MAX as i128);
        let always = |t: bool| Term::Const(t);
        match op {
            Cmp::Eq if c < min || c > max => always(false),
            Cmp::Lt if c <= min => always(false),
            Cmp::Lt if c > max => always(true),
            Cmp::Le if c < min => always(false),
            Cmp::Le if c >= max => always(true),
            Cmp::Gt if c >= max => always(false),
            Cmp::Gt if c < min => always(true),
            Cmp::Ge if c > max => always(false),
            Cmp::Ge if c <= min => always(true),
            _ => Term::IntCmp(v, op, c),
        }
    }

    pub fn not(t: Term) -> Term {
        match t {
            Term::Const(b) => Term::Const(!b),
            Term::Not(inner) => *inner,
            other => Term::Not(Box::new(other)),
        }
    }

    /// Conjunction: flattens nested `And`s, drops `true`, folds to `false` on any `false`.
    pub fn and(terms: impl IntoIterator<Item = Term>) -> Term {
        let mut out = Vec::new();
        for t in terms {
            match t {
                Term::Const(true) => {}
                Term::Const(false) => return FALSE,
                Term::And(inner) => out.extend(inner),
                other => out.push(other),
            }
        }
        out.dedup();
        match out.len() {
            0 => TRUE,
            1 => out.pop().unwrap_or(TRUE),
            _ => Term::And(out),
        }
    }

    /// Disjunction: flattens nested `Or`s, drops `false`, folds to `true` on any `true`.
    pub fn or(terms: impl IntoIterator<Item = Term>) -> Term {
        let mut out = Vec::new();
        for t in terms {
            match t {
                Term::Const(false) => {}
                Term::Const(true) => return TRUE,
                Term::Or(inner) => out.extend(inner),
                other => out.push(other),
            }
        }
        out.dedup();
        match out.len() {
            0 => FALSE,
            1 => out.pop().unwrap_or(FALSE),
            _ => Term::Or(out),
        }
    }

    pub fn and2(a: Term, b: Term) -> Term {
        Term::and([a, b])
    }

    pub fn or2(a: Term, b: Term) -> Term {
        Term::or([a, b])
    }

    /// `a → b`.
    pub fn implies(a: Term, b: Term) -> Term {
        Term::or([Term::not(a), b])
    }

    /// `if c then a else b`, as `(c ∧ a) ∨ (¬c ∧ b)`.
    pub fn ite(c: Term, a: Term, b: Term) -> Term {
        match c {
            Term::Const(true) => a,
            Term::Const(false) => b,
            c => Term::or([Term::and2(c.clone(), a), Term::and2(Term::not(c), b)]),
        }
    }

    pub fn as_const(&self) -> Option<bool> {
        match self {
            Term::Const(b) => Some(*b),
            _ => None,
        }
    }

    /// Evaluates the term under a model (variables the model does not mention take the
    /// default value of their sort: `false`, `0`).
    pub fn eval(&self, model: &Model) -> bool {
        match self {
            Term::Const(b) => *b,
            Term::BoolVar(v) => model.bool_value(*v),
            Term::EnumIn(v, vals) => vals.binary_search(&model.enum_value(*v)).is_ok(),
            Term::BvRange(v, lo, hi) => {
                let x = model.bv_value(*v);
                *lo <= x && x <= *hi
            }
            Term::IntCmp(v, op, c) => op.holds(model.int_value(*v) as i128, *c),
            Term::Not(t) => !t.eval(model),
            Term::And(ts) => ts.iter().all(|t| t.eval(model)),
            Term::Or(ts) => ts.iter().any(|t| t.eval(model)),
        }
    }

    /// Every variable the term mentions, each once, in first-occurrence order.
    pub fn vars(&self) -> Vec<VarId> {
        let mut out = Vec::new();
        self.collect_vars(&mut out);
        let mut seen = std::collections::HashSet::new();
        out.retain(|v| seen.insert(*v));
        out
    }

    fn collect_vars(&self, out: &mut Vec<VarId>) {
        match self {
            Term::Const(_) => {}
            Term::BoolVar(v)
            | Term::EnumIn(v, _)
            | Term::BvRange(v, _, _)
            | Term::IntCmp(v, _, _) => out.push(*v),
            Term::Not(t) => t.collect_vars(out),
            Term::And(ts) | Term::Or(ts) => ts.iter().for_each(|t| t.collect_vars(out)),
        }
    }

    /// Number of nodes (for statistics and limits).
    pub fn size(&self) -> usize {
        match self {
            Term::Not(t) => 1 + t.size(),
            Term::And(ts) | Term::Or(ts) => 1 + ts.iter().map(Term::size).sum::<usize>(),
            _ => 1,
        }
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Term::Const(b) => write!(f, "{b}"),
            Term::BoolVar(v) => write!(f, "b{v}"),
            Term::EnumIn(v, vals) => write!(f, "e{v}∈{vals:?}"),
            Term::BvRange(v, lo, hi) => write!(f, "{lo}≤x{v}≤{hi}"),
            Term::IntCmp(v, op, c) => write!(f, "i{v} {op:?} {c}"),
            Term::Not(t) => write!(f, "¬({t})"),
            Term::And(ts) | Term::Or(ts) => {
                let sep = if matches!(self, Term::And(_)) {
                    " ∧ "
                } else {
                    " ∨ "
                };
                write!(f, "(")?;
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        write!(f, "{sep}")?;
                    }
                    write!(f, "{t}")?;
                }
                write!(f, ")")
            }
        }
    }
}

/// A value of one variable in a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    Bool(bool),
    Enum(u32),
    Bv(u128),
    Int(i64),
}

/// An assignment of values to variables (a solver's model). Unassigned variables read as
/// the default of their sort.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Model {
    values: HashMap<VarId, Value>,
}

impl Model {
    pub fn new() -> Model {
        Model::default()
    }

    pub fn set(&mut self, v: VarId, value: Value) {
        self.values.insert(v, value);
    }

    pub fn get(&self, v: VarId) -> Option<Value> {
        self.values.get(&v).copied()
    }

    pub fn bool_value(&self, v: VarId) -> bool {
        matches!(self.get(v), Some(Value::Bool(true)))
    }

    pub fn enum_value(&self, v: VarId) -> u32 {
        match self.get(v) {
            Some(Value::Enum(x)) => x,
            _ => 0,
        }
    }

    pub fn bv_value(&self, v: VarId) -> u128 {
        match self.get(v) {
            Some(Value::Bv(x)) => x,
            _ => 0,
        }
    }

    pub fn int_value(&self, v: VarId) -> i64 {
        match self.get(v) {
            Some(Value::Int(x)) => x,
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(t: Term, expect: &str) {
        assert_eq!(t.to_string(), expect);
    }

    #[test]
    fn constructors_fold_constants() {
        let mut vars = Vars::new();
        let a = vars.declare("a", Sort::Bool);
        let e = vars.declare("e", Sort::Enum(3));
        let ip = vars.declare("ip", Sort::Bv(32));
        let n = vars.declare("n", Sort::Int);
        check(Term::and([TRUE, Term::bool_var(a)]), "b0");
        check(Term::and([FALSE, Term::bool_var(a)]), "false");
        check(Term::or([TRUE, Term::bool_var(a)]), "true");
        check(Term::or([FALSE, FALSE]), "false");
        check(Term::and([]), "true");
        check(Term::not(Term::not(Term::bool_var(a))), "b0");
        check(Term::enum_in(e, 3, [0, 1, 2]), "true");
        check(Term::enum_in(e, 3, [5]), "false");
        check(Term::enum_in(e, 3, [2, 0, 2]), "e1∈[0, 2]");
        check(Term::bv_range(ip, 32, 0, u32::MAX as u128), "true");
        check(Term::bv_range(ip, 32, 5, 4), "false");
        check(Term::int_cmp(n, Cmp::Lt, i64::MIN as i128), "false");
        check(Term::int_cmp(n, Cmp::Ge, i64::MIN as i128), "true");
        check(Term::ite(TRUE, Term::bool_var(a), FALSE), "b0");
        check(
            Term::and([
                Term::and([Term::bool_var(a), Term::enum_in(e, 3, [1])]),
                Term::bool_var(a),
            ]),
            "(b0 ∧ e1∈[1] ∧ b0)",
        );
    }

    #[test]
    fn vars_are_shared_by_name_and_split_by_sort() {
        let mut vars = Vars::new();
        let a = vars.declare("k", Sort::Bool);
        assert_eq!(vars.declare("k", Sort::Bool), a);
        let b = vars.declare("k", Sort::Int);
        assert_ne!(a, b);
        assert_eq!(vars.sort(b), Some(Sort::Int));
    }

    #[test]
    fn eval_follows_the_model() {
        let mut vars = Vars::new();
        let e = vars.declare("e", Sort::Enum(4));
        let ip = vars.declare("ip", Sort::Bv(128));
        let mut m = Model::new();
        m.set(e, Value::Enum(2));
        m.set(ip, Value::Bv(7));
        assert!(Term::enum_in(e, 4, [1, 2]).eval(&m));
        assert!(!Term::enum_in(e, 4, [1, 3]).eval(&m));
        assert!(Term::bv_range(ip, 128, 7, 9).eval(&m));
        assert!(!Term::not(Term::bv_range(ip, 128, 0, 9)).eval(&m));
    }
}
