//! The AWS Organizations tree: root → OUs → accounts, with the SCPs and RCPs attached at
//! each level.

use super::{Collected, OrgNodeId, OrgPolicyId, PolicyId, Sym};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Organization {
    /// `o-...`
    pub id: String,
    pub arn: Option<String>,
    /// The management account, which SCPs and RCPs never restrict.
    pub management_account: Sym,
    pub feature_set: Option<String>,
    /// Every root, OU and account node known from the export.
    pub nodes: Vec<OrgNode>,
    pub policies: Vec<OrgPolicy>,
    /// Whether every SCP/RCP's targets were collected: when false, a node's attached
    /// policy lists may be incomplete (see `OrgNode::policies_complete`).
    pub targets_complete: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum OrgNodeKind {
    Root,
    OrganizationalUnit,
    Account,
}

#[derive(Debug, Clone, Serialize)]
pub struct OrgNode {
    /// `r-...`, `ou-...` or the 12-digit account id.
    pub id: Sym,
    pub kind: OrgNodeKind,
    pub name: Option<String>,
    /// The parent node: `Present(None)` for a root, `Missing` when the node's
    /// `parents/<id>.json` was not collected (or names a node we do not know).
    pub parent: Collected<Option<OrgNodeId>>,
    /// Policy types enabled at a root (`SERVICE_CONTROL_POLICY`, `RESOURCE_CONTROL_POLICY`).
    pub enabled_policy_types: Vec<String>,
    /// SCPs attached directly to this node (from the policies' target lists).
    pub scps: Vec<OrgPolicyId>,
    /// RCPs attached directly to this node.
    pub rcps: Vec<OrgPolicyId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum OrgPolicyType {
    ServiceControl,
    ResourceControl,
}

#[derive(Debug, Clone, Serialize)]
pub struct OrgPolicy {
    /// `p-...`
    pub id: String,
    pub arn: Option<String>,
    pub name: Option<String>,
    pub policy_type: OrgPolicyType,
    pub aws_managed: bool,
    pub document: PolicyId,
    /// The nodes it is attached to; `Missing` when `list-targets-for-policy` was not
    /// collected.
    pub targets: Collected<Vec<OrgNodeId>>,
}

impl Organization {
    pub fn node(&self, id: OrgNodeId) -> Option<&OrgNode> {
        self.nodes.get(id.index())
    }

    pub fn node_by_id(&self, id: Sym) -> Option<OrgNodeId> {
        self.nodes
            .iter()
            .position(|n| n.id == id)
            .map(|i| OrgNodeId(i as u32))
    }

    /// The chain from an account up to its root (account first, root last), or `Missing`
    /// when a parent link on the way was not collected. AWS evaluates SCPs/RCPs at every
    /// level of this chain.
    pub fn path_to_root(&self, account: Sym) -> Collected<Vec<OrgNodeId>> {
        let Some(mut cur) = self.node_by_id(account) else {
            return Collected::Missing;
        };
        let mut path = vec![cur];
        // Bounded by the number of nodes, so a cyclic (malformed) parent chain ends.
        for _ in 0..=self.nodes.len() {
            let Some(node) = self.node(cur) else {
                return Collected::Missing;
            };
            match node.parent {
                Collected::Present(None) => {
                    return if node.kind == OrgNodeKind::Root {
                        Collected::Present(path)
                    } else {
                        Collected::Missing
                    }
                }
                Collected::Present(Some(p)) => {
                    path.push(p);
                    cur = p;
                }
                Collected::Missing => return Collected::Missing,
            }
        }
        Collected::Missing
    }

    /// Whether the attached-policy lists of every node are complete.
    pub fn policies_complete(&self) -> bool {
        self.targets_complete
    }

    /// Whether the organization's root enables a policy type (`SERVICE_CONTROL_POLICY`,
    /// `RESOURCE_CONTROL_POLICY`). `Missing` when no root was collected.
    pub fn policy_type_enabled(&self, policy_type: &str) -> Collected<bool> {
        let roots: Vec<&OrgNode> = self
            .nodes
            .iter()
            .filter(|n| n.kind == OrgNodeKind::Root)
            .collect();
        if roots.is_empty() {
            return Collected::Missing;
        }
        Collected::Present(
            roots
                .iter()
                .any(|r| r.enabled_policy_types.iter().any(|t| t == policy_type)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: u32, kind: OrgNodeKind, parent: Collected<Option<u32>>) -> OrgNode {
        OrgNode {
            id: Sym(id),
            kind,
            name: None,
            parent: parent.map(|p| p.map(OrgNodeId)),
            enabled_policy_types: Vec::new(),
            scps: Vec::new(),
            rcps: Vec::new(),
        }
    }

    fn check(nodes: Vec<OrgNode>, account: u32, expect: Collected<Vec<u32>>) {
        let org = Organization {
            id: "o-1".into(),
            arn: None,
            management_account: Sym(0),
            feature_set: None,
            nodes,
            policies: Vec::new(),
            targets_complete: true,
        };
        let got = org
            .path_to_root(Sym(account))
            .map(|p| p.into_iter().map(|n| n.0).collect::<Vec<_>>());
        assert_eq!(got, expect);
    }

    #[test]
    fn paths_to_root_are_complete_or_missing() {
        use OrgNodeKind::*;
        let tree = || {
            vec![
                node(10, Root, Collected::Present(None)),
                node(11, OrganizationalUnit, Collected::Present(Some(0))),
                node(12, Account, Collected::Present(Some(1))),
                node(13, Account, Collected::Missing),
            ]
        };
        check(tree(), 12, Collected::Present(vec![2, 1, 0]));
        check(tree(), 13, Collected::Missing);
        check(tree(), 99, Collected::Missing);
        // A cycle (malformed parents files) ends as Missing instead of looping.
        let cyclic = vec![
            node(11, OrganizationalUnit, Collected::Present(Some(1))),
            node(12, Account, Collected::Present(Some(0))),
        ];
        check(cyclic, 12, Collected::Missing);
        // A non-root without a parent is not a complete path.
        let orphan = vec![node(12, Account, Collected::Present(None))];
        check(orphan, 12, Collected::Missing);
    }
}
