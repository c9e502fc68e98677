//! Atomic output files: write to a temporary file beside the target, flush and sync, then
//! rename over the target. A crash or a full disk leaves either the old file or the new
//! one, never a half-written file or a partial line.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Writes `target` atomically with whatever `fill` writes. On any error the temporary file
/// is removed and `target` is untouched.
pub fn write_atomically<F>(target: &Path, fill: F) -> io::Result<()>
where
    F: FnOnce(&mut dyn Write) -> io::Result<()>,
{
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".to_string());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let file = File::create(&tmp)?;
        let mut w = BufWriter::new(file);
        fill(&mut w)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        fs::rename(&tmp, target)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_writer_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("findings.jsonl");
        fs::write(&target, "old\n").unwrap();
        let err = write_atomically(&target, |w| {
            w.write_all(b"{\"partial\":")?;
            Err(io::Error::new(io::ErrorKind::Other, "disk full"))
        });
        assert!(err.is_err());
        assert_eq!(fs::read_to_string(&target).unwrap(), "old\n");
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "temporary file left behind");
    }

    #[test]
    fn a_successful_write_replaces_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("findings.jsonl");
        fs::write(&target, "old\n").unwrap();
        write_atomically(&target, |w| w.write_all(b"new\n")).unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new\n");
    }
}
