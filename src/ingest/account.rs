//! Loading one account's files (native or CloudMapper layout) into the builder: IAM, S3,
//! account-level Block Public Access, and per region KMS, EC2/VPC and Lambda. Every file
//! that is absent becomes a coverage entry saying what stays unknown.

use super::builder::{drop_later, Builder, Read};
use super::ec2::{ec2_consequence, EC2_CALLS};
use super::gaad::{load_gaad_doc, parse_gaad};
use super::iam::{home_account, load_gaad};
use super::instances::load_instances_file;
use super::json::{json_text, parse_json_text, Node};
use super::layout::{list_dir, walk_files, AccountPaths};
use super::{kms, lambda, s3, IngestError};
use crate::model::{
    is_account_id, Arn, Bucket, BucketId, Collected, ItemRef, KmsKey, KmsKeyId, LambdaFunction,
    LambdaFunctionId, LambdaVpcConfig, PolicyKind, SampleFile, SourceLoc,
};
use std::collections::BTreeSet;

/// Finds the account id of a layout without an account folder, from ARNs (and EC2 owner
/// ids) inside its files. Returns the GAAD value if it was read on the way, so it is not
/// parsed twice.
pub fn discover_account_id(
    b: &mut Builder,
    paths: &AccountPaths,
    regions: &[String],
) -> Result<(Option<String>, Option<serde_json::Value>), IngestError> {
    let gaad = match b.read(&paths.gaad())? {
        Read::Json(v) => Some(v),
        _ => None,
    };
    if let Some(id) = gaad.as_ref().and_then(home_account) {
        return Ok((Some(id), gaad));
    }
    let mut candidates = vec![paths.list_buckets()];
    for r in regions {
        candidates.push(paths.lambda_list(r));
        candidates.push(paths.kms_list(r));
        candidates.push(paths.ec2(r, "describe-security-groups"));
        candidates.push(paths.ec2(r, "describe-instances"));
        candidates.push(paths.ec2(r, "describe-vpcs"));
    }
    for rel in candidates {
        if let Read::Json(v) = b.read(&rel)? {
            if let Some(id) = account_in_value(&v) {
                return Ok((Some(id), gaad));
            }
        }
    }
    Ok((None, gaad))
}

/// The first 12-digit account named by an ARN or an `OwnerId` inside a value.
pub fn account_in_value(v: &serde_json::Value) -> Option<String> {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    if let Some(s) = x.as_str() {
                        if k == "OwnerId" && is_account_id(s) {
                            return Some(s.to_string());
                        }
                        if let Some(a) = Arn::parse(s) {
                            if is_account_id(a.account) {
                                return Some(a.account.to_string());
                            }
                        }
                    } else {
                        stack.push(x);
                    }
                }
            }
            serde_json::Value::Array(a) => stack.extend(a.iter()),
            _ => {}
        }
    }
    None
}

/// The regions an account's native folder has data for (union over kms/, ec2/, lambda/).
pub fn native_regions(b: &mut Builder, prefix: &str) -> Result<Vec<String>, IngestError> {
    let mut regions = BTreeSet::new();
    for svc in ["kms", "ec2", "lambda"] {
        for e in list_dir(b, &format!("{prefix}{svc}"))? {
            if e.is_dir {
                if super::layout::is_region_name(&e.name) {
                    regions.insert(e.name);
                } else {
                    b.warn(
                        &format!("{prefix}{svc}/{}", e.name),
                        None,
                        "folder name is not a region: ignored",
                    );
                }
            }
        }
    }
    Ok(regions.into_iter().collect())
}

/// Loads one account.
pub fn load_account(
    b: &mut Builder,
    paths: &AccountPaths,
    account: &str,
    regions: &[String],
    gaad: Option<serde_json::Value>,
    from_folder: bool,
) -> Result<(), IngestError> {
    b.account_mut(account).exported = true;
    // The account's S3 and regional files are parsed on the pool while IAM loads (its
    // authorization details are the largest file, parsed on this thread); each waits for
    // its loader's `read`, so what is reported, and in which order, does not change.
    let ahead = parse_ahead_files(b, paths);
    let root = b.model.root.clone();
    let (parsed, iam) = rayon::join(
        || super::builder::parse_ahead(&root, &ahead),
        || load_iam(b, paths, account, gaad, from_folder),
    );
    iam?;
    b.keep_parsed(parsed);
    let loaded = load_rest(b, paths, account, regions);
    b.discard_parsed();
    loaded
}

/// The files of a native account folder worth parsing ahead: the AWS CLI outputs of its
/// S3 and regional services (`get-…`, `list-…`, `describe-….json`), not its data samples,
/// nor `describe-instances`, which its loader reads as text (`instances.rs`, the typed
/// path): its `Value` would be dropped unread.
fn parse_ahead_files(b: &Builder, paths: &AccountPaths) -> Vec<String> {
    let AccountPaths::Native { prefix } = paths else {
        return Vec::new();
    };
    let services = ["s3/", "s3control/", "kms/", "ec2/", "lambda/"];
    b.listings
        .files_under(prefix.trim_end_matches('/'))
        .into_iter()
        .filter(|f| {
            let Some(rest) = f.strip_prefix(prefix.as_str()) else {
                return false;
            };
            let name = rest.rsplit('/').next().unwrap_or_default();
            services.iter().any(|s| rest.starts_with(s))
                && name.ends_with(".json")
                && ["get-", "list-", "describe-"]
                    .iter()
                    .any(|p| name.starts_with(p))
                && name != "describe-instances.json"
        })
        .collect()
}

/// `load_account` after IAM: S3, then each region's KMS, EC2/VPC and Lambda.
fn load_rest(
    b: &mut Builder,
    paths: &AccountPaths,
    account: &str,
    regions: &[String],
) -> Result<(), IngestError> {
    load_s3(b, paths, account)?;
    for region in regions {
        load_kms(b, paths, account, region)?;
        load_ec2(b, paths, account, region)?;
        load_lambda(b, paths, account, region)?;
        let r = b.intern(region);
        b.account_mut(account).regions.push(r);
    }
    if regions.is_empty() {
        b.missing(
            Some(account),
            None,
            None,
            &paths.ec2("<region>", "describe-*"),
            "no regional data (KMS, EC2/VPC, Lambda) in any region: keys, network and compute unknown",
        );
    }
    Ok(())
}

fn load_iam(
    b: &mut Builder,
    paths: &AccountPaths,
    account: &str,
    gaad: Option<serde_json::Value>,
    from_folder: bool,
) -> Result<(), IngestError> {
    let rel = paths.gaad();
    let collected = match gaad {
        Some(v) => {
            load_gaad_value(b, &v, &rel, account, from_folder)?;
            true
        }
        None => match b.read_bytes(&rel)? {
            None => false,
            Some(bytes) => match json_text(&bytes, &rel)? {
                None => {
                    b.note_empty(&rel);
                    false
                }
                // The typed fast path; a file it refuses goes through the `Value` path,
                // which gives the error (or loads what only the typed records refuse).
                Some(text) => {
                    match parse_gaad(text) {
                        Ok(doc) => {
                            if doc.truncated() {
                                b.truncated(&rel, Some(account), None);
                            }
                            load_gaad_doc(b, doc, &rel, account, from_folder)?;
                        }
                        Err(_) => {
                            let v = parse_json_text(text, &rel)?;
                            load_gaad_value(b, &v, &rel, account, from_folder)?;
                        }
                    }
                    true
                }
            },
        },
    };
    if collected {
        b.coverage.collected(Some(account), None, "iam", &rel);
    } else {
        b.missing(
            Some(account),
            None,
            None,
            &rel,
            "IAM users, groups, roles and policies unknown",
        );
    }
    Ok(())
}

/// A GAAD already parsed as a `Value`, loaded through `Node`s.
fn load_gaad_value(
    b: &mut Builder,
    v: &serde_json::Value,
    rel: &str,
    account: &str,
    from_folder: bool,
) -> Result<(), IngestError> {
    b.note_truncation(&Node::root(v, rel), Some(account), None)?;
    load_gaad(b, &Node::root(v, rel), account, from_folder)
}

const BUCKET_CALLS: [&str; 7] = [
    "get-bucket-policy",
    "get-bucket-acl",
    "get-public-access-block",
    "get-bucket-ownership-controls",
    "get-bucket-encryption",
    "get-bucket-location",
    "list-objects-v2",
];

fn bucket_consequence(call: &str) -> &'static str {
    match call {
        "get-bucket-policy" => "bucket policy unknown",
        "get-bucket-acl" => "bucket ACL unknown",
        "get-public-access-block" => "bucket-level Block Public Access unknown",
        "get-bucket-ownership-controls" => "object ownership (whether ACLs apply) unknown",
        "get-bucket-encryption" => "default encryption (KMS key) unknown",
        "get-bucket-location" => "bucket region unknown",
        "list-objects-v2" => "object key sample unknown",
        _ => "unknown",
    }
}

/// Bucket names that have per-bucket files but may be absent from `list-buckets`.
fn bucket_folders(b: &mut Builder, paths: &AccountPaths) -> Result<Vec<String>, IngestError> {
    let mut names = BTreeSet::new();
    match paths {
        AccountPaths::Native { prefix } => {
            for e in list_dir(b, &format!("{prefix}s3/buckets"))? {
                if e.is_dir {
                    names.insert(e.name);
                }
            }
        }
        AccountPaths::CloudMapper {
            prefix,
            global_region,
            ..
        } => {
            for call in BUCKET_CALLS {
                for e in list_dir(b, &format!("{prefix}{global_region}/s3-{call}"))? {
                    if !e.is_dir {
                        names.insert(e.name);
                    }
                }
            }
        }
    }
    Ok(names.into_iter().collect())
}

fn load_s3(b: &mut Builder, paths: &AccountPaths, account: &str) -> Result<(), IngestError> {
    let account_sym = b.intern(account);
    // Account-level Block Public Access.
    let pab_rel = paths.account_public_access_block();
    let pab = match b.read(&pab_rel)? {
        Read::Json(v) => {
            let n = Node::root(&v, &pab_rel);
            let p = s3::parse_public_access_block(&n)?;
            b.coverage
                .collected(Some(account), None, "s3control", &pab_rel);
            let aid = b.account(account);
            b.source(ItemRef::AccountPublicAccessBlock(aid), &n);
            Collected::Present(p)
        }
        Read::Absent | Read::Empty => {
            b.missing(
                Some(account),
                None,
                None,
                &pab_rel,
                "account-level Block Public Access unknown",
            );
            Collected::Missing
        }
    };
    b.account_mut(account).public_access_block = pab;

    let list_rel = paths.list_buckets();
    let list_value = match b.read(&list_rel)? {
        Read::Json(v) => Some(v),
        Read::Absent | Read::Empty => None,
    };
    let mut listed = Vec::new();
    match &list_value {
        Some(v) => {
            let n = Node::root(v, &list_rel);
            b.note_truncation(&n, Some(account), None)?;
            let (buckets, owner) = s3::parse_list_buckets(&n)?;
            let acct = b.account_mut(account);
            acct.buckets_listed = true;
            acct.s3_canonical_id = owner;
            b.coverage.collected(Some(account), None, "s3", &list_rel);
            listed = buckets;
        }
        None => b.missing(
            Some(account),
            None,
            None,
            &list_rel,
            "bucket list unknown: only buckets with their own files are seen",
        ),
    }
    let mut names: Vec<(String, Option<usize>)> = listed
        .iter()
        .enumerate()
        .map(|(i, l)| (l.name.clone(), Some(i)))
        .collect();
    for f in bucket_folders(b, paths)? {
        if !names.iter().any(|(n, _)| *n == f) {
            if !s3::valid_bucket_name(&f) {
                b.warn(
                    &paths.bucket(&f, ""),
                    None,
                    "folder name is not a bucket name: ignored",
                );
                continue;
            }
            if list_value.is_some() {
                b.warn(
                    &list_rel,
                    Some("/Buckets"),
                    format!("bucket {f:?} has files but is not in list-buckets: loaded anyway"),
                );
            }
            names.push((f, None));
        }
    }

    // The files read, dropped together at the end (`drop_later`): the pool frees them
    // while the load goes on.
    let mut spent = Vec::new();
    for (name, listed_idx) in names {
        let listing = listed_idx.and_then(|i| listed.get(i));
        let name_sym = b.intern(&name);
        let arn = b.intern(&format!("arn:aws:s3:::{name}"));
        let bid = BucketId(b.model.buckets.len() as u32);
        let loc = match (listed_idx, &list_value) {
            (Some(i), Some(v)) => {
                let n = Node::root(v, &list_rel);
                let item = n.list_item("Buckets", i)?.unwrap_or(n);
                b.claim("bucket", None, name_sym, &item)?;
                SourceLoc::new(list_rel.as_str(), item.ptr())
            }
            _ => {
                let rel = paths.bucket(&name, "get-bucket-policy");
                let dummy = serde_json::Value::Null;
                b.claim("bucket", None, name_sym, &Node::root(&dummy, &rel))?;
                SourceLoc::new(rel, "")
            }
        };
        b.sources.insert(ItemRef::Bucket(bid), loc);

        let mut bucket = Bucket {
            name: name_sym,
            arn,
            account: account_sym,
            region: Collected::Missing,
            creation_date: listing.and_then(|l| l.creation_date.clone()),
            policy: Collected::Missing,
            acl: Collected::Missing,
            public_access_block: Collected::Missing,
            ownership: Collected::Missing,
            encryption: Collected::Missing,
            key_sample: Collected::Missing,
            samples: Collected::Missing,
        };
        for call in BUCKET_CALLS {
            let rel = paths.bucket(&name, call);
            let v = match b.read(&rel)? {
                Read::Json(v) => v,
                Read::Absent | Read::Empty => {
                    if call == "get-bucket-location" {
                        if let Some(r) = listing.and_then(|l| l.region.clone()) {
                            bucket.region = Collected::Present(r);
                            continue;
                        }
                    }
                    b.missing(
                        Some(account),
                        None,
                        Some(&name),
                        &rel,
                        bucket_consequence(call),
                    );
                    continue;
                }
            };
            let n = Node::root(&v, &rel);
            match call {
                "get-bucket-policy" => {
                    bucket.policy = Collected::Present(s3::parse_policy_response(
                        b,
                        &n,
                        PolicyKind::Bucket,
                        Some(name.clone()),
                        account_sym,
                    )?)
                }
                "get-bucket-acl" => {
                    bucket.acl = Collected::Present(s3::parse_acl(&n)?);
                    b.source(ItemRef::BucketAcl(bid), &n);
                }
                "get-public-access-block" => {
                    bucket.public_access_block =
                        Collected::Present(s3::parse_public_access_block(&n)?);
                    b.source(ItemRef::BucketPublicAccessBlock(bid), &n);
                }
                "get-bucket-ownership-controls" => {
                    bucket.ownership = Collected::Present(s3::parse_ownership(&n)?);
                    b.source(ItemRef::BucketOwnership(bid), &n);
                }
                "get-bucket-encryption" => {
                    bucket.encryption = Collected::Present(s3::parse_encryption(&n)?);
                    b.source(ItemRef::BucketEncryption(bid), &n);
                }
                "get-bucket-location" => {
                    bucket.region = Collected::Present(s3::parse_location(&n)?);
                    b.source(ItemRef::BucketLocation(bid), &n);
                }
                _ => {
                    bucket.key_sample = Collected::Present(s3::parse_key_sample(&n)?);
                    b.source(ItemRef::BucketKeySample(bid), &n);
                }
            }
            spent.push(v);
        }
        match paths.samples(&name) {
            Some(dir) if b.is_dir(&dir) => {
                let mut samples = Vec::new();
                for (rel, size) in walk_files(b, &dir)? {
                    b.consumed.insert(rel.clone());
                    samples.push(SampleFile {
                        path: b.model.root.join(&rel),
                        relative_path: rel,
                        size,
                    });
                }
                bucket.samples = Collected::Present(samples);
            }
            Some(dir) => b.missing(
                Some(account),
                None,
                Some(&name),
                &dir,
                "no sampled objects: the data's sensitivity is unknown",
            ),
            None => b.missing(
                Some(account),
                None,
                Some(&name),
                &paths.bucket(&name, "samples"),
                "no sampled objects: the data's sensitivity is unknown",
            ),
        }
        b.model.buckets.push(bucket);
    }
    drop_later(spent);
    Ok(())
}

fn load_kms(
    b: &mut Builder,
    paths: &AccountPaths,
    account: &str,
    region: &str,
) -> Result<(), IngestError> {
    let account_sym = b.intern(account);
    let region_sym = b.intern(region);
    let list_rel = paths.kms_list(region);
    let scope = Scope::regional(account, region);
    let mut keys = read_listing(
        b,
        &list_rel,
        scope,
        "kms",
        "KMS keys unknown: only keys with their own files are seen",
        |_, n| kms::parse_list_keys(n),
    )?
    .unwrap_or_default();
    // Keys with their own folders that list-keys did not name.
    let key_dir = match paths {
        AccountPaths::Native { prefix } => vec![format!("{prefix}kms/{region}/keys")],
        AccountPaths::CloudMapper { prefix, .. } => vec![
            format!("{prefix}{region}/kms-get-key-policy"),
            format!("{prefix}{region}/kms-describe-key"),
        ],
    };
    for d in key_dir {
        for e in list_dir(b, &d)? {
            if !keys.iter().any(|k| k.key_id == e.name) && !e.name.is_empty() {
                keys.push(kms::ListedKey {
                    key_id: e.name,
                    arn: None,
                });
            }
        }
    }
    for k in keys {
        let mut arn = k.arn.clone();
        let describe_rel = paths.key(region, &k.key_id, "describe-key");
        let metadata = read_resource(
            b,
            &describe_rel,
            scope,
            &k.key_id,
            "key metadata (AWS or customer managed, state) unknown",
            |_, n| {
                let (m, _, darn) = kms::parse_describe_key(n)?;
                if arn.is_none() {
                    arn = darn;
                }
                Ok(m)
            },
        )?;
        let arn_s =
            arn.unwrap_or_else(|| format!("arn:aws:kms:{region}:{account}:key/{}", k.key_id));
        let arn_sym = b.intern(&arn_s);
        let kid = KmsKeyId(b.model.kms_keys.len() as u32);
        let policy_rel = paths.key(region, &k.key_id, "get-key-policy");
        let policy = match b.read(&policy_rel)? {
            Read::Json(v) => {
                let n = Node::root(&v, &policy_rel);
                b.claim("KMS key", None, arn_sym, &n)?;
                b.sources.insert(
                    ItemRef::KmsKey(kid),
                    SourceLoc::new(policy_rel.as_str(), ""),
                );
                match s3::parse_policy_response(
                    b,
                    &n,
                    PolicyKind::Key,
                    Some(k.key_id.clone()),
                    account_sym,
                )? {
                    Some(p) => Collected::Present(p),
                    None => {
                        b.warn(&policy_rel, None, "every KMS key has a key policy, but this file holds none: treated as not collected");
                        Collected::Missing
                    }
                }
            }
            Read::Absent | Read::Empty => {
                let dummy = serde_json::Value::Null;
                b.claim("KMS key", None, arn_sym, &Node::root(&dummy, &list_rel))?;
                b.sources
                    .insert(ItemRef::KmsKey(kid), SourceLoc::new(list_rel.as_str(), ""));
                b.missing(
                    Some(account),
                    Some(region),
                    Some(&k.key_id),
                    &policy_rel,
                    "key policy unknown: who can decrypt with this key is unknown",
                );
                Collected::Missing
            }
        };
        b.model.kms_keys.push(KmsKey {
            arn: arn_sym,
            key_id: k.key_id,
            account: account_sym,
            region: region_sym,
            policy,
            metadata,
        });
    }
    Ok(())
}

fn load_ec2(
    b: &mut Builder,
    paths: &AccountPaths,
    account: &str,
    region: &str,
) -> Result<(), IngestError> {
    let scope = Scope::regional(account, region);
    for (call, parse) in EC2_CALLS {
        let rel = paths.ec2(region, call);
        let unknown = ec2_consequence(call);
        if call == "describe-instances" {
            // The typed fast path (the `Value` path for a file it refuses).
            if load_instances_file(b, &rel, account, region)? {
                scope.collected(b, &rel, "ec2");
            } else {
                scope.missing(b, &rel, unknown);
            }
            continue;
        }
        read_listing(b, &rel, scope, "ec2", unknown, |b, n| {
            parse(b, n, account, region)
        })?;
    }
    Ok(())
}

fn load_lambda(
    b: &mut Builder,
    paths: &AccountPaths,
    account: &str,
    region: &str,
) -> Result<(), IngestError> {
    let account_sym = b.intern(account);
    let region_sym = b.intern(region);
    let scope = Scope::regional(account, region);
    let rel = paths.lambda_list(region);
    let v = match b.read(&rel)? {
        Read::Json(v) => v,
        Read::Absent | Read::Empty => {
            scope.missing(b, &rel, "Lambda functions unknown");
            return Ok(());
        }
    };
    scope.collected(b, &rel, "lambda");
    let list_node = Node::root(&v, &rel);
    b.note_truncation(&list_node, Some(account), Some(region))?;
    let functions = lambda::parse_list_functions(&list_node)?;
    for f in functions {
        let arn = b.intern(&f.arn);
        let fnode = Node::at(&v, &rel, f.pointer.clone());
        b.claim("Lambda function", None, arn, &fnode)?;
        let fid = LambdaFunctionId(b.model.lambda_functions.len() as u32);
        b.sources.insert(
            ItemRef::LambdaFunction(fid),
            SourceLoc::new(rel.as_str(), f.pointer.clone()),
        );
        let policy_rel = paths.function(region, &f.name, "get-policy");
        let policy = read_resource(
            b,
            &policy_rel,
            scope,
            &f.name,
            "function resource policy unknown",
            |b, n| {
                s3::parse_policy_response(
                    b,
                    n,
                    PolicyKind::Lambda,
                    Some(f.name.clone()),
                    account_sym,
                )
            },
        )?;
        let url_rel = paths.function(region, &f.name, "get-function-url-config");
        let url = read_resource(
            b,
            &url_rel,
            scope,
            &f.name,
            "function URL (public invoke) unknown",
            |b, n| {
                b.source(ItemRef::LambdaUrl(fid), n);
                lambda::parse_function_url(n)
            },
        )?;
        let role = f.role.as_deref().map(|r| b.intern(r));
        let vpc_config = if f.vpc_id.is_some() || !f.subnets.is_empty() {
            Some(LambdaVpcConfig {
                vpc: f.vpc_id.as_deref().map(|x| b.intern(x)),
                subnets: f.subnets.iter().map(|x| b.intern(x)).collect(),
                security_groups: f.security_groups.iter().map(|x| b.intern(x)).collect(),
            })
        } else {
            None
        };
        b.model.lambda_functions.push(LambdaFunction {
            arn,
            name: f.name,
            account: account_sym,
            region: region_sym,
            role,
            runtime: f.runtime,
            vpc_config,
            policy,
            url,
        });
    }
    Ok(())
}

/// Where a file of one account counts in the coverage report: the account and, for a
/// regional service, the region.
#[derive(Clone, Copy)]
struct Scope<'a> {
    account: &'a str,
    region: Option<&'a str>,
}

impl<'a> Scope<'a> {
    fn regional(account: &'a str, region: &'a str) -> Scope<'a> {
        Scope {
            account,
            region: Some(region),
        }
    }

    /// Counts the file `rel` of `service` as collected.
    fn collected(&self, b: &mut Builder, rel: &str, service: &str) {
        b.coverage
            .collected(Some(self.account), self.region, service, rel);
    }

    /// The listing `rel` is absent or empty: a coverage entry saying what stays `unknown`.
    fn missing(&self, b: &mut Builder, rel: &str, unknown: &str) {
        b.missing(Some(self.account), self.region, None, rel, unknown);
    }
}

/// Reads `rel`, a whole CLI listing of `service` (a first page only is noted), through
/// `parse`, and counts it collected; absent or empty, `None` and a coverage entry saying
/// what stays `unknown`.
fn read_listing<T>(
    b: &mut Builder,
    rel: &str,
    scope: Scope,
    service: &str,
    unknown: &str,
    parse: impl FnOnce(&mut Builder, &Node) -> Result<T, IngestError>,
) -> Result<Option<T>, IngestError> {
    match b.read(rel)? {
        Read::Json(v) => {
            let n = Node::root(&v, rel);
            b.note_truncation(&n, Some(scope.account), scope.region)?;
            let parsed = parse(b, &n)?;
            scope.collected(b, rel, service);
            Ok(Some(parsed))
        }
        Read::Absent | Read::Empty => {
            scope.missing(b, rel, unknown);
            Ok(None)
        }
    }
}

/// Reads `rel`, a file about one `resource` (a key, a function), through `parse`; absent
/// or empty, `Missing` and a coverage entry saying what stays `unknown`.
fn read_resource<T>(
    b: &mut Builder,
    rel: &str,
    scope: Scope,
    resource: &str,
    unknown: &str,
    parse: impl FnOnce(&mut Builder, &Node) -> Result<T, IngestError>,
) -> Result<Collected<T>, IngestError> {
    match b.read(rel)? {
        Read::Json(v) => Ok(Collected::Present(parse(b, &Node::root(&v, rel))?)),
        Read::Absent | Read::Empty => {
            b.missing(
                Some(scope.account),
                scope.region,
                Some(resource),
                rel,
                unknown,
            );
            Ok(Collected::Missing)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(v: serde_json::Value, expect: Option<&str>) {
        assert_eq!(account_in_value(&v).as_deref(), expect, "{v}");
    }

    #[test]
    fn account_ids_come_from_arns_or_owner_ids() {
        check(
            json!({"Functions": [{"FunctionArn": "arn:aws:lambda:us-east-1:111122223333:function:f"}]}),
            Some("111122223333"),
        );
        check(
            json!({"SecurityGroups": [{"OwnerId": "444455556666"}]}),
            Some("444455556666"),
        );
        check(json!({"Buckets": [{"Name": "arn-less"}]}), None);
        check(
            json!({"Policies": [{"Arn": "arn:aws:iam::aws:policy/x"}]}),
            None,
        );
    }
}
