//! `organizations/` for a multi-account generated export: the organization, its accounts,
//! root, OUs (`Workloads`, `Sandbox`, `Core`), parents, and SCPs with their targets.

use super::plan::{Plan, OUS};
use super::{SynthError, Writer};
use serde_json::{json, Value};

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
            "AvailablePolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}}),
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
                           "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}]}),
    )?;
    for (i, _) in OUS.iter().enumerate() {
        out.json(
            format!("organizations/parents/{}.json", ou_id(i)),
            &json!({"Parents": [{"Id": root_id, "Type": "ROOT"}]}),
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
            json!({"TargetId": id, "Arn": arn("ou", id), "Name": OUS[i], "Type": "ORGANIZATIONAL_UNIT"})
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
    let scps: Vec<(&str, &str, bool, Value, Vec<String>)> = vec![
        (
            "p-FullAWSAccess",
            "FullAWSAccess",
            true,
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
            everything,
        ),
        (
            "p-guardrails01",
            "DenyLeaveOrg",
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
            false,
            json!({"Version": "2012-10-17", "Statement": [{
                "Sid": "DenyWritesToForeignBuckets", "Effect": "Deny", "Action": ["s3:PutObject", "s3:PutObjectAcl"],
                "Resource": "*", "Condition": {"StringNotEquals": {"aws:ResourceOrgID": org}}}]}),
            vec![ou_id(0)],
        ),
        (
            "p-regions01",
            "DenyOutsideApprovedRegions",
            false,
            json!({"Version": "2012-10-17", "Statement": [{
                "Sid": "DenyOtherRegions", "Effect": "Deny",
                "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*", "cloudfront:*", "route53:*"],
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}}]}),
            vec![ou_id(1), ou_id(2)],
        ),
    ];
    for (id, name, aws_managed, content, targets) in scps {
        let policy_arn = if aws_managed {
            format!("arn:aws:organizations::aws:policy/service_control_policy/{id}")
        } else {
            format!("arn:aws:organizations::{mgmt}:policy/{org}/service_control_policy/{id}")
        };
        out.json(
            format!("organizations/policies/{id}/describe-policy.json"),
            &json!({"Policy": {
                "PolicySummary": {"Id": id, "Arn": policy_arn, "Name": name, "Description": name,
                                  "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": aws_managed},
                "Content": super::compact(&content)}}),
        )?;
        out.json(
            format!("organizations/policies/{id}/list-targets-for-policy.json"),
            &json!({"Targets": targets.iter().map(|t| target(t)).collect::<Vec<_>>()}),
        )?;
    }
    Ok(())
}
