//! `s3/` and `s3control/` files for one generated account: the bucket list, every per-bucket
//! file, and small sample bodies for the sensitivity classifier.

use super::plan::{
    timestamp, BucketPlan, Exposure, Plan, FOREIGN_ACCOUNT, OUTSIDE_ACCOUNTS, TRUSTED_ACCOUNT,
};
use super::rng::SplitMix64;
use super::{compact, SynthError, Writer};
use serde_json::{json, Value};

pub fn write(plan: &Plan, a: usize, out: &mut Writer) -> Result<(), SynthError> {
    let account = plan.account_id(a).to_string();
    let mut rng = plan.rng.fork(&format!("s3/{account}"));
    let owner = json!({"DisplayName": format!("aws-{account}"), "ID": canonical_id(plan, a)});
    let mine: Vec<&BucketPlan> = plan.buckets_of(a).collect();

    let mut listing: Vec<Value> = mine
        .iter()
        .enumerate()
        .map(|(i, b)| json!({"Name": b.name, "CreationDate": timestamp(10 + i)}))
        .collect();
    listing.sort_by(|x, y| x["Name"].as_str().cmp(&y["Name"].as_str()));
    out.json(
        format!("accounts/{account}/s3/list-buckets.json"),
        &json!({"Buckets": listing, "Owner": owner}),
    )?;

    // Account-level Block Public Access: on in every fourth account, off elsewhere, so the
    // deliberate public exposures stay open in most accounts.
    let on = a % 4 == 0 && plan.accounts.len() > 1;
    out.json(
        format!("accounts/{account}/s3control/get-public-access-block.json"),
        &json!({"PublicAccessBlockConfiguration": {
            "BlockPublicAcls": on, "IgnorePublicAcls": on, "BlockPublicPolicy": on, "RestrictPublicBuckets": on}}),
    )?;

    for b in mine {
        let base = format!("accounts/{account}/s3/buckets/{}/", b.name);
        let arn = format!("arn:aws:s3:::{}", b.name);
        let policy = bucket_policy(plan, &mut rng, b, &arn);
        out.json(
            format!("{base}get-bucket-policy.json"),
            &match policy {
                Some(p) => json!({"Policy": compact(&p)}),
                None => json!({}),
            },
        )?;

        let mut grants = vec![json!({
            "Grantee": {"DisplayName": format!("aws-{account}"), "ID": canonical_id(plan, a), "Type": "CanonicalUser"},
            "Permission": "FULL_CONTROL"})];
        if b.exposure == Exposure::PublicAcl {
            grants.push(json!({"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
                               "Permission": "READ"}));
        } else if rng.percent(5) {
            grants.push(json!({"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/s3/LogDelivery"},
                               "Permission": "WRITE"}));
        }
        out.json(
            format!("{base}get-bucket-acl.json"),
            &json!({"Owner": owner, "Grants": grants}),
        )?;

        let public = matches!(b.exposure, Exposure::PublicPolicy | Exposure::PublicAcl);
        let bpa = if public {
            None
        } else {
            match rng.below(10) {
                0..=5 => Some([true, true, true, true]),
                6..=7 => None,
                _ => Some([true, true, false, false]),
            }
        };
        out.json(
            format!("{base}get-public-access-block.json"),
            &match bpa {
                Some([a1, a2, a3, a4]) => json!({"PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": a1, "IgnorePublicAcls": a2, "BlockPublicPolicy": a3, "RestrictPublicBuckets": a4}}),
                None => json!({}),
            },
        )?;

        let ownership = if b.exposure == Exposure::PublicAcl {
            "ObjectWriter"
        } else {
            [
                "BucketOwnerEnforced",
                "BucketOwnerEnforced",
                "BucketOwnerEnforced",
                "BucketOwnerPreferred",
                "ObjectWriter",
            ][rng.below(5)]
        };
        out.json(
            format!("{base}get-bucket-ownership-controls.json"),
            &json!({"OwnershipControls": {"Rules": [{"ObjectOwnership": ownership}]}}),
        )?;

        let rule = match b.kms_key.and_then(|k| plan.key_arn(k)) {
            Some(key) => {
                json!({"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key},
                                "BucketKeyEnabled": true})
            }
            None => {
                json!({"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": false})
            }
        };
        out.json(
            format!("{base}get-bucket-encryption.json"),
            &json!({"ServerSideEncryptionConfiguration": {"Rules": [rule]}}),
        )?;
        out.json(
            format!("{base}get-bucket-location.json"),
            &json!({"LocationConstraint": if b.region == "us-east-1" { Value::Null } else { json!(b.region) }}),
        )?;

        let sample = b.sample.map(|kind| sample_body(&mut rng, kind));
        let mut contents = Vec::new();
        if let Some((name, body)) = &sample {
            contents.push(object(&mut rng, name, body.len()));
        }
        let prefixes = ["reports", "exports", "raw", "uploads", "logs"];
        for k in 0..2 + rng.below(5) {
            let key = format!(
                "{}/{}/part-{k:05}.{}",
                prefixes[rng.below(prefixes.len())],
                timestamp(rng.below(300)).get(0..10).unwrap_or("2024-01-01"),
                ["csv", "json", "parquet", "gz"][rng.below(4)]
            );
            let size = 1000 + rng.below(5_000_000);
            contents.push(object(&mut rng, &key, size));
        }
        out.json(
            format!("{base}list-objects-v2.json"),
            &json!({"Contents": contents, "RequestCharged": null, "Prefix": ""}),
        )?;
        if let Some((name, body)) = sample {
            out.text(&format!("{base}samples/{name}"), body);
        }
    }
    Ok(())
}

fn object(rng: &mut SplitMix64, key: &str, size: usize) -> Value {
    json!({
        "Key": key,
        "LastModified": timestamp(200 + rng.below(400)),
        "ETag": format!("\"{}\"", rng.hex(32)),
        "ChecksumAlgorithm": ["CRC32"],
        "Size": size,
        "StorageClass": "STANDARD",
    })
}

pub fn canonical_id(plan: &Plan, a: usize) -> String {
    SplitMix64::new(plan.seed)
        .fork(&format!("canonical/{a}"))
        .hex(64)
}

fn bucket_policy(plan: &Plan, rng: &mut SplitMix64, b: &BucketPlan, arn: &str) -> Option<Value> {
    let resources = json!([arn, format!("{arn}/*")]);
    let tls = json!({"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                     "Resource": resources, "Condition": {"Bool": {"aws:SecureTransport": "false"}}});
    let grant = |principal: Value, sid: &str| {
        json!({"Sid": sid, "Effect": "Allow", "Principal": principal,
               "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": resources})
    };
    let statements = match b.exposure {
        Exposure::PublicPolicy => vec![
            json!({"Sid": "PublicReadGetObject", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                   "Resource": format!("{arn}/*")}),
            tls,
        ],
        Exposure::PublicAcl => return None,
        Exposure::ForeignGrant => {
            let outside = if rng.percent(60) {
                FOREIGN_ACCOUNT
            } else {
                OUTSIDE_ACCOUNTS
                    .get(rng.below(OUTSIDE_ACCOUNTS.len()))
                    .copied()
                    .unwrap_or(FOREIGN_ACCOUNT)
            };
            vec![
                grant(
                    json!({"AWS": format!("arn:aws:iam::{outside}:root")}),
                    "VendorRead",
                ),
                tls,
            ]
        }
        Exposure::OrgOnly => vec![
            json!({"Sid": "OrgRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                   "Resource": format!("{arn}/*"),
                   "Condition": {"StringEquals": {"aws:PrincipalOrgID": plan.org_id}}}),
            tls,
        ],
        Exposure::TrustedGrant => vec![grant(
            json!({"AWS": format!("arn:aws:iam::{TRUSTED_ACCOUNT}:root")}),
            "PartnerRead",
        )],
        Exposure::OrgRoleGrant => {
            let n = plan.accounts.len();
            let other = (b.account + 1 + rng.below(n.saturating_sub(1).max(1))) % n.max(1);
            let roles: Vec<String> = plan
                .roles
                .iter()
                .filter(|r| r.account == other)
                .take(50)
                .map(|r| plan.role_arn(r))
                .collect();
            let principal = match rng.pick(&roles) {
                Some(r) => json!({"AWS": r}),
                None => json!({"AWS": format!("arn:aws:iam::{}:root", plan.account_id(other))}),
            };
            vec![grant(principal, "CrossAccountRead"), tls]
        }
        Exposure::None => match rng.below(10) {
            0..=3 => return None,
            4..=6 => vec![tls],
            7 => vec![
                json!({"Sid": "DenyOutsideVpce", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                       "Resource": resources,
                       "Condition": {"StringNotEquals": {"aws:SourceVpce": format!("vpce-0{}", rng.hex(16))}}}),
                tls,
            ],
            _ => vec![
                json!({"Sid": "DenyUnencryptedUploads", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
                       "Resource": format!("{arn}/*"),
                       "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}}),
                tls,
            ],
        },
    };
    Some(json!({"Version": "2012-10-17", "Statement": statements}))
}

const FIRST: &[&str] = &[
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "Wei", "Aisha",
    "Carlos", "Olga", "Kenji", "Fatima", "Lars", "Priya",
];
const LAST: &[&str] = &[
    "Smith", "Johnson", "Garcia", "Miller", "Davis", "Martinez", "Lee", "Nguyen", "Clark", "Lopez",
    "Harris", "Taylor",
];

/// A small fake sample body of one kind: (file name, text).
fn sample_body(rng: &mut SplitMix64, kind: u8) -> (String, String) {
    let mut rows = Vec::new();
    match kind {
        0 => {
            rows.push("customer_id,first_name,last_name,email,phone,date_of_birth,ssn".to_string());
            for i in 0..12 {
                let (f, l) = (FIRST[rng.below(FIRST.len())], LAST[rng.below(LAST.len())]);
                rows.push(format!(
                    "{},{f},{l},{}.{}@example.com,(555) 555-{:04},19{:02}-{:02}-{:02},{:03}-{:02}-{:04}",
                    1000 + i,
                    f.to_lowercase(),
                    l.to_lowercase(),
                    rng.below(10000),
                    50 + rng.below(50),
                    1 + rng.below(12),
                    1 + rng.below(28),
                    100 + rng.below(560),
                    1 + rng.below(99),
                    1 + rng.below(9999)
                ));
            }
            ("customers.csv".into(), rows.join("\n") + "\n")
        }
        1 => {
            rows.push("invoice_id,vendor,iban,amount_usd,due_date".to_string());
            for i in 0..12 {
                rows.push(format!(
                    "INV-{:05},{} LLC,GB{:02}SYNT{:014},{}.{:02},{}",
                    i,
                    LAST[rng.below(LAST.len())],
                    10 + rng.below(89),
                    rng.below(99_999_999),
                    100 + rng.below(90000),
                    rng.below(100),
                    timestamp(rng.below(300)).get(0..10).unwrap_or("2024-01-01")
                ));
            }
            ("invoices.csv".into(), rows.join("\n") + "\n")
        }
        2 => (
            "app.env".into(),
            format!(
                "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nDB_PASSWORD=fake-{}\n",
                rng.hex(16)
            ),
        ),
        3 => {
            rows.push("medical_record_number,patient_name,date_of_birth,diagnosis_code".to_string());
            for _ in 0..12 {
                rows.push(format!(
                    "MRN{:07},{} {},19{:02}-{:02}-{:02},{}",
                    rng.below(9_999_999),
                    FIRST[rng.below(FIRST.len())],
                    LAST[rng.below(LAST.len())],
                    40 + rng.below(60),
                    1 + rng.below(12),
                    1 + rng.below(28),
                    ["E11.9", "I10", "J45.909", "F32.9", "M54.5"][rng.below(5)]
                ));
            }
            ("patients.csv".into(), rows.join("\n") + "\n")
        }
        _ => (
            "brochure.txt".into(),
            "Our products are available worldwide. See the catalogue at www.example.com.\n".into(),
        ),
    }
}
