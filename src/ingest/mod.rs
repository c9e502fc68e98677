//! Ingest: the only code that knows AWS's JSON shapes. Reads an export into the `model`.
//!
//! Entry point: [`load_export`]. Layouts, detected automatically:
//! - native (`organizations/`, `accounts/<id>/...`, see `../shared/spec/export-layout.md`);
//! - native single account (the contents of `accounts/<id>/` at the root; the account id
//!   comes from ARNs inside);
//! - CloudMapper (`<region>/<svc>-<call>.json` plus `<region>/<svc>-<call>/<param>`), one
//!   account, or its `account-data/` folder with one such folder per account;
//! - a bare `get-account-authorization-details` file (IAM only).
//!
//! "Not collected" vs "collected, none": a missing file is `Collected::Missing` and a
//! coverage entry. An empty file (the CLI printed nothing because the call failed) is also
//! not collected, with a warning. A file holding `{}` or `null` for a per-resource call
//! (`get-bucket-policy`, `get-public-access-block`, `get-bucket-ownership-controls`,
//! `get-bucket-encryption`, Lambda `get-policy`, `get-function-url-config`) means the call
//! was made and AWS answered "there is none" (`NoSuchBucketPolicy`, ...): `Present(None)`.
//!
//! Speed (issue #7): the two largest files of an export, the GAAD (`gaad.rs`) and
//! `describe-instances` (`instances.rs`), are deserialized straight into typed records that
//! borrow their strings from the file's text (`records.rs`: one reader for every record);
//! only policy documents become `Value`s (the policy parser reads those). A file the records
//! refuse is loaded through the `Value` + `json::Node` path, which stays the reference for
//! every error message. The two paths differ only in how they read: they build the items
//! through the same code (`iam::GaadLoad`; `ec2::add_instance` and its neighbours).
//!
//! Bad input is an `IngestError` naming the file and JSON path; nothing partial is returned.
//! Limits: `json::MAX_FILE_BYTES` per file, `policy::parse::MAX_JSON_DEPTH` nesting,
//! `layout::MAX_FILES` files.

pub mod account;
pub mod builder;
#[cfg(test)]
mod differential;
pub mod ec2;
mod error;
mod gaad;
pub mod iam;
mod instances;
pub mod json;
pub mod kms;
pub mod lambda;
pub mod layout;
pub mod org;
mod records;
pub mod s3;
pub mod settings;

pub use builder::Builder;
pub use error::IngestError;

use crate::model::{is_account_id, Coverage, ExportLayout, Model, SourceMap};
use builder::Read;
use json::Node;
use layout::{AccountPaths, Detected};
use std::path::{Path, PathBuf};

/// Everything `load_export` produces.
#[derive(Debug, Clone)]
pub struct LoadedExport {
    pub model: Model,
    pub sources: SourceMap,
    pub coverage: Coverage,
    /// Recoverable problems (the model stays sound): empty files, unknown folders, ARNs
    /// naming another account than their folder.
    pub warnings: Vec<IngestWarning>,
}

/// A recoverable problem, with the file (and JSON pointer) it concerns.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IngestWarning {
    pub file: String,
    pub pointer: Option<String>,
    pub message: String,
}

impl std::fmt::Display for IngestWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.pointer {
            Some(p) => write!(f, "{}: {}: {}", self.file, p, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Loads the export at `path`: a folder in any supported layout, or a GAAD file.
pub fn load_export(path: &Path) -> Result<LoadedExport, IngestError> {
    match layout::detect(path)? {
        Detected::GaadFile => load_gaad_file(path),
        Detected::Native => load_native(path),
        Detected::NativeSingleAccount => load_native_single(path),
        Detected::CloudMapper { regions } => load_cloudmapper(path, regions),
        Detected::CloudMapperAccounts { accounts } => load_cloudmapper_accounts(path, accounts),
    }
}

/// Loads a GAAD from bytes already in memory (`name` is used in errors and sources): an
/// IAM-only export. Useful for tests, benches and fuzzing.
pub fn load_gaad_bytes(bytes: &[u8], name: &str) -> Result<LoadedExport, IngestError> {
    let mut b = Builder::new(PathBuf::from("."), ExportLayout::GaadFile);
    let v = match json::parse_json_bytes(bytes, name)? {
        json::FileContent::Json(v) => v,
        json::FileContent::Empty => {
            return Err(IngestError::NotAnExport {
                path: name.to_string(),
                reason: "the file is empty".into(),
            })
        }
    };
    gaad_into(&mut b, &v, name)?;
    Ok(b.finish())
}

fn gaad_into(b: &mut Builder, v: &serde_json::Value, name: &str) -> Result<(), IngestError> {
    if !iam::looks_like_gaad(v) {
        let reason = match v {
            serde_json::Value::Object(m) if m.contains_key("Statement") => {
                "this is a policy document, not a get-account-authorization-details output"
            }
            serde_json::Value::Object(_) => {
                "a JSON object without UserDetailList, GroupDetailList, RoleDetailList or Policies"
            }
            _ => "not a JSON object, so not a get-account-authorization-details output",
        };
        return Err(IngestError::NotAnExport {
            path: name.to_string(),
            reason: reason.into(),
        });
    }
    let home = iam::home_account(v).ok_or_else(|| IngestError::NotAnExport {
        path: name.to_string(),
        reason: "no ARN with an account id inside: cannot tell which account this is".into(),
    })?;
    b.note_truncation(&Node::root(v, name), Some(&home), None)?;
    iam::load_gaad(b, &Node::root(v, name), &home, false)?;
    b.coverage.collected(Some(&home), None, "iam", name);
    b.missing(
        Some(&home),
        None,
        None,
        "(IAM-only export)",
        "S3, KMS, network, Lambda and organization data not collected: only IAM is known",
    );
    Ok(())
}

fn load_gaad_file(path: &Path) -> Result<LoadedExport, IngestError> {
    let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let mut b = Builder::new(root, ExportLayout::GaadFile);
    let v = match b.read(&name)? {
        Read::Json(v) => v,
        Read::Absent => {
            return Err(IngestError::Io {
                path: path.display().to_string(),
                message: "not a readable file".into(),
            })
        }
        Read::Empty => {
            return Err(IngestError::NotAnExport {
                path: name,
                reason: "the file is empty".into(),
            })
        }
    };
    gaad_into(&mut b, &v, &name)?;
    Ok(b.finish())
}

fn load_settings(b: &mut Builder) -> Result<(), IngestError> {
    let rel = "leakpath.toml";
    let path = b.model.root.join(rel);
    if !path.is_file() {
        return Ok(());
    }
    let meta = std::fs::metadata(&path).map_err(|e| IngestError::Io {
        path: rel.into(),
        message: e.to_string(),
    })?;
    if meta.len() > json::MAX_FILE_BYTES {
        return Err(IngestError::TooLarge {
            file: rel.into(),
            size: meta.len(),
            limit: json::MAX_FILE_BYTES,
        });
    }
    let bytes = std::fs::read(&path).map_err(|e| IngestError::Io {
        path: rel.into(),
        message: e.to_string(),
    })?;
    b.model.settings = settings::parse_settings(&bytes, rel)?;
    b.consumed.insert(rel.to_string());
    b.coverage.collected(None, None, "settings", rel);
    Ok(())
}

/// Reports every file nobody read (other than samples) as ignored, with a note.
fn note_ignored(b: &mut Builder) -> Result<(), IngestError> {
    // `finish` sorts the list.
    for rel in layout::walk_paths(b, "")? {
        if !b.consumed.contains(&rel) {
            b.coverage.ignored_files.push(rel);
        }
    }
    Ok(())
}

fn load_native(path: &Path) -> Result<LoadedExport, IngestError> {
    let mut b = Builder::new(path.to_path_buf(), ExportLayout::Native);
    b.prefill_listings();
    load_settings(&mut b)?;
    if b.is_dir("organizations") {
        org::load_organization(&mut b, "organizations")?;
    } else {
        b.missing(
            None,
            None,
            None,
            "organizations/",
            "no organization data: SCPs, RCPs and the account tree are unknown",
        );
    }
    let mut exported = Vec::new();
    for e in layout::list_dir(&mut b, "accounts")? {
        if e.is_dir && is_account_id(&e.name) {
            exported.push(e.name);
        } else {
            b.warn(
                &format!("accounts/{}", e.name),
                None,
                "not a 12-digit account folder: ignored",
            );
        }
    }
    for id in &exported {
        let prefix = format!("accounts/{id}/");
        let regions = account::native_regions(&mut b, &prefix)?;
        account::load_account(
            &mut b,
            &AccountPaths::Native { prefix },
            id,
            &regions,
            None,
            true,
        )?;
    }
    // Organization accounts that the export does not hold.
    let listed: Vec<String> = b
        .model
        .accounts
        .iter()
        .filter(|a| !a.exported)
        .map(|a| b.model.str(a.id).to_string())
        .collect();
    for id in listed {
        b.missing(
            Some(&id),
            None,
            None,
            &format!("accounts/{id}/"),
            "account is in the organization but not in the export: its resources are unknown",
        );
    }
    note_ignored(&mut b)?;
    Ok(b.finish())
}

fn load_native_single(path: &Path) -> Result<LoadedExport, IngestError> {
    let mut b = Builder::new(path.to_path_buf(), ExportLayout::NativeSingleAccount);
    b.prefill_listings();
    load_settings(&mut b)?;
    let paths = AccountPaths::Native {
        prefix: String::new(),
    };
    let regions = account::native_regions(&mut b, "")?;
    let (id, gaad) = account::discover_account_id(&mut b, &paths, &regions)?;
    let id = id.ok_or_else(|| IngestError::NotAnExport {
        path: path.display().to_string(),
        reason:
            "single-account export without any ARN or owner id inside: cannot tell the account id"
                .into(),
    })?;
    account::load_account(&mut b, &paths, &id, &regions, gaad, false)?;
    note_ignored(&mut b)?;
    Ok(b.finish())
}

fn load_cloudmapper(path: &Path, regions: Vec<String>) -> Result<LoadedExport, IngestError> {
    let mut b = Builder::new(path.to_path_buf(), ExportLayout::CloudMapper);
    b.prefill_listings();
    load_settings(&mut b)?;
    cloudmapper_account(&mut b, "", &regions)?;
    note_ignored(&mut b)?;
    Ok(b.finish())
}

/// CloudMapper's `account-data/`: one folder per account, each in the CloudMapper layout.
fn load_cloudmapper_accounts(
    path: &Path,
    accounts: Vec<(String, Vec<String>)>,
) -> Result<LoadedExport, IngestError> {
    let mut b = Builder::new(path.to_path_buf(), ExportLayout::CloudMapper);
    b.prefill_listings();
    load_settings(&mut b)?;
    for (folder, regions) in accounts {
        cloudmapper_account(&mut b, &format!("{folder}/"), &regions)?;
    }
    note_ignored(&mut b)?;
    Ok(b.finish())
}

/// One CloudMapper account folder (`prefix` is `""` or `<account-name>/`).
fn cloudmapper_account(
    b: &mut Builder,
    prefix: &str,
    regions: &[String],
) -> Result<(), IngestError> {
    let dir = b.model.root.join(prefix);
    // CloudMapper collects global services (IAM, S3) in one region: the one holding them.
    let global_region = regions
        .iter()
        .find(|r| {
            b.is_file(&format!(
                "{prefix}{r}/iam-get-account-authorization-details.json"
            )) || b.is_file(&format!("{prefix}{r}/s3-list-buckets.json"))
        })
        .or_else(|| regions.iter().find(|r| r.as_str() == "us-east-1"))
        .or_else(|| regions.first())
        .cloned()
        .unwrap_or_else(|| "us-east-1".to_string());
    let paths = AccountPaths::CloudMapper {
        prefix: prefix.to_string(),
        global_region,
        regions: regions.to_vec(),
    };
    let mut id = None;
    for r in regions {
        let rel = format!("{prefix}{r}/sts-get-caller-identity.json");
        if let Read::Json(v) = b.read(&rel)? {
            let n = Node::root(&v, &rel);
            let acct = n.req("Account")?;
            let s = acct.str()?;
            if !is_account_id(s) {
                return Err(acct.invalid(format!("invalid account id {s:?}")));
            }
            id = Some(s.to_string());
            break;
        }
    }
    let (id, gaad) = match id {
        Some(id) => (Some(id), None),
        None => account::discover_account_id(b, &paths, regions)?,
    };
    let id = id.ok_or_else(|| IngestError::NotAnExport {
        path: dir.display().to_string(),
        reason: "CloudMapper account without sts-get-caller-identity.json or any ARN inside: cannot tell the account id".into(),
    })?;
    if b.model
        .sym(&id)
        .and_then(|s| b.model.accounts.iter().find(|a| a.id == s))
        .is_some_and(|a| a.exported)
    {
        return Err(IngestError::Duplicate {
            file: prefix.to_string(),
            pointer: String::new(),
            what: "account".into(),
            id,
            first: "another CloudMapper account folder".into(),
        });
    }
    account::load_account(b, &paths, &id, regions, gaad, false)?;
    // describe-regions.json is CloudMapper's own bookkeeping.
    let regions_file = format!("{prefix}describe-regions.json");
    if b.is_file(&regions_file) {
        b.consumed.insert(regions_file);
    }
    Ok(())
}
