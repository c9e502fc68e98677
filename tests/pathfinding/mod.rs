//! Assembles a DataDog/pathfinding-labs Terraform scenario (its `*.tf` files) into a native
//! leakpath export (`../shared/spec/export-layout.md`) at test time: the HCL is parsed and
//! evaluated with `hcl-rs`, resources are given the attributes AWS would (ARN, id, name), and
//! the IAM, S3 and EC2 resources are written as the AWS CLI would print them.
//!
//! Evaluation is a fixpoint: every pass evaluates every attribute of every resource, data
//! source and local against what earlier passes resolved (so `aws_s3_bucket.x.arn` resolves
//! once the bucket's `bucket` attribute has), until a pass resolves nothing new.
//!
//! Fixed inputs: account 123456789012 (`account_id`, `prod_account_id`), region us-east-1,
//! `resource_suffix` "abc123". A resource's `provider = aws.<alias>` picks its account; the
//! attacker's account (`aws.attacker`) is not part of the victim's export and is not written.

#![allow(dead_code)]

use hcl::eval::{Context, Evaluate, FuncArgs, FuncDef, ParamType};
use hcl::{Body, Value};
use serde_json::{json, Map as JsonMap, Value as Json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The shared test corpora, the scenarios and the AWS managed policies within it.
pub const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");
pub const LABS: &str = "scenarios/pathfinding-labs";
pub const MANAGED: &str = "policies/managed/iam-dataset_managed_policies.jsonl";

/// What a scenario test expects leakpath to do with a scenario's path(s).
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// Every path is found, confirmed (`sat`).
    Found,
    /// leakpath should find it and does not; the reason names the missing edge or detector.
    /// (No scenario is pinned so today; kept for when a change in src/ loses one.)
    KnownMiss(&'static str),
    /// An export cannot show this path (or leakpath does not model the service, or it is not
    /// the kind of path the test checks).
    NotModelled(&'static str),
}

pub const ACCOUNT: &str = "123456789012";
pub const OPERATIONS_ACCOUNT: &str = "210987654321";
pub const DEV_ACCOUNT: &str = "111122223333";
pub const ATTACKER_ACCOUNT: &str = "444455556666";
pub const REGION: &str = "us-east-1";
pub const SUFFIX: &str = "abc123";
pub const GITHUB_REPO: &str = "example-org/example-repo";
const DATE: &str = "2024-01-01T00:00:00+00:00";

/// Why a scenario could not be assembled.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error("{path}: {msg}")]
    Io { path: String, msg: String },
    #[error("{path}: HCL does not parse: {msg}")]
    Parse { path: String, msg: String },
    #[error("{resource}.{attribute}: {msg}")]
    Attribute {
        resource: String,
        attribute: String,
        msg: String,
    },
    #[error("variable {0:?} has no value and no default")]
    Variable(String),
    #[error("{0}")]
    Model(String),
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> ConvertError {
    ConvertError::Io {
        path: path.display().to_string(),
        msg: e.to_string(),
    }
}

/// One entry of `scenarios_index.json`.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct IndexEntry {
    pub path: String,
    pub name: String,
    pub target: String,
    pub path_type: String,
    /// `null` for scenarios that document no path.
    pub principals: Option<Vec<String>>,
    pub summary: Option<String>,
}

/// Reads the scenarios index.
pub fn load_index(root: &Path) -> Result<Vec<IndexEntry>, ConvertError> {
    let p = root.join("scenarios_index.json");
    let text = std::fs::read_to_string(&p).map_err(|e| io_err(&p, e))?;
    serde_json::from_str(&text).map_err(|e| io_err(&p, e))
}

/// Fills the placeholders scenario.yaml uses with the fixed inputs.
pub fn fill(template: &str) -> String {
    template
        .replace("{account_id}", ACCOUNT)
        .replace("{prod_account_id}", ACCOUNT)
        .replace("{operations_account_id}", OPERATIONS_ACCOUNT)
        .replace("{dev_account_id}", DEV_ACCOUNT)
        .replace("{attacker_account_id}", ATTACKER_ACCOUNT)
        .replace("{region}", REGION)
        .replace("{resource_suffix}", SUFFIX)
        .replace("{suffix}", SUFFIX)
        .replace("{github_repo}", GITHUB_REPO)
}

/// AWS managed policies (name, ARN, default version, document), from the iam-dataset dump.
#[derive(Debug, Default)]
pub struct ManagedPolicies {
    by_arn: BTreeMap<String, (String, String, Json)>,
}

impl ManagedPolicies {
    pub fn load(jsonl: &Path) -> Result<ManagedPolicies, ConvertError> {
        let text = std::fs::read_to_string(jsonl).map_err(|e| io_err(jsonl, e))?;
        let mut by_arn = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: Json = serde_json::from_str(line)
                .map_err(|e| io_err(jsonl, format!("line {}: {e}", i + 1)))?;
            let field = |k: &str| v.get(k).and_then(Json::as_str).map(str::to_string);
            if let (Some(arn), Some(name), Some(doc)) =
                (field("arn"), field("name"), v.get("document"))
            {
                let version = field("version").unwrap_or_else(|| "v1".to_string());
                by_arn.insert(arn, (name, version, doc.clone()));
            }
        }
        Ok(ManagedPolicies { by_arn })
    }
}

/// What was written, for the test's messages.
#[derive(Debug, Default)]
pub struct ExportSummary {
    pub accounts: Vec<String>,
    pub users: usize,
    pub roles: usize,
    pub groups: usize,
    pub policies: usize,
    pub buckets: Vec<String>,
    pub instances: usize,
    /// Resource types present in the .tf that the export has no place for.
    pub not_exported: BTreeSet<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Managed,
    Data,
}

/// One `resource` or `data` block, with what evaluation resolved so far.
#[derive(Debug)]
struct Resource {
    mode: Mode,
    kind: String,
    name: String,
    body: Body,
    attrs: hcl::Map<String, Value>,
    errors: BTreeMap<String, String>,
}

impl Resource {
    fn label(&self) -> String {
        match self.mode {
            Mode::Managed => format!("{}.{}", self.kind, self.name),
            Mode::Data => format!("data.{}.{}", self.kind, self.name),
        }
    }

    fn str(&self, key: &str) -> Option<String> {
        self.attrs.get(key).and_then(value_str)
    }

    /// A required attribute, as a string; an error says why it did not evaluate.
    fn need(&self, key: &str) -> Result<String, ConvertError> {
        self.str(key).ok_or_else(|| ConvertError::Attribute {
            resource: self.label(),
            attribute: key.to_string(),
            msg: self
                .errors
                .get(key)
                .cloned()
                .unwrap_or_else(|| "missing or not a string".to_string()),
        })
    }

    /// A required attribute holding a JSON document (what `jsonencode` returns).
    fn need_doc(&self, key: &str) -> Result<Json, ConvertError> {
        let s = self.need(key)?;
        serde_json::from_str(&s).map_err(|e| ConvertError::Attribute {
            resource: self.label(),
            attribute: key.to_string(),
            msg: format!("not a JSON document: {e}"),
        })
    }

    fn list(&self, key: &str) -> Vec<String> {
        match self.attrs.get(key) {
            Some(Value::Array(a)) => a.iter().filter_map(value_str).collect(),
            Some(v) => value_str(v).into_iter().collect(),
            None => Vec::new(),
        }
    }

    fn account(&self) -> String {
        self.str("provider").unwrap_or_else(|| ACCOUNT.to_string())
    }
}

fn value_str(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A short stable hex id for synthetic AWS ids (FNV-1a).
fn hex_id(seed: &str, len: usize) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in seed.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    let mut s = format!("{h:016x}{:016x}", h.rotate_left(29) ^ 0x9e3779b97f4a7c15);
    s.truncate(len);
    s
}

fn unique_id(prefix: &str, arn: &str) -> String {
    format!("{prefix}{}", hex_id(arn, 16).to_uppercase())
}

fn iam_path(r: &Resource) -> String {
    r.str("path").unwrap_or_else(|| "/".to_string())
}

/// IAM resources AWS names by their `name` and `path`: (Terraform type, ARN resource type,
/// unique-id prefix). Roles are also read as data sources.
const NAMED_IAM: &[(&str, &str, &str)] = &[
    ("aws_iam_user", "user", "AIDA"),
    ("aws_iam_role", "role", "AROA"),
    ("aws_iam_group", "group", "AGPA"),
    ("aws_iam_instance_profile", "instance-profile", "AIPA"),
];

/// EC2 resources with a generated id: (Terraform type, id prefix, ARN resource type).
const EC2_IDS: &[(&str, &str, &str)] = &[
    ("aws_instance", "i", "instance"),
    ("aws_security_group", "sg", "security-group"),
];

/// The attributes AWS computes for a resource, from those written (when they are known).
fn computed(r: &Resource) -> Vec<(&'static str, String)> {
    let acct = r.account();
    let mut out = Vec::new();
    let named = |kind: &str| -> Option<String> {
        r.str("name")
            .map(|n| format!("arn:aws:iam::{acct}:{kind}{}{n}", iam_path(r)))
    };
    let iam = NAMED_IAM
        .iter()
        .find(|(t, ..)| *t == r.kind && (r.mode == Mode::Managed || *t == "aws_iam_role"));
    if let Some((_, kind, prefix)) = iam {
        if let (Some(arn), Some(n)) = (named(kind), r.str("name")) {
            out.push(("unique_id", unique_id(prefix, &arn)));
            out.push(("arn", arn));
            out.push(("id", n));
        }
        return out;
    }
    let ec2 = EC2_IDS
        .iter()
        .find(|(t, ..)| *t == r.kind && r.mode == Mode::Managed);
    if let Some((_, prefix, kind)) = ec2 {
        let id = format!("{prefix}-{}", hex_id(&r.label(), 17));
        out.push(("arn", format!("arn:aws:ec2:{REGION}:{acct}:{kind}/{id}")));
        out.push(("id", id));
        return out;
    }
    match (r.mode, r.kind.as_str()) {
        (Mode::Managed, "aws_iam_policy") => {
            if let Some(arn) = named("policy") {
                out.push(("policy_id", unique_id("ANPA", &arn)));
                out.push(("id", arn.clone()));
                out.push(("arn", arn));
            }
        }
        (Mode::Managed, "aws_iam_openid_connect_provider") => {
            if let Some(url) = r.str("url") {
                let host = url.trim_start_matches("https://").to_string();
                let arn = format!("arn:aws:iam::{acct}:oidc-provider/{host}");
                out.push(("id", arn.clone()));
                out.push(("arn", arn));
            }
        }
        (Mode::Managed, "aws_s3_bucket") => {
            if let Some(b) = r.str("bucket") {
                out.push(("arn", format!("arn:aws:s3:::{b}")));
                out.push(("id", b.clone()));
                out.push(("bucket_domain_name", format!("{b}.s3.amazonaws.com")));
            }
        }
        (Mode::Managed, "aws_iam_access_key") => {
            out.push(("id", unique_id("AKIA", &r.label())));
            out.push(("secret", hex_id(&r.label(), 32)));
        }
        (Mode::Managed, "aws_glue_dev_endpoint") => {
            if let Some(n) = r.str("name") {
                out.push((
                    "arn",
                    format!("arn:aws:glue:{REGION}:{acct}:devEndpoint/{n}"),
                ));
                out.push(("id", n));
            }
        }
        (Mode::Data, "aws_caller_identity") => {
            out.push(("account_id", acct.clone()));
            out.push(("id", acct.clone()));
            out.push((
                "arn",
                format!("arn:aws:sts::{acct}:assumed-role/pl-terraform-role/terraform"),
            ));
            out.push(("user_id", "AROATERRAFORM:terraform".to_string()));
        }
        (Mode::Data, "aws_ami") => out.push(("id", "ami-0pathfinding0001".to_string())),
        (Mode::Data, "http") => out.push(("response_body", "203.0.113.10\n".to_string())),
        (Mode::Data, "aws_region") => {
            out.push(("name", REGION.to_string()));
            out.push(("id", REGION.to_string()));
        }
        (Mode::Managed, "aws_lambda_function") => {
            if let Some(n) = r.str("function_name") {
                let arn = format!("arn:aws:lambda:{REGION}:{acct}:function:{n}");
                out.push((
                    "invoke_arn",
                    format!(
                        "arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{arn}/invocations"
                    ),
                ));
                out.push(("qualified_arn", format!("{arn}:$LATEST")));
                out.push(("arn", arn));
                out.push(("id", n));
            }
        }
        _ => out.push(("id", format!("{}-{}", r.kind, hex_id(&r.label(), 8)))),
    }
    out
}

fn jsonencode(args: FuncArgs) -> Result<Value, String> {
    let v = args.first().ok_or("jsonencode: no argument")?;
    serde_json::to_string(v)
        .map(Value::from)
        .map_err(|e| e.to_string())
}

fn chomp(args: FuncArgs) -> Result<Value, String> {
    let s = args
        .first()
        .and_then(Value::as_str)
        .ok_or("chomp: not a string")?;
    Ok(Value::from(s.trim_end_matches(['\n', '\r'])))
}

fn split(args: FuncArgs) -> Result<Value, String> {
    let sep = args
        .first()
        .and_then(Value::as_str)
        .ok_or("split: separator")?;
    let s = args.get(1).and_then(Value::as_str).ok_or("split: string")?;
    Ok(Value::Array(s.split(sep).map(Value::from).collect()))
}

fn tostring(args: FuncArgs) -> Result<Value, String> {
    let v = args.first().ok_or("tostring: no argument")?;
    value_str(v)
        .map(Value::from)
        .ok_or_else(|| "tostring: not a primitive".to_string())
}

/// Evaluates every attribute of a body (nested blocks become lists of objects under their
/// name); failures are recorded, not fatal: a later pass may resolve them.
fn eval_body(
    body: &Body,
    ctx: &Context<'_>,
    errors: &mut BTreeMap<String, String>,
) -> hcl::Map<String, Value> {
    let mut out = hcl::Map::new();
    for a in body.attributes() {
        match a.expr.evaluate(ctx) {
            Ok(v) => {
                out.insert(a.key.to_string(), v);
            }
            Err(e) => {
                errors.insert(a.key.to_string(), e.to_string());
            }
        }
    }
    for b in body.blocks() {
        let inner = eval_body(&b.body, ctx, errors);
        let entry = out
            .entry(b.identifier.to_string())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = entry {
            list.push(Value::Object(inner));
        }
    }
    out
}

/// The parsed scenario: variables, locals and resources, evaluated.
struct Scenario {
    vars: hcl::Map<String, Value>,
    locals: hcl::Map<String, Value>,
    local_exprs: Vec<(String, hcl::Expression)>,
    resources: Vec<Resource>,
}

/// The default VPC's ids in an account (unique across accounts, as AWS's are).
fn network_ids(acct: &str) -> [String; 6] {
    let h = hex_id(acct, 17);
    ["vpc", "subnet", "igw", "rtb", "acl", "sg"].map(|p| format!("{p}-{h}"))
}

fn fixed_variable(name: &str) -> Option<String> {
    let [vpc, subnet, ..] = network_ids(ACCOUNT);
    match name {
        "vpc_id" => return Some(vpc),
        "subnet_id" => return Some(subnet),
        _ => {}
    }
    Some(
        match name {
            "account_id" | "prod_account_id" => ACCOUNT,
            "operations_account_id" => OPERATIONS_ACCOUNT,
            "dev_account_id" => DEV_ACCOUNT,
            "attacker_account_id" => ATTACKER_ACCOUNT,
            "resource_suffix" => SUFFIX,
            "region" | "aws_region" => REGION,
            // Only orders the deployment; any value does.
            "apprunner_service_linked_role_id" => "AWSServiceRoleForAppRunner",
            "github_repo" => GITHUB_REPO,
            _ => return None,
        }
        .to_string(),
    )
}

impl Scenario {
    /// The exported resources of Terraform type `kind` in account `acct`.
    fn exported_in(
        &self,
        kind: &str,
        acct: &str,
        exported: &dyn Fn(&Resource) -> bool,
    ) -> Vec<&Resource> {
        self.resources
            .iter()
            .filter(|r| r.kind == kind && exported(r) && r.account() == acct)
            .collect()
    }
}

fn parse_scenario(dir: &Path) -> Result<Scenario, ConvertError> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| io_err(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "tf"))
        .collect();
    files.sort();
    let mut sc = Scenario {
        vars: hcl::Map::new(),
        locals: hcl::Map::new(),
        local_exprs: Vec::new(),
        resources: Vec::new(),
    };
    let empty = Context::new();
    for f in &files {
        let text = std::fs::read_to_string(f).map_err(|e| io_err(f, e))?;
        let body = hcl::parse(&text).map_err(|e| ConvertError::Parse {
            path: f.display().to_string(),
            msg: e.to_string(),
        })?;
        for block in body.into_blocks() {
            let labels: Vec<String> = block
                .labels
                .iter()
                .map(|l| l.as_str().to_string())
                .collect();
            match (block.identifier.as_str(), labels.as_slice()) {
                ("variable", [name]) => {
                    let value = match fixed_variable(name) {
                        Some(v) => Value::from(v),
                        None => {
                            let default = block
                                .body
                                .attributes()
                                .find(|a| a.key.as_str() == "default");
                            match default {
                                Some(a) => a.expr.evaluate(&empty).map_err(|e| {
                                    ConvertError::Attribute {
                                        resource: format!("var.{name}"),
                                        attribute: "default".to_string(),
                                        msg: e.to_string(),
                                    }
                                })?,
                                None => return Err(ConvertError::Variable(name.clone())),
                            }
                        }
                    };
                    sc.vars.insert(name.clone(), value);
                }
                ("locals", []) => {
                    for a in block.body.into_attributes() {
                        sc.local_exprs.push((a.key.to_string(), a.expr));
                    }
                }
                ("resource", [kind, name]) | ("data", [kind, name]) => {
                    sc.resources.push(Resource {
                        mode: if block.identifier.as_str() == "resource" {
                            Mode::Managed
                        } else {
                            Mode::Data
                        },
                        kind: kind.clone(),
                        name: name.clone(),
                        body: block.body,
                        attrs: hcl::Map::new(),
                        errors: BTreeMap::new(),
                    });
                }
                // terraform {}, output, provider: nothing to export.
                _ => {}
            }
        }
    }
    evaluate(&mut sc);
    Ok(sc)
}

fn base_context(sc: &Scenario) -> Context<'static> {
    let mut ctx = Context::new();
    ctx.declare_func(
        "jsonencode",
        FuncDef::builder().param(ParamType::Any).build(jsonencode),
    );
    ctx.declare_func(
        "chomp",
        FuncDef::builder().param(ParamType::String).build(chomp),
    );
    ctx.declare_func(
        "split",
        FuncDef::builder()
            .param(ParamType::String)
            .param(ParamType::String)
            .build(split),
    );
    ctx.declare_func(
        "tostring",
        FuncDef::builder().param(ParamType::Any).build(tostring),
    );
    let mut providers = hcl::Map::new();
    for (alias, acct) in [
        ("prod", ACCOUNT),
        ("operations", OPERATIONS_ACCOUNT),
        ("dev", DEV_ACCOUNT),
        ("attacker", ATTACKER_ACCOUNT),
    ] {
        providers.insert(alias.to_string(), Value::from(acct));
    }
    ctx.declare_var("aws", Value::Object(providers));
    ctx.declare_var("var", Value::Object(sc.vars.clone()));
    ctx.declare_var("local", Value::Object(sc.locals.clone()));
    let mut managed: BTreeMap<&str, hcl::Map<String, Value>> = BTreeMap::new();
    let mut data: BTreeMap<&str, hcl::Map<String, Value>> = BTreeMap::new();
    for r in &sc.resources {
        let table = match r.mode {
            Mode::Managed => &mut managed,
            Mode::Data => &mut data,
        };
        table
            .entry(r.kind.as_str())
            .or_default()
            .insert(r.name.clone(), Value::Object(r.attrs.clone()));
    }
    for (kind, objs) in managed {
        ctx.declare_var(kind.to_string(), Value::Object(objs));
    }
    let data: hcl::Map<String, Value> = data
        .into_iter()
        .map(|(k, v)| (k.to_string(), Value::Object(v)))
        .collect();
    ctx.declare_var("data", Value::Object(data));
    ctx
}

/// Evaluates to a fixpoint: stops when a pass resolves no new attribute.
fn evaluate(sc: &mut Scenario) {
    let mut resolved = usize::MAX;
    for _pass in 0..16 {
        let ctx = base_context(sc);
        let mut new_attrs = Vec::new();
        for r in &sc.resources {
            let mut errors = BTreeMap::new();
            let mut attrs = eval_body(&r.body, &ctx, &mut errors);
            let probe = Resource {
                mode: r.mode,
                kind: r.kind.clone(),
                name: r.name.clone(),
                body: Body::default(),
                attrs: attrs.clone(),
                errors: BTreeMap::new(),
            };
            for (k, v) in computed(&probe) {
                attrs.entry(k.to_string()).or_insert_with(|| Value::from(v));
            }
            for k in attrs.keys() {
                errors.remove(k);
            }
            new_attrs.push((attrs, errors));
        }
        let mut locals = hcl::Map::new();
        for (k, e) in &sc.local_exprs {
            if let Ok(v) = e.evaluate(&ctx) {
                locals.insert(k.clone(), v);
            }
        }
        drop(ctx);
        let count: usize = new_attrs.iter().map(|(a, _)| a.len()).sum::<usize>() + locals.len();
        for (r, (attrs, errors)) in sc.resources.iter_mut().zip(new_attrs) {
            r.attrs = attrs;
            r.errors = errors;
        }
        sc.locals = locals;
        if count == resolved {
            break;
        }
        resolved = count;
    }
}

/// A policy document attached to a principal: inline (name, doc) or managed (ARN).
#[derive(Debug, Default)]
struct PrincipalPolicies {
    inline: Vec<(String, Json)>,
    attached: BTreeSet<String>,
}

/// Writes the export for the scenario in `dir` under `out`.
pub fn write_export(
    dir: &Path,
    managed: &ManagedPolicies,
    out: &Path,
) -> Result<ExportSummary, ConvertError> {
    let sc = parse_scenario(dir)?;
    let mut summary = ExportSummary::default();
    let exported = |r: &Resource| r.mode == Mode::Managed && r.account() != ATTACKER_ACCOUNT;
    let of = |kind: &str| -> Vec<&Resource> {
        sc.resources
            .iter()
            .filter(|r| r.kind == kind && exported(r))
            .collect()
    };

    // Policies per principal, keyed by (account, name).
    let mut user_pol: BTreeMap<(String, String), PrincipalPolicies> = BTreeMap::new();
    let mut role_pol: BTreeMap<(String, String), PrincipalPolicies> = BTreeMap::new();
    let mut group_pol: BTreeMap<(String, String), PrincipalPolicies> = BTreeMap::new();
    let mut user_groups: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for (kind, key, table) in [
        ("aws_iam_user_policy", "user", &mut user_pol),
        ("aws_iam_role_policy", "role", &mut role_pol),
        ("aws_iam_group_policy", "group", &mut group_pol),
    ] {
        for r in of(kind) {
            let name = r.str("name").unwrap_or_else(|| r.name.clone());
            table
                .entry((r.account(), r.need(key)?))
                .or_default()
                .inline
                .push((name, r.need_doc("policy")?));
        }
    }
    for (kind, key, table) in [
        ("aws_iam_user_policy_attachment", "user", &mut user_pol),
        ("aws_iam_role_policy_attachment", "role", &mut role_pol),
        ("aws_iam_group_policy_attachment", "group", &mut group_pol),
    ] {
        for r in of(kind) {
            table
                .entry((r.account(), r.need(key)?))
                .or_default()
                .attached
                .insert(r.need("policy_arn")?);
        }
    }
    for r in of("aws_iam_policy_attachment") {
        let arn = r.need("policy_arn")?;
        for (key, table) in [
            ("users", &mut user_pol),
            ("roles", &mut role_pol),
            ("groups", &mut group_pol),
        ] {
            for n in r.list(key) {
                table
                    .entry((r.account(), n))
                    .or_default()
                    .attached
                    .insert(arn.clone());
            }
        }
    }
    for r in of("aws_iam_user_group_membership") {
        let user = r.need("user")?;
        for g in r.list("groups") {
            user_groups
                .entry((r.account(), user.clone()))
                .or_default()
                .insert(g);
        }
    }
    for r in of("aws_iam_group_membership") {
        let group = r.need("group")?;
        for u in r.list("users") {
            user_groups
                .entry((r.account(), u))
                .or_default()
                .insert(group.clone());
        }
    }
    let mut profiles: BTreeMap<(String, String), Vec<&Resource>> = BTreeMap::new();
    for r in of("aws_iam_instance_profile") {
        profiles
            .entry((r.account(), r.need("role")?))
            .or_default()
            .push(r);
    }

    let mut accounts: BTreeSet<String> = BTreeSet::new();
    accounts.insert(ACCOUNT.to_string());
    for r in sc.resources.iter().filter(|r| exported(r)) {
        accounts.insert(r.account());
    }
    let env_users = environment_users(&of("aws_iam_role"), &of("aws_iam_user"));
    accounts.extend(env_users.iter().map(|(a, _)| a.clone()));

    let inline_list = |p: Option<&PrincipalPolicies>| -> Json {
        Json::Array(
            p.map(|p| {
                p.inline
                    .iter()
                    .map(|(n, d)| json!({"PolicyName": n, "PolicyDocument": d}))
                    .collect()
            })
            .unwrap_or_default(),
        )
    };
    let attached_list = |p: Option<&PrincipalPolicies>| -> Json {
        Json::Array(
            p.map(|p| {
                p.attached
                    .iter()
                    .map(|a| {
                        let name = a.rsplit('/').next().unwrap_or(a);
                        json!({"PolicyName": name, "PolicyArn": a})
                    })
                    .collect()
            })
            .unwrap_or_default(),
        )
    };
    let boundary = |r: &Resource, obj: &mut JsonMap<String, Json>| {
        if let Some(b) = r.str("permissions_boundary") {
            obj.insert(
                "PermissionsBoundary".to_string(),
                json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": b}),
            );
        }
    };

    for acct in &accounts {
        let in_acct = |r: &&Resource| r.account() == *acct;
        let mut used_managed: BTreeSet<String> = BTreeSet::new();

        let mut users = Vec::new();
        for r in of("aws_iam_user").into_iter().filter(in_acct) {
            let name = r.need("name")?;
            let key = (acct.clone(), name.clone());
            let pols = user_pol.get(&key);
            used_managed.extend(pols.map(|p| p.attached.clone()).unwrap_or_default());
            used_managed.extend(r.str("permissions_boundary"));
            let groups: Vec<String> = user_groups
                .get(&key)
                .map(|g| g.iter().cloned().collect())
                .unwrap_or_default();
            let mut u = json!({
                "Path": iam_path(r), "UserName": name, "UserId": r.need("unique_id")?,
                "Arn": r.need("arn")?, "CreateDate": DATE, "GroupList": groups,
                "UserPolicyList": inline_list(pols), "AttachedManagedPolicies": attached_list(pols),
                "Tags": []
            });
            if let Some(obj) = u.as_object_mut() {
                boundary(r, obj);
            }
            users.push(u);
        }
        for (_, name) in env_users.iter().filter(|(a, _)| a == acct) {
            let arn = format!("arn:aws:iam::{acct}:user/{name}");
            users.push(json!({
                "Path": "/", "UserName": name, "UserId": unique_id("AIDA", &arn), "Arn": arn,
                "CreateDate": DATE, "GroupList": [], "UserPolicyList": [],
                "AttachedManagedPolicies": [], "Tags": []
            }));
        }

        let mut groups = Vec::new();
        for r in of("aws_iam_group").into_iter().filter(in_acct) {
            let name = r.need("name")?;
            let pols = group_pol.get(&(acct.clone(), name.clone()));
            used_managed.extend(pols.map(|p| p.attached.clone()).unwrap_or_default());
            groups.push(json!({
                "Path": iam_path(r), "GroupName": name, "GroupId": r.need("unique_id")?,
                "Arn": r.need("arn")?, "CreateDate": DATE,
                "GroupPolicyList": inline_list(pols), "AttachedManagedPolicies": attached_list(pols)
            }));
        }

        let mut roles = Vec::new();
        for r in of("aws_iam_role").into_iter().filter(in_acct) {
            let name = r.need("name")?;
            let key = (acct.clone(), name.clone());
            let pols = role_pol.get(&key);
            used_managed.extend(pols.map(|p| p.attached.clone()).unwrap_or_default());
            used_managed.extend(r.str("permissions_boundary"));
            let trust = r.need_doc("assume_role_policy")?;
            let role_ref = json!({
                "Path": iam_path(r), "RoleName": name, "RoleId": r.need("unique_id")?,
                "Arn": r.need("arn")?, "CreateDate": DATE, "AssumeRolePolicyDocument": trust
            });
            let mut ips = Vec::new();
            for ip in profiles.get(&key).map(Vec::as_slice).unwrap_or_default() {
                ips.push(json!({
                    "Path": iam_path(ip), "InstanceProfileName": ip.need("name")?,
                    "InstanceProfileId": ip.need("unique_id")?, "Arn": ip.need("arn")?,
                    "CreateDate": DATE, "Roles": [role_ref.clone()]
                }));
            }
            let mut role = role_ref.clone();
            if let Some(obj) = role.as_object_mut() {
                obj.insert("RolePolicyList".into(), inline_list(pols));
                obj.insert("AttachedManagedPolicies".into(), attached_list(pols));
                obj.insert("InstanceProfileList".into(), Json::Array(ips));
                obj.insert("Tags".into(), json!([]));
                obj.insert("RoleLastUsed".into(), json!({}));
                boundary(r, obj);
            }
            roles.push(role);
        }

        let mut policies = Vec::new();
        let attachments = |arn: &str| -> usize {
            user_pol
                .values()
                .chain(role_pol.values())
                .chain(group_pol.values())
                .filter(|p| p.attached.contains(arn))
                .count()
        };
        for r in of("aws_iam_policy").into_iter().filter(in_acct) {
            let arn = r.need("arn")?;
            policies.push(json!({
                "PolicyName": r.need("name")?, "PolicyId": r.need("policy_id")?, "Arn": arn,
                "Path": iam_path(r), "DefaultVersionId": "v1",
                "AttachmentCount": attachments(&arn), "PermissionsBoundaryUsageCount": 0,
                "IsAttachable": true, "CreateDate": DATE, "UpdateDate": DATE,
                "PolicyVersionList": [{"Document": r.need_doc("policy")?, "VersionId": "v1",
                    "IsDefaultVersion": true, "CreateDate": DATE}]
            }));
        }
        for arn in used_managed
            .iter()
            .filter(|a| a.starts_with("arn:aws:iam::aws:policy/"))
        {
            let (name, version, doc) = managed.by_arn.get(arn).ok_or_else(|| {
                ConvertError::Model(format!(
                    "AWS managed policy {arn} is not in the managed-policy dump"
                ))
            })?;
            policies.push(json!({
                "PolicyName": name, "PolicyId": unique_id("ANPA", arn), "Arn": arn,
                "Path": "/", "DefaultVersionId": version, "AttachmentCount": attachments(arn),
                "PermissionsBoundaryUsageCount": 0, "IsAttachable": true,
                "CreateDate": DATE, "UpdateDate": DATE,
                "PolicyVersionList": [{"Document": doc, "VersionId": version,
                    "IsDefaultVersion": true, "CreateDate": DATE}]
            }));
        }
        summary.users += users.len();
        summary.roles += roles.len();
        summary.groups += groups.len();
        summary.policies += policies.len();

        let base = out.join("accounts").join(acct);
        write_json(
            &base.join("iam/get-account-authorization-details.json"),
            &json!({"UserDetailList": users, "GroupDetailList": groups,
                    "RoleDetailList": roles, "Policies": policies}),
        )?;
        write_s3(&sc, acct, &base, &exported, &mut summary)?;
        write_ec2(&sc, acct, &base, &exported, &mut summary)?;
        write_lambda(&sc, acct, &base, &exported)?;
    }

    const HANDLED: &[&str] = &[
        "aws_iam_user",
        "aws_iam_role",
        "aws_iam_group",
        "aws_iam_policy",
        "aws_iam_user_policy",
        "aws_iam_role_policy",
        "aws_iam_group_policy",
        "aws_iam_user_policy_attachment",
        "aws_iam_role_policy_attachment",
        "aws_iam_group_policy_attachment",
        "aws_iam_policy_attachment",
        "aws_iam_user_group_membership",
        "aws_iam_group_membership",
        "aws_iam_instance_profile",
        "aws_s3_bucket",
        "aws_s3_bucket_policy",
        "aws_s3_bucket_public_access_block",
        "aws_s3_object",
        "aws_instance",
        "aws_security_group",
        "aws_lambda_function",
        "aws_lambda_function_url",
        // Credentials and settings that a GAAD does not show and no route needs.
        "aws_iam_access_key",
        "aws_iam_user_login_profile",
        "aws_s3_bucket_versioning",
        "aws_s3_bucket_server_side_encryption_configuration",
        // Trust policies name the provider; the export has no file for the provider itself.
        "aws_iam_openid_connect_provider",
    ];
    for r in sc.resources.iter().filter(|r| r.mode == Mode::Managed) {
        if !HANDLED.contains(&r.kind.as_str()) {
            summary.not_exported.insert(r.kind.clone());
        }
    }
    summary.accounts = accounts.into_iter().collect();
    Ok(summary)
}

/// The lab's shared starting users (`pl-pathfinding-starting-user-<environment>`), created by
/// its environment module rather than by a scenario, that a scenario's role trusts by ARN:
/// (account, name). The export holds them with no policies (theirs are not in the data), so
/// only what names them by ARN admits them, as a same-account trust does.
fn environment_users(roles: &[&Resource], users: &[&Resource]) -> BTreeSet<(String, String)> {
    fn strings<'j>(v: &'j Json, out: &mut Vec<&'j str>) {
        match v {
            Json::String(s) => out.push(s),
            Json::Array(a) => a.iter().for_each(|x| strings(x, out)),
            Json::Object(o) => o.values().for_each(|x| strings(x, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    for r in roles {
        let Ok(doc) = r.need_doc("assume_role_policy") else {
            continue;
        };
        let mut named = Vec::new();
        strings(&doc, &mut named);
        for arn in named {
            let Some((head, name)) = arn.split_once(":user/") else {
                continue;
            };
            let acct = head.rsplit(':').next().unwrap_or("").to_string();
            let created = users
                .iter()
                .any(|u| u.account() == acct && u.str("name").as_deref() == Some(name));
            if name.starts_with("pl-pathfinding-starting-user-") && !created {
                out.insert((acct, name.to_string()));
            }
        }
    }
    out
}

fn write_json(path: &Path, v: &Json) -> Result<(), ConvertError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| io_err(parent, e))?;
    }
    let text = serde_json::to_string_pretty(v).map_err(|e| io_err(path, e))?;
    std::fs::write(path, text).map_err(|e| io_err(path, e))
}

const OWNER_ID: &str = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";

fn write_s3(
    sc: &Scenario,
    acct: &str,
    base: &Path,
    exported: &dyn Fn(&Resource) -> bool,
    summary: &mut ExportSummary,
) -> Result<(), ConvertError> {
    // Account-level Block Public Access is not in any scenario: none configured.
    write_json(
        &base.join("s3control/get-public-access-block.json"),
        &json!({"PublicAccessBlockConfiguration": {"BlockPublicAcls": false,
            "IgnorePublicAcls": false, "BlockPublicPolicy": false, "RestrictPublicBuckets": false}}),
    )?;
    let mine = |kind: &str| sc.exported_in(kind, acct, exported);
    let mut listed = Vec::new();
    for b in mine("aws_s3_bucket") {
        let name = b.need("bucket")?;
        listed.push(json!({"Name": name, "CreationDate": DATE}));
        let dir = base.join("s3/buckets").join(&name);
        let policy = mine("aws_s3_bucket_policy")
            .into_iter()
            .find(|p| p.str("bucket").as_deref() == Some(name.as_str()));
        let policy_json = match policy {
            Some(p) => json!({"Policy": p.need("policy")?}),
            None => json!({}),
        };
        write_json(&dir.join("get-bucket-policy.json"), &policy_json)?;
        let pab = mine("aws_s3_bucket_public_access_block")
            .into_iter()
            .find(|p| p.str("bucket").as_deref() == Some(name.as_str()));
        let flag = |p: &Resource, k: &str| matches!(p.attrs.get(k), Some(Value::Bool(true)));
        let pab_json = match pab {
            Some(p) => json!({"PublicAccessBlockConfiguration": {
                "BlockPublicAcls": flag(p, "block_public_acls"),
                "IgnorePublicAcls": flag(p, "ignore_public_acls"),
                "BlockPublicPolicy": flag(p, "block_public_policy"),
                "RestrictPublicBuckets": flag(p, "restrict_public_buckets")}}),
            None => json!({}),
        };
        write_json(&dir.join("get-public-access-block.json"), &pab_json)?;
        write_json(
            &dir.join("get-bucket-acl.json"),
            &json!({"Owner": {"ID": OWNER_ID}, "Grants": [{"Grantee": {"ID": OWNER_ID,
                "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"}]}),
        )?;
        // Buckets created since April 2023 have ACLs disabled and SSE-S3 by default.
        write_json(
            &dir.join("get-bucket-ownership-controls.json"),
            &json!({"OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}}),
        )?;
        write_json(
            &dir.join("get-bucket-encryption.json"),
            &json!({"ServerSideEncryptionConfiguration": {"Rules": [{
                "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                "BucketKeyEnabled": false}]}}),
        )?;
        write_json(
            &dir.join("get-bucket-location.json"),
            &json!({"LocationConstraint": null}),
        )?;
        let keys: Vec<Json> = mine("aws_s3_object")
            .into_iter()
            .filter(|o| o.str("bucket").as_deref() == Some(name.as_str()))
            .filter_map(|o| o.str("key"))
            .map(
                |k| json!({"Key": k, "LastModified": DATE, "Size": 64, "StorageClass": "STANDARD"}),
            )
            .collect();
        write_json(
            &dir.join("list-objects-v2.json"),
            &json!({"Contents": keys, "KeyCount": keys.len()}),
        )?;
        summary.buckets.push(name);
    }
    write_json(
        &base.join("s3/list-buckets.json"),
        &json!({"Buckets": listed, "Owner": {"ID": OWNER_ID}}),
    )
}

/// The account's Lambda functions (name, ARN, execution role, runtime), each with its URL
/// configuration (`aws_lambda_function_url`) and no resource policy.
fn write_lambda(
    sc: &Scenario,
    acct: &str,
    base: &Path,
    exported: &dyn Fn(&Resource) -> bool,
) -> Result<(), ConvertError> {
    let dir = base.join("lambda").join(REGION);
    let mine = |kind: &str| sc.exported_in(kind, acct, exported);
    let mut functions = Vec::new();
    for f in mine("aws_lambda_function") {
        let name = f.need("function_name")?;
        functions.push(json!({"FunctionName": name, "FunctionArn": f.need("arn")?,
            "Role": f.need("role")?, "Runtime": f.str("runtime"),
            "LastModified": DATE}));
        let fdir = dir.join("functions").join(&name);
        let url = mine("aws_lambda_function_url").into_iter().find(|u| {
            u.str("function_name")
                .is_some_and(|n| n == name || n == f.str("arn").unwrap_or_default())
        });
        let url_json = match url {
            Some(u) => json!({"FunctionUrl": format!("https://{}.lambda-url.{REGION}.on.aws/",
                    hex_id(&u.label(), 16)),
                "FunctionArn": f.need("arn")?, "AuthType": u.need("authorization_type")?}),
            None => json!({}),
        };
        write_json(&fdir.join("get-function-url-config.json"), &url_json)?;
        write_json(&fdir.join("get-policy.json"), &json!({}))?;
    }
    write_json(
        &dir.join("list-functions.json"),
        &json!({ "Functions": functions }),
    )
}

fn sg_rules(sg: &Resource, block: &str) -> Vec<Json> {
    let Some(Value::Array(rules)) = sg.attrs.get(block) else {
        return Vec::new();
    };
    rules
        .iter()
        .filter_map(|r| match r {
            Value::Object(o) => Some(o),
            _ => None,
        })
        .map(|o| {
            let s = |k: &str| o.get(k).and_then(value_str);
            let proto = s("protocol").unwrap_or_else(|| "-1".to_string());
            let cidrs: Vec<Json> = match o.get("cidr_blocks") {
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(value_str)
                    .map(|c| json!({"CidrIp": c}))
                    .collect(),
                _ => Vec::new(),
            };
            let mut rule = json!({"IpProtocol": if proto == "all" { "-1".to_string() } else { proto.clone() },
                "IpRanges": cidrs, "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []});
            if proto != "-1" && proto != "all" {
                if let Some(obj) = rule.as_object_mut() {
                    for (k, aws) in [("from_port", "FromPort"), ("to_port", "ToPort")] {
                        if let Some(Value::Number(n)) = o.get(k) {
                            obj.insert(aws.to_string(), json!(n.as_i64()));
                        }
                    }
                }
            }
            rule
        })
        .collect()
}

/// The default VPC the scenarios deploy into (one public subnet, an internet gateway, open
/// default NACL), the scenario's security groups and instances.
fn write_ec2(
    sc: &Scenario,
    acct: &str,
    base: &Path,
    exported: &dyn Fn(&Resource) -> bool,
    summary: &mut ExportSummary,
) -> Result<(), ConvertError> {
    let dir = base.join("ec2").join(REGION);
    let [vpc, subnet, igw, rtb, acl, default_sg] = network_ids(acct);
    let mine = |kind: &str| sc.exported_in(kind, acct, exported);
    write_json(
        &dir.join("describe-vpcs.json"),
        &json!({"Vpcs": [{"VpcId": vpc, "CidrBlock": "172.31.0.0/16", "IsDefault": true,
            "OwnerId": acct, "CidrBlockAssociationSet": [{"CidrBlock": "172.31.0.0/16"}]}]}),
    )?;
    write_json(
        &dir.join("describe-subnets.json"),
        &json!({"Subnets": [{"SubnetId": subnet, "VpcId": vpc, "CidrBlock": "172.31.0.0/20",
            "AvailabilityZone": "us-east-1a", "MapPublicIpOnLaunch": true, "DefaultForAz": true,
            "OwnerId": acct}]}),
    )?;
    write_json(
        &dir.join("describe-internet-gateways.json"),
        &json!({"InternetGateways": [{"InternetGatewayId": igw, "OwnerId": acct,
            "Attachments": [{"VpcId": vpc, "State": "available"}]}]}),
    )?;
    write_json(
        &dir.join("describe-route-tables.json"),
        &json!({"RouteTables": [{"RouteTableId": rtb, "VpcId": vpc,
            "OwnerId": acct, "Routes": [
                {"DestinationCidrBlock": "172.31.0.0/16", "GatewayId": "local", "State": "active"},
                {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw, "State": "active"}],
            "Associations": [{"Main": true, "RouteTableId": rtb,
                "AssociationState": {"State": "associated"}}]}]}),
    )?;
    let entry = |egress: bool, n: u32, action: &str| {
        json!({"RuleNumber": n, "Protocol": "-1", "RuleAction": action, "Egress": egress,
            "CidrBlock": "0.0.0.0/0"})
    };
    write_json(
        &dir.join("describe-network-acls.json"),
        &json!({"NetworkAcls": [{"NetworkAclId": acl, "VpcId": vpc,
            "IsDefault": true, "OwnerId": acct,
            "Associations": [{"NetworkAclId": acl, "SubnetId": subnet}],
            "Entries": [entry(false, 100, "allow"), entry(false, 32767, "deny"),
                        entry(true, 100, "allow"), entry(true, 32767, "deny")]}]}),
    )?;
    write_json(
        &dir.join("describe-nat-gateways.json"),
        &json!({"NatGateways": []}),
    )?;
    write_json(
        &dir.join("describe-vpc-endpoints.json"),
        &json!({"VpcEndpoints": []}),
    )?;

    let mut groups = vec![json!({"GroupId": default_sg, "GroupName": "default",
        "VpcId": vpc, "OwnerId": acct, "Description": "default VPC security group",
        "IpPermissions": [], "IpPermissionsEgress": [{"IpProtocol": "-1",
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [], "PrefixListIds": [],
            "UserIdGroupPairs": []}]})];
    for sg in mine("aws_security_group") {
        groups.push(
            json!({"GroupId": sg.need("id")?, "GroupName": sg.need("name")?,
            "VpcId": vpc, "OwnerId": acct,
            "Description": sg.str("description").unwrap_or_default(),
            "IpPermissions": sg_rules(sg, "ingress"),
            "IpPermissionsEgress": sg_rules(sg, "egress")}),
        );
    }
    write_json(
        &dir.join("describe-security-groups.json"),
        &json!({"SecurityGroups": groups}),
    )?;

    let profiles = mine("aws_iam_instance_profile");
    let mut instances = Vec::new();
    for (n, i) in mine("aws_instance").into_iter().enumerate() {
        let sgs: Vec<Json> = {
            let ids = i.list("vpc_security_group_ids");
            let ids = if ids.is_empty() {
                vec![default_sg.to_string()]
            } else {
                ids
            };
            ids.into_iter().map(|id| json!({"GroupId": id})).collect()
        };
        let private_ip = format!("172.31.0.{}", 10 + n);
        let mut inst = json!({"InstanceId": i.need("id")?, "State": {"Code": 16, "Name": "running"},
            "SubnetId": i.str("subnet_id").unwrap_or_else(|| subnet.clone()), "VpcId": vpc,
            "PrivateIpAddress": private_ip, "SecurityGroups": sgs, "NetworkInterfaces": [],
            "MetadataOptions": {"HttpTokens": "required"}});
        if let Some(obj) = inst.as_object_mut() {
            if !matches!(
                i.attrs.get("associate_public_ip_address"),
                Some(Value::Bool(false))
            ) {
                obj.insert(
                    "PublicIpAddress".into(),
                    json!(format!("198.51.100.{}", 10 + n)),
                );
            }
            if let Some(p) = i.str("iam_instance_profile") {
                let prof = profiles
                    .iter()
                    .find(|r| r.str("name").as_deref() == Some(p.as_str()))
                    .ok_or_else(|| {
                        ConvertError::Model(format!("instance profile {p} not in the scenario"))
                    })?;
                obj.insert(
                    "IamInstanceProfile".into(),
                    json!({"Arn": prof.need("arn")?, "Id": prof.need("unique_id")?}),
                );
            }
        }
        instances.push(inst);
    }
    summary.instances += instances.len();
    write_json(
        &dir.join("describe-instances.json"),
        &json!({"Reservations": [{"ReservationId": "r-0pathfinding0001", "OwnerId": acct,
            "Instances": instances}]}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Converts `tf` (one scenario's main.tf) and reads back every JSON file written.
    fn convert(tf: &str) -> Result<BTreeMap<String, Json>, ConvertError> {
        let src = tempfile::tempdir().map_err(|e| io_err(Path::new("tempdir"), e))?;
        let out = tempfile::tempdir().map_err(|e| io_err(Path::new("tempdir"), e))?;
        let main = src.path().join("main.tf");
        std::fs::write(&main, tf).map_err(|e| io_err(&main, e))?;
        write_export(src.path(), &ManagedPolicies::default(), out.path())?;
        let mut files = BTreeMap::new();
        let mut stack = vec![out.path().to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).map_err(|e| io_err(&d, e))? {
                let p = e.map_err(|e| io_err(&d, e))?.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let text = std::fs::read_to_string(&p).map_err(|e| io_err(&p, e))?;
                    let rel = p.strip_prefix(out.path()).unwrap_or(&p);
                    let v = serde_json::from_str(&text).map_err(|e| io_err(&p, e))?;
                    files.insert(rel.display().to_string(), v);
                }
            }
        }
        Ok(files)
    }

    /// `expect`: (file, JSON pointer, value); `None` as the file asserts a conversion error
    /// whose message contains the pointer text.
    fn check(tf: &str, expect: &[(Option<&str>, &str, Json)]) {
        let got = convert(tf);
        for (file, ptr, want) in expect {
            match (file, &got) {
                (Some(f), Ok(files)) => {
                    let v = files.get(*f).and_then(|j| j.pointer(ptr));
                    assert_eq!(v, Some(want), "{f}#{ptr} in {files:#?}");
                }
                (None, Err(e)) => assert!(e.to_string().contains(ptr), "{e}"),
                (_, other) => panic!("unexpected conversion result {other:?} for {ptr}"),
            }
        }
    }

    const GAAD: &str = "accounts/123456789012/iam/get-account-authorization-details.json";

    #[test]
    fn references_resolve_in_any_declaration_order() {
        let tf = r#"
            resource "aws_iam_user_policy" "p" {
              user   = aws_iam_user.u.name
              policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:GetObject",
                                                   Resource = "${aws_s3_bucket.b.arn}/*" }] })
            }
            resource "aws_iam_user" "u" { name = "alice-${var.resource_suffix}" }
            resource "aws_s3_bucket" "b" { bucket = "data-${var.account_id}" }
            variable "account_id" {}
            variable "resource_suffix" {}
        "#;
        check(
            tf,
            &[
                (
                    Some(GAAD),
                    "/UserDetailList/0/UserName",
                    json!("alice-abc123"),
                ),
                (
                    Some(GAAD),
                    "/UserDetailList/0/Arn",
                    json!("arn:aws:iam::123456789012:user/alice-abc123"),
                ),
                (
                    Some(GAAD),
                    "/UserDetailList/0/UserPolicyList/0/PolicyDocument/Statement/0/Resource",
                    json!("arn:aws:s3:::data-123456789012/*"),
                ),
                (
                    Some("accounts/123456789012/s3/list-buckets.json"),
                    "/Buckets/0/Name",
                    json!("data-123456789012"),
                ),
                (
                    Some(
                        "accounts/123456789012/s3/buckets/data-123456789012/get-bucket-policy.json",
                    ),
                    "",
                    json!({}),
                ),
            ],
        );
    }

    #[test]
    fn roles_profiles_managed_policies_and_accounts() {
        let tf = r#"
            resource "aws_iam_role" "r" {
              provider = aws.operations
              name = "worker"
              assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow",
                Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }] })
            }
            resource "aws_iam_instance_profile" "ip" {
              provider = aws.operations
              name = "worker-profile"
              role = aws_iam_role.r.name
            }
            resource "aws_iam_policy" "p" {
              provider = aws.operations
              name = "read"
              policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }] })
            }
            resource "aws_iam_role_policy_attachment" "a" {
              provider = aws.operations
              role = aws_iam_role.r.name
              policy_arn = aws_iam_policy.p.arn
            }
            resource "aws_s3_bucket" "loot" {
              provider = aws.attacker
              bucket = "attacker-loot"
            }
        "#;
        let ops = "accounts/210987654321/iam/get-account-authorization-details.json";
        check(
            tf,
            &[
                (
                    Some(ops),
                    "/RoleDetailList/0/InstanceProfileList/0/InstanceProfileName",
                    json!("worker-profile"),
                ),
                (
                    Some(ops),
                    "/RoleDetailList/0/AttachedManagedPolicies/0/PolicyArn",
                    json!("arn:aws:iam::210987654321:policy/read"),
                ),
                (
                    Some(ops),
                    "/Policies/0/PolicyVersionList/0/Document/Statement/0/Action",
                    json!("s3:*"),
                ),
                (Some(ops), "/Policies/0/AttachmentCount", json!(1)),
                // The prod account is always exported; the attacker's never.
                (Some(GAAD), "/RoleDetailList", json!([])),
                (
                    Some("accounts/123456789012/s3/list-buckets.json"),
                    "/Buckets",
                    json!([]),
                ),
            ],
        );
    }

    #[test]
    fn what_cannot_be_converted_is_an_error_naming_it() {
        check(
            r#"variable "unset" {}"#,
            &[(None, "variable \"unset\" has no value", json!(null))],
        );
        check(
            r#"resource "aws_iam_user_policy" "p" {
                 user = "bob"
                 policy = jsonencode({ Resource = aws_s3_bucket.missing.arn })
               }"#,
            &[(None, "aws_iam_user_policy.p.policy", json!(null))],
        );
        check(
            r#"resource "aws_iam_user" "u" { name = "bob" }
               resource "aws_iam_user_policy_attachment" "a" {
                 user = aws_iam_user.u.name
                 policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
               }"#,
            &[(None, "not in the managed-policy dump", json!(null))],
        );
    }
}
