//! Output of `classify_output` (being built).
