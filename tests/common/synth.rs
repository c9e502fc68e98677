//! Writes a generated export (`leakpath::synth`) to a temporary folder, for the tests that
//! load or scan one.

use leakpath::synth::{generate, SynthConfig};

/// The export `cfg` describes, written in the native layout; removed when dropped.
pub fn write_export(cfg: &SynthConfig) -> tempfile::TempDir {
    let files = generate(cfg, &[]).expect("generate");
    let dir = tempfile::tempdir().expect("temp dir");
    for f in &files {
        let path = dir.path().join(&f.path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, &f.bytes).expect("write");
    }
    dir
}
