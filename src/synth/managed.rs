//! AWS managed policies for the generator: parsed from a JSON Lines dump (one policy per
//! line, as in iann0036/iam-dataset) by the caller, or a small built-in set of real
//! documents when no dump is at hand.

use super::SynthError;
use serde_json::{json, Value};

/// One AWS managed policy: what `get-account-authorization-details` prints for it.
#[derive(Debug, Clone, PartialEq)]
pub struct ManagedPolicy {
    pub name: String,
    /// `arn:aws:iam::aws:policy/<path><name>`
    pub arn: String,
    /// The IAM path, `/` or e.g. `/service-role/`.
    pub path: String,
    /// Default version id (`v3`).
    pub version: String,
    pub create_date: String,
    /// The default version's document, as an object.
    pub document: Value,
}

impl ManagedPolicy {
    /// Size of the document in compact JSON, used to keep generated exports near their
    /// intended size.
    pub fn document_len(&self) -> usize {
        serde_json::to_string(&self.document)
            .map(|s| s.len())
            .unwrap_or(0)
    }
}

/// Parses an iam-dataset style JSON Lines text: each non-empty line an object with
/// `name`, `arn`, `version`, `document` (and optionally `createdate`). Lines marked
/// `"deprecated": true` or `"malformed": true` are skipped. `source` names the file in errors.
pub fn parse_managed_jsonl(source: &str, text: &str) -> Result<Vec<ManagedPolicy>, SynthError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let bad = |why: String| SynthError::ManagedPolicies {
            file: source.to_string(),
            line: i + 1,
            why,
        };
        let v: Value = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
        if v.get("deprecated").and_then(Value::as_bool) == Some(true)
            || v.get("malformed").and_then(Value::as_bool) == Some(true)
        {
            continue;
        }
        let field = |k: &str| -> Result<String, SynthError> {
            v.get(k)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| bad(format!("/{k}: expected a string")))
        };
        let name = field("name")?;
        // Some dump lines carry `"arn": null`; the ARN of an AWS managed policy at the root
        // path follows from its name.
        let arn = match v.get("arn") {
            Some(Value::Null) | None => format!("arn:aws:iam::aws:policy/{name}"),
            Some(_) => field("arn")?,
        };
        let version = field("version")?;
        let document = match v.get("document") {
            Some(d @ Value::Object(_)) => d.clone(),
            _ => return Err(bad("/document: expected an object".into())),
        };
        let path = arn
            .strip_prefix("arn:aws:iam::aws:policy")
            .and_then(|rest| rest.strip_suffix(name.as_str()))
            .filter(|p| p.starts_with('/') && p.ends_with('/'))
            .unwrap_or("/")
            .to_string();
        let create_date = v
            .get("createdate")
            .and_then(Value::as_str)
            .unwrap_or("2015-02-06T18:39:46+00:00")
            .to_string();
        out.push(ManagedPolicy {
            name,
            arn,
            path,
            version,
            create_date,
            document,
        });
    }
    Ok(out)
}

fn builtin(name: &str, path: &str, version: &str, created: &str, document: Value) -> ManagedPolicy {
    ManagedPolicy {
        name: name.to_string(),
        arn: format!("arn:aws:iam::aws:policy{path}{name}"),
        path: path.to_string(),
        version: version.to_string(),
        create_date: created.to_string(),
        document,
    }
}

/// A small set of real AWS managed policies (their published default versions), used when
/// no managed-policy dump is available.
pub fn builtin_managed() -> Vec<ManagedPolicy> {
    vec![
        builtin(
            "AdministratorAccess",
            "/",
            "v1",
            "2015-02-06T18:39:46+00:00",
            json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
        ),
        builtin(
            "AmazonS3ReadOnlyAccess",
            "/",
            "v3",
            "2015-02-06T18:40:59+00:00",
            json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*", "s3:Describe*",
                 "s3-object-lambda:Get*", "s3-object-lambda:List*"], "Resource": "*"}]}),
        ),
        builtin(
            "AmazonS3FullAccess",
            "/",
            "v2",
            "2015-02-06T18:40:58+00:00",
            json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["s3:*", "s3-object-lambda:*"], "Resource": "*"}]}),
        ),
        builtin(
            "IAMReadOnlyAccess",
            "/",
            "v4",
            "2015-02-06T18:40:39+00:00",
            json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["iam:GenerateCredentialReport",
                 "iam:GenerateServiceLastAccessedDetails", "iam:Get*", "iam:List*",
                 "iam:SimulateCustomPolicy", "iam:SimulatePrincipalPolicy"], "Resource": "*"}]}),
        ),
        builtin(
            "AmazonEC2ReadOnlyAccess",
            "/",
            "v5",
            "2015-02-06T18:40:17+00:00",
            json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["ec2:Describe*", "ec2:GetSecurityGroupsForVpc"], "Resource": "*"},
                {"Effect": "Allow", "Action": ["elasticloadbalancing:Describe*"], "Resource": "*"},
                {"Effect": "Allow", "Action": ["cloudwatch:ListMetrics", "cloudwatch:GetMetricStatistics",
                 "cloudwatch:Describe*"], "Resource": "*"},
                {"Effect": "Allow", "Action": ["autoscaling:Describe*"], "Resource": "*"}]}),
        ),
        builtin(
            "AWSLambdaBasicExecutionRole",
            "/service-role/",
            "v1",
            "2015-04-09T15:03:43+00:00",
            json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream",
                 "logs:PutLogEvents"], "Resource": "*"}]}),
        ),
        builtin(
            "AmazonSSMManagedInstanceCore",
            "/",
            "v2",
            "2019-03-15T17:22:12+00:00",
            json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["ssm:DescribeAssociation",
                 "ssm:GetDeployablePatchSnapshotForInstance", "ssm:GetDocument", "ssm:DescribeDocument",
                 "ssm:GetManifest", "ssm:GetParameter", "ssm:GetParameters", "ssm:ListAssociations",
                 "ssm:ListInstanceAssociations", "ssm:PutInventory", "ssm:PutComplianceItems",
                 "ssm:PutConfigurePackageResult", "ssm:UpdateAssociationStatus",
                 "ssm:UpdateInstanceAssociationStatus", "ssm:UpdateInstanceInformation"], "Resource": "*"},
                {"Effect": "Allow", "Action": ["ssmmessages:CreateControlChannel",
                 "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel",
                 "ssmmessages:OpenDataChannel"], "Resource": "*"},
                {"Effect": "Allow", "Action": ["ec2messages:AcknowledgeMessage", "ec2messages:DeleteMessage",
                 "ec2messages:FailMessage", "ec2messages:GetEndpoint", "ec2messages:GetMessages",
                 "ec2messages:SendReply"], "Resource": "*"}]}),
        ),
        builtin(
            "AmazonECSTaskExecutionRolePolicy",
            "/service-role/",
            "v1",
            "2017-11-16T18:48:22+00:00",
            json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability",
                 "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage", "logs:CreateLogStream",
                 "logs:PutLogEvents"], "Resource": "*"}]}),
        ),
        builtin(
            "AWSOrganizationsReadOnlyAccess",
            "/",
            "v6",
            "2016-11-23T21:02:58+00:00",
            json!({"Version": "2012-10-17", "Statement": [
                {"Sid": "AWSOrganizationsReadOnly", "Effect": "Allow",
                 "Action": ["organizations:Describe*", "organizations:List*"], "Resource": "*"}]}),
        ),
        builtin(
            "SecretsManagerReadWrite",
            "/",
            "v5",
            "2016-04-04T18:05:29+00:00",
            json!({"Version": "2012-10-17", "Statement": [
                {"Sid": "BasePermissions", "Effect": "Allow", "Action": ["secretsmanager:*",
                 "cloudformation:CreateChangeSet", "cloudformation:DescribeChangeSet",
                 "cloudformation:DescribeStackResource", "cloudformation:DescribeStacks",
                 "cloudformation:ExecuteChangeSet", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets",
                 "ec2:DescribeVpcs", "kms:DescribeKey", "kms:ListAliases", "kms:ListKeys",
                 "lambda:ListFunctions", "rds:DescribeDBClusters", "rds:DescribeDBInstances",
                 "redshift:DescribeClusters", "tag:GetResources"], "Resource": "*"},
                {"Sid": "LambdaPermissions", "Effect": "Allow", "Action": ["lambda:AddPermission",
                 "lambda:CreateFunction", "lambda:GetFunction", "lambda:InvokeFunction",
                 "lambda:UpdateFunctionConfiguration"],
                 "Resource": "arn:aws:lambda:*:*:function:SecretsManager*"},
                {"Sid": "SARPermissions", "Effect": "Allow", "Action": ["serverlessrepo:CreateCloudFormationChangeSet",
                 "serverlessrepo:GetApplication"], "Resource": "arn:aws:serverlessrepo:*:*:applications/SecretsManager*"},
                {"Sid": "S3Permissions", "Effect": "Allow", "Action": ["s3:GetObject"],
                 "Resource": ["arn:aws:s3:::awsserverlessrepo-changesets*",
                              "arn:aws:s3:::secrets-manager-rotation-apps-*/*"]}]}),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expect: Result<Vec<(&str, &str)>, usize>) {
        match (parse_managed_jsonl("t.jsonl", text), expect) {
            (Ok(got), Ok(want)) => {
                let got: Vec<(String, String)> =
                    got.into_iter().map(|p| (p.name, p.path)).collect();
                let want: Vec<(String, String)> = want
                    .into_iter()
                    .map(|(a, b)| (a.to_string(), b.to_string()))
                    .collect();
                assert_eq!(got, want);
            }
            (Err(SynthError::ManagedPolicies { line, .. }), Err(want_line)) => {
                assert_eq!(line, want_line)
            }
            (got, want) => panic!("got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn jsonl_lines_become_policies_with_paths() {
        check(
            concat!(
                r#"{"name":"A","arn":"arn:aws:iam::aws:policy/A","version":"v1","document":{"Statement":[]}}"#,
                "\n\n",
                r#"{"name":"B","arn":"arn:aws:iam::aws:policy/service-role/B","version":"v2","document":{}}"#,
                "\n",
                r#"{"name":"C","arn":"arn:aws:iam::aws:policy/C","version":"v1","deprecated":true,"document":{}}"#,
                "\n",
                r#"{"name":"D","arn":null,"version":"v1","document":{}}"#
            ),
            Ok(vec![("A", "/"), ("B", "/service-role/"), ("D", "/")]),
        );
    }

    #[test]
    fn bad_lines_are_errors_with_line_numbers() {
        check("{}\n", Err(1));
        check(
            "\n{\"name\":\"A\",\"arn\":\"x\",\"version\":\"v1\",\"document\":\"{}\"}",
            Err(2),
        );
        check("not json", Err(1));
    }

    #[test]
    fn builtin_set_is_nonempty_and_well_formed() {
        let b = builtin_managed();
        assert!(b.len() >= 8);
        for p in &b {
            assert!(p.arn.ends_with(&p.name));
            assert!(crate::policy::parse::parse_policy_value(&p.document).is_ok());
        }
    }
}
