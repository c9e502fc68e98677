//! Lambda functions: execution role, resource policy, function URL.

use super::{Collected, PolicyId, Sym};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct LambdaFunction {
    pub arn: Sym,
    pub name: String,
    pub account: Sym,
    pub region: Sym,
    /// Execution role ARN.
    pub role: Option<Sym>,
    pub runtime: Option<String>,
    pub vpc_config: Option<LambdaVpcConfig>,
    /// Resource policy; `Present(None)` = collected, none.
    pub policy: Collected<Option<PolicyId>>,
    /// Function URL; `Present(None)` = collected, no URL.
    pub url: Collected<Option<FunctionUrl>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LambdaVpcConfig {
    pub vpc: Option<Sym>,
    pub subnets: Vec<Sym>,
    pub security_groups: Vec<Sym>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunctionUrl {
    pub url: Option<String>,
    pub auth_type: FunctionUrlAuth,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum FunctionUrlAuth {
    /// `NONE`: anyone on the internet may invoke (subject to the resource policy).
    None,
    AwsIam,
    Other(String),
}
