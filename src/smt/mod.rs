//! The symbolic side of policy semantics: could ANY request of a given shape be allowed?
//!
//! - `question`: the public API (`Question`, `RequestShape`, `Answer`, `check`,
//!   `check_chain`).
//! - `encode`: policies + shape → terms, mirroring `eval::decide`; `keys`: symbolic request
//!   values and conditions; `principals`: symbolic principals as finitely many cases;
//!   `witness`: model → `eval::Request` and the replay through `eval::decide`.
//! - `term`: the solver-agnostic IR with folding constructors; `solver`: the backend trait;
//!   `z3_backend`: Z3, the only file importing z3.
//! - `glob`, `domain`: string patterns decided outside the solver; each string key is cut
//!   into finitely many regions. `values`: typed values (numbers, dates, IPs, base64).

mod cache;
pub mod domain;
pub mod encode;
pub mod exclusions;
pub mod from_model;
pub mod glob;
pub mod keys;
pub mod principals;
pub mod question;
pub mod solver;
pub mod term;
pub mod values;
pub mod witness;
pub mod z3_backend;

pub use question::{
    check, check_chain, check_chain_with, check_with, Answer, CheckOptions, KeyShape,
    PrincipalShape, Question, RequestShape, StrShape, Why, Witness,
};
pub use solver::{SatResult, Solver, SolverError, DEFAULT_TIMEOUT};
pub use term::{Model, Sort, Term, Value, VarId, Vars};
pub use z3_backend::Z3Backend;
