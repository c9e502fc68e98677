//! (module `synth`: see ARCHITECTURE.md)
