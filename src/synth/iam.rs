//! `iam/get-account-authorization-details.json` for one generated account: users, groups,
//! roles with trust policies and instance profiles, customer managed policies with
//! versions, the AWS managed policies attached.

use super::plan::{
    timestamp, Plan, RolePlan, Trust, FOREIGN_ACCOUNT, GITHUB_OIDC, OFFICE_CIDR, OUTSIDE_ACCOUNTS,
    REGION, TRUSTED_ACCOUNT,
};
use super::rng::SplitMix64;
use super::{SynthError, Writer};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

pub fn write(plan: &Plan, a: usize, out: &mut Writer) -> Result<(), SynthError> {
    let account = plan.account_id(a).to_string();
    let mut rng = plan.rng.fork(&format!("iam/{account}"));
    let mut attachments: BTreeMap<String, usize> = BTreeMap::new();
    let mut boundary_uses: BTreeMap<String, usize> = BTreeMap::new();

    let my_policies: Vec<&str> = plan
        .policies
        .iter()
        .filter(|p| p.account == a)
        .map(|p| p.name.as_str())
        .collect();
    let my_groups: Vec<&str> = plan
        .groups
        .iter()
        .filter(|g| g.account == a)
        .map(|g| g.name.as_str())
        .collect();
    let policy_arn = |name: &str| format!("arn:aws:iam::{account}:policy/{name}");

    // Attached managed policies for one entity: customer ones from this account and AWS ones.
    let mut attach = |rng: &mut SplitMix64, customer: usize, aws: usize| -> Vec<Value> {
        let mut list = Vec::new();
        for _ in 0..customer {
            if let Some(name) = rng.pick(&my_policies) {
                let arn = policy_arn(name);
                if list.iter().any(|v: &Value| v["PolicyArn"] == json!(arn)) {
                    continue;
                }
                *attachments.entry(arn.clone()).or_default() += 1;
                list.push(json!({"PolicyName": name, "PolicyArn": arn}));
            }
        }
        for _ in 0..aws {
            if let Some(p) = rng.pick(&plan.managed) {
                if list.iter().any(|v: &Value| v["PolicyArn"] == json!(p.arn)) {
                    continue;
                }
                *attachments.entry(p.arn.clone()).or_default() += 1;
                list.push(json!({"PolicyName": p.name, "PolicyArn": p.arn}));
            }
        }
        list
    };

    let mut day = 40 + a * 3;

    // Groups.
    let mut groups = Vec::new();
    for g in plan.groups.iter().filter(|g| g.account == a) {
        let inline: Vec<Value> = (0..rng.below(2))
            .map(|k| {
                json!({"PolicyName": format!("{}-inline-{k}", g.team),
                       "PolicyDocument": customer_document(plan, &mut rng, a, g.team)})
            })
            .collect();
        let (c, w) = (1 + rng.below(2), rng.below(2));
        let attached = attach(&mut rng, c, w);
        groups.push(json!({
            "Path": "/",
            "GroupName": g.name,
            "GroupId": format!("AGPA{}", rng.base32(17)),
            "Arn": format!("arn:aws:iam::{account}:group/{}", g.name),
            "CreateDate": next_day(&mut day, &mut rng),
            "GroupPolicyList": inline,
            "AttachedManagedPolicies": attached,
        }));
    }

    // One boundary policy per account, used by a few users and roles.
    let boundary_name = format!("boundary-{}", &account[8..]);
    let boundary_arn = policy_arn(&boundary_name);

    // Users.
    let mut users = Vec::new();
    for u in plan.users.iter().filter(|u| u.account == a) {
        let mut user = Map::new();
        user.insert("Path".into(), json!("/"));
        user.insert("UserName".into(), json!(u.name));
        user.insert("UserId".into(), json!(format!("AIDA{}", rng.base32(17))));
        user.insert(
            "Arn".into(),
            json!(format!("arn:aws:iam::{account}:user/{}", u.name)),
        );
        user.insert("CreateDate".into(), json!(next_day(&mut day, &mut rng)));
        if rng.percent(15) {
            user.insert(
                "UserPolicyList".into(),
                json!([{"PolicyName": format!("{}-personal", u.team),
                        "PolicyDocument": customer_document(plan, &mut rng, a, u.team)}]),
            );
        }
        let mut member_of: Vec<&str> = Vec::new();
        for _ in 0..rng.below(3) {
            if let Some(g) = rng.pick(&my_groups) {
                if !member_of.contains(g) {
                    member_of.push(g);
                }
            }
        }
        user.insert("GroupList".into(), json!(member_of));
        let (c, w) = (rng.below(2), rng.below(2));
        user.insert(
            "AttachedManagedPolicies".into(),
            json!(attach(&mut rng, c, w)),
        );
        if rng.percent(3) {
            *boundary_uses.entry(boundary_arn.clone()).or_default() += 1;
            user.insert(
                "PermissionsBoundary".into(),
                json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary_arn}),
            );
        }
        user.insert("Tags".into(), json!([{"Key": "team", "Value": u.team}]));
        users.push(Value::Object(user));
    }

    // Roles.
    let mut roles = Vec::new();
    for r in plan.roles.iter().filter(|r| r.account == a) {
        let created = next_day(&mut day, &mut rng);
        let arn = plan.role_arn(r);
        let role_id = format!("AROA{}", rng.base32(17));
        let trust = trust_policy(plan, r, &mut rng);
        let mut role = Map::new();
        role.insert("Path".into(), json!(r.path));
        role.insert("RoleName".into(), json!(r.name));
        role.insert("RoleId".into(), json!(role_id));
        role.insert("Arn".into(), json!(arn));
        role.insert("CreateDate".into(), json!(created));
        role.insert("AssumeRolePolicyDocument".into(), trust.clone());
        let profiles = if r.trust == Trust::Service("ec2.amazonaws.com") {
            json!([{
                "Path": "/",
                "InstanceProfileName": r.name,
                "InstanceProfileId": instance_profile_id(plan, r),
                "Arn": format!("arn:aws:iam::{account}:instance-profile/{}", r.name),
                "CreateDate": created,
                "Roles": [{
                    "Path": r.path, "RoleName": r.name, "RoleId": role_id, "Arn": arn,
                    "CreateDate": created, "AssumeRolePolicyDocument": trust,
                }],
            }])
        } else {
            json!([])
        };
        role.insert("InstanceProfileList".into(), profiles);
        let mut inline = Vec::new();
        let mut inline_count = [0, 0, 0, 1, 1, 2][rng.below(6)];
        if assumers_of(plan, r)
            .iter()
            .any(|o| plan.roles.get(*o).is_some_and(|o| o.account != r.account))
        {
            // The first hop of a cross-account chain carries the statement that allows it.
            inline_count = inline_count.max(1);
        }
        for k in 0..inline_count {
            inline.push(json!({"PolicyName": format!("{}-{k}", r.team),
                               "PolicyDocument": role_document(plan, &mut rng, r)}));
        }
        role.insert("RolePolicyList".into(), json!(inline));
        let (c, w) = (rng.below(3), rng.below(2));
        role.insert(
            "AttachedManagedPolicies".into(),
            json!(attach(&mut rng, c, w)),
        );
        if rng.percent(5) {
            *boundary_uses.entry(boundary_arn.clone()).or_default() += 1;
            role.insert(
                "PermissionsBoundary".into(),
                json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary_arn}),
            );
        }
        role.insert("Tags".into(), json!([{"Key": "team", "Value": r.team}]));
        role.insert(
            "RoleLastUsed".into(),
            if rng.percent(70) {
                json!({"LastUsedDate": timestamp(900 + rng.below(200)), "Region": REGION})
            } else {
                json!({})
            },
        );
        roles.push(Value::Object(role));
    }

    // Policies: customer managed (with versions), the boundary, then AWS managed in use.
    let mut policies = Vec::new();
    let customer: Vec<(String, &'static str)> = plan
        .policies
        .iter()
        .filter(|p| p.account == a)
        .map(|p| (p.name.clone(), p.team))
        .chain(std::iter::once((boundary_name.clone(), "security")))
        .collect();
    for (name, team) in customer {
        let arn = policy_arn(&name);
        let versions = if name == boundary_name {
            vec![boundary_document(plan)]
        } else {
            (0..if rng.percent(30) { 2 } else { 1 })
                .map(|_| customer_document(plan, &mut rng, a, team))
                .collect::<Vec<_>>()
        };
        let created = next_day(&mut day, &mut rng);
        let count = versions.len();
        let list: Vec<Value> = versions
            .into_iter()
            .enumerate()
            .rev()
            .map(|(i, document)| {
                json!({"Document": document, "VersionId": format!("v{}", i + 1),
                       "IsDefaultVersion": i + 1 == count, "CreateDate": timestamp(day + i)})
            })
            .collect();
        policies.push(json!({
            "PolicyName": name,
            "PolicyId": format!("ANPA{}", rng.base32(17)),
            "Arn": arn,
            "Path": "/",
            "DefaultVersionId": format!("v{count}"),
            "AttachmentCount": attachments.get(&arn).copied().unwrap_or(0),
            "PermissionsBoundaryUsageCount": boundary_uses.get(&arn).copied().unwrap_or(0),
            "IsAttachable": true,
            "CreateDate": created,
            "UpdateDate": timestamp(day + count - 1),
            "PolicyVersionList": list,
        }));
    }
    for p in &plan.managed {
        let Some(count) = attachments.get(&p.arn) else {
            continue;
        };
        policies.push(json!({
            "PolicyName": p.name,
            "PolicyId": format!("ANPA{}", SplitMix64::new(plan.seed).fork(&p.arn).base32(17)),
            "Arn": p.arn,
            "Path": p.path,
            "DefaultVersionId": p.version,
            "AttachmentCount": count,
            "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": true,
            "CreateDate": p.create_date,
            "UpdateDate": p.create_date,
            "PolicyVersionList": [{"Document": p.document, "VersionId": p.version,
                                   "IsDefaultVersion": true, "CreateDate": p.create_date}],
        }));
    }

    out.json(
        format!("accounts/{account}/iam/get-account-authorization-details.json"),
        &json!({
            "UserDetailList": users,
            "GroupDetailList": groups,
            "RoleDetailList": roles,
            "Policies": policies,
        }),
    )
}

/// The next creation date: entities are created a day or three apart.
fn next_day(day: &mut usize, rng: &mut SplitMix64) -> String {
    *day += 1 + rng.below(3);
    timestamp(*day)
}

/// The instance profile id of an EC2 role, shared with `describe-instances`.
pub fn instance_profile_id(plan: &Plan, r: &RolePlan) -> String {
    format!(
        "AIPA{}",
        SplitMix64::new(plan.seed)
            .fork(&format!("ip/{}/{}", r.account, r.name))
            .base32(17)
    )
}

fn trust_policy(plan: &Plan, r: &RolePlan, rng: &mut SplitMix64) -> Value {
    let account = plan.account_id(r.account);
    let statement = match r.trust {
        Trust::Service(svc) => {
            json!({"Effect": "Allow", "Principal": {"Service": svc}, "Action": "sts:AssumeRole"})
        }
        Trust::Role(other) => {
            let arn = plan
                .roles
                .get(other)
                .map(|o| plan.role_arn(o))
                .unwrap_or_else(|| format!("arn:aws:iam::{account}:root"));
            json!({"Effect": "Allow", "Principal": {"AWS": arn}, "Action": "sts:AssumeRole"})
        }
        Trust::OrgAccount(other) => json!({
            "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{}:root", plan.account_id(other))},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": plan.org_id}},
        }),
        Trust::OrgRole(other) => {
            let arn = plan
                .roles
                .get(other)
                .map(|o| plan.role_arn(o))
                .unwrap_or_else(|| format!("arn:aws:iam::{account}:root"));
            json!({"Effect": "Allow", "Principal": {"AWS": arn}, "Action": ["sts:AssumeRole", "sts:TagSession"]})
        }
        Trust::Foreign {
            external_id,
            vendor,
        } => {
            let outside = OUTSIDE_ACCOUNTS
                .get(vendor)
                .copied()
                .unwrap_or(FOREIGN_ACCOUNT);
            let mut st = json!({
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{outside}:root")},
                "Action": "sts:AssumeRole",
            });
            if external_id {
                st["Condition"] = json!({"StringEquals": {"sts:ExternalId": rng.hex(16)}});
            }
            st
        }
        Trust::Trusted => json!({
            "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{TRUSTED_ACCOUNT}:root")},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": rng.hex(16)}},
        }),
        Trust::Github { pinned } => {
            let mut cond = Map::new();
            cond.insert(format!("{GITHUB_OIDC}:aud"), json!("sts.amazonaws.com"));
            let mut ops = Map::new();
            if pinned {
                cond.insert(
                    format!("{GITHUB_OIDC}:sub"),
                    json!(format!("repo:acme/{}:ref:refs/heads/main", r.team)),
                );
            } else if rng.percent(30) {
                // Looks restricted, is not: any repository of any owner matches.
                ops.insert(
                    "StringLike".into(),
                    json!({format!("{GITHUB_OIDC}:sub"): "repo:*"}),
                );
            }
            ops.insert("StringEquals".into(), Value::Object(cond));
            json!({
                "Effect": "Allow",
                "Principal": {"Federated": format!("arn:aws:iam::{account}:oidc-provider/{GITHUB_OIDC}")},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": ops,
            })
        }
        Trust::Saml => json!({
            "Effect": "Allow",
            "Principal": {"Federated": format!("arn:aws:iam::{account}:saml-provider/CorporateIdP")},
            "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
            "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
        }),
        Trust::RootMfa => json!({
            "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{account}:root")},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }),
    };
    json!({"Version": "2012-10-17", "Statement": [statement]})
}

/// The account's permissions boundary: everything except writes outside the organization.
fn boundary_document(plan: &Plan) -> Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "AllowAll", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Sid": "DenyWritesOutsideOrg", "Effect": "Deny", "Action": ["s3:PutObject", "s3:PutObjectAcl"],
         "Resource": "*", "Condition": {"StringNotEquals": {"aws:ResourceOrgID": plan.org_id}}},
        {"Sid": "DenyIamChanges", "Effect": "Deny",
         "Action": ["iam:CreateUser", "iam:CreateAccessKey", "iam:AttachRolePolicy", "iam:PutRolePolicy"],
         "Resource": "*"}]})
}

/// A role's inline policy: the customer style, plus what its trust kind implies (a chain
/// hop's right to assume the next role, an EC2/Lambda role reading its team's data).
fn role_document(plan: &Plan, rng: &mut SplitMix64, r: &RolePlan) -> Value {
    let mut doc = customer_document(plan, rng, r.account, r.team);
    let extra = match r.trust {
        Trust::Service("ec2.amazonaws.com")
        | Trust::Service("lambda.amazonaws.com")
        | Trust::Foreign { .. }
        | Trust::Github { .. } => {
            let bucket = pick_bucket(plan, rng, r.account);
            bucket.map(|b| {
                json!({"Sid": "TeamData", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                       "Resource": [format!("arn:aws:s3:::{b}"), format!("arn:aws:s3:::{b}/*")]})
            })
        }
        Trust::Saml | Trust::RootMfa => {
            // Roles people assume may hop on to the roles that trust them, in their account
            // or another one.
            let next = assumers_of(plan, r);
            rng.pick(next).and_then(|o| plan.roles.get(*o)).map(|o| {
                json!({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": plan.role_arn(o)})
            })
        }
        _ => None,
    };
    // Any other role that a role of another account trusts by name is the first hop of a
    // cross-account chain: it may assume (up to two of) those roles.
    let hops: Vec<Value> = if matches!(r.trust, Trust::Saml | Trust::RootMfa) {
        Vec::new()
    } else {
        assumers_of(plan, r)
            .iter()
            .filter_map(|o| plan.roles.get(*o))
            .filter(|o| o.account != r.account)
            .take(2)
            .map(|o| json!(plan.role_arn(o)))
            .collect()
    };
    let hop = (!hops.is_empty()).then(|| {
        json!({"Sid": "CrossAccountHop", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": hops})
    });
    if let Some(list) = doc.get_mut("Statement").and_then(Value::as_array_mut) {
        list.extend(extra);
        list.extend(hop);
    }
    doc
}

/// The roles whose trust policy names `r`.
fn assumers_of<'p>(plan: &'p Plan, r: &RolePlan) -> &'p [usize] {
    plan.assumers
        .get(index_of(plan, r))
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn index_of(plan: &Plan, r: &RolePlan) -> usize {
    // Role names carry their index (`team-kind-00042`).
    r.name
        .rsplit('-')
        .next()
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|i| *i < plan.roles.len())
        .unwrap_or(usize::MAX)
}

fn pick_bucket(plan: &Plan, rng: &mut SplitMix64, a: usize) -> Option<String> {
    // Buckets are round-robin over accounts: bucket i belongs to account i % n.
    let n = plan.accounts.len().max(1);
    let count = plan.buckets.len().saturating_sub(a).div_ceil(n);
    if count == 0 {
        return None;
    }
    plan.buckets
        .get(a + n * rng.below(count))
        .map(|b| b.name.clone())
}

/// A customer-written identity policy: 1–3 statements drawn from the shapes real accounts
/// use, with conditions.
pub fn customer_document(plan: &Plan, rng: &mut SplitMix64, a: usize, team: &str) -> Value {
    let account = plan.account_id(a);
    let mut statements = Vec::new();
    for _ in 0..[1, 1, 2, 2, 3][rng.below(5)] {
        let home = if rng.percent(85) {
            a
        } else {
            rng.below(plan.accounts.len())
        };
        let bucket = pick_bucket(plan, rng, home);
        let st = match (rng.below(12), bucket) {
            (0, Some(b)) => json!({
                "Sid": "ListReportsPrefix", "Effect": "Allow", "Action": "s3:ListBucket",
                "Resource": format!("arn:aws:s3:::{b}"),
                "Condition": {"StringLike": {"s3:prefix": ["reports/*", "exports/${aws:username}/*"]}},
            }),
            (1, Some(b)) => json!({
                "Sid": "ReadReports", "Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                "Resource": [format!("arn:aws:s3:::{b}/reports/*"), format!("arn:aws:s3:::{b}/exports/${{aws:username}}/*")],
            }),
            (2, Some(b)) => json!({
                "Sid": "UploadFromOffice", "Effect": "Allow", "Action": ["s3:PutObject", "s3:PutObjectTagging"],
                "Resource": format!("arn:aws:s3:::{b}/uploads/*"),
                "Condition": {"IpAddress": {"aws:SourceIp": [OFFICE_CIDR, "198.51.100.0/24"]}},
            }),
            (3, Some(b)) => json!({
                "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"],
                "Resource": [format!("arn:aws:s3:::{b}"), format!("arn:aws:s3:::{b}/*")],
            }),
            (4, _) => json!({
                "Sid": "TeamInstances", "Effect": "Allow",
                "Action": ["ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances"],
                "Resource": format!("arn:aws:ec2:{REGION}:{account}:instance/*"),
                "Condition": {"StringEquals": {"aws:ResourceTag/team": team}},
            }),
            (5, _) => json!({
                "Effect": "Allow", "Action": ["ec2:Describe*", "cloudwatch:GetMetricData", "logs:FilterLogEvents"],
                "Resource": "*",
            }),
            (6, _) => json!({
                "Sid": "DenyWithoutMFA", "Effect": "Deny",
                "NotAction": ["iam:ChangePassword", "iam:GetAccountPasswordPolicy", "sts:GetSessionToken",
                              "iam:ListMFADevices", "iam:EnableMFADevice"],
                "Resource": "*",
                "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
            }),
            (7, _) => json!({
                "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                "Resource": format!("arn:aws:secretsmanager:{REGION}:{account}:secret:{team}/*"),
            }),
            (8, _) => json!({
                "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"],
                "Resource": format!("arn:aws:dynamodb:{REGION}:{account}:table/{team}-*"),
                "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:userid}"]}},
            }),
            (9, _) => {
                let key = plan
                    .key_arn(a * 3 + rng.below(3))
                    .unwrap_or_else(|| "*".into());
                json!({
                    "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": key,
                    "Condition": {"StringEquals": {"kms:ViaService": format!("s3.{REGION}.amazonaws.com")}},
                })
            }
            (10, _) => json!({
                "Effect": "Allow", "Action": "iam:PassRole",
                "Resource": format!("arn:aws:iam::{account}:role/{team}-*"),
                "Condition": {"StringEquals": {"iam:PassedToService": ["lambda.amazonaws.com", "ecs-tasks.amazonaws.com"]}},
            }),
            _ if rng.percent(20) => json!({
                // The egress shape: write anywhere.
                "Sid": "DeliverAnywhere", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*",
            }),
            _ => json!({
                "Effect": "Allow", "Action": ["lambda:InvokeFunction", "lambda:GetFunction"],
                "Resource": format!("arn:aws:lambda:{REGION}:{account}:function:{team}-*"),
            }),
        };
        statements.push(st);
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}
