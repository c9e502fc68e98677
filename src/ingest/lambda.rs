//! Lambda response shapes: `list-functions`, `get-policy`, `get-function-url-config`.

use super::json::Node;
use super::IngestError;
use crate::model::{Arn, FunctionUrl, FunctionUrlAuth};

/// One function from `list-functions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedFunction {
    pub arn: String,
    pub name: String,
    pub role: Option<String>,
    pub runtime: Option<String>,
    pub vpc_id: Option<String>,
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    /// JSON pointer of the function in the file.
    pub pointer: String,
}

/// `list-functions`.
pub fn parse_list_functions(node: &Node) -> Result<Vec<ListedFunction>, IngestError> {
    let mut out = Vec::new();
    for f in node.list("Functions")? {
        let arn_node = f.req("FunctionArn")?;
        let arn = arn_node.str()?;
        match Arn::parse(arn) {
            Some(a) if a.service == "lambda" => {}
            _ => return Err(arn_node.invalid(format!("invalid Lambda function ARN {arn:?}"))),
        }
        let name_node = f.req("FunctionName")?;
        let name = name_node.str()?;
        if name.is_empty() || name.contains('/') {
            return Err(name_node.invalid(format!("invalid function name {name:?}")));
        }
        let role = match f.get("Role")? {
            Some(r) => {
                let s = r.str()?;
                if Arn::parse(s).is_none() {
                    return Err(r.invalid(format!("invalid role ARN {s:?}")));
                }
                Some(s.to_string())
            }
            None => None,
        };
        let (vpc_id, subnets, security_groups) = match f.get("VpcConfig")? {
            Some(v) => (
                v.opt_str("VpcId")?
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
                v.str_list("SubnetIds")?
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
                v.str_list("SecurityGroupIds")?
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
            ),
            None => (None, Vec::new(), Vec::new()),
        };
        out.push(ListedFunction {
            arn: arn.to_string(),
            name: name.to_string(),
            role,
            runtime: f.opt_str("Runtime")?.map(str::to_string),
            vpc_id,
            subnets,
            security_groups,
            pointer: f.ptr(),
        });
    }
    Ok(out)
}

/// `get-function-url-config`; `{}`/`null` = collected, no URL.
pub fn parse_function_url(node: &Node) -> Result<Option<FunctionUrl>, IngestError> {
    if super::s3::is_none_marker(node) {
        return Ok(None);
    }
    let auth_type = match node.req_str("AuthType")? {
        "NONE" => FunctionUrlAuth::None,
        "AWS_IAM" => FunctionUrlAuth::AwsIam,
        other => FunctionUrlAuth::Other(other.to_string()),
    };
    Ok(Some(FunctionUrl {
        url: node.opt_str("FunctionUrl")?.map(str::to_string),
        auth_type,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn check(input: Value, expect: Result<Option<FunctionUrlAuth>, &str>) {
        let got = parse_function_url(&Node::root(&input, "u.json"))
            .map(|u| u.map(|u| u.auth_type))
            .map_err(|e| e.to_string());
        assert_eq!(got, expect.map_err(str::to_string));
    }

    #[test]
    fn function_url_auth_types() {
        check(
            json!({"AuthType": "NONE", "FunctionUrl": "https://x"}),
            Ok(Some(FunctionUrlAuth::None)),
        );
        check(
            json!({"AuthType": "AWS_IAM"}),
            Ok(Some(FunctionUrlAuth::AwsIam)),
        );
        check(json!({}), Ok(None));
        check(json!(null), Ok(None));
        check(
            json!({"FunctionUrl": "https://x"}),
            Err("u.json: (document root): expected a field `AuthType`, found none"),
        );
    }

    #[test]
    fn list_functions_validates_arns() {
        let v = json!({"Functions": [{"FunctionName": "f", "FunctionArn": "arn:aws:lambda:us-east-1:111122223333:function:f",
            "Role": "arn:aws:iam::111122223333:role/r", "VpcConfig": {"SubnetIds": [], "SecurityGroupIds": [], "VpcId": ""}}]});
        let f = parse_list_functions(&Node::root(&v, "l.json")).unwrap();
        assert_eq!(f[0].vpc_id, None, "an empty VpcId means no VPC");
        assert_eq!(f[0].pointer, "/Functions/0");
        let v = json!({"Functions": [{"FunctionName": "f", "FunctionArn": "arn:aws:lambda:us-east-1:111122223333:function:f", "Role": "r"}]});
        assert_eq!(
            parse_list_functions(&Node::root(&v, "l.json"))
                .unwrap_err()
                .to_string(),
            "l.json: /Functions/0/Role: invalid role ARN \"r\""
        );
    }
}
