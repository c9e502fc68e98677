//! leakpath: find, prove and rank the routes by which data can leave an AWS organization.
//!
//! Stages, in pipeline order (see ARCHITECTURE.md): `ingest` builds the `model`; `graph`
//! and `routes` find candidate paths; `smt` confirms them, replaying every witness through
//! `eval`; `classify` labels the data; `rank` scores; `report` serializes.

pub mod classify;
pub mod diff;
pub mod eval;
pub mod graph;
pub mod ingest;
pub mod model;
pub mod policy;
pub mod rank;
pub mod report;
pub mod routes;
pub mod smt;
pub mod state;
pub mod synth;
