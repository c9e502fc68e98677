//! Fuzz target: the export loader. The input is either a GAAD (first byte even: loaded from
//! memory, fast) or a small native-layout export (first byte odd): the rest is split on
//! 0x00 into chunks, each chunk's first byte choosing one of the known file paths and the
//! remainder being that file's bytes. It must return Ok or an IngestError, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;

/// The files a native single-account export may hold (plus an org-wide prefix).
const PATHS: [&str; 32] = [
    "iam/get-account-authorization-details.json",
    "s3/list-buckets.json",
    "s3/buckets/b/get-bucket-policy.json",
    "s3/buckets/b/get-bucket-acl.json",
    "s3/buckets/b/get-public-access-block.json",
    "s3/buckets/b/get-bucket-ownership-controls.json",
    "s3/buckets/b/get-bucket-encryption.json",
    "s3/buckets/b/get-bucket-location.json",
    "s3/buckets/b/list-objects-v2.json",
    "s3/buckets/b/samples/x.csv",
    "s3control/get-public-access-block.json",
    "kms/us-east-1/list-keys.json",
    "kms/us-east-1/keys/k/get-key-policy.json",
    "kms/us-east-1/keys/k/describe-key.json",
    "ec2/us-east-1/describe-vpcs.json",
    "ec2/us-east-1/describe-subnets.json",
    "ec2/us-east-1/describe-route-tables.json",
    "ec2/us-east-1/describe-security-groups.json",
    "ec2/us-east-1/describe-network-acls.json",
    "ec2/us-east-1/describe-internet-gateways.json",
    "ec2/us-east-1/describe-nat-gateways.json",
    "ec2/us-east-1/describe-vpc-endpoints.json",
    "ec2/us-east-1/describe-instances.json",
    "lambda/us-east-1/list-functions.json",
    "lambda/us-east-1/functions/f/get-policy.json",
    "lambda/us-east-1/functions/f/get-function-url-config.json",
    "leakpath.toml",
    "organizations/describe-organization.json",
    "organizations/list-accounts.json",
    "organizations/list-roots.json",
    "organizations/parents/111122223333.json",
    "organizations/policies/p-1/describe-policy.json",
];

fn scratch() -> PathBuf {
    // One folder per fuzzing process, in memory when /dev/shm exists.
    let base = if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    base.join(format!("leakpath-fuzz-{}", std::process::id()))
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        let _ = leakpath::ingest::load_gaad_bytes(rest, "fuzz.json");
        return;
    }
    let dir = scratch();
    let _ = std::fs::remove_dir_all(&dir);
    let org_wide = mode & 2 != 0;
    for chunk in rest.split(|b| *b == 0) {
        let Some((&sel, body)) = chunk.split_first() else {
            continue;
        };
        let rel = PATHS[sel as usize % PATHS.len()];
        let path = if org_wide && !rel.starts_with("organizations") && rel != "leakpath.toml" {
            dir.join("accounts/111122223333").join(rel)
        } else {
            dir.join(rel)
        };
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::write(&path, body);
    }
    let _ = leakpath::ingest::load_export(&dir);
});
