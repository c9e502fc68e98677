//! (module `routes`: see ARCHITECTURE.md)
