//! Output of `inventory` (being built).
