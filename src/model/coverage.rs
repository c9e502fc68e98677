//! The coverage report: what an export holds and what it is missing, per account and
//! region, so "not collected" is never read as "no access".

use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Coverage {
    /// What was collected (one entry per account/region/service that has data).
    pub collected: Vec<CoverageItem>,
    /// What is missing, with what that leaves unknown.
    pub missing: Vec<MissingItem>,
    /// Files present in the export that leakpath does not read (ignored with a note).
    pub ignored_files: Vec<String>,
}

/// Something the export holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct CoverageItem {
    pub account: Option<String>,
    pub region: Option<String>,
    /// `organizations`, `iam`, `s3`, `s3control`, `kms`, `ec2`, `lambda`, `settings`.
    pub service: String,
    /// Relative path of the file or folder.
    pub file: String,
}

/// Something the export lacks.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct MissingItem {
    pub account: Option<String>,
    pub region: Option<String>,
    /// The resource concerned (bucket name, key id, function name), if any.
    pub resource: Option<String>,
    /// The file that would hold it, relative to the export root.
    pub file: String,
    /// What stays unknown because of it ("account-level BPA unknown").
    pub consequence: String,
}

impl Coverage {
    pub fn collected(
        &mut self,
        account: Option<&str>,
        region: Option<&str>,
        service: &str,
        file: &str,
    ) {
        self.collected.push(CoverageItem {
            account: account.map(str::to_string),
            region: region.map(str::to_string),
            service: service.to_string(),
            file: file.to_string(),
        });
    }

    pub fn missing(
        &mut self,
        account: Option<&str>,
        region: Option<&str>,
        resource: Option<&str>,
        file: &str,
        consequence: &str,
    ) {
        self.missing.push(MissingItem {
            account: account.map(str::to_string),
            region: region.map(str::to_string),
            resource: resource.map(str::to_string),
            file: file.to_string(),
            consequence: consequence.to_string(),
        });
    }
}

impl std::fmt::Display for MissingItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(a) = &self.account {
            write!(f, "account {a}")?;
            if let Some(r) = &self.region {
                write!(f, " {r}")?;
            }
            write!(f, ": ")?;
        }
        if let Some(r) = &self.resource {
            write!(f, "{r}: ")?;
        }
        write!(f, "no {} — {}", self.file, self.consequence)
    }
}
