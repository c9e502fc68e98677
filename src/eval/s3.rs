//! S3 specifics: which ACL grants apply to a request (ACL permission → S3 actions, disabled by
//! `BucketOwnerEnforced`, public grants ignored under `IgnorePublicAcls`), whether an ACL is
//! public, and which principals `RestrictPublicBuckets` still lets a public bucket policy
//! serve.

use crate::eval::inputs::{AclGrant, AclGrantee, AclPermission, ObjectOwnership, S3Inputs};
use crate::eval::principal::PrincipalMatch;
use crate::eval::request::RequestPrincipal;

/// The S3 actions one ACL permission grants, per the S3 User Guide's "ACL permissions and
/// access policy permissions" table. Bucket ACLs grant listing and object writes, never
/// object reads; object ACLs grant reading the object and its ACL.
fn acl_actions(permission: AclPermission, on_bucket: bool) -> &'static [&'static str] {
    use AclPermission::*;
    match (permission, on_bucket) {
        (Read, true) => &[
            "s3:listbucket",
            "s3:listbucketversions",
            "s3:listbucketmultipartuploads",
        ],
        (Write, true) => &["s3:putobject", "s3:deleteobject", "s3:deleteobjectversion"],
        (ReadAcp, true) => &["s3:getbucketacl"],
        (WriteAcp, true) => &["s3:putbucketacl"],
        (Read, false) => &["s3:getobject", "s3:getobjectversion", "s3:getobjecttorrent"],
        (Write, false) => &[],
        (ReadAcp, false) => &["s3:getobjectacl", "s3:getobjectversionacl"],
        (WriteAcp, false) => &["s3:putobjectacl", "s3:putobjectversionacl"],
        (FullControl, _) => &[],
    }
}

fn permission_grants(permission: AclPermission, on_bucket: bool, action: &str) -> bool {
    let action = action.to_ascii_lowercase();
    let perms: &[AclPermission] = if permission == AclPermission::FullControl {
        &[
            AclPermission::Read,
            AclPermission::Write,
            AclPermission::ReadAcp,
            AclPermission::WriteAcp,
        ]
    } else {
        std::slice::from_ref(&permission)
    };
    perms
        .iter()
        .any(|p| acl_actions(*p, on_bucket).contains(&action.as_str()))
}

/// `AllUsers` and `AuthenticatedUsers` grants are the public ones.
pub fn is_public_grantee(g: &AclGrantee) -> bool {
    matches!(g, AclGrantee::AllUsers | AclGrantee::AuthenticatedUsers)
}

/// Whether an ACL is public: it grants anything to `AllUsers` or `AuthenticatedUsers`.
pub fn is_public_acl(grants: &[AclGrant]) -> bool {
    grants.iter().any(|g| is_public_grantee(&g.grantee))
}

/// How a grantee names the requester.
fn grantee_matches(g: &AclGrantee, who: &RequestPrincipal) -> Option<PrincipalMatch> {
    match (g, who) {
        (AclGrantee::AllUsers, _) => Some(PrincipalMatch::Direct),
        (AclGrantee::AuthenticatedUsers, RequestPrincipal::Aws(_)) => Some(PrincipalMatch::Direct),
        // An ACL names accounts, never single users: the account's IAM policies decide
        // which of its identities use the grant.
        (AclGrantee::CanonicalUser(id), RequestPrincipal::Aws(p)) => {
            (p.canonical_user.as_deref() == Some(id.as_str())).then_some(PrincipalMatch::Account)
        }
        (AclGrantee::LogDelivery, RequestPrincipal::Service(name)) => {
            (name == "logging.s3.amazonaws.com").then_some(PrincipalMatch::Direct)
        }
        _ => None,
    }
}

/// The ACL grants that allow the request: `(which ACL, grant index, how it names the
/// requester)`. Empty when ACLs are disabled (`BucketOwnerEnforced`); public grants are
/// skipped under `IgnorePublicAcls`.
pub fn matching_acl_grants(
    s3: &S3Inputs,
    who: &RequestPrincipal,
    action: &str,
) -> Vec<(AclKind, usize, PrincipalMatch)> {
    if s3.object_ownership == ObjectOwnership::BucketOwnerEnforced {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (kind, grants) in [
        (AclKind::Bucket, &s3.bucket_acl),
        (AclKind::Object, &s3.object_acl),
    ] {
        for (i, grant) in grants.iter().enumerate() {
            if s3.public_access_block.ignore_public_acls && is_public_grantee(&grant.grantee) {
                continue;
            }
            if !permission_grants(grant.permission, kind == AclKind::Bucket, action) {
                continue;
            }
            if let Some(m) = grantee_matches(&grant.grantee, who) {
                out.push((kind, i, m));
            }
        }
    }
    out
}

/// Which ACL a grant sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AclKind {
    Bucket,
    Object,
}

impl AclKind {
    /// The label used in `StatementRef`s for ACL grants.
    pub fn label(self) -> &'static str {
        match self {
            AclKind::Bucket => "s3:bucket-acl",
            AclKind::Object => "s3:object-acl",
        }
    }
}

/// Under `RestrictPublicBuckets` with a public bucket policy, the policy still serves AWS
/// service principals and principals of the bucket owner's account; everyone else (other
/// accounts, anonymous callers, federated identities) loses what it grants.
pub fn restricted_by_public_bucket_rule(who: &RequestPrincipal, bucket_owner: &str) -> bool {
    match who {
        RequestPrincipal::Service(_) => false,
        RequestPrincipal::Aws(p) => p.account != bucket_owner,
        RequestPrincipal::Anonymous | RequestPrincipal::Federated { .. } => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::inputs::PublicAccessBlock;
    use crate::eval::request::{AwsPrincipal, AwsPrincipalKind};

    fn other_account_user() -> RequestPrincipal {
        RequestPrincipal::Aws(AwsPrincipal {
            arn: "arn:aws:iam::444455556666:user/bob".into(),
            account: "444455556666".into(),
            kind: AwsPrincipalKind::User,
            canonical_user: Some("bobcanon".into()),
        })
    }

    /// `(bucket grants, object grants, ownership, ignore public, who, action) → matches`
    fn check(
        bucket: &[(AclGrantee, AclPermission)],
        object: &[(AclGrantee, AclPermission)],
        ownership: ObjectOwnership,
        ignore_public: bool,
        who: RequestPrincipal,
        action: &str,
        expect: &[PrincipalMatch],
    ) {
        let grants = |list: &[(AclGrantee, AclPermission)]| {
            list.iter()
                .map(|(g, p)| AclGrant {
                    grantee: g.clone(),
                    permission: *p,
                })
                .collect()
        };
        let s3 = S3Inputs {
            bucket_acl: grants(bucket),
            object_acl: grants(object),
            object_ownership: ownership,
            public_access_block: PublicAccessBlock {
                ignore_public_acls: ignore_public,
                ..PublicAccessBlock::default()
            },
        };
        let got: Vec<PrincipalMatch> = matching_acl_grants(&s3, &who, action)
            .into_iter()
            .map(|(_, _, m)| m)
            .collect();
        assert_eq!(got, expect, "{action}");
    }

    #[test]
    fn acl_grants() {
        use AclGrantee::*;
        use AclPermission::*;
        use PrincipalMatch::*;
        let ow = ObjectOwnership::ObjectWriter;
        let anon = || RequestPrincipal::Anonymous;
        check(
            &[(AllUsers, Read)],
            &[],
            ow,
            false,
            anon(),
            "s3:ListBucket",
            &[Direct],
        );
        // Bucket ACLs do not grant object reads.
        check(
            &[(AllUsers, Read)],
            &[],
            ow,
            false,
            anon(),
            "s3:GetObject",
            &[],
        );
        check(
            &[],
            &[(AllUsers, Read)],
            ow,
            false,
            anon(),
            "s3:GetObject",
            &[Direct],
        );
        check(
            &[(AllUsers, FullControl)],
            &[],
            ow,
            false,
            anon(),
            "s3:PutObject",
            &[Direct],
        );
        check(
            &[(AllUsers, ReadAcp)],
            &[],
            ow,
            false,
            anon(),
            "s3:GetBucketAcl",
            &[Direct],
        );
        check(
            &[(AllUsers, ReadAcp)],
            &[],
            ow,
            false,
            anon(),
            "s3:ListBucket",
            &[],
        );
        // AuthenticatedUsers: any AWS identity, not anonymous callers.
        check(
            &[(AuthenticatedUsers, Read)],
            &[],
            ow,
            false,
            anon(),
            "s3:ListBucket",
            &[],
        );
        check(
            &[(AuthenticatedUsers, Read)],
            &[],
            ow,
            false,
            other_account_user(),
            "s3:ListBucket",
            &[Direct],
        );
        check(
            &[(CanonicalUser("bobcanon".into()), Read)],
            &[],
            ow,
            false,
            other_account_user(),
            "s3:ListBucket",
            &[Account],
        );
        // ACLs disabled, public grants ignored.
        check(
            &[(AllUsers, Read)],
            &[],
            ObjectOwnership::BucketOwnerEnforced,
            false,
            anon(),
            "s3:ListBucket",
            &[],
        );
        check(
            &[(AllUsers, Read)],
            &[],
            ow,
            true,
            anon(),
            "s3:ListBucket",
            &[],
        );
        check(
            &[(CanonicalUser("bobcanon".into()), Read)],
            &[],
            ow,
            true,
            other_account_user(),
            "s3:ListBucket",
            &[Account],
        );
        check(
            &[(CanonicalUser("bobcanon".into()), Read)],
            &[],
            ObjectOwnership::BucketOwnerEnforced,
            false,
            other_account_user(),
            "s3:ListBucket",
            &[],
        );
    }

    #[test]
    fn restrict_public_buckets_keeps_services_and_the_owner() {
        assert!(!restricted_by_public_bucket_rule(
            &RequestPrincipal::Service("cloudtrail.amazonaws.com".into()),
            "111122223333"
        ));
        assert!(restricted_by_public_bucket_rule(
            &RequestPrincipal::Anonymous,
            "111122223333"
        ));
        assert!(restricted_by_public_bucket_rule(
            &other_account_user(),
            "111122223333"
        ));
        assert!(!restricted_by_public_bucket_rule(
            &other_account_user(),
            "444455556666"
        ));
    }
}
