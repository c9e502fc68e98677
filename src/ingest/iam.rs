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
    let mut at = GaadLoad::new(b, doc.file, home, home_from_folder);

    // Managed policies first, so attachments can be resolved. Keyed by ARN within this file.
    for p in doc.list("Policies")? {
        let (arn_s, acct) = iam_arn(&p, "Arn", "policy/")?;
        let (aws_managed, account, arn) = at.managed_policy(b, arn_s, &acct, &p.ptr())?;
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
            None => at.unknown(b, account, arn_s, NO_DEFAULT_VERSION),
        };
        let policy = ManagedPolicy {
            arn,
            name,
            path: p.opt_str("Path")?.unwrap_or("/").to_string(),
            account,
            aws_managed,
            default_version_id,
            document,
            attachment_count: p.opt_u64("AttachmentCount")?,
        };
        at.add_managed_policy(b, policy, p.ptr());
    }

    // Groups.
    for g in doc.list("GroupDetailList")? {
        let (arn_s, acct) = iam_arn(&g, "Arn", "group/")?;
        let (account, arn) = at.principal(b, "group", arn_s, &acct, &g.ptr())?;
        let name = g.req_str("GroupName")?.to_string();
        let inline_policies = inline_policies(b, &g, "GroupPolicyList", account)?;
        let attached_policies = attached(b, &at, &g, account)?;
        let group = Group {
            arn,
            name,
            unique_id: g.opt_str("GroupId")?.map(str::to_string),
            path: g.opt_str("Path")?.unwrap_or("/").to_string(),
            account,
            inline_policies,
            attached_policies,
            members: Vec::new(),
        };
        at.add_group(b, group, g.ptr());
    }

    // Users, linked to their groups by name within their account.
    for u in doc.list("UserDetailList")? {
        let (arn_s, acct) = iam_arn(&u, "Arn", "user/")?;
        let (account, arn) = at.principal(b, "user", arn_s, &acct, &u.ptr())?;
        let id = UserId(b.model.users.len() as u32);
        let mut groups = Vec::new();
        for gname in u.str_list("GroupList")? {
            groups.push(at.join_group(b, id, account, arn_s, gname));
        }
        let inline_policies = inline_policies(b, &u, "UserPolicyList", account)?;
        let attached_policies = attached(b, &at, &u, account)?;
        let permissions_boundary = boundary(b, &at, &u, account)?;
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
    for r in doc.list("RoleDetailList")? {
        let (arn_s, acct) = iam_arn(&r, "Arn", "role/")?;
        let (account, arn) = at.principal(b, "role", arn_s, &acct, &r.ptr())?;
        let name = r.req_str("RoleName")?.to_string();
        let trust_policy = match r.get("AssumeRolePolicyDocument")? {
            Some(d) => Collected::Present(b.add_policy(
                PolicyKind::Trust,
                Some(name.clone()),
                Some(account),
                &d,
            )?),
            None => at.unknown(b, account, arn_s, NO_TRUST_POLICY),
        };
        let inline_policies = inline_policies(b, &r, "RolePolicyList", account)?;
        let attached_policies = attached(b, &at, &r, account)?;
        let permissions_boundary = boundary(b, &at, &r, account)?;
        let mut instance_profiles = Vec::new();
        for ip in r.list("InstanceProfileList")? {
            let (ip_arn_s, ip_acct) = iam_arn(&ip, "Arn", "instance-profile/")?;
            let ip_arn = b.intern(ip_arn_s);
            if let Some(pid) = at.profile(ip_arn) {
                instance_profiles.push(pid);
                continue;
            }
            b.claim("instance profile", None, ip_arn, &ip)?;
            let ip_account = at.account(b, &ip_acct, || ip.ptr());
            let mut role_arns = Vec::new();
            for pr in ip.list("Roles")? {
                let (ra, _) = iam_arn(&pr, "Arn", "role/")?;
                role_arns.push(b.intern(ra));
            }
            let profile = InstanceProfile {
                arn: ip_arn,
                name: ip.req_str("InstanceProfileName")?.to_string(),
                unique_id: ip.opt_str("InstanceProfileId")?.map(str::to_string),
                path: ip.opt_str("Path")?.unwrap_or("/").to_string(),
                account: ip_account,
                roles: Vec::new(),
            };
            instance_profiles.push(at.add_profile(b, profile, role_arns, ip.ptr()));
        }
        let path = r.opt_str("Path")?.unwrap_or("/").to_string();
        let role = Role {
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
        };
        at.add_role(b, role, r.ptr());
    }
    at.finish(b);
    Ok(())
}

/// Links the instance profiles of one GAAD (with their roles' ARNs) to the roles of that
/// file (`first_role..`) by ARN; a role not in the file is `Missing`.
fn link_profiles(
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

/// The account of an item of `file` (at `pointer()`) whose ARN names `acct`: that account
/// (`home` if `acct` is not an account id); warns when it differs from the folder's account.
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
    at: &GaadLoad,
    node: &Node,
    account: Sym,
) -> Result<Vec<AttachedPolicy>, IngestError> {
    let mut out = Vec::new();
    for a in node.list("AttachedManagedPolicies")? {
        let (arn_s, _) = iam_arn(&a, "PolicyArn", "policy/")?;
        let name = a.opt_str("PolicyName")?.unwrap_or("").to_string();
        out.push(at.attached(b, arn_s, name, account));
    }
    Ok(out)
}

fn boundary(
    b: &mut Builder,
    at: &GaadLoad,
    node: &Node,
    account: Sym,
) -> Result<Option<AttachedPolicy>, IngestError> {
    let Some(pb) = node.get("PermissionsBoundary")? else {
        return Ok(None);
    };
    let (arn_s, _) = iam_arn(&pb, "PermissionsBoundaryArn", "policy/")?;
    Ok(Some(at.boundary(b, arn_s, account)))
}

/// What stays unknown when a managed policy's default version is not in the export.
pub(crate) const NO_DEFAULT_VERSION: &str =
    "managed policy's default version document not in the export: its permissions are unknown";
/// What stays unknown when a role has no trust policy in the export.
pub(crate) const NO_TRUST_POLICY: &str =
    "role has no AssumeRolePolicyDocument: who can assume it is unknown";

/// Loading one GAAD, shared by the `Value` path (`load_gaad`) and the typed path
/// (`gaad::load_gaad_doc`): they read the file differently (each checking what it reads,
/// in the same order), and build its items through these methods, which hold what one item
/// needs of the others (managed policies by ARN for attachments, groups by name for
/// members, instance profiles by ARN and the roles they name).
pub(crate) struct GaadLoad<'f> {
    pub(crate) file: &'f str,
    home: &'f str,
    home_sym: Sym,
    home_from_folder: bool,
    managed: HashMap<Sym, ManagedPolicyId>,
    groups_by_name: HashMap<(Sym, String), GroupId>,
    profile_ids: HashMap<Sym, InstanceProfileId>,
    profile_links: Vec<(InstanceProfileId, Vec<Sym>)>,
    /// The first role of this file (the roles its instance profiles are linked to).
    first_role: usize,
}

impl<'f> GaadLoad<'f> {
    /// Starts loading `file`, a GAAD of account `home` (from its folder when
    /// `home_from_folder`), which it marks exported with IAM collected.
    pub(crate) fn new(
        b: &mut Builder,
        file: &'f str,
        home: &'f str,
        home_from_folder: bool,
    ) -> GaadLoad<'f> {
        let home_sym = b.intern(home);
        let a = b.account_mut(home);
        a.exported = true;
        a.iam_collected = true;
        GaadLoad {
            file,
            home,
            home_sym,
            home_from_folder,
            managed: HashMap::new(),
            groups_by_name: HashMap::new(),
            profile_ids: HashMap::new(),
            profile_links: Vec::new(),
            first_role: b.model.roles.len(),
        }
    }

    /// `note_account_at` for an item of this file.
    pub(crate) fn account(
        &self,
        b: &mut Builder,
        acct: &str,
        pointer: impl FnOnce() -> String,
    ) -> Sym {
        note_account_at(
            b,
            acct,
            self.home,
            self.home_from_folder,
            self.file,
            pointer,
        )
    }

    /// The account and interned ARN of the principal `arn_s` (a `what`: group, user, role)
    /// at `pointer`, whose ARN names `acct`; an error if the file already had it.
    pub(crate) fn principal(
        &self,
        b: &mut Builder,
        what: &'static str,
        arn_s: &str,
        acct: &str,
        pointer: &str,
    ) -> Result<(Sym, Sym), IngestError> {
        let account = self.account(b, acct, || pointer.to_string());
        Ok((account, self.claim(b, what, account, arn_s, pointer)?))
    }

    /// `principal` for a managed policy, with whether it is AWS-managed (`aws` in its ARN):
    /// an AWS-managed policy belongs to the home account.
    pub(crate) fn managed_policy(
        &self,
        b: &mut Builder,
        arn_s: &str,
        acct: &str,
        pointer: &str,
    ) -> Result<(bool, Sym, Sym), IngestError> {
        let aws_managed = acct == "aws";
        let account = if aws_managed {
            self.home_sym
        } else {
            self.account(b, acct, || pointer.to_string())
        };
        let arn = self.claim(b, "managed policy", account, arn_s, pointer)?;
        Ok((aws_managed, account, arn))
    }

    fn claim(
        &self,
        b: &mut Builder,
        what: &'static str,
        account: Sym,
        arn_s: &str,
        pointer: &str,
    ) -> Result<Sym, IngestError> {
        let arn = b.intern(arn_s);
        b.claim_at(what, Some(account), arn, self.file, pointer)?;
        Ok(arn)
    }

    /// Something of the item `arn_s` (of `account`) that the export does not hold: a
    /// coverage entry saying what stays `unknown`.
    pub(crate) fn unknown<T>(
        &self,
        b: &mut Builder,
        account: Sym,
        arn_s: &str,
        unknown: &str,
    ) -> Collected<T> {
        let acct_s = b.model.str(account).to_string();
        b.missing(Some(&acct_s), None, Some(arn_s), self.file, unknown);
        Collected::Missing
    }

    pub(crate) fn add_managed_policy(
        &mut self,
        b: &mut Builder,
        policy: ManagedPolicy,
        pointer: String,
    ) {
        let id = ManagedPolicyId(b.model.managed_policies.len() as u32);
        self.managed.insert(policy.arn, id);
        b.model.managed_policies.push(policy);
        b.source_at(ItemRef::ManagedPolicy(id), self.file, pointer);
    }

    pub(crate) fn add_group(&mut self, b: &mut Builder, group: Group, pointer: String) {
        let id = GroupId(b.model.groups.len() as u32);
        self.groups_by_name
            .insert((group.account, group.name.clone()), id);
        b.model.groups.push(group);
        b.source_at(ItemRef::Group(id), self.file, pointer);
    }

    /// The user `user` (`user_arn`, of `account`) is a member of the group named `name`:
    /// that group of its account, or `Missing` when the file does not hold it.
    pub(crate) fn join_group(
        &self,
        b: &mut Builder,
        user: UserId,
        account: Sym,
        user_arn: &str,
        name: &str,
    ) -> GroupMembership {
        let group = match self.groups_by_name.get(&(account, name.to_string())) {
            Some(g) => {
                if let Some(group) = b.model.groups.get_mut(g.index()) {
                    group.members.push(user);
                }
                Collected::Present(*g)
            }
            None => self.unknown(
                b,
                account,
                user_arn,
                &format!("group {name:?} is not in GroupDetailList: the user's group policies are unknown"),
            ),
        };
        GroupMembership {
            name: name.to_string(),
            group,
        }
    }

    /// The managed policy `arn_s` attached (as `name`) to a principal of `account`.
    pub(crate) fn attached(
        &self,
        b: &mut Builder,
        arn_s: &str,
        name: String,
        account: Sym,
    ) -> AttachedPolicy {
        let arn = b.intern(arn_s);
        let policy = match self.managed.get(&arn) {
            Some(m) => Collected::Present(*m),
            None => self.unknown(
                b,
                account,
                arn_s,
                "attached managed policy is not in the export's Policies list: its permissions are unknown",
            ),
        };
        AttachedPolicy { arn, name, policy }
    }

    /// The permissions boundary `arn_s` of a principal of `account` (named by its ARN).
    pub(crate) fn boundary(&self, b: &mut Builder, arn_s: &str, account: Sym) -> AttachedPolicy {
        let name = arn_s.rsplit('/').next().unwrap_or("").to_string();
        self.attached(b, arn_s, name, account)
    }

    /// The instance profile `arn` when an earlier role of this file listed it.
    pub(crate) fn profile(&self, arn: Sym) -> Option<InstanceProfileId> {
        self.profile_ids.get(&arn).copied()
    }

    /// Adds an instance profile, to be linked to the roles `role_arns` by `finish`.
    pub(crate) fn add_profile(
        &mut self,
        b: &mut Builder,
        profile: InstanceProfile,
        role_arns: Vec<Sym>,
        pointer: String,
    ) -> InstanceProfileId {
        let id = InstanceProfileId(b.model.instance_profiles.len() as u32);
        self.profile_ids.insert(profile.arn, id);
        self.profile_links.push((id, role_arns));
        b.model.instance_profiles.push(profile);
        b.source_at(ItemRef::InstanceProfile(id), self.file, pointer);
        id
    }

    pub(crate) fn add_role(&mut self, b: &mut Builder, role: Role, pointer: String) {
        let id = RoleId(b.model.roles.len() as u32);
        b.model.roles.push(role);
        b.source_at(ItemRef::Role(id), self.file, pointer);
    }

    /// Links this file's instance profiles to its roles.
    pub(crate) fn finish(self, b: &mut Builder) {
        link_profiles(b, self.first_role, self.profile_links);
    }
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
