//! The fast path for `get-account-authorization-details` (GAAD), the bulk of an export:
//! the file's text deserialized straight into typed records that borrow their strings from
//! it (`records.rs`: no `Value` tree except for the policy documents the policy parser
//! reads, no JSON pointer built unless an item needs one), then loaded with the checks of
//! `iam::load_gaad`, in its order, with its errors.
//!
//! The records check at least every type `iam::load_gaad` checks (they are stricter: every
//! field they keep must have its type, even where the `Value` path would not look at it).
//! When they refuse a file, the caller loads it through the `Value` path instead, so a bad
//! file gets exactly the error it always got, and a file only the records refuse still
//! loads. The nesting limit is kept while deserializing (skipped fields included), so a file
//! the records accept is one the `Value` path accepts.

use super::builder::{Builder, ParsedPolicy};
use super::iam::{check_iam_arn, GaadLoad, GAAD_EXPECTED, NO_DEFAULT_VERSION, NO_TRUST_POLICY};
use super::records::{
    invalid, missing, parse_record, record, req, ArnRec, Cx, Read, Record, Text, Truncation,
};
use super::IngestError;
use crate::model::{
    AttachedPolicy, Collected, Group, InstanceProfile, ItemRef, ManagedPolicy, PolicyId,
    PolicyKind, Role, Sym, User, UserId,
};
use crate::policy::parse::parse_policy_value_located;
use serde::de::{Deserializer, MapAccess};
use serde_json::Value;

/// A GAAD as the load reads it.
#[derive(Default)]
pub(crate) struct GaadDoc<'a> {
    /// Whether any of `iam::GAAD_KEYS` is a key (even with `null`).
    has_gaad_key: bool,
    truncation: Truncation,
    policies: Option<Vec<ManagedPolicyRec<'a>>>,
    groups: Option<Vec<GroupRec<'a>>>,
    users: Option<Vec<UserRec<'a>>>,
    roles: Option<Vec<RoleRec<'a>>>,
}

impl GaadDoc<'_> {
    /// Whether the output says it is only a first page (`Builder::note_truncation`).
    pub(crate) fn truncated(&self) -> bool {
        self.truncation.truncated()
    }
}

impl<'de> Record<'de> for GaadDoc<'de> {
    fn field<A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
        cx: Cx<'_>,
    ) -> Result<bool, A::Error> {
        match key {
            "Policies" => self.policies = cx.next(map)?,
            "GroupDetailList" => self.groups = cx.next(map)?,
            "UserDetailList" => self.users = cx.next(map)?,
            "RoleDetailList" => self.roles = cx.next(map)?,
            _ => return self.truncation.field(key, map, cx),
        }
        self.has_gaad_key = true;
        Ok(true)
    }
}

record! {
    struct ManagedPolicyRec<'a> {
        "Arn" => arn: Option<Text<'a>>,
        "PolicyName" => name: Option<Text<'a>>,
        "DefaultVersionId" => default_version_id: Option<Text<'a>>,
        "Path" => path: Option<Text<'a>>,
        "AttachmentCount" => attachment_count: Option<u64>,
        "PolicyVersionList" => versions: Option<Vec<VersionRec<'a>>>,
    }

    struct VersionRec<'a> {
        "Document" => document: Option<DocRec>,
        "VersionId" => version_id: Option<Text<'a>>,
        "IsDefaultVersion" => is_default: Option<bool>,
    }

    struct GroupRec<'a> {
        "Arn" => arn: Option<Text<'a>>,
        "GroupName" => name: Option<Text<'a>>,
        "GroupId" => group_id: Option<Text<'a>>,
        "Path" => path: Option<Text<'a>>,
        "GroupPolicyList" => inline: Option<Vec<InlineRec<'a>>>,
        "AttachedManagedPolicies" => attached: Option<Vec<AttachedRec<'a>>>,
    }

    struct UserRec<'a> {
        "Arn" => arn: Option<Text<'a>>,
        "UserName" => name: Option<Text<'a>>,
        "UserId" => user_id: Option<Text<'a>>,
        "Path" => path: Option<Text<'a>>,
        "GroupList" => groups: Option<Vec<Text<'a>>>,
        "UserPolicyList" => inline: Option<Vec<InlineRec<'a>>>,
        "AttachedManagedPolicies" => attached: Option<Vec<AttachedRec<'a>>>,
        "PermissionsBoundary" => boundary: Option<BoundaryRec<'a>>,
    }

    struct RoleRec<'a> {
        "Arn" => arn: Option<Text<'a>>,
        "RoleName" => name: Option<Text<'a>>,
        "RoleId" => role_id: Option<Text<'a>>,
        "Path" => path: Option<Text<'a>>,
        "AssumeRolePolicyDocument" => trust: Option<DocRec>,
        "RolePolicyList" => inline: Option<Vec<InlineRec<'a>>>,
        "AttachedManagedPolicies" => attached: Option<Vec<AttachedRec<'a>>>,
        "PermissionsBoundary" => boundary: Option<BoundaryRec<'a>>,
        "InstanceProfileList" => profiles: Option<Vec<ProfileRec<'a>>>,
    }

    struct InlineRec<'a> {
        "PolicyName" => name: Option<Text<'a>>,
        "PolicyDocument" => document: Option<DocRec>,
    }

    struct AttachedRec<'a> {
        "PolicyArn" => arn: Option<Text<'a>>,
        "PolicyName" => name: Option<Text<'a>>,
    }

    struct BoundaryRec<'a> {
        "PermissionsBoundaryArn" => arn: Option<Text<'a>>,
    }

    struct ProfileRec<'a> {
        "Arn" => arn: Option<Text<'a>>,
        "InstanceProfileName" => name: Option<Text<'a>>,
        "InstanceProfileId" => id: Option<Text<'a>>,
        "Path" => path: Option<Text<'a>>,
        "Roles" => roles: Option<Vec<ArnRec<'a>>>,
    }
}

/// A policy document of the GAAD: the `Value` read from the file, until `parse_documents`
/// puts the policy parser's answer in its place.
pub(crate) enum DocRec {
    Read(Value),
    Parsed(ParsedPolicy),
}

impl<'de> Read<'de> for DocRec {
    fn read<D: Deserializer<'de>>(d: D, cx: Cx<'_>) -> Result<Self, D::Error> {
        Value::read(d, cx).map(DocRec::Read)
    }
}

impl DocRec {
    /// Runs the policy parser on the document (once).
    fn parse(&mut self) {
        if let DocRec::Read(v) = self {
            *self = DocRec::Parsed(parse_policy_value_located(v));
        }
    }

    /// The policy parser's answer: `parse`'s, or parsed now.
    fn into_parsed(self) -> ParsedPolicy {
        match self {
            DocRec::Read(v) => parse_policy_value_located(&v),
            DocRec::Parsed(parsed) => parsed,
        }
    }
}

/// Whether `v` is the default version of a managed policy whose `DefaultVersionId` is
/// `default_version_id`: marked so, or, unmarked, the version that id names.
fn is_default_version(v: &VersionRec<'_>, default_version_id: Option<&str>) -> bool {
    v.is_default.unwrap_or(false)
        || (default_version_id.is_some()
            && v.version_id.as_deref() == default_version_id
            && v.is_default.is_none())
}

/// Runs the policy parser, on the thread pool, on every document the load reads: each
/// managed policy's default version(s), each role's trust policy, every inline policy.
/// The load then takes each answer where it used to parse, so what it reports, and in
/// which order, does not change; a document it never reaches was parsed for nothing.
fn parse_documents(doc: &mut GaadDoc<'_>) {
    use rayon::prelude::*;
    fn inline(list: &mut Option<Vec<InlineRec<'_>>>) {
        for d in list
            .iter_mut()
            .flatten()
            .filter_map(|p| p.document.as_mut())
        {
            d.parse();
        }
    }
    let GaadDoc {
        policies,
        groups,
        users,
        roles,
        ..
    } = doc;
    let policies = || {
        policies.par_iter_mut().flatten().for_each(|p| {
            let default_version_id = p.default_version_id.as_deref();
            for v in p.versions.iter_mut().flatten() {
                if is_default_version(v, default_version_id) {
                    if let Some(d) = v.document.as_mut() {
                        d.parse();
                    }
                }
            }
        })
    };
    let groups = || {
        groups
            .par_iter_mut()
            .flatten()
            .for_each(|g| inline(&mut g.inline))
    };
    let users = || {
        users
            .par_iter_mut()
            .flatten()
            .for_each(|u| inline(&mut u.inline))
    };
    let roles = || {
        roles.par_iter_mut().flatten().for_each(|r| {
            if let Some(d) = r.trust.as_mut() {
                d.parse();
            }
            inline(&mut r.inline);
        })
    };
    rayon::join(
        || rayon::join(policies, groups),
        || rayon::join(users, roles),
    );
}

/// Deserializes a GAAD's text (already through `json::json_text`). `Err` means only "not
/// through this path": the caller then loads the file through the `Value` path, whose error
/// (if any) is the one reported.
pub(crate) fn parse_gaad(text: &str) -> Result<GaadDoc<'_>, serde_json::Error> {
    parse_record(text)
}

// ---------------------------------------------------------------------------------------
// Loading. Mirrors `iam::load_gaad` step by step; pointers are rendered per item.

/// `iam::iam_arn` for the field `key` of the item at `pointer`.
fn iam_arn<'t>(
    v: &'t Option<Text<'_>>,
    file: &str,
    pointer: &str,
    key: &str,
    resource_prefix: &str,
) -> Result<(&'t str, String), IngestError> {
    let s = req(v, file, pointer, key)?;
    let account = check_iam_arn(s, resource_prefix)
        .map_err(|message| invalid(file, format!("{pointer}/{key}"), message))?;
    Ok((s, account))
}

/// Loads a GAAD parsed by `parse_gaad` from `file`: `iam::load_gaad` on the same document.
pub(crate) fn load_gaad_doc(
    b: &mut Builder,
    mut doc: GaadDoc<'_>,
    file: &str,
    home: &str,
    home_from_folder: bool,
) -> Result<(), IngestError> {
    if !doc.has_gaad_key {
        return Err(IngestError::Shape {
            file: file.to_string(),
            pointer: String::new(),
            expected: GAAD_EXPECTED.to_string(),
            found: "an object".to_string(),
        });
    }
    parse_documents(&mut doc);
    let mut at = GaadLoad::new(b, file, home, home_from_folder);

    for (i, mut p) in doc.policies.into_iter().flatten().enumerate() {
        let ptr = format!("/Policies/{i}");
        let (arn_s, acct) = iam_arn(&p.arn, file, &ptr, "Arn", "policy/")?;
        let (aws_managed, account, arn) = at.managed_policy(b, arn_s, &acct, &ptr)?;
        let name = req(&p.name, file, &ptr, "PolicyName")?.to_string();
        let default_version_id = p.default_version_id.as_deref().map(str::to_string);
        let mut default_doc = None;
        for (j, v) in p.versions.iter_mut().flatten().enumerate() {
            if is_default_version(v, default_version_id.as_deref()) {
                let vptr = format!("{ptr}/PolicyVersionList/{j}");
                if default_doc.is_some() {
                    return Err(invalid(
                        file,
                        vptr,
                        "a second version marked IsDefaultVersion",
                    ));
                }
                let d = v
                    .document
                    .take()
                    .ok_or_else(|| missing(file, &vptr, "Document"))?;
                default_doc = Some((d, format!("{vptr}/Document")));
            }
        }
        let document = match default_doc {
            Some((d, dptr)) => Collected::Present(b.add_parsed_policy_at(
                PolicyKind::Managed,
                Some(name.clone()),
                Some(account),
                file,
                dptr,
                d.into_parsed(),
            )?),
            None => at.unknown(b, account, arn_s, NO_DEFAULT_VERSION),
        };
        let policy = ManagedPolicy {
            arn,
            name,
            path: p.path.as_deref().unwrap_or("/").to_string(),
            account,
            aws_managed,
            default_version_id,
            document,
            attachment_count: p.attachment_count,
        };
        at.add_managed_policy(b, policy, ptr);
    }

    for (i, g) in doc.groups.into_iter().flatten().enumerate() {
        let ptr = format!("/GroupDetailList/{i}");
        let (arn_s, acct) = iam_arn(&g.arn, file, &ptr, "Arn", "group/")?;
        let (account, arn) = at.principal(b, "group", arn_s, &acct, &ptr)?;
        let name = req(&g.name, file, &ptr, "GroupName")?.to_string();
        let inline_policies = inline_policies(b, &at, g.inline, &ptr, "GroupPolicyList", account)?;
        let attached_policies = attached(b, &at, &g.attached, &ptr, account)?;
        let group = Group {
            arn,
            name,
            unique_id: g.group_id.as_deref().map(str::to_string),
            path: g.path.as_deref().unwrap_or("/").to_string(),
            account,
            inline_policies,
            attached_policies,
            members: Vec::new(),
        };
        at.add_group(b, group, ptr);
    }

    for (i, u) in doc.users.into_iter().flatten().enumerate() {
        let ptr = format!("/UserDetailList/{i}");
        let (arn_s, acct) = iam_arn(&u.arn, file, &ptr, "Arn", "user/")?;
        let (account, arn) = at.principal(b, "user", arn_s, &acct, &ptr)?;
        let id = UserId(b.model.users.len() as u32);
        let mut groups = Vec::new();
        for gname in u.groups.iter().flatten() {
            groups.push(at.join_group(b, id, account, arn_s, gname));
        }
        let inline_policies = inline_policies(b, &at, u.inline, &ptr, "UserPolicyList", account)?;
        let attached_policies = attached(b, &at, &u.attached, &ptr, account)?;
        let permissions_boundary = boundary(b, &at, &u.boundary, &ptr, account)?;
        b.model.users.push(User {
            arn,
            name: req(&u.name, file, &ptr, "UserName")?.to_string(),
            unique_id: u.user_id.as_deref().map(str::to_string),
            path: u.path.as_deref().unwrap_or("/").to_string(),
            account,
            inline_policies,
            attached_policies,
            groups,
            permissions_boundary,
        });
        b.source_at(ItemRef::User(id), file, ptr);
    }

    for (i, r) in doc.roles.into_iter().flatten().enumerate() {
        let ptr = format!("/RoleDetailList/{i}");
        let (arn_s, acct) = iam_arn(&r.arn, file, &ptr, "Arn", "role/")?;
        let (account, arn) = at.principal(b, "role", arn_s, &acct, &ptr)?;
        let name = req(&r.name, file, &ptr, "RoleName")?.to_string();
        let trust_policy = match r.trust {
            Some(d) => Collected::Present(b.add_parsed_policy_at(
                PolicyKind::Trust,
                Some(name.clone()),
                Some(account),
                file,
                format!("{ptr}/AssumeRolePolicyDocument"),
                d.into_parsed(),
            )?),
            None => at.unknown(b, account, arn_s, NO_TRUST_POLICY),
        };
        let inline_policies = inline_policies(b, &at, r.inline, &ptr, "RolePolicyList", account)?;
        let attached_policies = attached(b, &at, &r.attached, &ptr, account)?;
        let permissions_boundary = boundary(b, &at, &r.boundary, &ptr, account)?;
        let mut instance_profiles = Vec::new();
        for (k, ip) in r.profiles.iter().flatten().enumerate() {
            let ip_ptr = format!("{ptr}/InstanceProfileList/{k}");
            let (ip_arn_s, ip_acct) = iam_arn(&ip.arn, file, &ip_ptr, "Arn", "instance-profile/")?;
            let ip_arn = b.intern(ip_arn_s);
            if let Some(pid) = at.profile(ip_arn) {
                instance_profiles.push(pid);
                continue;
            }
            b.claim_at("instance profile", None, ip_arn, file, &ip_ptr)?;
            let ip_account = at.account(b, &ip_acct, || ip_ptr.clone());
            let mut role_arns = Vec::new();
            for (m, pr) in ip.roles.iter().flatten().enumerate() {
                let pr_ptr = format!("{ip_ptr}/Roles/{m}");
                let (ra, _) = iam_arn(&pr.arn, file, &pr_ptr, "Arn", "role/")?;
                role_arns.push(b.intern(ra));
            }
            let profile = InstanceProfile {
                arn: ip_arn,
                name: req(&ip.name, file, &ip_ptr, "InstanceProfileName")?.to_string(),
                unique_id: ip.id.as_deref().map(str::to_string),
                path: ip.path.as_deref().unwrap_or("/").to_string(),
                account: ip_account,
                roles: Vec::new(),
            };
            instance_profiles.push(at.add_profile(b, profile, role_arns, ip_ptr));
        }
        let path = r.path.as_deref().unwrap_or("/").to_string();
        let role = Role {
            arn,
            service_linked: path.starts_with("/aws-service-role/"),
            name,
            unique_id: r.role_id.as_deref().map(str::to_string),
            path,
            account,
            trust_policy,
            inline_policies,
            attached_policies,
            permissions_boundary,
            instance_profiles,
        };
        at.add_role(b, role, ptr);
    }
    at.finish(b);
    Ok(())
}

/// `iam::inline_policies` over the list field `key` of the item at `pointer`.
fn inline_policies(
    b: &mut Builder,
    at: &GaadLoad,
    list: Option<Vec<InlineRec<'_>>>,
    pointer: &str,
    key: &str,
    account: Sym,
) -> Result<Vec<PolicyId>, IngestError> {
    let file = at.file;
    let mut out = Vec::new();
    for (j, p) in list.into_iter().flatten().enumerate() {
        let pptr = format!("{pointer}/{key}/{j}");
        let name = req(&p.name, file, &pptr, "PolicyName")?.to_string();
        let d = p
            .document
            .ok_or_else(|| missing(file, &pptr, "PolicyDocument"))?;
        out.push(b.add_parsed_policy_at(
            PolicyKind::Inline,
            Some(name),
            Some(account),
            file,
            format!("{pptr}/PolicyDocument"),
            d.into_parsed(),
        )?);
    }
    Ok(out)
}

/// `iam::attached` over `AttachedManagedPolicies` of the item at `pointer`.
fn attached(
    b: &mut Builder,
    at: &GaadLoad,
    list: &Option<Vec<AttachedRec<'_>>>,
    pointer: &str,
    account: Sym,
) -> Result<Vec<AttachedPolicy>, IngestError> {
    let mut out = Vec::new();
    for (j, a) in list.iter().flatten().enumerate() {
        let aptr = format!("{pointer}/AttachedManagedPolicies/{j}");
        let (arn_s, _) = iam_arn(&a.arn, at.file, &aptr, "PolicyArn", "policy/")?;
        let name = a.name.as_deref().unwrap_or("").to_string();
        out.push(at.attached(b, arn_s, name, account));
    }
    Ok(out)
}

/// `iam::boundary` of the item at `pointer`.
fn boundary(
    b: &mut Builder,
    at: &GaadLoad,
    boundary: &Option<BoundaryRec<'_>>,
    pointer: &str,
    account: Sym,
) -> Result<Option<AttachedPolicy>, IngestError> {
    let Some(pb) = boundary else {
        return Ok(None);
    };
    let pb_ptr = format!("{pointer}/PermissionsBoundary");
    let (arn_s, _) = iam_arn(
        &pb.arn,
        at.file,
        &pb_ptr,
        "PermissionsBoundaryArn",
        "policy/",
    )?;
    Ok(Some(at.boundary(b, arn_s, account)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::differential::{outcome, TwoPaths};
    use crate::ingest::iam::load_gaad;
    use crate::ingest::json::{parse_json_text, Node};
    use serde_json::json;

    const FILE: &str = "accounts/111122223333/iam/get-account-authorization-details.json";

    /// Everything a load leaves in the model that a GAAD can touch.
    fn gaad_model(b: &Builder) -> String {
        let m = &b.model;
        format!(
            "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
            m.accounts,
            m.policies,
            m.managed_policies,
            m.groups,
            m.users,
            m.roles,
            m.instance_profiles
        )
    }

    /// The `Value` path (`account::load_gaad_value`), the reference, and the typed path.
    const PATHS: TwoPaths = TwoPaths {
        by_value: |text| {
            let run = |b: &mut Builder| -> Result<(), IngestError> {
                let v = parse_json_text(text, FILE)?;
                b.note_truncation(&Node::root(&v, FILE), Some("111122223333"), None)?;
                load_gaad(b, &Node::root(&v, FILE), "111122223333", true)
            };
            outcome(run, gaad_model)
        },
        by_records: |text| {
            let doc = parse_gaad(text).ok()?;
            let run = |b: &mut Builder| {
                if doc.truncated() {
                    b.truncated(FILE, Some("111122223333"), None);
                }
                load_gaad_doc(b, doc, FILE, "111122223333", true)
            };
            Some(outcome(run, gaad_model))
        },
    };

    fn check(text: &str, expect: bool) {
        PATHS.check(text, expect)
    }

    fn base() -> Value {
        let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
        let allow = |action: &str| {
            json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": action,
                "Resource": "*", "Condition": {"StringLike": {"s3:prefix": ["a/*", "b/${aws:username}"]}}}})
        };
        json!({
            "UserDetailList": [
                {"Path": "/", "UserName": "alice", "UserId": "AIDA1", "Arn": "arn:aws:iam::111122223333:user/alice",
                 "GroupList": ["admins", "nowhere"],
                 "UserPolicyList": [{"PolicyName": "inline-u", "PolicyDocument": allow("s3:GetObject")}],
                 "AttachedManagedPolicies": [{"PolicyName": "p1", "PolicyArn": "arn:aws:iam::111122223333:policy/p1"},
                                              {"PolicyName": "gone", "PolicyArn": "arn:aws:iam::111122223333:policy/gone"}],
                 "PermissionsBoundary": {"PermissionsBoundaryType": "Policy",
                                         "PermissionsBoundaryArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
                 "Tags": [{"Key": "team", "Value": "x"}]},
                {"UserName": "bob", "Arn": "arn:aws:iam::444455556666:user/bob"}
            ],
            "GroupDetailList": [
                {"Path": "/", "GroupName": "admins", "GroupId": "AGPA1", "Arn": "arn:aws:iam::111122223333:group/admins",
                 "GroupPolicyList": [{"PolicyName": "inline-g", "PolicyDocument": "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D"}],
                 "AttachedManagedPolicies": [{"PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}]}
            ],
            "RoleDetailList": [
                {"Path": "/", "RoleName": "web", "RoleId": "AROA1", "Arn": "arn:aws:iam::111122223333:role/web",
                 "AssumeRolePolicyDocument": trust,
                 "InstanceProfileList": [{"Path": "/", "InstanceProfileName": "web", "InstanceProfileId": "AIPA1",
                    "Arn": "arn:aws:iam::111122223333:instance-profile/web",
                    "Roles": [{"RoleName": "web", "Arn": "arn:aws:iam::111122223333:role/web",
                               "AssumeRolePolicyDocument": trust},
                              {"Arn": "arn:aws:iam::111122223333:role/elsewhere"}]}],
                 "RolePolicyList": [{"PolicyName": "inline-r", "PolicyDocument": "{\"Statement\": {\"Effect\": \"Deny\", \"Action\": \"s3:*\", \"Resource\": \"*\"}}"}],
                 "AttachedManagedPolicies": [{"PolicyName": "p1", "PolicyArn": "arn:aws:iam::111122223333:policy/p1"}],
                 "RoleLastUsed": {"Region": "us-east-1"}},
                {"Path": "/aws-service-role/x/", "RoleName": "svc", "Arn": "arn:aws:iam::111122223333:role/aws-service-role/x/svc",
                 "AssumeRolePolicyDocument": trust,
                 "InstanceProfileList": [{"InstanceProfileName": "web", "Arn": "arn:aws:iam::111122223333:instance-profile/web", "Roles": []}]}
            ],
            "Policies": [
                {"PolicyName": "p1", "Arn": "arn:aws:iam::111122223333:policy/p1", "Path": "/", "DefaultVersionId": "v2",
                 "AttachmentCount": 2,
                 "PolicyVersionList": [
                    {"Document": allow("s3:ListBucket"), "VersionId": "v1", "IsDefaultVersion": false},
                    {"Document": allow("s3:PutObject"), "VersionId": "v2", "IsDefaultVersion": true}]},
                {"PolicyName": "ReadOnlyAccess", "Arn": "arn:aws:iam::aws:policy/ReadOnlyAccess", "DefaultVersionId": "v3",
                 "PolicyVersionList": [{"Document": allow("*:Get*"), "VersionId": "v3"}]},
                {"PolicyName": "nodoc", "Arn": "arn:aws:iam::111122223333:policy/nodoc", "DefaultVersionId": "v9",
                 "PolicyVersionList": [{"Document": allow("x:y"), "VersionId": "v1"}]}
            ],
            "IsTruncated": false,
            "Marker": null
        })
    }

    #[test]
    fn the_base_document_loads_the_same_both_ways() {
        check(&base().to_string(), true);
        check(&serde_json::to_string_pretty(&base()).unwrap(), true);
    }

    /// Every node of the base document replaced by each JSON type, and every object field
    /// removed: whichever path loads it, the result (model or error) is the `Value` path's.
    #[test]
    fn mutated_documents_load_the_same_both_ways() {
        let replacements = [
            json!(null),
            json!(true),
            json!(false),
            json!(7),
            json!(-1),
            json!(1.5),
            json!("x"),
            json!("arn:aws:iam::111122223333:role/web"),
            json!("arn:aws:s3:::bucket"),
            json!([]),
            json!({}),
        ];
        let (typed, total) = PATHS.check_mutations(&base(), &replacements);
        // The typed path must be the common one, not a path that always falls back.
        assert!(
            total > 1000 && typed * 2 > total,
            "{typed} of {total} taken"
        );
    }

    #[test]
    fn text_level_cases_load_the_same_both_ways() {
        let text = base().to_string();
        // Escaped keys and strings are the same keys and strings.
        check(&text.replace("\"Arn\"", "\"\\u0041rn\""), true);
        check(&text.replace("role/web", "role/w\\u0065b"), true);
        // A repeated key: its last value counts, as in a parsed object.
        check(&text.replacen('{', "{\"Policies\": 5, ", 1), false);
        check(
            &text.replacen('{', "{\"IsTruncated\": true, \"IsTruncated\": 1, ", 1),
            true,
        );
        check(&text.replacen('{', "{\"Marker\": \"m\", ", 1), true);
        check(
            &text.replacen('{', "{\"NextToken\": {\"a\": [1]}, ", 1),
            true,
        );
        // Nesting: within the limit in a field nobody reads, and one past it.
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        check(
            &text.replacen(
                "\"Tags\":",
                &format!("\"Deep\": {}, \"Tags\":", nested(60)),
                1,
            ),
            true,
        );
        check(
            &text.replacen(
                "\"Tags\":",
                &format!("\"Deep\": {}, \"Tags\":", nested(62)),
                1,
            ),
            false,
        );
        check(
            &text.replacen(
                "\"Statement\":",
                &format!("\"Deep\": {}, \"Statement\":", nested(70)),
                1,
            ),
            false,
        );
        // Not a GAAD, not an object, not JSON.
        check("{\"Statement\": []}", true);
        check("[1]", false);
        check("null", false);
        check(&text[..text.len() - 1], false);
        check(&format!("{text} 1"), false);
    }
}
