//! `SourceMap`: where every model item came from (file relative to the export root and JSON
//! pointer), so findings can cite evidence.

use super::*;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// A model item that has a source location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ItemRef {
    Account(AccountId),
    Policy(PolicyId),
    /// One statement (by index in `PolicyDocument::statements`) of a policy.
    Statement(PolicyId, usize),
    User(UserId),
    Group(GroupId),
    Role(RoleId),
    ManagedPolicy(ManagedPolicyId),
    InstanceProfile(InstanceProfileId),
    Bucket(BucketId),
    BucketAcl(BucketId),
    BucketPublicAccessBlock(BucketId),
    BucketOwnership(BucketId),
    BucketEncryption(BucketId),
    BucketLocation(BucketId),
    BucketKeySample(BucketId),
    AccountPublicAccessBlock(AccountId),
    KmsKey(KmsKeyId),
    Vpc(VpcId),
    Subnet(SubnetId),
    RouteTable(RouteTableId),
    /// One route (index in `RouteTable::routes`).
    Route(RouteTableId, usize),
    SecurityGroup(SecurityGroupId),
    /// One ingress rule (index in `SecurityGroup::ingress`).
    SgIngressRule(SecurityGroupId, usize),
    /// One egress rule (index in `SecurityGroup::egress`).
    SgEgressRule(SecurityGroupId, usize),
    NetworkAcl(NetworkAclId),
    /// One entry (index in `NetworkAcl::entries`).
    NaclEntry(NetworkAclId, usize),
    InternetGateway(InternetGatewayId),
    NatGateway(NatGatewayId),
    VpcEndpoint(VpcEndpointId),
    Instance(InstanceId),
    LambdaFunction(LambdaFunctionId),
    LambdaUrl(LambdaFunctionId),
    OrgNode(OrgNodeId),
    OrgPolicy(OrgPolicyId),
    Settings,
}

/// A location: file (relative to the export root, `/`-separated), JSON pointer inside it,
/// and, for documents that arrive as JSON strings, the pointer inside the decoded string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct SourceLoc {
    /// Shared by every location in the same file (issue #7: a GAAD holds tens of thousands
    /// of items and statements, each with a location).
    #[serde(serialize_with = "serialize_file")]
    pub file: Arc<str>,
    pub pointer: String,
    /// Pointer inside an embedded (string-encoded) policy document.
    pub inner: Option<String>,
}

impl SourceLoc {
    pub fn new(file: impl Into<Arc<str>>, pointer: impl Into<String>) -> SourceLoc {
        SourceLoc {
            file: file.into(),
            pointer: pointer.into(),
            inner: None,
        }
    }

    /// The evidence string: `file#pointer`, with an embedded document's inner pointer
    /// appended (`.../get-bucket-policy.json#/Policy/Statement/0`).
    pub fn cite(&self) -> String {
        self.to_string()
    }
}

fn serialize_file<S: serde::Serializer>(file: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(file)
}

impl fmt::Display for SourceLoc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.file, self.pointer)?;
        if let Some(inner) = &self.inner {
            write!(f, "{inner}")?;
        }
        Ok(())
    }
}

/// Side table: model item → source location.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    locations: HashMap<ItemRef, SourceLoc>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn insert(&mut self, item: ItemRef, loc: SourceLoc) {
        self.locations.insert(item, loc);
    }

    pub fn get(&self, item: ItemRef) -> Option<&SourceLoc> {
        self.locations.get(&item)
    }

    /// The evidence string for an item, if it has a location.
    pub fn cite(&self, item: ItemRef) -> Option<String> {
        self.get(item).map(SourceLoc::cite)
    }

    pub fn len(&self) -> usize {
        self.locations.len()
    }

    pub fn is_empty(&self) -> bool {
        self.locations.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&ItemRef, &SourceLoc)> {
        self.locations.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(loc: SourceLoc, expect: &str) {
        assert_eq!(loc.cite(), expect);
    }

    #[test]
    fn citations_join_file_pointer_and_inner_pointer() {
        check(
            SourceLoc::new("accounts/1/iam/gaad.json", "/RoleDetailList/3"),
            "accounts/1/iam/gaad.json#/RoleDetailList/3",
        );
        check(
            SourceLoc {
                file: "b.json".into(),
                pointer: "/Policy".into(),
                inner: Some("/Statement/0".into()),
            },
            "b.json#/Policy/Statement/0",
        );
    }
}
