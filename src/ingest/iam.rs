//! IAM from `get-account-authorization-details` (GAAD): users, groups, roles, instance
//! profiles and managed policies (resolved to their default version), linked together.

use super::builder::Builder;
use super::json::Node;
use super::IngestError;
use crate::model::{
    is_account_id, Arn, AttachedPolicy, Collected, Group, GroupId, GroupMembership,
    InstanceProfile, InstanceProfileId, ItemRef, ManagedPolicy, ManagedPolicyId, PolicyId,
    PolicyKind, Role, RoleId, Sym, User, UserId,
};
use std::collections::HashMap;

/// The four lists a GAAD holds; a document with none of them is not a GAAD.
pub const GAAD_KEYS: [&str; 4] = [
    "UserDetailList",
    "GroupDetailList",
    "RoleDetailList",
    "Policies",
];

/// What a document that is not a GAAD was expected to be (a shape error's `expected`).
pub(crate) const GAAD_EXPECTED: &str = "a get-account-authorization-details output (UserDetailList, GroupDetailList, RoleDetailList, Policies)";

/// Whether a JSON value looks like a GAAD.
pub fn looks_like_gaad(v: &serde_json::Value) -> bool {
    v.as_object()
        .map(|m| GAAD_KEYS.iter().any(|k| m.contains_key(*k)))
        .unwrap_or(false)
}

/// An IAM ARN of the expected resource type (`user/`, `role/`, ...), or an error at `node`.
fn iam_arn<'a>(
    node: &Node<'a>,
    key: &str,
    resource_prefix: &str,
) -> Result<(&'a str, String), IngestError> {
    let n = node.req(key)?;
    let s = n.str()?;
    let account = check_iam_arn(s, resource_prefix).map_err(|m| n.invalid(m))?;
    Ok((s, account))
}

/// The account of `s`, an IAM ARN of the expected resource type, or what is wrong with it.
pub(crate) fn check_iam_arn(s: &str, resource_prefix: &str) -> Result<String, String> {
    let arn = Arn::parse(s).ok_or_else(|| format!("invalid ARN {s:?}"))?;
    if arn.service != "iam" || !arn.resource.starts_with(resource_prefix) {
        return Err(format!(
            "expected an IAM {} ARN, found {s:?}",
            resource_prefix.trim_end_matches('/')
        ));
    }
    Ok(arn.account.to_string())
}

/// The account that owns most principals and customer policies of a GAAD: the account a
/// bare GAAD file (or a layout without an account folder) belongs to.
pub fn home_account(doc: &serde_json::Value) -> Option<String> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for key in GAAD_KEYS {
        if let Some(items) = doc.get(key).and_then(|v| v.as_array()) {
            for item in items {
                if let Some(acct) = item
                    .get("Arn")
                    .and_then(|a| a.as_str())
                    .and_then(Arn::parse)
                    .map(|a| a.account)
                    .filter(|a| is_account_id(a))
                {
                    *counts.entry(acct).or_default() += 1;
                }
            }
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(a, _)| a.to_string())
}

/// Loads one GAAD. `home` is the account the file belongs to (its export folder, or
/// `home_account`); principals whose ARN names another account are kept under that account
/// with a warning when `home` came from a folder.
pub fn load_gaad(
    b: &mut Builder,
    doc: &Node,
    home: &str,
    home_from_folder: bool,
) -> Result<(), IngestError> {
    let map = doc.obj()?;
    if !GAAD_KEYS.iter().any(|k| map.contains_key(*k)) {
        return Err(doc.shape_err(GAAD_EXPECTED));
    }
    let home_sym = b.intern(home);
    {
        let a = b.account_mut(home);
        a.exported = true;
        a.iam_collected = true;
    }

    // Managed policies first, so attachments can be resolved. Keyed by ARN within this file.
    let mut managed: HashMap<Sym, ManagedPolicyId> = HashMap::new();
    for p in doc.list("Policies")? {
        let (arn_s, acct) = iam_arn(&p, "Arn", "policy/")?;
        let aws_managed = acct == "aws";
        let account = if aws_managed {
            home_sym
        } else {
            note_account(b, &acct, home, home_from_folder, &p)
        };
        let arn = b.intern(arn_s);
        b.claim("managed policy", Some(account), arn, &p)?;
        let name = p.req_str("PolicyName")?.to_string();
        let default_version_id = p.opt_str("DefaultVersionId")?.map(str::to_string);
        let mut default_doc = None;
        for v in p.list("PolicyVersionList")? {
            let is_default = v.opt_bool("IsDefaultVersion")?.unwrap_or(false)
                || (default_version_id.is_some()
                    && v.opt_str("VersionId")? == default_version_id.as_deref()
                    && v.get("IsDefaultVersion")?.is_none());
            if is_default {
                if default_doc.is_some() {
                    return Err(v.invalid("a second version marked IsDefaultVersion"));
                }
                default_doc = Some(v.req("Document")?);
            }
        }
        let document = match default_doc {
            Some(d) => Collected::Present(b.add_policy(
                PolicyKind::Managed,
                Some(name.clone()),
                Some(account),
                &d,
            )?),
            None => {
                let acct_s = b.model.str(account).to_string();
                b.missing(
                    Some(&acct_s),
                    None,
                    Some(arn_s),
                    p.file,
                    "managed policy's default version document not in the export: its permissions are unknown",
                );
                Collected::Missing
            }
        };
        let id = ManagedPolicyId(b.model.managed_policies.len() as u32);
        b.model.managed_policies.push(ManagedPolicy {
            arn,
            name,
            path: p.opt_str("Path")?.unwrap_or("/").to_string(),
            account,
            aws_managed,
            default_version_id,
            document,
            attachment_count: p.opt_u64("AttachmentCount")?,
        });
        b.source(ItemRef::ManagedPolicy(id), &p);
        managed.insert(arn, id);
    }

    // Groups.
    let mut groups_by_name: HashMap<(Sym, String), GroupId> = HashMap::new();
    for g in doc.list("GroupDetailList")? {
        let (arn_s, acct) = iam_arn(&g, "Arn", "group/")?;
        let account = note_account(b, &acct, home, home_from_folder, &g);
        let arn = b.intern(arn_s);
        b.claim("group", Some(account), arn, &g)?;
        let name = g.req_str("GroupName")?.to_string();
        let inline_policies = inline_policies(b, &g, "GroupPolicyList", account)?;
        let attached_policies = attached(b, &g, "AttachedManagedPolicies", &managed, account)?;
        let id = GroupId(b.model.groups.len() as u32);
        b.model.groups.push(Group {
            arn,
            name: name.clone(),
            unique_id: g.opt_str("GroupId")?.map(str::to_string),
            path: g.opt_str("Path")?.unwrap_or("/").to_string(),
            account,
            inline_policies,
            attached_policies,
            members: Vec::new(),
        });
        b.source(ItemRef::Group(id), &g);
        groups_by_name.insert((account, name), id);
    }

    // Users, linked to their groups by name within their account.
    for u in doc.list("UserDetailList")? {
        let (arn_s, acct) = iam_arn(&u, "Arn", "user/")?;
        let account = note_account(b, &acct, home, home_from_folder, &u);
        let arn = b.intern(arn_s);
        b.claim("user", Some(account), arn, &u)?;
        let id = UserId(b.model.users.len() as u32);
        let mut groups = Vec::new();
        for gname in u.str_list("GroupList")? {
            let group = match groups_by_name.get(&(account, gname.to_string())) {
                Some(g) => {
                    if let Some(group) = b.model.groups.get_mut(g.index()) {
                        group.members.push(id);
                    }
                    Collected::Present(*g)
                }
                None => {
                    let acct_s = b.model.str(account).to_string();
                    b.missing(
                        Some(&acct_s),
                        None,
                        Some(arn_s),
                        u.file,
                        &format!("group {gname:?} is not in GroupDetailList: the user's group policies are unknown"),
                    );
                    Collected::Missing
                }
            };
            groups.push(GroupMembership {
                name: gname.to_string(),
                group,
            });
        }
        let inline_policies = inline_policies(b, &u, "UserPolicyList", account)?;
        let attached_policies = attached(b, &u, "AttachedManagedPolicies", &managed, account)?;
        let permissions_boundary = boundary(b, &u, &managed, account)?;
        b.model.users.push(User {
            arn,
            name: u.req_str("UserName")?.to_string(),
            unique_id: u.opt_str("UserId")?.map(str::to_string),
            path: u.opt_str("Path")?.unwrap_or("/").to_string(),
            account,
            inline_policies,
            attached_policies,
            groups,
            permissions_boundary,
        });
        b.source(ItemRef::User(id), &u);
    }

    // Roles with their trust policies and instance profiles.
    let mut profile_links: Vec<(InstanceProfileId, Vec<Sym>)> = Vec::new();
    let mut profile_ids: HashMap<Sym, InstanceProfileId> = HashMap::new();
    let first_role = b.model.roles.len();
    for r in doc.list("RoleDetailList")? {
        let (arn_s, acct) = iam_arn(&r, "Arn", "role/")?;
        let account = note_account(b, &acct, home, home_from_folder, &r);
        let arn = b.intern(arn_s);
        b.claim("role", Some(account), arn, &r)?;
        let id = RoleId(b.model.roles.len() as u32);
        let name = r.req_str("RoleName")?.to_string();
        let trust_policy = match r.get("AssumeRolePolicyDocument")? {
            Some(d) => Collected::Present(b.add_policy(
                PolicyKind::Trust,
                Some(name.clone()),
                Some(account),
                &d,
            )?),
            None => {
                let acct_s = b.model.str(account).to_string();
                b.missing(
                    Some(&acct_s),
                    None,
                    Some(arn_s),
                    r.file,
                    "role has no AssumeRolePolicyDocument: who can assume it is unknown",
                );
                Collected::Missing
            }
        };
        let inline_policies = inline_policies(b, &r, "RolePolicyList", account)?;
        let attached_policies = attached(b, &r, "AttachedManagedPolicies", &managed, account)?;
        let permissions_boundary = boundary(b, &r, &managed, account)?;
        let mut instance_profiles = Vec::new();
        for ip in r.list("InstanceProfileList")? {
            let (ip_arn_s, ip_acct) = iam_arn(&ip, "Arn", "instance-profile/")?;
            let ip_arn = b.intern(ip_arn_s);
            let pid = match profile_ids.get(&ip_arn) {
                Some(p) => *p,
                None => {
                    b.claim("instance profile", None, ip_arn, &ip)?;
                    let ip_account = note_account(b, &ip_acct, home, home_from_folder, &ip);
                    let pid = InstanceProfileId(b.model.instance_profiles.len() as u32);
                    let mut role_arns = Vec::new();
                    for pr in ip.list("Roles")? {
                        let (ra, _) = iam_arn(&pr, "Arn", "role/")?;
                        role_arns.push(b.intern(ra));
                    }
                    b.model.instance_profiles.push(InstanceProfile {
                        arn: ip_arn,
                        name: ip.req_str("InstanceProfileName")?.to_string(),
                        unique_id: ip.opt_str("InstanceProfileId")?.map(str::to_string),
                        path: ip.opt_str("Path")?.unwrap_or("/").to_string(),
                        account: ip_account,
                        roles: Vec::new(),
                    });
                    b.source(ItemRef::InstanceProfile(pid), &ip);
                    profile_ids.insert(ip_arn, pid);
                    profile_links.push((pid, role_arns));
                    pid
                }
            };
            instance_profiles.push(pid);
        }
        let path = r.opt_str("Path")?.unwrap_or("/").to_string();
        b.model.roles.push(Role {
            arn,
            service_linked: path.starts_with("/aws-service-role/"),
            name,
            unique_id: r.opt_str("RoleId")?.map(str::to_string),
            path,
            account,
            trust_policy,
            inline_policies,
            attached_policies,
            permissions_boundary,
            instance_profiles,
        });
        b.source(ItemRef::Role(id), &r);
    }
    link_profiles(b, first_role, profile_links);
    Ok(())
}

/// Links the instance profiles of one GAAD (with their roles' ARNs) to the roles of that
/// file (`first_role..`) by ARN; a role not in the file is `Missing`.
pub(crate) fn link_profiles(
    b: &mut Builder,
    first_role: usize,
    profile_links: Vec<(InstanceProfileId, Vec<Sym>)>,
) {
    let roles_by_arn: HashMap<Sym, RoleId> = b.model.roles[first_role..]
        .iter()
        .enumerate()
        .map(|(i, r)| (r.arn, RoleId((first_role + i) as u32)))
        .collect();
    for (pid, role_arns) in profile_links {
        let roles = role_arns
            .into_iter()
            .map(|ra| {
                let c = match roles_by_arn.get(&ra) {
                    Some(r) => Collected::Present(*r),
                    None => Collected::Missing,
                };
                (ra, c)
            })
            .collect();
        if let Some(p) = b.model.instance_profiles.get_mut(pid.index()) {
            p.roles = roles;
        }
    }
}

/// The principal's account from its ARN; warns when it differs from the folder's account.
fn note_account(
    b: &mut Builder,
    acct: &str,
    home: &str,
    home_from_folder: bool,
    node: &Node,
) -> Sym {
    note_account_at(b, acct, home, home_from_folder, node.file, || node.ptr())
}

/// `note_account` for the item at `pointer()` in `file`.
pub(crate) fn note_account_at(
    b: &mut Builder,
    acct: &str,
    home: &str,
    home_from_folder: bool,
    file: &str,
    pointer: impl FnOnce() -> String,
) -> Sym {
    let account = if is_account_id(acct) { acct } else { home };
    if home_from_folder && account != home {
        b.warn(
            file,
            Some(&pointer()),
            format!("ARN names account {account}, but the file is in account {home}'s folder"),
        );
    }
    let aid = b.account(account);
    // A bare GAAD may span accounts (each principal's ARN says whose it is); inside an
    // account folder, another account's principal does not make that account exported.
    if !home_from_folder || account == home {
        if let Some(a) = b.model.accounts.get_mut(aid.index()) {
            a.exported = true;
            a.iam_collected = true;
        }
    }
    b.intern(account)
}

fn inline_policies(
    b: &mut Builder,
    node: &Node,
    key: &str,
    account: Sym,
) -> Result<Vec<PolicyId>, IngestError> {
    let mut out = Vec::new();
    for p in node.list(key)? {
        let name = p.req_str("PolicyName")?.to_string();
        let d = p.req("PolicyDocument")?;
        out.push(b.add_policy(PolicyKind::Inline, Some(name), Some(account), &d)?);
    }
    Ok(out)
}

fn attached(
    b: &mut Builder,
    node: &Node,
    key: &str,
    managed: &HashMap<Sym, ManagedPolicyId>,
    account: Sym,
) -> Result<Vec<AttachedPolicy>, IngestError> {
    let mut out = Vec::new();
    for a in node.list(key)? {
        let (arn_s, _) = iam_arn(&a, "PolicyArn", "policy/")?;
        let name = a.opt_str("PolicyName")?.unwrap_or("").to_string();
        out.push(resolve_attached(b, a.file, arn_s, name, managed, account));
    }
    Ok(out)
}

pub(crate) fn resolve_attached(
    b: &mut Builder,
    file: &str,
    arn_s: &str,
    name: String,
    managed: &HashMap<Sym, ManagedPolicyId>,
    account: Sym,
) -> AttachedPolicy {
    let arn = b.intern(arn_s);
    let policy = match managed.get(&arn) {
        Some(m) => Collected::Present(*m),
        None => {
            let acct_s = b.model.str(account).to_string();
            b.missing(
                Some(&acct_s),
                None,
                Some(arn_s),
                file,
                "attached managed policy is not in the export's Policies list: its permissions are unknown",
            );
            Collected::Missing
        }
    };
    AttachedPolicy { arn, name, policy }
}

fn boundary(
    b: &mut Builder,
    node: &Node,
    managed: &HashMap<Sym, ManagedPolicyId>,
    account: Sym,
) -> Result<Option<AttachedPolicy>, IngestError> {
    let Some(pb) = node.get("PermissionsBoundary")? else {
        return Ok(None);
    };
    let (arn_s, _) = iam_arn(&pb, "PermissionsBoundaryArn", "policy/")?;
    let name = arn_s.rsplit('/').next().unwrap_or("").to_string();
    Ok(Some(resolve_attached(
        b, pb.file, arn_s, name, managed, account,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn check(doc: Value, expect: Option<&str>) {
        assert_eq!(home_account(&doc).as_deref(), expect, "{doc}");
    }

    #[test]
    fn home_account_is_the_most_common_principal_account() {
        check(
            json!({"RoleDetailList": [{"Arn": "arn:aws:iam::111122223333:role/a"}, {"Arn": "arn:aws:iam::444455556666:role/b"}],
                   "UserDetailList": [{"Arn": "arn:aws:iam::444455556666:user/c"}],
                   "Policies": [{"Arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}]}),
            Some("444455556666"),
        );
        check(
            json!({"Policies": [{"Arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}]}),
            None,
        );
        check(json!({"UserDetailList": "x"}), None);
        assert!(looks_like_gaad(&json!({"Policies": []})));
        assert!(!looks_like_gaad(&json!({"Statement": []})));
    }

    #[test]
    fn managed_policy_without_default_version_is_missing() {
        let doc = json!({"Policies": [{"PolicyName": "p", "Arn": "arn:aws:iam::111122223333:policy/p",
            "DefaultVersionId": "v3", "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": false,
            "Document": {"Statement": [{"Effect": "Allow", "Action": "*"}]}}]}]});
        let mut b = Builder::new(
            std::path::PathBuf::from("."),
            crate::model::ExportLayout::GaadFile,
        );
        load_gaad(&mut b, &Node::root(&doc, "g.json"), "111122223333", false).unwrap();
        assert_eq!(b.model.managed_policies[0].document, Collected::Missing);
        assert_eq!(b.coverage.missing.len(), 1);
    }
}
