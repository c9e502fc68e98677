//! The KMS leg of an S3 request on an SSE-KMS object: S3 calls KMS as the requester
//! (`kms:Decrypt` to read, `kms:GenerateDataKey` to write), so that call must be allowed too.
//! It is decided like any request with the key policy as a *required* resource policy: the key
//! policy must allow, and where it allows only the account (`arn:aws:iam::A:root`), the
//! requester's IAM policies must allow the KMS action as well.

use crate::eval::inputs::AuthzInputs;
use crate::eval::request::{ContextValue, Request, RequestPrincipal};

/// The KMS action S3 performs for an S3 action on an SSE-KMS object, if any.
pub fn kms_action_for(s3_action: &str) -> Option<&'static str> {
    match s3_action.to_ascii_lowercase().as_str() {
        "s3:getobject" | "s3:getobjectversion" => Some("kms:Decrypt"),
        "s3:putobject" => Some("kms:GenerateDataKey"),
        _ => None,
    }
}

/// The KMS request S3 makes on the requester's behalf, with the inputs that decide it, or
/// `None` when the request involves no KMS call (no key given, or an action that does not
/// touch object data).
///
/// The context is the S3 request's, as a forward-access-session call from S3 sees it:
/// `aws:ViaAWSService` is true, `kms:CallerAccount` is the requester's account,
/// `kms:ViaService` is S3's endpoint when known, `aws:ResourceAccount` is the key's account;
/// the network keys (`aws:SourceIp`, `aws:SourceVpc`, `aws:SourceVpce`, `aws:VpcSourceIp`)
/// are absent because the call comes from S3, not from the requester's network, and no VPC
/// endpoint policy applies.
pub fn key_request<'a>(
    inputs: &AuthzInputs<'a>,
    req: &Request,
) -> Option<(AuthzInputs<'a>, Request)> {
    let key = inputs.kms.as_ref()?;
    let action = kms_action_for(&req.action)?;
    let mut context = req.context.clone();
    for network_key in [
        "aws:SourceIp",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:VpcSourceIp",
    ] {
        context.remove(network_key);
    }
    context.set("aws:ViaAWSService", "true");
    context.set("aws:ResourceAccount", key.key_account.clone());
    if let RequestPrincipal::Aws(p) = &req.principal {
        context.set("kms:CallerAccount", p.account.clone());
    }
    if let Some(via) = &key.via_service {
        context.set_default("kms:ViaService", ContextValue::Single(via.clone()));
    }
    let key_inputs = key.leg_inputs(inputs.identity.clone());
    let key_req = Request {
        principal: req.principal.clone(),
        action: action.to_string(),
        resource: key.key_arn.clone(),
        context,
    };
    Some((key_inputs, key_req))
}
