//! (module `rank`: see ARCHITECTURE.md)
