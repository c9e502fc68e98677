//! (module `eval`: see ARCHITECTURE.md)
