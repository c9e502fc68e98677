//! Output of `findings` (being built).
