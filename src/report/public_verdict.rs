//! Output of `public_verdict` (being built).
