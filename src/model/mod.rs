//! (module `model`: see ARCHITECTURE.md)
