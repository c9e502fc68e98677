//! The symbolic side of policy semantics: could ANY request of a given shape be allowed?
//!
//! `term` is the solver-agnostic IR, `solver` the backend trait (Z3 in `z3_backend`, the
//! only file importing z3), `glob` and `domain` decide string patterns outside the solver
//! and cut each string key into finitely many regions.

pub mod domain;
pub mod glob;
pub mod solver;
pub mod term;
pub mod z3_backend;

pub use solver::{SatResult, Solver, SolverError, DEFAULT_TIMEOUT};
pub use term::{Model, Sort, Term, Value, VarId, Vars};
pub use z3_backend::Z3Backend;
