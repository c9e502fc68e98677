//! AWS Organizations: `describe-organization`, `list-accounts`, `list-roots`,
//! `parents/<child-id>.json` (`list-parents`) and per policy `describe-policy` +
//! `list-targets-for-policy`, assembled into the root → OU → account tree with the SCPs
//! and RCPs attached at each level.

use super::builder::{Builder, Read};
use super::json::Node;
use super::layout::list_dir;
use super::IngestError;
use crate::model::{
    is_account_id, Collected, ItemRef, OrgNode, OrgNodeId, OrgNodeKind, OrgPolicy, OrgPolicyId,
    OrgPolicyType, Organization, PolicyKind, Sym,
};
use std::collections::{BTreeSet, HashMap};

struct Tree {
    nodes: Vec<OrgNode>,
    by_id: HashMap<Sym, OrgNodeId>,
}

impl Tree {
    fn node(&mut self, b: &mut Builder, id: &str, kind: OrgNodeKind) -> OrgNodeId {
        let sym = b.intern(id);
        if let Some(n) = self.by_id.get(&sym) {
            return *n;
        }
        let nid = OrgNodeId(self.nodes.len() as u32);
        self.nodes.push(OrgNode {
            id: sym,
            kind,
            name: None,
            parent: if kind == OrgNodeKind::Root {
                Collected::Present(None)
            } else {
                Collected::Missing
            },
            enabled_policy_types: Vec::new(),
            scps: Vec::new(),
            rcps: Vec::new(),
        });
        self.by_id.insert(sym, nid);
        nid
    }
}

fn kind_of(node: &Node, ty: &str) -> Result<OrgNodeKind, IngestError> {
    match ty {
        "ROOT" => Ok(OrgNodeKind::Root),
        "ORGANIZATIONAL_UNIT" => Ok(OrgNodeKind::OrganizationalUnit),
        "ACCOUNT" => Ok(OrgNodeKind::Account),
        other => Err(node.invalid(format!(
            "Type must be ROOT, ORGANIZATIONAL_UNIT or ACCOUNT, found {other:?}"
        ))),
    }
}

fn account_id<'a>(n: &Node<'a>) -> Result<&'a str, IngestError> {
    let s = n.str()?;
    if !is_account_id(s) {
        return Err(n.invalid(format!("invalid account id {s:?}")));
    }
    Ok(s)
}

/// A child id as used in `parents/<id>.json`: an account id, `ou-...` or `r-...`.
fn valid_node_id(s: &str) -> bool {
    is_account_id(s)
        || ((s.starts_with("ou-") || s.starts_with("r-"))
            && s.len() <= 100
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
}

/// Loads `dir` (normally `organizations`).
pub fn load_organization(b: &mut Builder, dir: &str) -> Result<(), IngestError> {
    let desc_rel = format!("{dir}/describe-organization.json");
    let desc = match b.read(&desc_rel)? {
        Read::Json(v) => v,
        Read::Absent | Read::Empty => {
            b.missing(
                None,
                None,
                None,
                &desc_rel,
                "organization unknown: SCPs, RCPs and the management account cannot be applied",
            );
            return Ok(());
        }
    };
    let dn = Node::root(&desc, &desc_rel);
    if super::s3::is_none_marker(&dn) {
        // The collector's "there is none": the account belongs to no organization. The
        // organization stays `Missing` (no SCP/RCP data), which later stages read as unknown.
        b.warn(
            &desc_rel,
            None,
            "no organization (the account is not in one): no SCPs or RCPs loaded",
        );
        return Ok(());
    }
    let o = dn.req("Organization")?;
    let org_id = o.req_str("Id")?.to_string();
    let mgmt = account_id(&o.req("MasterAccountId")?)?.to_string();
    let management_account = b.intern(&mgmt);
    b.account(&mgmt);
    b.coverage.collected(None, None, "organizations", &desc_rel);

    let mut tree = Tree {
        nodes: Vec::new(),
        by_id: HashMap::new(),
    };

    let accounts_rel = format!("{dir}/list-accounts.json");
    let mut account_ids: Vec<String> = Vec::new();
    match b.read(&accounts_rel)? {
        Read::Json(v) => {
            let n = Node::root(&v, &accounts_rel);
            b.note_truncation(&n, None, None)?;
            for a in n.list("Accounts")? {
                let id = account_id(&a.req("Id")?)?.to_string();
                let sym = b.intern(&id);
                b.claim("organization account", None, sym, &a)?;
                let name = a.opt_str("Name")?.map(str::to_string);
                let status = a.opt_str("Status")?.map(str::to_string);
                let acct = b.account_mut(&id);
                acct.name = name.clone();
                acct.status = status;
                let nid = tree.node(b, &id, OrgNodeKind::Account);
                if let Some(node) = tree.nodes.get_mut(nid.index()) {
                    node.name = name;
                }
                b.source(ItemRef::OrgNode(nid), &a);
                account_ids.push(id);
            }
        }
        Read::Absent | Read::Empty => b.missing(
            None,
            None,
            None,
            &accounts_rel,
            "member accounts unknown: accounts outside the export cannot be told from foreign ones",
        ),
    }
    if !account_ids.contains(&mgmt) {
        tree.node(b, &mgmt, OrgNodeKind::Account);
        account_ids.push(mgmt.clone());
    }

    let roots_rel = format!("{dir}/list-roots.json");
    match b.read(&roots_rel)? {
        Read::Json(v) => {
            let n = Node::root(&v, &roots_rel);
            for r in n.list("Roots")? {
                let id_node = r.req("Id")?;
                let id = id_node.str()?;
                if !valid_node_id(id) {
                    return Err(id_node.invalid(format!("invalid root id {id:?}")));
                }
                let nid = tree.node(b, id, OrgNodeKind::Root);
                let mut enabled = Vec::new();
                for pt in r.list("PolicyTypes")? {
                    if pt.opt_str("Status")? == Some("ENABLED") {
                        enabled.push(pt.req_str("Type")?.to_string());
                    }
                }
                if let Some(node) = tree.nodes.get_mut(nid.index()) {
                    node.name = r.opt_str("Name")?.map(str::to_string);
                    node.enabled_policy_types = enabled;
                }
                b.source(ItemRef::OrgNode(nid), &r);
            }
        }
        Read::Absent | Read::Empty => b.missing(
            None,
            None,
            None,
            &roots_rel,
            "organization root unknown: which policy types (SCP, RCP) are enabled is unknown",
        ),
    }

    // Parent links: every account, every OU reached, and every other parents/ file.
    let parents_dir = format!("{dir}/parents");
    let mut pending: BTreeSet<String> = account_ids.iter().cloned().collect();
    for e in list_dir(b, &parents_dir)? {
        if let Some(id) = e.name.strip_suffix(".json") {
            if !e.is_dir && valid_node_id(id) {
                pending.insert(id.to_string());
            }
        }
    }
    let mut done: BTreeSet<String> = BTreeSet::new();
    while let Some(child) = pending.pop_first() {
        if !done.insert(child.clone()) {
            continue;
        }
        let kind = if is_account_id(&child) {
            OrgNodeKind::Account
        } else if child.starts_with("r-") {
            continue;
        } else {
            OrgNodeKind::OrganizationalUnit
        };
        let cid = tree.node(b, &child, kind);
        let rel = format!("{parents_dir}/{child}.json");
        match b.read(&rel)? {
            Read::Json(v) => {
                let n = Node::root(&v, &rel);
                let parents = n.list("Parents")?;
                let Some(p) = parents.first() else {
                    b.warn(
                        &rel,
                        Some("/Parents"),
                        "no parent listed: the node's place in the tree is unknown",
                    );
                    continue;
                };
                let pid_node = p.req("Id")?;
                let pid = pid_node.str()?;
                if !valid_node_id(pid) {
                    return Err(pid_node.invalid(format!("invalid parent id {pid:?}")));
                }
                let pkind = kind_of(&p.req("Type")?, p.req_str("Type")?)?;
                let parent = tree.node(b, pid, pkind);
                if let Some(node) = tree.nodes.get_mut(cid.index()) {
                    node.parent = Collected::Present(Some(parent));
                }
                if pkind == OrgNodeKind::OrganizationalUnit {
                    pending.insert(pid.to_string());
                }
            }
            Read::Absent | Read::Empty => b.missing(
                if kind == OrgNodeKind::Account {
                    Some(child.as_str())
                } else {
                    None
                },
                None,
                Some(&child),
                &rel,
                "parent unknown: the OUs above it and their SCPs/RCPs are unknown",
            ),
        }
    }

    // Policies and where they are attached.
    let policies_dir = format!("{dir}/policies");
    let mut policies: Vec<OrgPolicy> = Vec::new();
    let mut targets_complete = true;
    for e in list_dir(b, &policies_dir)? {
        if !e.is_dir {
            continue;
        }
        let prel = format!("{policies_dir}/{}", e.name);
        let desc_rel = format!("{prel}/describe-policy.json");
        let v = match b.read(&desc_rel)? {
            Read::Json(v) => v,
            Read::Absent | Read::Empty => {
                b.missing(
                    None,
                    None,
                    Some(&e.name),
                    &desc_rel,
                    "policy content unknown",
                );
                targets_complete = false;
                continue;
            }
        };
        let n = Node::root(&v, &desc_rel);
        let p = n.req("Policy")?;
        let summary = p.req("PolicySummary")?;
        let ty_node = summary.req("Type")?;
        let policy_type = match ty_node.str()? {
            "SERVICE_CONTROL_POLICY" => OrgPolicyType::ServiceControl,
            "RESOURCE_CONTROL_POLICY" => OrgPolicyType::ResourceControl,
            other => {
                // Tag, backup and AI opt-out policies are not authorization policies.
                b.warn(
                    &desc_rel,
                    Some(&ty_node.ptr()),
                    format!("policy type {other} does not affect access: ignored"),
                );
                continue;
            }
        };
        let id = summary.req_str("Id")?.to_string();
        let name = summary.opt_str("Name")?.map(str::to_string);
        let kind = match policy_type {
            OrgPolicyType::ServiceControl => PolicyKind::Scp,
            OrgPolicyType::ResourceControl => PolicyKind::Rcp,
        };
        let document = b.add_policy(
            kind,
            name.clone(),
            Some(management_account),
            &p.req("Content")?,
        )?;
        let opid = OrgPolicyId(policies.len() as u32);
        let targets_rel = format!("{prel}/list-targets-for-policy.json");
        let targets = match b.read(&targets_rel)? {
            Read::Json(v) => {
                let tn = Node::root(&v, &targets_rel);
                let mut out = Vec::new();
                for t in tn.list("Targets")? {
                    let tid_node = t.req("TargetId")?;
                    let tid = tid_node.str()?;
                    if !valid_node_id(tid) {
                        return Err(tid_node.invalid(format!("invalid target id {tid:?}")));
                    }
                    let tkind = kind_of(&t.req("Type")?, t.req_str("Type")?)?;
                    let nid = tree.node(b, tid, tkind);
                    if let Some(node) = tree.nodes.get_mut(nid.index()) {
                        if node.name.is_none() {
                            node.name = t.opt_str("Name")?.map(str::to_string);
                        }
                        match policy_type {
                            OrgPolicyType::ServiceControl => node.scps.push(opid),
                            OrgPolicyType::ResourceControl => node.rcps.push(opid),
                        }
                    }
                    out.push(nid);
                }
                Collected::Present(out)
            }
            Read::Absent | Read::Empty => {
                targets_complete = false;
                b.missing(
                    None,
                    None,
                    Some(&id),
                    &targets_rel,
                    "where this policy is attached is unknown",
                );
                Collected::Missing
            }
        };
        b.source(ItemRef::OrgPolicy(opid), &p);
        policies.push(OrgPolicy {
            id,
            arn: summary.opt_str("Arn")?.map(str::to_string),
            name,
            policy_type,
            aws_managed: summary.opt_bool("AwsManaged")?.unwrap_or(false),
            document,
            targets,
        });
    }

    b.model.organization = Collected::Present(Organization {
        id: org_id,
        arn: o.opt_str("Arn")?.map(str::to_string),
        management_account,
        feature_set: o.opt_str("FeatureSet")?.map(str::to_string),
        nodes: tree.nodes,
        policies,
        targets_complete,
    });
    Ok(())
}
