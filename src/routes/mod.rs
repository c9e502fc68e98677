//! Routes: candidate paths from outside actors to data stores, confirmed by the solver.

pub mod finding;
