//! (module `report`: see ARCHITECTURE.md)
