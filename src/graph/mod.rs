//! (module `graph`: see ARCHITECTURE.md)
