//! (module `classify`: see ARCHITECTURE.md)
