//! (module `ingest`: see ARCHITECTURE.md)
