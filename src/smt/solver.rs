//! The `Solver` trait every backend implements, its results and the stage's error enum.
//!
//! A backend decides a conjunction of `Term`s. `Unknown` is a result of its own (timeout,
//! resource limit), never folded into `Unsat`. On `Unsat` the backend names a subset of the
//! assertions that is already unsatisfiable (an unsat core), which the question layer turns
//! into the statements that decided a denial.

use super::term::{Model, Term, Vars};
use std::time::Duration;

/// Default per-question timeout: past it the answer is `Unknown`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// The outcome of one satisfiability check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SatResult {
    /// Satisfiable, with a model of every variable the assertions mention.
    Sat(Model),
    /// Unsatisfiable; the indices (into the assertion slice) of an unsatisfiable subset.
    Unsat(Vec<usize>),
    /// The backend could not decide (timeout, resource limit, unsupported construct).
    Unknown(String),
}

/// Errors of the `smt` stage.
#[derive(Debug, thiserror::Error)]
pub enum SolverError {
    /// The backend failed in a way that is not "unknown" (a bug or a broken library).
    #[error("solver backend failed: {0}")]
    Backend(String),
    /// A term mentions a variable the table does not declare, or uses it at the wrong sort.
    #[error("ill-formed term: {0}")]
    IllFormed(String),
    /// The concrete evaluator rejected a witness the solver produced: the encoding and the
    /// oracle disagree. This is a bug in one of them and is never reported as a finding.
    #[error("witness rejected by the concrete evaluator: {0}")]
    WitnessRejected(String),
    /// The question itself is malformed (e.g. an ARN that cannot be a principal).
    #[error("bad question: {0}")]
    BadQuestion(String),
}

/// A satisfiability backend.
pub trait Solver {
    /// Decides the conjunction of `assertions` over the variables in `vars` within
    /// `timeout`. Enum variables are constrained to their domain by the backend.
    fn check(
        &mut self,
        vars: &Vars,
        assertions: &[Term],
        timeout: Duration,
    ) -> Result<SatResult, SolverError>;
}

/// Decides assertions that fold to constants without a backend: returns `Some` when every
/// assertion is a constant (a model of defaults, or the index of a `false`).
pub fn decide_constants(assertions: &[Term]) -> Option<SatResult> {
    if let Some(i) = assertions.iter().position(|t| t.as_const() == Some(false)) {
        return Some(SatResult::Unsat(vec![i]));
    }
    if assertions.iter().all(|t| t.as_const() == Some(true)) {
        return Some(SatResult::Sat(Model::new()));
    }
    None
}

/// A complete decision procedure by enumeration, for tests and tiny problems: it tries
/// every assignment of the variables' *relevant* values (enum values, range endpoints).
/// Exponential; used to cross-check the Z3 backend in unit tests, never on the hot path.
#[cfg(test)]
pub struct BruteForce;

#[cfg(test)]
impl Solver for BruteForce {
    fn check(
        &mut self,
        vars: &Vars,
        assertions: &[Term],
        _timeout: Duration,
    ) -> Result<SatResult, SolverError> {
        use super::term::{Sort, Value};
        let all = Term::and(assertions.iter().cloned());
        let ids = all.vars();
        // Candidate values per variable: enough to hit every atom's boundary.
        let mut cands: Vec<Vec<Value>> = Vec::new();
        for &v in &ids {
            let sort = vars
                .sort(v)
                .ok_or_else(|| SolverError::IllFormed(format!("undeclared var {v}")))?;
            let mut vals = Vec::new();
            match sort {
                Sort::Bool => vals.extend([Value::Bool(false), Value::Bool(true)]),
                Sort::Enum(n) => vals.extend((0..n).map(Value::Enum)),
                Sort::Bv(_) | Sort::Int => {
                    let mut points: Vec<i128> = vec![0];
                    atoms_for(&all, v, &mut points);
                    for p in points {
                        for d in [-1i128, 0, 1] {
                            let x = p + d;
                            match sort {
                                Sort::Bv(_) if x >= 0 => vals.push(Value::Bv(x as u128)),
                                Sort::Int if x >= i64::MIN as i128 && x <= i64::MAX as i128 => {
                                    vals.push(Value::Int(x as i64))
                                }
                                _ => {}
                            }
                        }
                    }
                }
            }
            cands.push(vals);
        }
        let mut idx = vec![0usize; ids.len()];
        loop {
            let mut m = Model::new();
            for (k, &v) in ids.iter().enumerate() {
                m.set(v, cands[k][idx[k]]);
            }
            if all.eval(&m) {
                return Ok(SatResult::Sat(m));
            }
            let mut k = 0;
            loop {
                if k == ids.len() {
                    return Ok(SatResult::Unsat((0..assertions.len()).collect()));
                }
                idx[k] += 1;
                if idx[k] < cands[k].len() {
                    break;
                }
                idx[k] = 0;
                k += 1;
            }
        }
    }
}

#[cfg(test)]
fn atoms_for(t: &Term, v: super::term::VarId, out: &mut Vec<i128>) {
    match t {
        Term::BvRange(w, lo, hi) if *w == v => out.extend([*lo as i128, *hi as i128]),
        Term::IntCmp(w, _, c) if *w == v => out.push(*c),
        Term::Not(x) => atoms_for(x, v, out),
        Term::And(xs) | Term::Or(xs) => xs.iter().for_each(|x| atoms_for(x, v, out)),
        _ => {}
    }
}
