//! (module `smt`: see ARCHITECTURE.md)
