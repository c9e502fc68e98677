//! Output of `can_verdict` (being built).
