//! `IngestError`: every way an export can fail to load, each naming the file (relative to
//! the export root) and the JSON pointer inside it.

use crate::policy::parse::PolicyError;

/// A fatal problem with an export. Displayed as `file: /json/pointer: problem`.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("{path}: not an export: {reason}")]
    NotAnExport { path: String, reason: String },
    #[error("{file}: file is {size} bytes, over the {limit}-byte limit")]
    TooLarge { file: String, size: u64, limit: u64 },
    #[error("{file}: not valid UTF-8 (first bad byte at offset {offset})")]
    NotUtf8 { file: String, offset: usize },
    #[error("{file}: not valid JSON at line {line}, column {column}: {message}")]
    InvalidJson {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}: JSON nested deeper than {limit} levels")]
    TooDeep { file: String, limit: usize },
    #[error(
        "{file}: {}: expected {expected}, found {found}",
        display_pointer(pointer)
    )]
    Shape {
        file: String,
        pointer: String,
        expected: String,
        found: String,
    },
    #[error("{file}: {}: {message}", display_pointer(pointer))]
    Invalid {
        file: String,
        pointer: String,
        message: String,
    },
    #[error("{file}: {}{}: invalid policy: {}", display_pointer(pointer), source.path, source.problem)]
    Policy {
        file: String,
        /// Pointer of the policy inside the file.
        pointer: String,
        /// The error inside the document (its `path` is relative to the document).
        source: PolicyError,
    },
    #[error(
        "{file}: {}: duplicate {what} `{id}` (first seen at {first})",
        display_pointer(pointer)
    )]
    Duplicate {
        file: String,
        pointer: String,
        what: String,
        id: String,
        first: String,
    },
    #[error("{file}: invalid settings: {message}")]
    Settings { file: String, message: String },
    #[error("{path}: export has more than {limit} files")]
    TooManyFiles { path: String, limit: usize },
}

fn display_pointer(p: &str) -> &str {
    if p.is_empty() {
        "(document root)"
    } else {
        p
    }
}

impl IngestError {
    /// The file the error is about (relative to the export root where it is inside one).
    pub fn file(&self) -> &str {
        match self {
            IngestError::Io { path, .. }
            | IngestError::NotAnExport { path, .. }
            | IngestError::TooManyFiles { path, .. } => path,
            IngestError::TooLarge { file, .. }
            | IngestError::NotUtf8 { file, .. }
            | IngestError::InvalidJson { file, .. }
            | IngestError::TooDeep { file, .. }
            | IngestError::Shape { file, .. }
            | IngestError::Invalid { file, .. }
            | IngestError::Policy { file, .. }
            | IngestError::Duplicate { file, .. }
            | IngestError::Settings { file, .. } => file,
        }
    }

    /// The JSON pointer inside the file, where the error has one (for policy errors, the
    /// policy's pointer followed by the pointer inside the document).
    pub fn pointer(&self) -> Option<String> {
        match self {
            IngestError::Shape { pointer, .. }
            | IngestError::Invalid { pointer, .. }
            | IngestError::Duplicate { pointer, .. } => Some(pointer.clone()),
            IngestError::Policy {
                pointer, source, ..
            } => Some(format!("{pointer}{}", source.path)),
            _ => None,
        }
    }
}
