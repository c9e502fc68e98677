//! `Builder`: the model under construction, with its source map, coverage report,
//! warnings, duplicate detection and the set of files read.

use super::json::{parse_json_bytes, read_file_bytes, read_file_into, FileContent, Node};
use super::layout::Listings;
use super::{IngestError, IngestWarning, LoadedExport};
use crate::model::{
    Account, AccountId, Collected, Coverage, ExportLayout, ItemRef, MissingItem, Model, Policy,
    PolicyId, PolicyKind, SourceLoc, SourceMap, Sym,
};
use crate::policy::parse::{parse_policy_value_located, PolicyError, PolicyLayout};
use crate::policy::PolicyDocument;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

/// A file as found in the export.
#[derive(Debug)]
pub enum Read {
    /// No such file: not collected.
    Absent,
    /// Present but empty: the CLI printed nothing, so not collected either.
    Empty,
    Json(serde_json::Value),
}

/// The list-output fields that say more pages follow (any non-null value).
pub(crate) const TRUNCATION_TOKENS: [&str; 3] = ["NextToken", "Marker", "ContinuationToken"];

/// The model under construction. Public so per-kind parsers can be driven directly from
/// tests and fuzz targets; `load_export` is the normal entry point.
pub struct Builder {
    pub model: Model,
    pub sources: SourceMap,
    pub coverage: Coverage,
    pub warnings: Vec<IngestWarning>,
    accounts: HashMap<Sym, AccountId>,
    /// (kind, scope, id) → where it was first seen (`file#pointer`), to reject duplicates.
    claimed: HashMap<(&'static str, Option<Sym>, Sym), SourceLoc>,
    /// Files read (relative paths), so the rest can be reported as ignored.
    pub(crate) consumed: HashSet<String>,
    missing_seen: HashSet<MissingItem>,
    /// Folder listings read so far (existence checks without system calls).
    pub(crate) listings: Listings,
    /// The bytes of the file `read` is parsing, reused from file to file.
    read_buf: Vec<u8>,
    /// The file name of the last source location, shared with the next ones in that file.
    last_file: Option<std::sync::Arc<str>>,
    /// Files parsed ahead, on other threads (`parse_ahead`), waiting for `read` to take
    /// them: what `read` would have found, error included. A file `read` never asks for
    /// is dropped with its error (`discard_parsed`), so parsing ahead changes no outcome.
    parsed: ParsedFiles,
}

/// Files parsed ahead (`parse_ahead`) by path, as `read` would have found them.
pub(crate) type ParsedFiles = rustc_hash::FxHashMap<String, Result<FileContent, IngestError>>;

/// Drops `spent` on the thread pool: freeing many parsed files' trees is work nothing
/// waits for.
pub(crate) fn drop_later<T: Send + 'static>(spent: T) {
    rayon::spawn(move || drop(spent));
}

/// What the policy parser makes of one document: the document and where its statements
/// sit, or what is wrong with it.
pub(crate) type ParsedPolicy = Result<(PolicyDocument, PolicyLayout), PolicyError>;

/// Largest read buffer kept between files (bytes).
const KEPT_READ_BUFFER_BYTES: usize = 1 << 20;

impl Builder {
    pub fn new(root: PathBuf, layout: ExportLayout) -> Builder {
        Builder {
            model: Model::new(root, layout),
            sources: SourceMap::new(),
            coverage: Coverage::default(),
            warnings: Vec::new(),
            accounts: HashMap::new(),
            claimed: HashMap::new(),
            consumed: HashSet::new(),
            missing_seen: HashSet::new(),
            listings: Listings::default(),
            read_buf: Vec::new(),
            last_file: None,
            parsed: ParsedFiles::default(),
        }
    }

    /// `file` as a shared name: the previous location's when it is the same file (items
    /// of one file are recorded one after another).
    fn shared_file(&mut self, file: &str) -> std::sync::Arc<str> {
        match &self.last_file {
            Some(last) if **last == *file => last.clone(),
            _ => {
                let name: std::sync::Arc<str> = file.into();
                self.last_file = Some(name.clone());
                name
            }
        }
    }

    pub fn intern(&mut self, s: &str) -> Sym {
        self.model.interner.intern(s)
    }

    /// Reads `rel` (relative to the export root), remembering it was consumed.
    pub fn read(&mut self, rel: &str) -> Result<Read, IngestError> {
        if !self.is_file(rel) {
            return Ok(Read::Absent);
        }
        self.consumed.insert(rel.to_string());
        let content = match self.parsed.remove(rel) {
            Some(parsed) => parsed,
            None => {
                read_file_into(&self.model.root.join(rel), rel, &mut self.read_buf)?;
                let content = parse_json_bytes(&self.read_buf, rel);
                if self.read_buf.capacity() > KEPT_READ_BUFFER_BYTES {
                    // A large file's buffer is not kept for the small ones that follow.
                    self.read_buf = Vec::new();
                }
                content
            }
        };
        match content? {
            FileContent::Empty => {
                self.note_empty(rel);
                Ok(Read::Empty)
            }
            FileContent::Json(v) => Ok(Read::Json(v)),
        }
    }

    /// Keeps files parsed ahead (`parse_ahead`) for `read` to take.
    pub(crate) fn keep_parsed(&mut self, parsed: ParsedFiles) {
        if self.parsed.is_empty() {
            self.parsed = parsed;
        } else {
            self.parsed.extend(parsed);
        }
    }

    /// Drops the files parsed ahead that `read` did not take, errors included (on the
    /// thread pool: nothing waits for that).
    pub(crate) fn discard_parsed(&mut self) {
        let leftovers = std::mem::take(&mut self.parsed);
        if !leftovers.is_empty() {
            drop_later(leftovers);
        }
    }

    /// Reads `rel`'s bytes unparsed (`None` when there is no such file), remembering it was
    /// consumed. For the typed fast paths, which parse the text themselves (`json::json_text`
    /// and `note_empty` keep them to `read`'s rules).
    pub(crate) fn read_bytes(&mut self, rel: &str) -> Result<Option<Vec<u8>>, IngestError> {
        if !self.is_file(rel) {
            return Ok(None);
        }
        self.consumed.insert(rel.to_string());
        read_file_bytes(&self.model.root.join(rel), rel).map(Some)
    }

    /// The warning for a file that is empty: the CLI printed nothing.
    pub(crate) fn note_empty(&mut self, rel: &str) {
        self.warn(
            rel,
            None,
            "file is empty (the CLI printed nothing): treated as not collected",
        );
    }

    /// Whether `rel` (relative to the export root) is a file, like `Path::is_file`, from
    /// the cached folder listings.
    pub fn is_file(&mut self, rel: &str) -> bool {
        self.listings.is_file(&self.model.root, rel)
    }

    /// Whether `rel` is a folder, like `Path::is_dir`, from the cached folder listings.
    pub fn is_dir(&mut self, rel: &str) -> bool {
        self.listings.is_dir(&self.model.root, rel)
    }

    /// Lists every folder of the export up front (in parallel, see `Listings::prefill`).
    pub(crate) fn prefill_listings(&mut self) {
        self.listings.prefill(&self.model.root);
        let files = self.listings.files();
        let root = self.model.root.clone();
        std::thread::spawn(move || super::layout::read_ahead(&root, &files));
        // Most files are read once each; sized up front, the set never rehashes.
        self.consumed.reserve(self.listings.file_count());
    }

    /// Records something the export lacks (once per identical item).
    pub fn missing(
        &mut self,
        account: Option<&str>,
        region: Option<&str>,
        resource: Option<&str>,
        file: &str,
        consequence: &str,
    ) {
        let item = MissingItem {
            account: account.map(str::to_string),
            region: region.map(str::to_string),
            resource: resource.map(str::to_string),
            file: file.to_string(),
            consequence: consequence.to_string(),
        };
        if self.missing_seen.insert(item.clone()) {
            self.coverage.missing.push(item);
        }
    }

    /// Records a list output that says it is only a first page (`IsTruncated: true`,
    /// `NextToken`, `Marker`): the items beyond it are unknown.
    pub fn note_truncation(
        &mut self,
        node: &Node,
        account: Option<&str>,
        region: Option<&str>,
    ) -> Result<(), IngestError> {
        let Some(map) = node.v.as_object() else {
            return Ok(());
        };
        let truncated = map.get("IsTruncated").and_then(|v| v.as_bool()) == Some(true)
            || TRUNCATION_TOKENS
                .iter()
                .any(|k| map.get(*k).is_some_and(|v| !v.is_null()));
        if truncated {
            self.truncated(node.file, account, region);
        }
        Ok(())
    }

    /// Records that `file` is only a first page (see `note_truncation`).
    pub(crate) fn truncated(&mut self, file: &str, account: Option<&str>, region: Option<&str>) {
        self.missing(
            account,
            region,
            None,
            file,
            "output is only a first page (IsTruncated/NextToken/Marker): the items beyond it are unknown",
        );
    }

    pub fn warn(&mut self, file: &str, pointer: Option<&str>, message: impl Into<String>) {
        self.warnings.push(IngestWarning {
            file: file.to_string(),
            pointer: pointer.map(str::to_string),
            message: message.into(),
        });
    }

    /// The account with this id, created (not exported, nothing collected) on first use.
    pub fn account(&mut self, id: &str) -> AccountId {
        let sym = self.intern(id);
        if let Some(a) = self.accounts.get(&sym) {
            return *a;
        }
        let aid = AccountId(self.model.accounts.len() as u32);
        self.model.accounts.push(Account {
            id: sym,
            name: None,
            status: None,
            exported: false,
            iam_collected: false,
            buckets_listed: false,
            public_access_block: Collected::Missing,
            s3_canonical_id: None,
            regions: Vec::new(),
        });
        self.accounts.insert(sym, aid);
        aid
    }

    pub fn account_mut(&mut self, id: &str) -> &mut Account {
        let aid = self.account(id);
        // `account` just ensured the index is in range.
        &mut self.model.accounts[aid.index()]
    }

    /// Records `id` of kind `what` (within `scope`, e.g. an account), failing if it was
    /// already seen: two items with one id would make every later lookup ambiguous.
    pub fn claim(
        &mut self,
        what: &'static str,
        scope: Option<Sym>,
        id: Sym,
        node: &Node,
    ) -> Result<(), IngestError> {
        self.claim_at(what, scope, id, node.file, &node.ptr())
    }

    /// `claim` for an item at `pointer` in `file`.
    pub(crate) fn claim_at(
        &mut self,
        what: &'static str,
        scope: Option<Sym>,
        id: Sym,
        file: &str,
        pointer: &str,
    ) -> Result<(), IngestError> {
        match self.claimed.entry((what, scope, id)) {
            Entry::Occupied(first) => Err(IngestError::Duplicate {
                file: file.to_string(),
                pointer: pointer.to_string(),
                what: what.to_string(),
                id: self.model.interner.resolve(id).to_string(),
                first: first.get().to_string(),
            }),
            Entry::Vacant(slot) => {
                slot.insert(SourceLoc::new(file, pointer));
                Ok(())
            }
        }
    }

    /// Parses the policy at `node` (object, JSON string or URL-encoded string), stores it
    /// and records where it and each of its statements came from.
    pub fn add_policy(
        &mut self,
        kind: PolicyKind,
        name: Option<String>,
        account: Option<Sym>,
        node: &Node,
    ) -> Result<PolicyId, IngestError> {
        self.add_policy_at(kind, name, account, node.file, node.ptr(), node.v)
    }

    /// `add_policy` for the document `v` at `pointer` in `file`.
    pub(crate) fn add_policy_at(
        &mut self,
        kind: PolicyKind,
        name: Option<String>,
        account: Option<Sym>,
        file: &str,
        pointer: String,
        v: &serde_json::Value,
    ) -> Result<PolicyId, IngestError> {
        let parsed = parse_policy_value_located(v);
        self.add_parsed_policy_at(kind, name, account, file, pointer, parsed)
    }

    /// `add_policy_at` for a document already through the policy parser (on another
    /// thread: `gaad::parse_documents`), with its answer, error included.
    pub(crate) fn add_parsed_policy_at(
        &mut self,
        kind: PolicyKind,
        name: Option<String>,
        account: Option<Sym>,
        file: &str,
        pointer: String,
        parsed: ParsedPolicy,
    ) -> Result<PolicyId, IngestError> {
        let (document, layout) = parsed.map_err(|source| IngestError::Policy {
            file: file.to_string(),
            pointer: pointer.clone(),
            source,
        })?;
        let id = PolicyId(self.model.policies.len() as u32);
        self.model.policies.push(Policy {
            kind,
            name,
            account,
            document,
        });
        let shared = self.shared_file(file);
        for (i, sp) in layout.statement_pointers.into_iter().enumerate() {
            let loc = if layout.embedded {
                SourceLoc {
                    file: shared.clone(),
                    pointer: pointer.clone(),
                    inner: Some(sp),
                }
            } else {
                SourceLoc::new(shared.clone(), format!("{pointer}{sp}"))
            };
            self.sources.insert(ItemRef::Statement(id, i), loc);
        }
        self.sources
            .insert(ItemRef::Policy(id), SourceLoc::new(shared, pointer));
        Ok(id)
    }

    /// Records a source location for an item.
    pub fn source(&mut self, item: ItemRef, node: &Node) {
        self.source_at(item, node.file, node.ptr());
    }

    /// Records that `item` is at `pointer` in `file`.
    pub(crate) fn source_at(&mut self, item: ItemRef, file: &str, pointer: String) {
        let file = self.shared_file(file);
        self.sources.insert(item, SourceLoc::new(file, pointer));
    }

    /// Finishes the model: sorts per-account region lists and builds the lookup index.
    pub fn finish(mut self) -> LoadedExport {
        for a in &mut self.model.accounts {
            a.regions.sort_by_key(|r| r.0);
            a.regions.dedup();
        }
        let interner = &self.model.interner;
        for a in &mut self.model.accounts {
            a.regions
                .sort_by(|x, y| interner.resolve(*x).cmp(interner.resolve(*y)));
        }
        self.model.rebuild_index();
        self.coverage.ignored_files.sort();
        LoadedExport {
            model: self.model,
            sources: self.sources,
            coverage: self.coverage,
            warnings: self.warnings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(doc: serde_json::Value, expect: &[&str]) {
        let mut b = Builder::new(PathBuf::from("."), ExportLayout::Native);
        let v = json!({"Doc": doc});
        let n = Node::root(&v, "f.json").req("Doc").unwrap();
        let id = b.add_policy(PolicyKind::Bucket, None, None, &n).unwrap();
        let cites: Vec<String> = (0..expect.len())
            .map(|i| b.sources.cite(ItemRef::Statement(id, i)).unwrap())
            .collect();
        assert_eq!(cites, expect);
    }

    #[test]
    fn statement_sources_inside_objects_and_strings() {
        check(
            json!({"Statement": [{"Effect": "Allow", "Action": "*"}, {"Effect": "Deny", "Action": "*"}]}),
            &["f.json#/Doc/Statement/0", "f.json#/Doc/Statement/1"],
        );
        check(
            json!("{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\"}}"),
            &["f.json#/Doc/Statement"],
        );
    }

    #[test]
    fn duplicates_are_refused_and_missing_items_deduplicated() {
        let mut b = Builder::new(PathBuf::from("."), ExportLayout::Native);
        let v = json!([1, 2]);
        let n = Node::root(&v, "f.json");
        let items = n.items().unwrap();
        let id = b.intern("vpc-1");
        b.claim("VPC", None, id, &items[0]).unwrap();
        let e = b.claim("VPC", None, id, &items[1]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "f.json: /1: duplicate VPC `vpc-1` (first seen at f.json#/0)"
        );
        // Another scope is another item.
        let acct = b.intern("111122223333");
        b.claim("VPC", Some(acct), id, &items[1]).unwrap();
        b.missing(Some("1"), None, None, "x.json", "unknown");
        b.missing(Some("1"), None, None, "x.json", "unknown");
        assert_eq!(b.coverage.missing.len(), 1);
    }
}

/// Reads and parses `files` (relative to `root`) on the thread pool, each as `read` would:
/// the content or the error, by path. Nothing is reported here; `read` reports when a
/// loader asks for the file.
pub(crate) fn parse_ahead(root: &std::path::Path, files: &[String]) -> ParsedFiles {
    use rayon::prelude::*;
    files
        .par_iter()
        .map(|rel| {
            let parsed = read_file_bytes(&root.join(rel), rel)
                .and_then(|bytes| parse_json_bytes(&bytes, rel));
            (rel.clone(), parsed)
        })
        .collect()
}
