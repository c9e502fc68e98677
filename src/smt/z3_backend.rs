//! The Z3 backend of the `Solver` trait — the only file in leakpath that imports `z3`.
//!
//! Z3 contexts are not `Send`, so each rayon worker owns one context and one solver,
//! created on first use and kept for the thread's life (the context is leaked on purpose:
//! it must outlive the solver that borrows it, and a thread creates only one). A thread
//! outside the pool hands its checks to a worker rather than making a context.
//! Every check runs between `push` and `pop`, so the solver is reused across questions, and
//! a check already decided (same sorts, assertions and timeout) is answered from `ANSWERS`
//! without Z3.
//! Only the theories that are fast in Z3 are used: booleans, linear integer arithmetic
//! (enum-coded strings, numbers, dates) and bit-vectors (IP addresses); Z3's string theory
//! is never touched.

use super::cache::{key_hash, SharedCache};
use super::solver::{SatResult, Solver, SolverError};
use super::term::{Cmp, Model, Sort, Term, Value, VarId, Vars};
use std::cell::RefCell;
use std::time::Duration;
use z3::ast::{Ast, Bool, Int, BV};

/// The Z3 backend: a handle to the calling thread's Z3 context and solver.
#[derive(Debug, Clone, Copy, Default)]
pub struct Z3Backend;

impl Z3Backend {
    pub fn new() -> Z3Backend {
        Z3Backend
    }
}

struct ThreadSolver {
    ctx: &'static z3::Context,
    solver: z3::Solver<'static>,
    /// The timeout last set: setting parameters is costly in Z3 (it re-initializes the
    /// solver's configuration), so it is set only when it changes.
    timeout_ms: std::cell::Cell<u32>,
    /// Checks since the solver was made: Z3 keeps what it learned in popped scopes, so a
    /// thread answering thousands of questions starts a fresh solver now and then.
    checks: std::cell::Cell<u32>,
}

/// Checks one solver answers before it is replaced (bounds Z3's memory on large scans).
const CHECKS_PER_SOLVER: u32 = 2_000;

thread_local! {
    static THREAD_SOLVER: RefCell<Option<ThreadSolver>> = const { RefCell::new(None) };
}

fn with_thread_solver<R>(f: impl FnOnce(&ThreadSolver) -> R) -> R {
    THREAD_SOLVER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let ts = slot.get_or_insert_with(|| {
            let mut cfg = z3::Config::new();
            cfg.set_model_generation(true);
            let ctx: &'static z3::Context = Box::leak(Box::new(z3::Context::new(&cfg)));
            ThreadSolver {
                ctx,
                solver: z3::Solver::new(ctx),
                timeout_ms: std::cell::Cell::new(0),
                checks: std::cell::Cell::new(0),
            }
        });
        if ts.checks.get() >= CHECKS_PER_SOLVER {
            ts.solver = z3::Solver::new(ts.ctx);
            ts.timeout_ms.set(0);
            ts.checks.set(0);
        }
        ts.checks.set(ts.checks.get() + 1);
        f(ts)
    })
}

/// Decided answers of the checks made so far, shared by every thread. A large scan asks
/// the same conjunction many times over (principals with the same policies reading the
/// same bucket; the cases of a symbolic principal that the policies treat alike): on the
/// 1,000-role export, 8,500 checks are 450 distinct ones. A check is its variables' sorts
/// (names do not matter: a model and a core are read by variable id and assertion index),
/// its assertions and its timeout, compared in full, so an answer is reused only for the
/// very same question. `Unknown` is not kept (it may be a timeout under load).
/// At most 20,000 are kept before the cache starts over.
static ANSWERS: SharedCache<CachedAnswer> = SharedCache::new(20_000);

struct CachedAnswer {
    sorts: Vec<Sort>,
    assertions: Vec<Term>,
    timeout_ms: u32,
    result: SatResult,
}

/// A variable translated to Z3.
#[derive(Clone)]
enum Z3Var<'ctx> {
    Bool(Bool<'ctx>),
    Int(Int<'ctx>),
    Bv(BV<'ctx>, u32),
}

struct Translator<'a, 'ctx> {
    ctx: &'ctx z3::Context,
    vars: &'a Vars,
    consts: Vec<Option<Z3Var<'ctx>>>,
    /// Domain constraints of the enum variables created so far.
    domain: Vec<Bool<'ctx>>,
}

impl<'a, 'ctx> Translator<'a, 'ctx> {
    fn var(&mut self, v: VarId) -> Result<Z3Var<'ctx>, SolverError> {
        if let Some(Some(z)) = self.consts.get(v as usize) {
            return Ok(z.clone());
        }
        let decl = self
            .vars
            .get(v)
            .ok_or_else(|| SolverError::IllFormed(format!("variable {v} is not declared")))?;
        let name = format!("v{v}");
        let z = match decl.sort {
            Sort::Bool => Z3Var::Bool(Bool::new_const(self.ctx, name)),
            Sort::Int => Z3Var::Int(Int::new_const(self.ctx, name)),
            Sort::Enum(n) => {
                let x = Int::new_const(self.ctx, name);
                self.domain.push(x.ge(&Int::from_i64(self.ctx, 0)));
                self.domain.push(x.lt(&Int::from_i64(self.ctx, n as i64)));
                Z3Var::Int(x)
            }
            Sort::Bv(w) => Z3Var::Bv(BV::new_const(self.ctx, name, w), w),
        };
        if self.consts.len() <= v as usize {
            self.consts.resize(v as usize + 1, None);
        }
        self.consts[v as usize] = Some(z.clone());
        Ok(z)
    }

    fn ill(&self, v: VarId, want: &str) -> SolverError {
        SolverError::IllFormed(format!(
            "variable {v} ({:?}) used as {want}",
            self.vars.get(v).map(|d| d.name.as_str())
        ))
    }

    fn bv_const(&self, x: u128, w: u32) -> Result<BV<'ctx>, SolverError> {
        BV::from_str(self.ctx, w, &x.to_string())
            .ok_or_else(|| SolverError::Backend(format!("bad bit-vector constant {x}")))
    }

    fn term(&mut self, t: &Term) -> Result<Bool<'ctx>, SolverError> {
        Ok(match t {
            Term::Const(b) => Bool::from_bool(self.ctx, *b),
            Term::BoolVar(v) => match self.var(*v)? {
                Z3Var::Bool(b) => b,
                _ => return Err(self.ill(*v, "bool")),
            },
            Term::EnumIn(v, vals) => {
                let x = match self.var(*v)? {
                    Z3Var::Int(x) if matches!(self.vars.sort(*v), Some(Sort::Enum(_))) => x,
                    _ => return Err(self.ill(*v, "enum")),
                };
                let eqs: Vec<Bool<'ctx>> = vals
                    .iter()
                    .map(|&k| x._eq(&Int::from_i64(self.ctx, k as i64)))
                    .collect();
                let refs: Vec<&Bool<'ctx>> = eqs.iter().collect();
                Bool::or(self.ctx, &refs)
            }
            Term::BvRange(v, lo, hi) => {
                let (x, w) = match self.var(*v)? {
                    Z3Var::Bv(x, w) => (x, w),
                    _ => return Err(self.ill(*v, "bit-vector")),
                };
                if lo == hi {
                    x._eq(&self.bv_const(*lo, w)?)
                } else {
                    let a = x.bvuge(&self.bv_const(*lo, w)?);
                    let b = x.bvule(&self.bv_const(*hi, w)?);
                    Bool::and(self.ctx, &[&a, &b])
                }
            }
            Term::IntCmp(v, op, c) => {
                let x = match self.var(*v)? {
                    Z3Var::Int(x) if self.vars.sort(*v) == Some(Sort::Int) => x,
                    _ => return Err(self.ill(*v, "int")),
                };
                let c = Int::from_str(self.ctx, &c.to_string())
                    .ok_or_else(|| SolverError::Backend(format!("bad integer {c}")))?;
                // Int variables range over i64 (the request value is an i64).
                let range = Bool::and(
                    self.ctx,
                    &[
                        &x.ge(&Int::from_i64(self.ctx, i64::MIN)),
                        &x.le(&Int::from_i64(self.ctx, i64::MAX)),
                    ],
                );
                self.domain.push(range);
                match op {
                    Cmp::Eq => x._eq(&c),
                    Cmp::Lt => x.lt(&c),
                    Cmp::Le => x.le(&c),
                    Cmp::Gt => x.gt(&c),
                    Cmp::Ge => x.ge(&c),
                }
            }
            Term::Not(inner) => self.term(inner)?.not(),
            Term::And(ts) | Term::Or(ts) => {
                let parts = ts
                    .iter()
                    .map(|x| self.term(x))
                    .collect::<Result<Vec<_>, _>>()?;
                let refs: Vec<&Bool<'ctx>> = parts.iter().collect();
                if matches!(t, Term::And(_)) {
                    Bool::and(self.ctx, &refs)
                } else {
                    Bool::or(self.ctx, &refs)
                }
            }
        })
    }
}

fn read_model(model: &z3::Model<'_>, consts: &[Option<Z3Var<'_>>]) -> Result<Model, SolverError> {
    let mut out = Model::new();
    for (i, z) in consts.iter().enumerate() {
        let v = i as VarId;
        let Some(z) = z else { continue };
        let value = match z {
            Z3Var::Bool(b) => Value::Bool(
                model
                    .eval(b, true)
                    .and_then(|x| x.as_bool())
                    .unwrap_or(false),
            ),
            Z3Var::Int(x) => {
                let n = model
                    .eval(x, true)
                    .and_then(|x| x.as_i64())
                    .ok_or_else(|| {
                        SolverError::Backend(format!("model value of v{v} is not an i64"))
                    })?;
                match u32::try_from(n) {
                    // Enum and Int variables share the Z3 sort; the caller knows which.
                    Ok(k) => Value::Enum(k),
                    Err(_) => Value::Int(n),
                }
            }
            Z3Var::Bv(x, w) => {
                let w = *w;
                let value = if w <= 64 {
                    model.eval(x, true).and_then(|x| x.as_u64()).map(u128::from)
                } else {
                    let hi = model
                        .eval(&x.extract(w - 1, 64), true)
                        .and_then(|x| x.as_u64());
                    let lo = model.eval(&x.extract(63, 0), true).and_then(|x| x.as_u64());
                    match (hi, lo) {
                        (Some(h), Some(l)) => Some(((h as u128) << 64) | l as u128),
                        _ => None,
                    }
                };
                Value::Bv(value.ok_or_else(|| {
                    SolverError::Backend(format!("model value of v{v} is not a bit-vector"))
                })?)
            }
        };
        out.set(v, value);
    }
    Ok(out)
}

/// Enum and Int variables share Z3's Int sort; fix the value kind by the declared sort.
fn retype(model: Model, vars: &Vars) -> Model {
    let mut out = Model::new();
    for (v, decl) in vars.iter() {
        let Some(val) = model.get(v) else { continue };
        let fixed = match (decl.sort, val) {
            (Sort::Int, Value::Enum(k)) => Value::Int(k as i64),
            (Sort::Enum(_), Value::Int(_)) => Value::Enum(0),
            (_, other) => other,
        };
        out.set(v, fixed);
    }
    out
}

impl Solver for Z3Backend {
    fn check(
        &mut self,
        vars: &Vars,
        assertions: &[Term],
        timeout: Duration,
    ) -> Result<SatResult, SolverError> {
        if let Some(r) = super::solver::decide_constants(assertions) {
            return Ok(r);
        }
        let ms = timeout.as_millis().clamp(1, u32::MAX as u128) as u32;
        let sorts: Vec<Sort> = vars.iter().map(|(_, d)| d.sort).collect();
        let hash = key_hash(&(&sorts, assertions, ms));
        let same =
            |c: &CachedAnswer| c.timeout_ms == ms && c.sorts == sorts && c.assertions == assertions;
        if let Some(r) = ANSWERS.find(hash, |c| same(c).then(|| c.result.clone())) {
            return Ok(r);
        }
        let result = self.check_uncached(vars, assertions, ms)?;
        if !matches!(result, SatResult::Unknown(_)) {
            ANSWERS.keep(
                hash,
                CachedAnswer {
                    sorts,
                    assertions: assertions.to_vec(),
                    timeout_ms: ms,
                    result: result.clone(),
                },
            );
        }
        Ok(result)
    }
}

impl Z3Backend {
    fn check_uncached(
        &mut self,
        vars: &Vars,
        assertions: &[Term],
        ms: u32,
    ) -> Result<SatResult, SolverError> {
        #[cfg(test)]
        tests::FRESH_CHECKS.with(|n| n.set(n.get() + 1));
        // A thread outside rayon's pool (the scan's sequential parts run on the main
        // thread) hands its check to a worker instead of making a context of its own: a
        // context costs ~17 MB before its first check (issue #7), and the workers' contexts
        // exist anyway. The caller waits for the answer, so the work is the same.
        if rayon::current_thread_index().is_none() {
            return rayon::scope(|_| Z3Backend.check_on_this_thread(vars, assertions, ms));
        }
        self.check_on_this_thread(vars, assertions, ms)
    }

    /// `check_uncached` with the calling thread's context and solver.
    fn check_on_this_thread(
        &self,
        vars: &Vars,
        assertions: &[Term],
        ms: u32,
    ) -> Result<SatResult, SolverError> {
        with_thread_solver(|ts| {
            let ctx = ts.ctx;
            let solver = &ts.solver;
            if ts.timeout_ms.get() != ms {
                let mut params = z3::Params::new(ctx);
                params.set_u32("timeout", ms);
                solver.set_params(&params);
                ts.timeout_ms.set(ms);
            }
            let mut tr = Translator {
                ctx,
                vars,
                consts: Vec::new(),
                domain: Vec::new(),
            };
            let mut translated = Vec::with_capacity(assertions.len());
            for a in assertions {
                translated.push(tr.term(a)?);
            }
            solver.push();
            for d in &tr.domain {
                solver.assert(d);
            }
            // One assumption literal per assertion, so an unsat core names assertions.
            let lits: Vec<Bool<'static>> = (0..translated.len())
                .map(|i| Bool::new_const(ctx, format!("assume{i}")))
                .collect();
            for (lit, a) in lits.iter().zip(&translated) {
                solver.assert(&lit.implies(a));
            }
            let result = match solver.check_assumptions(&lits) {
                z3::SatResult::Sat => match solver.get_model() {
                    Some(m) => read_model(&m, &tr.consts).map(|m| SatResult::Sat(retype(m, vars))),
                    None => Err(SolverError::Backend("sat without a model".into())),
                },
                z3::SatResult::Unsat => {
                    let core = solver.get_unsat_core();
                    let idx = lits
                        .iter()
                        .enumerate()
                        .filter(|(_, l)| core.iter().any(|c| c == *l))
                        .map(|(i, _)| i)
                        .collect();
                    Ok(SatResult::Unsat(idx))
                }
                z3::SatResult::Unknown => Ok(SatResult::Unknown(
                    solver
                        .get_reason_unknown()
                        .unwrap_or_else(|| "unknown".to_string()),
                )),
            };
            solver.pop(1);
            result
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smt::solver::BruteForce;

    thread_local! {
        /// Checks this thread sent to Z3 (not answered from the cache).
        pub(super) static FRESH_CHECKS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }

    fn check(vars: &Vars, assertions: &[Term], expect_sat: bool) {
        let z = Z3Backend
            .check(vars, assertions, Duration::from_secs(2))
            .unwrap();
        let b = BruteForce
            .check(vars, assertions, Duration::from_secs(2))
            .unwrap();
        match (&z, expect_sat) {
            (SatResult::Sat(m), true) => {
                assert!(
                    assertions.iter().all(|a| a.eval(m)),
                    "z3 model fails: {m:?}"
                )
            }
            (SatResult::Unsat(core), false) => {
                assert!(!core.is_empty());
                let sub: Vec<Term> = core.iter().map(|&i| assertions[i].clone()).collect();
                assert!(matches!(
                    BruteForce
                        .check(vars, &sub, Duration::from_secs(1))
                        .unwrap(),
                    SatResult::Unsat(_)
                ));
            }
            _ => panic!("z3 said {z:?}, expected sat={expect_sat}"),
        }
        assert_eq!(
            matches!(b, SatResult::Sat(_)),
            expect_sat,
            "brute force disagrees"
        );
    }

    #[test]
    fn z3_agrees_with_brute_force() {
        let mut vars = Vars::new();
        let e = vars.declare("action", Sort::Enum(5));
        let ip = vars.declare("ip", Sort::Bv(128));
        let n = vars.declare("age", Sort::Int);
        let b = vars.declare("mfa", Sort::Bool);
        let ten = (10u128 << 24, (10u128 << 24) | 0xff_ffff);
        check(
            &vars,
            &[
                Term::enum_in(e, 5, [1, 3]),
                Term::not(Term::enum_in(e, 5, [3])),
                Term::bv_range(ip, 128, ten.0, ten.1),
                Term::int_cmp(n, Cmp::Lt, 3600),
                Term::bool_var(b),
            ],
            true,
        );
        check(
            &vars,
            &[
                Term::enum_in(e, 5, [1, 3]),
                Term::bool_var(b),
                Term::not(Term::enum_in(e, 5, [1, 3, 4])),
            ],
            false,
        );
        check(
            &vars,
            &[
                Term::bv_range(ip, 128, ten.0, ten.1),
                Term::not(Term::bv_range(ip, 128, ten.0 - 5, ten.1 + 1)),
            ],
            false,
        );
        check(
            &vars,
            &[Term::int_cmp(n, Cmp::Gt, 5), Term::int_cmp(n, Cmp::Le, 6)],
            true,
        );
        check(
            &vars,
            &[Term::int_cmp(n, Cmp::Gt, 5), Term::int_cmp(n, Cmp::Lt, 6)],
            false,
        );
    }

    #[test]
    fn repeated_checks_are_answered_from_the_cache_only_when_identical() {
        // The same assertion over a 2-valued and a 3-valued enum: unsat, then sat.
        let (mut two, mut three) = (Vars::new(), Vars::new());
        let a = two.declare("region", Sort::Enum(2));
        let b = three.declare("region", Sort::Enum(3));
        assert_eq!(a, b);
        let outside = Term::Not(Box::new(Term::EnumIn(a, vec![0, 1])));
        let fresh = || FRESH_CHECKS.with(|n| n.get());
        let before = fresh();
        check(&two, std::slice::from_ref(&outside), false);
        check(&two, std::slice::from_ref(&outside), false);
        check(&three, std::slice::from_ref(&outside), true);
        check(&three, std::slice::from_ref(&outside), true);
        // Another timeout is another question.
        Z3Backend
            .check(
                &three,
                std::slice::from_ref(&outside),
                Duration::from_secs(3),
            )
            .unwrap();
        assert_eq!(fresh() - before, 3);
    }

    #[test]
    fn wide_bit_vectors_round_trip_through_the_model() {
        let mut vars = Vars::new();
        let ip = vars.declare("ip", Sort::Bv(128));
        let x = (0x2001_0db8u128 << 96) | 0x1234;
        match Z3Backend
            .check(
                &vars,
                &[Term::bv_range(ip, 128, x, x)],
                Duration::from_secs(2),
            )
            .unwrap()
        {
            SatResult::Sat(m) => assert_eq!(m.bv_value(ip), x),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn each_thread_gets_its_own_context() {
        let handles: Vec<_> = (0..3)
            .map(|k| {
                std::thread::spawn(move || {
                    let mut vars = Vars::new();
                    let n = vars.declare("n", Sort::Int);
                    let r = Z3Backend
                        .check(
                            &vars,
                            &[Term::int_cmp(n, Cmp::Eq, k)],
                            Duration::from_secs(2),
                        )
                        .unwrap();
                    matches!(r, SatResult::Sat(m) if m.int_value(n) == k as i64)
                })
            })
            .collect();
        for h in handles {
            assert!(h.join().unwrap());
        }
    }
}
