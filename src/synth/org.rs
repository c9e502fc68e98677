//! `organizations/` for a multi-account generated export: the organization, its accounts,
//! root, nested OUs (`plan::OUS`: Workloads/{Prod,NonProd}, Sandbox, Core/{Security,
//! Infrastructure}, Suspended), parents, SCPs at the root, OUs and single accounts, and
//! RCPs (AWS's `RCPFullAWSAccess` everywhere, as AWS attaches it, plus an S3 data perimeter
//! on the Security OU) with their targets.

use super::plan::{Plan, OUS};
use super::{SynthError, Writer};
use serde_json::{json, Value};

const SCP: &str = "SERVICE_CONTROL_POLICY";
const RCP: &str = "RESOURCE_CONTROL_POLICY";

pub fn write(plan: &Plan, out: &mut Writer) -> Result<(), SynthError> {
    let mgmt = plan.account_id(0).to_string();
    let org = plan.org_id.clone();
    let root_id = format!("r-{}", &org[2..6.min(org.len())]);
    let arn = |kind: &str, id: &str| format!("arn:aws:organizations::{mgmt}:{kind}/{org}/{id}");
    let ou_id = |i: usize| format!("ou-{}-{:08}", &root_id[2..], 11_110_000 + i);

    out.json(
        "organizations/describe-organization.json".into(),
        &json!({"Organization": {
            "Id": org, "Arn": format!("arn:aws:organizations::{mgmt}:organization/{org}"), "FeatureSet": "ALL",
            "MasterAccountArn": arn("account", &mgmt), "MasterAccountId": mgmt,
            "MasterAccountEmail": "aws-management@example.com",
            "AvailablePolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"},
                                     {"Type": "RESOURCE_CONTROL_POLICY", "Status": "ENABLED"}]}}),
    )?;
    out.json(
        "organizations/list-accounts.json".into(),
        &json!({"Accounts": plan.accounts.iter().enumerate().map(|(i, a)| json!({
            "Id": a.id, "Arn": arn("account", &a.id), "Email": format!("aws-{}@example.com", a.name),
            "Name": a.name, "Status": "ACTIVE", "State": "ACTIVE",
            "JoinedMethod": if i == 0 { "CREATED" } else { "INVITED" },
            "JoinedTimestamp": "2021-02-01T09:00:00.123000+00:00"})).collect::<Vec<_>>()}),
    )?;
    out.json(
        "organizations/list-roots.json".into(),
        &json!({"Roots": [{"Id": root_id, "Arn": arn("root", &root_id), "Name": "Root",
                           "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"},
                                           {"Type": "RESOURCE_CONTROL_POLICY", "Status": "ENABLED"}]}]}),
    )?;
    for (i, (_, parent)) in OUS.iter().enumerate() {
        let parent = match parent {
            Some(p) => json!({"Id": ou_id(*p), "Type": "ORGANIZATIONAL_UNIT"}),
            None => json!({"Id": root_id, "Type": "ROOT"}),
        };
        out.json(
            format!("organizations/parents/{}.json", ou_id(i)),
            &json!({"Parents": [parent]}),
        )?;
    }
    for a in &plan.accounts {
        let parent = match OUS.get(a.ou) {
            Some(_) => json!({"Id": ou_id(a.ou), "Type": "ORGANIZATIONAL_UNIT"}),
            None => json!({"Id": root_id, "Type": "ROOT"}),
        };
        out.json(
            format!("organizations/parents/{}.json", a.id),
            &json!({"Parents": [parent]}),
        )?;
    }

    let target = |id: &str| -> Value {
        if id == root_id {
            json!({"TargetId": id, "Arn": arn("root", id), "Name": "Root", "Type": "ROOT"})
        } else if let Some(i) = (0..OUS.len()).find(|i| ou_id(*i) == id) {
            let name = OUS.get(i).map(|o| o.0).unwrap_or_default();
            json!({"TargetId": id, "Arn": arn("ou", id), "Name": name, "Type": "ORGANIZATIONAL_UNIT"})
        } else {
            let name = plan
                .accounts
                .iter()
                .find(|a| a.id == id)
                .map(|a| a.name.clone())
                .unwrap_or_default();
            json!({"TargetId": id, "Arn": arn("account", id), "Name": name, "Type": "ACCOUNT"})
        }
    };
    let everything: Vec<String> = std::iter::once(root_id.clone())
        .chain((0..OUS.len()).map(ou_id))
        .chain(plan.accounts.iter().map(|a| a.id.clone()))
        .collect();
    // Every tenth member account carries an SCP of its own.
    let singled_out: Vec<String> = plan
        .accounts
        .iter()
        .enumerate()
        .filter(|(i, _)| *i > 0 && i % 10 == 5)
        .map(|(_, a)| a.id.clone())
        .collect();
    let ou = |name: &str| {
        OUS.iter()
            .position(|o| o.0 == name)
            .map(ou_id)
            .unwrap_or_else(|| root_id.clone())
    };
    // (id, name, type, AWS managed, content, targets)
    let mut scps: Vec<(&str, &str, &str, bool, Value, Vec<String>)> = vec![
        (
            "p-FullAWSAccess",
            "FullAWSAccess",
            SCP,
            true,
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
            everything.clone(),
        ),
        (
            "p-RCPFullAWSAccess",
            "RCPFullAWSAccess",
            RCP,
            true,
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}),
            everything,
        ),
        (
            "p-perimeter02",
            "EnforceOrgIdentitiesOnS3",
            RCP,
            false,
            json!({"Version": "2012-10-17", "Statement": [{
                "Sid": "EnforceOrgIdentities", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": org},
                              "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}]}),
            vec![ou("Security")],
        ),
        (
            "p-suspended01",
            "DenyAll",
            SCP,
            false,
            json!({"Version": "2012-10-17", "Statement": [{"Sid": "DenyAll", "Effect": "Deny", "Action": "*", "Resource": "*"}]}),
            vec![ou("Suspended")],
        ),
        (
            "p-s3guard01",
            "DenyS3PublicAccessChanges",
            SCP,
            false,
            json!({"Version": "2012-10-17", "Statement": [{
                "Sid": "ProtectBlockPublicAccess", "Effect": "Deny",
                "Action": ["s3:PutAccountPublicAccessBlock", "s3:PutBucketPublicAccessBlock", "s3:PutBucketAcl",
                           "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"],
                "Resource": "*",
                "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/platform-*"}}}]}),
            vec![ou("Prod")],
        ),
        (
            "p-guardrails01",
            "DenyLeaveOrg",
            SCP,
            false,
            json!({"Version": "2012-10-17", "Statement": [
                {"Sid": "DenyLeave", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"},
                {"Sid": "DenyTrailChanges", "Effect": "Deny",
                 "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"], "Resource": "*"}]}),
            vec![ou_id(0), ou_id(1)],
        ),
        (
            "p-perimeter01",
            "DenyPutObjectOutsideOrg",
            SCP,
            false,
            json!({"Version": "2012-10-17", "Statement": [{
                "Sid": "DenyWritesToForeignBuckets", "Effect": "Deny", "Action": ["s3:PutObject", "s3:PutObjectAcl"],
                "Resource": "*", "Condition": {"StringNotEquals": {"aws:ResourceOrgID": org}}}]}),
            vec![ou_id(0)],
        ),
        (
            "p-regions01",
            "DenyOutsideApprovedRegions",
            SCP,
            false,
            json!({"Version": "2012-10-17", "Statement": [{
                "Sid": "DenyOtherRegions", "Effect": "Deny",
                "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*", "cloudfront:*", "route53:*"],
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}}]}),
            vec![ou_id(1), ou_id(2)],
        ),
    ];
    if !singled_out.is_empty() {
        scps.push((
            "p-account01",
            "DenyIamUsersAndKeys",
            SCP,
            false,
            json!({"Version": "2012-10-17", "Statement": [{
                "Sid": "NoLongLivedCredentials", "Effect": "Deny",
                "Action": ["iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile"], "Resource": "*"}]}),
            singled_out,
        ));
    }
    for (id, name, kind, aws_managed, content, targets) in scps {
        let segment = kind.to_ascii_lowercase();
        let policy_arn = if aws_managed {
            format!("arn:aws:organizations::aws:policy/{segment}/{id}")
        } else {
            format!("arn:aws:organizations::{mgmt}:policy/{org}/{segment}/{id}")
        };
        out.json(
            format!("organizations/policies/{id}/describe-policy.json"),
            &json!({"Policy": {
                "PolicySummary": {"Id": id, "Arn": policy_arn, "Name": name, "Description": name,
                                  "Type": kind, "AwsManaged": aws_managed},
                "Content": super::compact(&content)}}),
        )?;
        out.json(
            format!("organizations/policies/{id}/list-targets-for-policy.json"),
            &json!({"Targets": targets.iter().map(|t| target(t)).collect::<Vec<_>>()}),
        )?;
    }
    Ok(())
}
