//! Which layout a path holds (native org-wide, native single-account, CloudMapper, bare
//! GAAD file), directory listing with limits, and where each call's file lives per layout.

use super::builder::Builder;
use super::IngestError;
use rayon::prelude::*;
use std::path::Path;

/// Most files an export may hold (walked once to report ignored files).
pub const MAX_FILES: usize = 1_000_000;
/// Deepest folder nesting walked.
pub const MAX_DIR_DEPTH: usize = 32;

/// Folder listings read at once by `Listings::prefill`.
const IO_THREADS: usize = 8;

/// The layout found at a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detected {
    /// `organizations/` and/or `accounts/<id>/`.
    Native,
    /// `accounts/<id>/` contents at the root.
    NativeSingleAccount,
    /// CloudMapper `<region>/<svc>-<call>.json`, with its region folders.
    CloudMapper { regions: Vec<String> },
    /// CloudMapper's `account-data/` folder: one `<account-name>/<region>/...` per account
    /// (folder name, regions).
    CloudMapperAccounts {
        accounts: Vec<(String, Vec<String>)>,
    },
    /// A file: a bare GAAD.
    GaadFile,
}

const ACCOUNT_SERVICE_DIRS: [&str; 6] = ["iam", "s3", "s3control", "kms", "ec2", "lambda"];

/// Whether a folder name is an AWS region (`us-east-1`, `us-gov-west-1`, `ap-southeast-2`).
pub fn is_region_name(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts
            .first()
            .is_some_and(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
}

/// Detects the layout at `path`.
pub fn detect(path: &Path) -> Result<Detected, IngestError> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| IngestError::Io {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    if meta.is_file() {
        return Ok(Detected::GaadFile);
    }
    if !meta.is_dir() {
        return Err(IngestError::NotAnExport {
            path: shown,
            reason: "neither a file nor a folder".into(),
        });
    }
    let is_dir = |name: &str| path.join(name).is_dir();
    if is_dir("organizations") || is_dir("accounts") {
        return Ok(Detected::Native);
    }
    if ACCOUNT_SERVICE_DIRS.iter().any(|d| is_dir(d)) {
        return Ok(Detected::NativeSingleAccount);
    }
    let regions = cloudmapper_regions(path, &shown)?;
    if !regions.is_empty() {
        return Ok(Detected::CloudMapper { regions });
    }
    let mut accounts = Vec::new();
    let entries = std::fs::read_dir(path).map_err(|e| IngestError::Io {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    for e in entries.flatten() {
        let Ok(name) = e.file_name().into_string() else {
            continue;
        };
        if e.path().is_dir() {
            let regions = cloudmapper_regions(&e.path(), &shown)?;
            if !regions.is_empty() {
                accounts.push((name, regions));
            }
        }
    }
    if !accounts.is_empty() {
        accounts.sort();
        return Ok(Detected::CloudMapperAccounts { accounts });
    }
    Err(IngestError::NotAnExport {
        path: shown,
        reason: "expected organizations/ or accounts/<id>/ (native layout), iam/ s3/ ec2/ ... \
                 (one account), <region>/<svc>-<call>.json (CloudMapper), or a \
                 get-account-authorization-details JSON file"
            .into(),
    })
}

/// The region folders of a CloudMapper account folder, sorted.
fn cloudmapper_regions(dir: &Path, shown: &str) -> Result<Vec<String>, IngestError> {
    let entries = std::fs::read_dir(dir).map_err(|e| IngestError::Io {
        path: shown.to_string(),
        message: e.to_string(),
    })?;
    let mut regions = Vec::new();
    for e in entries.flatten() {
        let Ok(name) = e.file_name().into_string() else {
            continue;
        };
        if is_region_name(&name) && e.path().is_dir() && has_cloudmapper_files(&e.path()) {
            regions.push(name);
        }
    }
    regions.sort();
    Ok(regions)
}

fn has_cloudmapper_files(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten().any(|e| {
                e.file_name()
                    .to_str()
                    .is_some_and(|n| n.ends_with(".json") && n.contains('-'))
            })
        })
        .unwrap_or(false)
}

/// One folder entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    /// A folder (symlinks followed).
    pub is_dir: bool,
    /// A regular file (symlinks followed), as `Path::is_file` says.
    pub is_file: bool,
    /// The entry itself is a symlink (`walk_files` does not descend into linked folders).
    pub is_symlink: bool,
}

/// A folder's entries as read once from the file system, kept by the builder so that every
/// later existence check, listing and the final walk for ignored files cost no system call.
#[derive(Debug, Clone)]
pub(crate) struct Listing {
    /// Sorted by name; `Err` holds what `list_dir` reports (`None`: over `MAX_FILES`).
    entries: Result<Vec<Entry>, Option<String>>,
    /// Names that are not UTF-8 (skipped), warned about on every `list_dir` as before.
    skipped: Vec<String>,
}

impl Listing {
    fn read(root: &Path, rel: &str) -> Listing {
        let path = root.join(rel);
        let mut skipped = Vec::new();
        let rd = match std::fs::read_dir(&path) {
            Ok(rd) => rd,
            // Not a folder (or none there): an empty listing. Asked only on failure, so a
            // folder costs no `stat` besides its listing.
            Err(_) if !path.is_dir() => {
                return Listing {
                    entries: Ok(Vec::new()),
                    skipped,
                }
            }
            Err(e) => {
                return Listing {
                    entries: Err(Some(e.to_string())),
                    skipped,
                }
            }
        };
        let mut out = Vec::new();
        for e in rd {
            let e = match e {
                Ok(e) => e,
                Err(e) => {
                    return Listing {
                        entries: Err(Some(e.to_string())),
                        skipped,
                    }
                }
            };
            let name = match e.file_name().into_string() {
                Ok(n) => n,
                Err(raw) => {
                    skipped.push(raw.to_string_lossy().into_owned());
                    continue;
                }
            };
            // The kind from the folder entry itself (no system call on most file systems);
            // only a symlink needs a `stat` to say what it points to.
            let (is_dir, is_file, is_symlink) = match e.file_type() {
                Ok(t) if !t.is_symlink() => (t.is_dir(), t.is_file(), false),
                _ => {
                    let meta = std::fs::metadata(e.path()).ok();
                    (
                        meta.as_ref().is_some_and(|m| m.is_dir()),
                        meta.as_ref().is_some_and(|m| m.is_file()),
                        std::fs::symlink_metadata(e.path())
                            .map(|m| m.file_type().is_symlink())
                            .unwrap_or(false),
                    )
                }
            };
            out.push(Entry {
                name,
                is_dir,
                is_file,
                is_symlink,
            });
            if out.len() > MAX_FILES {
                return Listing {
                    entries: Err(None),
                    skipped,
                };
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Listing {
            entries: Ok(out),
            skipped,
        }
    }

    /// The entry named `name`, if the listing succeeded and holds it.
    fn find(&self, name: &str) -> Result<Option<&Entry>, ()> {
        match &self.entries {
            Ok(entries) => Ok(entries
                .binary_search_by(|e| e.name.as_str().cmp(name))
                .ok()
                .and_then(|i| entries.get(i))),
            Err(_) => Err(()),
        }
    }
}

/// An empty listing (what `Listings::get` would have inserted).
static NO_LISTING: Listing = Listing {
    entries: Ok(Vec::new()),
    skipped: Vec::new(),
};

/// Folder listings read so far, by folder (relative to the export root).
#[derive(Debug, Default)]
pub(crate) struct Listings {
    by_dir: std::collections::HashMap<String, Listing>,
}

impl Listings {
    /// The listing of `rel`, read on first use.
    fn get(&mut self, root: &Path, rel: &str) -> &Listing {
        // Looked up by `&str` first: an owned key per lookup was measurable.
        if !self.by_dir.contains_key(rel) {
            let listing = Listing::read(root, rel);
            self.by_dir.insert(rel.to_string(), listing);
        }
        self.by_dir.get(rel).unwrap_or(&NO_LISTING)
    }

    /// How many files the listings read so far hold.
    pub(crate) fn file_count(&self) -> usize {
        self.by_dir
            .values()
            .filter_map(|l| l.entries.as_ref().ok())
            .map(|entries| entries.iter().filter(|e| e.is_file).count())
            .sum()
    }

    /// Reads every folder under the root in parallel (not following symlinked folders,
    /// within `MAX_DIR_DEPTH` and about `MAX_FILES` entries), so that the loaders' checks
    /// and listings hit memory. Reports nothing: `list_dir` and `walk_files` still emit
    /// their warnings, in their order, when the loaders call them.
    pub(crate) fn prefill(&mut self, root: &Path) {
        let mut level = vec![String::new()];
        let mut seen = 0usize;
        let mut depth = 0usize;
        // Listing folders waits on the disk when the export is not in the page cache, not
        // on the CPU: more reads in flight than cores (measured on a 100-account export read
        // cold: see ARCHITECTURE.md, `src/ingest/`).
        let io_pool = rayon::ThreadPoolBuilder::new()
            .num_threads(IO_THREADS)
            .build()
            .ok();
        while !level.is_empty() && depth <= MAX_DIR_DEPTH && seen <= MAX_FILES {
            let read_level = |level: Vec<String>| -> Vec<(String, Listing)> {
                level
                    .into_par_iter()
                    .map(|rel| {
                        let l = Listing::read(root, &rel);
                        (rel, l)
                    })
                    .collect()
            };
            let read = match &io_pool {
                Some(pool) => pool.install(|| read_level(level)),
                None => read_level(level),
            };
            let mut next = Vec::new();
            for (rel, listing) in read {
                if let Ok(entries) = &listing.entries {
                    seen += entries.len();
                    for e in entries.iter().filter(|e| e.is_dir && !e.is_symlink) {
                        next.push(if rel.is_empty() {
                            e.name.clone()
                        } else {
                            format!("{rel}/{}", e.name)
                        });
                    }
                }
                self.by_dir.insert(rel, listing);
            }
            level = next;
            depth += 1;
        }
    }

    /// Every regular file the listings read so far hold, relative to the root, sorted.
    pub(crate) fn files(&self) -> Vec<String> {
        let mut out = self.files_under("");
        out.sort();
        out
    }

    /// Every regular file the listings read so far hold in folders whose path starts with
    /// `prefix` (relative to the root, unsorted).
    pub(crate) fn files_under(&self, prefix: &str) -> Vec<String> {
        self.by_dir
            .iter()
            .filter(|(dir, _)| dir.starts_with(prefix))
            .filter_map(|(dir, l)| Some((dir, l.entries.as_ref().ok()?)))
            .flat_map(|(dir, entries)| {
                entries.iter().filter(|e| e.is_file).map(move |e| {
                    if dir.is_empty() {
                        e.name.clone()
                    } else {
                        format!("{dir}/{}", e.name)
                    }
                })
            })
            .collect()
    }

    /// What `root.join(rel)` is, from its folder's listing (`None` when that listing
    /// failed: the caller asks the file system).
    fn kind(&mut self, root: &Path, rel: &str) -> Option<Option<Entry>> {
        let (dir, name) = match rel.rfind('/') {
            Some(i) => (rel.get(..i)?, rel.get(i + 1..)?),
            None => ("", rel),
        };
        self.get(root, dir).find(name).ok().map(|e| e.cloned())
    }

    /// Whether `rel` is a regular file (symlinks followed), like `Path::is_file`.
    pub(crate) fn is_file(&mut self, root: &Path, rel: &str) -> bool {
        match self.kind(root, rel) {
            Some(e) => e.is_some_and(|e| e.is_file),
            None => root.join(rel).is_file(),
        }
    }

    /// Whether `rel` is a folder (symlinks followed), like `Path::is_dir`.
    pub(crate) fn is_dir(&mut self, root: &Path, rel: &str) -> bool {
        if rel.is_empty() {
            return root.is_dir();
        }
        match self.kind(root, rel) {
            Some(e) => e.is_some_and(|e| e.is_dir),
            None => root.join(rel).is_dir(),
        }
    }
}

/// The entries of folder `rel` (relative to the export root), sorted by name; empty when
/// the folder does not exist. Names that are not UTF-8 are skipped with a warning.
pub fn list_dir(b: &mut Builder, rel: &str) -> Result<Vec<Entry>, IngestError> {
    let root = b.model.root.clone();
    let listing = b.listings.get(&root, rel).clone();
    for raw in &listing.skipped {
        b.warn(
            rel,
            None,
            format!("file name {raw:?} is not UTF-8: ignored"),
        );
    }
    match listing.entries {
        Ok(entries) => Ok(entries),
        Err(Some(message)) => Err(IngestError::Io {
            path: rel.to_string(),
            message,
        }),
        Err(None) => Err(IngestError::TooManyFiles {
            path: rel.to_string(),
            limit: MAX_FILES,
        }),
    }
}

/// Every file under `rel` (relative paths, `/`-separated, with sizes), not following
/// symlinked folders, bounded by `MAX_FILES` and `MAX_DIR_DEPTH`.
pub fn walk_files(b: &mut Builder, rel: &str) -> Result<Vec<(String, u64)>, IngestError> {
    let root = b.model.root.clone();
    let mut files = walk_paths(b, rel)?;
    files.sort();
    Ok(files
        .into_iter()
        .map(|f| {
            // Sizes follow symlinks, like the kinds.
            let size = std::fs::metadata(root.join(&f))
                .map(|m| m.len())
                .unwrap_or(0);
            (f, size)
        })
        .collect())
}

/// `walk_files` without sizes (a `stat` per file saved), in no particular order.
pub fn walk_paths(b: &mut Builder, rel: &str) -> Result<Vec<String>, IngestError> {
    let mut out = Vec::new();
    let mut stack = vec![(rel.to_string(), 0usize)];
    while let Some((dir, depth)) = stack.pop() {
        if depth > MAX_DIR_DEPTH {
            b.warn(
                &dir,
                None,
                format!("folders nested deeper than {MAX_DIR_DEPTH}: not read"),
            );
            continue;
        }
        for e in list_dir(b, &dir)? {
            let child = if dir.is_empty() {
                e.name.clone()
            } else {
                format!("{dir}/{}", e.name)
            };
            if e.is_dir {
                if e.is_symlink {
                    b.warn(&child, None, "symlinked folder: not followed");
                } else {
                    stack.push((child, depth + 1));
                }
            } else {
                out.push(child);
                if out.len() > MAX_FILES {
                    return Err(IngestError::TooManyFiles {
                        path: rel.to_string(),
                        limit: MAX_FILES,
                    });
                }
            }
        }
    }
    Ok(out)
}

/// Where one account's files live.
#[derive(Debug, Clone)]
pub enum AccountPaths {
    /// Native layout; `prefix` is `accounts/<id>/` or `""` for a single-account root.
    Native { prefix: String },
    /// CloudMapper; `prefix` is `""` or `<account-name>/` inside `account-data/`; global
    /// services (IAM, S3) live in `global_region`.
    CloudMapper {
        prefix: String,
        global_region: String,
        regions: Vec<String>,
    },
}

impl AccountPaths {
    pub fn gaad(&self) -> String {
        match self {
            AccountPaths::Native { prefix } => {
                format!("{prefix}iam/get-account-authorization-details.json")
            }
            AccountPaths::CloudMapper {
                prefix,
                global_region,
                ..
            } => {
                format!("{prefix}{global_region}/iam-get-account-authorization-details.json")
            }
        }
    }

    pub fn list_buckets(&self) -> String {
        match self {
            AccountPaths::Native { prefix } => format!("{prefix}s3/list-buckets.json"),
            AccountPaths::CloudMapper {
                prefix,
                global_region,
                ..
            } => {
                format!("{prefix}{global_region}/s3-list-buckets.json")
            }
        }
    }

    /// A per-bucket call (`get-bucket-policy`, ...).
    pub fn bucket(&self, bucket: &str, call: &str) -> String {
        match self {
            AccountPaths::Native { prefix } => format!("{prefix}s3/buckets/{bucket}/{call}.json"),
            AccountPaths::CloudMapper {
                prefix,
                global_region,
                ..
            } => {
                format!("{prefix}{global_region}/s3-{call}/{bucket}")
            }
        }
    }

    /// The folder of sampled object bodies (native only).
    pub fn samples(&self, bucket: &str) -> Option<String> {
        match self {
            AccountPaths::Native { prefix } => Some(format!("{prefix}s3/buckets/{bucket}/samples")),
            AccountPaths::CloudMapper { .. } => None,
        }
    }

    pub fn account_public_access_block(&self) -> String {
        match self {
            AccountPaths::Native { prefix } => {
                format!("{prefix}s3control/get-public-access-block.json")
            }
            AccountPaths::CloudMapper {
                prefix,
                global_region,
                ..
            } => {
                format!("{prefix}{global_region}/s3control-get-public-access-block.json")
            }
        }
    }

    pub fn kms_list(&self, region: &str) -> String {
        match self {
            AccountPaths::Native { prefix } => format!("{prefix}kms/{region}/list-keys.json"),
            AccountPaths::CloudMapper { prefix, .. } => {
                format!("{prefix}{region}/kms-list-keys.json")
            }
        }
    }

    /// A per-key call (`get-key-policy`, `describe-key`).
    pub fn key(&self, region: &str, key: &str, call: &str) -> String {
        match self {
            AccountPaths::Native { prefix } => {
                format!("{prefix}kms/{region}/keys/{key}/{call}.json")
            }
            AccountPaths::CloudMapper { prefix, .. } => {
                format!("{prefix}{region}/kms-{call}/{key}")
            }
        }
    }

    pub fn ec2(&self, region: &str, call: &str) -> String {
        match self {
            AccountPaths::Native { prefix } => format!("{prefix}ec2/{region}/{call}.json"),
            AccountPaths::CloudMapper { prefix, .. } => format!("{prefix}{region}/ec2-{call}.json"),
        }
    }

    pub fn lambda_list(&self, region: &str) -> String {
        match self {
            AccountPaths::Native { prefix } => {
                format!("{prefix}lambda/{region}/list-functions.json")
            }
            AccountPaths::CloudMapper { prefix, .. } => {
                format!("{prefix}{region}/lambda-list-functions.json")
            }
        }
    }

    /// A per-function call (`get-policy`, `get-function-url-config`).
    pub fn function(&self, region: &str, name: &str, call: &str) -> String {
        match self {
            AccountPaths::Native { prefix } => {
                format!("{prefix}lambda/{region}/functions/{name}/{call}.json")
            }
            AccountPaths::CloudMapper { prefix, .. } => {
                format!("{prefix}{region}/lambda-{call}/{name}")
            }
        }
    }
}

/// Asks the kernel to start reading every file of `files` (relative to `root`) into the
/// page cache, without waiting and without holding the data (`POSIX_FADV_WILLNEED`). Run
/// on its own thread ahead of the loader, whose reads then find the files in memory: an
/// export that is not in the page cache is otherwise read one small file at a time, each
/// read waiting for the disk. Failures are ignored: the loader reads and reports every
/// file itself.
///
/// An export already in the page cache (a second scan) gains nothing from it, and opening
/// every file once more costs a core ~55 ms on a 15,700-file export while the loader needs
/// both: when each of `CACHE_PROBES` files spread over the list is cached (`in_page_cache`),
/// the rest is taken to be too and nothing is asked. A cached sample over an uncached rest
/// only makes that rest's reads wait, as they would without any read-ahead.
pub(crate) fn read_ahead(root: &Path, files: &[String]) {
    let step = (files.len() / CACHE_PROBES).max(1);
    let cached = files
        .iter()
        .step_by(step)
        .all(|rel| std::fs::File::open(root.join(rel)).is_ok_and(|f| in_page_cache(&f)));
    if cached {
        return;
    }
    for rel in files {
        if let Ok(f) = std::fs::File::open(root.join(rel)) {
            advise_will_need(&f);
        }
    }
}

/// How many files `read_ahead` checks before asking for all of them.
const CACHE_PROBES: usize = 32;

/// Whether the first and last byte of `f` are in the page cache: each read without
/// waiting for the disk (`RWF_NOWAIT`). `false` when that cannot be told.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn in_page_cache(f: &std::fs::File) -> bool {
    use std::os::fd::AsRawFd;
    let Ok(len) = f.metadata().map(|m| m.len()) else {
        return false;
    };
    let mut byte = [0u8; 1];
    [0, len.saturating_sub(1)].iter().all(|&at| {
        if len == 0 {
            return true;
        }
        let Ok(offset) = libc::off_t::try_from(at) else {
            return false;
        };
        let iov = libc::iovec {
            iov_base: byte.as_mut_ptr().cast(),
            iov_len: byte.len(),
        };
        // SAFETY: `iov` points at `byte`, which outlives the call; the descriptor is open.
        let read = unsafe { libc::preadv2(f.as_raw_fd(), &iov, 1, offset, libc::RWF_NOWAIT) };
        read == 1
    })
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn in_page_cache(_: &std::fs::File) -> bool {
    false
}

#[cfg(target_os = "linux")]
fn advise_will_need(f: &std::fs::File) {
    use std::os::fd::AsRawFd;
    // SAFETY: posix_fadvise only reads its arguments; the descriptor is open for the call.
    unsafe {
        libc::posix_fadvise(f.as_raw_fd(), 0, 0, libc::POSIX_FADV_WILLNEED);
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_will_need(_: &std::fs::File) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, expect: bool) {
        assert_eq!(is_region_name(name), expect, "{name}");
    }

    #[test]
    fn region_names() {
        check("us-east-1", true);
        check("us-gov-west-1", true);
        check("ap-southeast-2", true);
        check("il-central-1", true);
        check("us-east", false);
        check("US-east-1", false);
        check("iam", false);
        check("s3-get-bucket-acl", false);
    }

    /// A file just written is in the page cache (so `read_ahead` skips a cached export).
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn files_just_written_are_in_the_page_cache() {
        let dir = std::env::temp_dir().join(format!("leakpath-cache-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, len) in [("empty", 0), ("one", 1), ("large", 3 << 20)] {
            let path = dir.join(name);
            std::fs::write(&path, vec![b'x'; len]).unwrap();
            let f = std::fs::File::open(&path).unwrap();
            assert!(in_page_cache(&f), "{name}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
