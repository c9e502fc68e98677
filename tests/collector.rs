//! End-to-end test of `scripts/export-aws.sh`: starts `moto_server` (a local AWS stand-in)
//! on 127.0.0.1, creates an organization, IAM users, groups, roles, buckets with policies,
//! a VPC with subnets, a security group, instances, a KMS key and a Lambda function with a
//! URL through the stock `aws` CLI, runs the collector against it and checks that the
//! export holds exactly what was created, in the native layout.
//!
//! Skips with a visible message when `moto_server` or `aws` is not installed
//! (`pip install 'moto[server]' awscli`).

use serde_json::Value;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const ACCOUNT: &str = "123456789012"; // moto's default account
const AMI: &str = "ami-12c6146b"; // one of moto's built-in images

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
        .unwrap_or(false)
}

/// Kills the server when the test ends, however it ends.
struct ServerGuard(Child);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs a command to completion within `limit`, killing it when it overruns.
fn run_bounded(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawning {cmd:?}: {e}"));
    let deadline = Instant::now() + limit;
    // Drain the pipes on threads so a chatty child cannot block on a full pipe.
    let mut stdout = child.stdout.take().expect("stdout piped");
    let mut stderr = child.stderr.take().expect("stderr piped");
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr, &mut buf);
        buf
    });
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{cmd:?} did not finish within {limit:?}");
            }
        }
    };
    Output {
        status,
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    }
}

struct Moto {
    endpoint: String,
    _server: ServerGuard,
    scratch: tempfile::TempDir,
}

impl Moto {
    fn start() -> Moto {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let scratch = tempfile::tempdir().expect("temp dir");
        let log = std::fs::File::create(scratch.path().join("moto.log")).expect("log file");
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("starting moto_server");
        let server = ServerGuard(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto_server did not listen within 60 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Moto {
            endpoint: format!("http://127.0.0.1:{port}"),
            _server: server,
            scratch,
        }
    }

    /// Environment for every `aws` call: fixed test credentials, no user config.
    fn env(&self, cmd: &mut Command) {
        cmd.env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_CONFIG_FILE", self.scratch.path().join("no-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.scratch.path().join("no-credentials"),
            )
            .env("AWS_PAGER", "")
            .env_remove("AWS_PROFILE");
    }

    /// One `aws` call against the server; returns stdout (JSON), panics on failure.
    fn aws(&self, args: &[&str]) -> Value {
        let mut cmd = Command::new("aws");
        self.env(&mut cmd);
        cmd.args(["--endpoint-url", &self.endpoint, "--output", "json"])
            .args(args);
        let out = run_bounded(cmd, Duration::from_secs(60));
        assert!(
            out.status.success(),
            "aws {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        if out.stdout.iter().all(u8::is_ascii_whitespace) {
            return Value::Null;
        }
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("aws {}: {e}", args.join(" ")))
    }
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn len(v: &Value, key: &str) -> usize {
    v[key].as_array().map_or(0, Vec::len)
}

const TRUST_EC2: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const TRUST_LAMBDA: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const TRUST_FOREIGN: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}]}"#;
const READ_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::lp-customers","arn:aws:s3:::lp-customers/*"]}]}"#;
const PUBLIC_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Public","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::lp-public/*"}]}"#;

/// What the test creates, so the checks below can compare against it.
struct Created {
    users: usize,
    groups: usize,
    roles: usize,
    buckets: Vec<&'static str>,
    instances: usize,
    vpc: String,
    subnets: Vec<String>,
    security_group: String,
    key: String,
}

fn populate(moto: &Moto, dir: &Path) -> Created {
    moto.aws(&[
        "organizations",
        "create-organization",
        "--feature-set",
        "ALL",
    ]);

    for user in ["alice", "bob"] {
        moto.aws(&["iam", "create-user", "--user-name", user]);
    }
    moto.aws(&["iam", "create-group", "--group-name", "analysts"]);
    moto.aws(&[
        "iam",
        "add-user-to-group",
        "--group-name",
        "analysts",
        "--user-name",
        "alice",
    ]);
    // Inline policies only: moto's get-account-authorization-details leaves `PolicyName`
    // out of `Policies` entries (AWS always prints it), which ingest rightly rejects.
    moto.aws(&[
        "iam",
        "put-group-policy",
        "--group-name",
        "analysts",
        "--policy-name",
        "customers-read",
        "--policy-document",
        READ_POLICY,
    ]);
    moto.aws(&[
        "iam",
        "create-role",
        "--role-name",
        "web",
        "--assume-role-policy-document",
        TRUST_EC2,
    ]);
    moto.aws(&[
        "iam",
        "put-role-policy",
        "--role-name",
        "web",
        "--policy-name",
        "customers-read",
        "--policy-document",
        READ_POLICY,
    ]);
    moto.aws(&[
        "iam",
        "create-instance-profile",
        "--instance-profile-name",
        "web",
    ]);
    moto.aws(&[
        "iam",
        "add-role-to-instance-profile",
        "--instance-profile-name",
        "web",
        "--role-name",
        "web",
    ]);
    moto.aws(&[
        "iam",
        "create-role",
        "--role-name",
        "fn",
        "--assume-role-policy-document",
        TRUST_LAMBDA,
    ]);
    moto.aws(&[
        "iam",
        "create-role",
        "--role-name",
        "vendor",
        "--assume-role-policy-document",
        TRUST_FOREIGN,
    ]);
    moto.aws(&[
        "iam",
        "put-role-policy",
        "--role-name",
        "vendor",
        "--policy-name",
        "read",
        "--policy-document",
        READ_POLICY,
    ]);

    let buckets = vec!["lp-customers", "lp-public", "lp-logs-eu"];
    moto.aws(&["s3api", "create-bucket", "--bucket", "lp-customers"]);
    moto.aws(&["s3api", "create-bucket", "--bucket", "lp-public"]);
    moto.aws(&[
        "s3api",
        "create-bucket",
        "--bucket",
        "lp-logs-eu",
        "--region",
        "eu-west-1",
        "--create-bucket-configuration",
        "LocationConstraint=eu-west-1",
    ]);
    moto.aws(&[
        "s3api",
        "put-bucket-policy",
        "--bucket",
        "lp-public",
        "--policy",
        PUBLIC_POLICY,
    ]);
    moto.aws(&[
        "s3api", "put-public-access-block", "--bucket", "lp-customers", "--public-access-block-configuration",
        "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
    ]);
    moto.aws(&[
        "s3api",
        "put-bucket-encryption",
        "--bucket",
        "lp-customers",
        "--server-side-encryption-configuration",
        r#"{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}"#,
    ]);
    let body = dir.join("customers.csv");
    std::fs::write(&body, "id,name,email\n1,Jane Doe,jane@example.com\n").expect("sample body");
    let body = body.to_string_lossy().into_owned();
    moto.aws(&[
        "s3api",
        "put-object",
        "--bucket",
        "lp-customers",
        "--key",
        "exports/customers.csv",
        "--body",
        &body,
    ]);

    let vpc = moto.aws(&["ec2", "create-vpc", "--cidr-block", "10.1.0.0/16"])["Vpc"]["VpcId"]
        .as_str()
        .expect("vpc id")
        .to_string();
    let mut subnets = Vec::new();
    for cidr in ["10.1.1.0/24", "10.1.2.0/24"] {
        let s = moto.aws(&[
            "ec2",
            "create-subnet",
            "--vpc-id",
            &vpc,
            "--cidr-block",
            cidr,
        ]);
        subnets.push(
            s["Subnet"]["SubnetId"]
                .as_str()
                .expect("subnet id")
                .to_string(),
        );
    }
    let igw = moto.aws(&["ec2", "create-internet-gateway"])["InternetGateway"]["InternetGatewayId"]
        .as_str()
        .expect("igw id")
        .to_string();
    moto.aws(&[
        "ec2",
        "attach-internet-gateway",
        "--internet-gateway-id",
        &igw,
        "--vpc-id",
        &vpc,
    ]);
    let sg = moto.aws(&[
        "ec2",
        "create-security-group",
        "--group-name",
        "web",
        "--description",
        "web",
        "--vpc-id",
        &vpc,
    ])["GroupId"]
        .as_str()
        .expect("sg id")
        .to_string();
    moto.aws(&[
        "ec2",
        "authorize-security-group-ingress",
        "--group-id",
        &sg,
        "--protocol",
        "tcp",
        "--port",
        "443",
        "--cidr",
        "0.0.0.0/0",
    ]);
    // One call per instance: moto attaches the instance profile to the first instance of a
    // multi-instance launch only.
    for _ in 0..2 {
        moto.aws(&[
            "ec2",
            "run-instances",
            "--image-id",
            AMI,
            "--count",
            "1",
            "--instance-type",
            "t3.micro",
            "--subnet-id",
            &subnets[0],
            "--security-group-ids",
            &sg,
            "--iam-instance-profile",
            "Name=web",
        ]);
    }

    let key = moto.aws(&["kms", "create-key", "--description", "lp"])["KeyMetadata"]["KeyId"]
        .as_str()
        .expect("key id")
        .to_string();

    let zip = dir.join("fn.zip");
    // A minimal zip holding one empty file (stored, no compression), written by hand.
    std::fs::write(&zip, minimal_zip()).expect("zip");
    let zip = format!("fileb://{}", zip.display());
    moto.aws(&[
        "lambda",
        "create-function",
        "--function-name",
        "orders",
        "--runtime",
        "python3.12",
        "--role",
        &format!("arn:aws:iam::{ACCOUNT}:role/fn"),
        "--handler",
        "app.handler",
        "--zip-file",
        &zip,
    ]);
    moto.aws(&[
        "lambda",
        "create-function-url-config",
        "--function-name",
        "orders",
        "--auth-type",
        "NONE",
    ]);

    Created {
        users: 2,
        groups: 1,
        roles: 3,
        buckets,
        instances: 2,
        vpc,
        subnets,
        security_group: sg,
        key,
    }
}

/// A valid zip archive with a single empty file `app.py` (stored).
fn minimal_zip() -> Vec<u8> {
    let name = b"app.py";
    let mut z = Vec::new();
    // Local file header.
    z.extend_from_slice(&[0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    z.extend_from_slice(&[0; 4]); // crc32 of empty data
    z.extend_from_slice(&[0; 8]); // sizes
    z.extend_from_slice(&(name.len() as u16).to_le_bytes());
    z.extend_from_slice(&[0, 0]);
    z.extend_from_slice(name);
    let central = z.len() as u32;
    // Central directory header.
    z.extend_from_slice(&[0x50, 0x4b, 0x01, 0x02, 20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    z.extend_from_slice(&[0; 4]);
    z.extend_from_slice(&[0; 8]);
    z.extend_from_slice(&(name.len() as u16).to_le_bytes());
    z.extend_from_slice(&[0; 12]); // extra, comment, disk, attrs
    z.extend_from_slice(&0u32.to_le_bytes()); // local header offset
    z.extend_from_slice(name);
    let central_len = z.len() as u32 - central;
    // End of central directory.
    z.extend_from_slice(&[0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 1, 0, 1, 0]);
    z.extend_from_slice(&central_len.to_le_bytes());
    z.extend_from_slice(&central.to_le_bytes());
    z.extend_from_slice(&[0, 0]);
    z
}

fn collect(moto: &Moto, out: &Path) -> Output {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/export-aws.sh");
    let mut cmd = Command::new("bash");
    moto.env(&mut cmd);
    cmd.arg(script)
        .args([
            "--endpoint-url",
            &moto.endpoint,
            "--regions",
            "us-east-1",
            "--max-items",
            "50",
            "--samples",
            "2",
        ])
        .arg(out);
    run_bounded(cmd, Duration::from_secs(600))
}

#[test]
fn collector_exports_what_was_created() {
    if !on_path("moto_server") || !on_path("aws") {
        eprintln!("SKIPPED: moto_server not installed (pip install 'moto[server]' awscli)");
        return;
    }
    let moto = Moto::start();
    let work = tempfile::tempdir().expect("temp dir");
    let created = populate(&moto, work.path());
    let out = work.path().join("export");
    let run = collect(&moto, &out);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "collector failed: {stderr}");

    // Collector errors: moto cannot serve s3control through a custom endpoint (the CLI
    // prefixes the account id to the host name), so that one file is reported missing.
    let errors =
        std::fs::read_to_string(out.join("collector-errors.txt")).expect("collector-errors.txt");
    for line in errors.lines() {
        assert!(
            line.starts_with(&format!("accounts/{ACCOUNT}/s3control/")),
            "unexpected collector error: {line}"
        );
    }

    let acc = out.join("accounts").join(ACCOUNT);

    // Organization.
    let org = read_json(&out.join("organizations/describe-organization.json"));
    assert_eq!(org["Organization"]["MasterAccountId"], ACCOUNT);
    let accounts = read_json(&out.join("organizations/list-accounts.json"));
    assert_eq!(len(&accounts, "Accounts"), 1);
    assert!(out
        .join(format!("organizations/parents/{ACCOUNT}.json"))
        .is_file());
    let scp_dir = out.join("organizations/policies/p-FullAWSAccess");
    assert!(scp_dir.join("describe-policy.json").is_file());
    assert!(
        len(
            &read_json(&scp_dir.join("list-targets-for-policy.json")),
            "Targets"
        ) >= 1
    );

    // IAM.
    let gaad = read_json(&acc.join("iam/get-account-authorization-details.json"));
    assert_eq!(len(&gaad, "UserDetailList"), created.users);
    assert_eq!(len(&gaad, "GroupDetailList"), created.groups);
    assert_eq!(len(&gaad, "RoleDetailList"), created.roles);
    let web = gaad["RoleDetailList"]
        .as_array()
        .and_then(|roles| roles.iter().find(|r| r["RoleName"] == "web"))
        .expect("role web");
    assert_eq!(len(web, "InstanceProfileList"), 1);
    assert_eq!(len(web, "RolePolicyList"), 1);
    let analysts = &gaad["GroupDetailList"][0];
    assert_eq!(
        analysts["GroupPolicyList"][0]["PolicyName"],
        "customers-read"
    );

    // S3.
    let listing = read_json(&acc.join("s3/list-buckets.json"));
    let mut names: Vec<&str> = listing["Buckets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| b["Name"].as_str())
        .collect();
    names.sort_unstable();
    let mut want = created.buckets.clone();
    want.sort_unstable();
    assert_eq!(names, want);
    for bucket in &created.buckets {
        for file in [
            "get-bucket-policy",
            "get-bucket-acl",
            "get-public-access-block",
            "get-bucket-ownership-controls",
            "get-bucket-encryption",
            "get-bucket-location",
            "list-objects-v2",
        ] {
            let p = acc.join(format!("s3/buckets/{bucket}/{file}.json"));
            assert!(p.is_file(), "missing {}", p.display());
        }
    }
    let bucket = |b: &str, f: &str| read_json(&acc.join(format!("s3/buckets/{b}/{f}.json")));
    // "Collected, none" is `{}`; a policy is the CLI's {"Policy": "<json string>"}.
    assert_eq!(
        bucket("lp-customers", "get-bucket-policy"),
        serde_json::json!({})
    );
    let public = bucket("lp-public", "get-bucket-policy");
    let text = public["Policy"].as_str().expect("Policy is a JSON string");
    assert!(text.contains("\"Principal\""), "{text}");
    assert_eq!(
        bucket("lp-public", "get-public-access-block"),
        serde_json::json!({})
    );
    assert_eq!(
        bucket("lp-customers", "get-public-access-block")["PublicAccessBlockConfiguration"]
            ["RestrictPublicBuckets"],
        true
    );
    assert_eq!(
        bucket("lp-customers", "get-bucket-location")["LocationConstraint"],
        Value::Null
    );
    assert_eq!(
        bucket("lp-logs-eu", "get-bucket-location")["LocationConstraint"],
        "eu-west-1"
    );
    assert_eq!(
        len(&bucket("lp-customers", "list-objects-v2"), "Contents"),
        1
    );
    let sample = acc.join("s3/buckets/lp-customers/samples/exports__customers.csv");
    assert_eq!(
        std::fs::read_to_string(&sample).unwrap_or_default(),
        "id,name,email\n1,Jane Doe,jane@example.com\n",
        "{}",
        sample.display()
    );

    // EC2 (moto also has a default VPC with default subnets and security groups).
    let ec2 = |f: &str| read_json(&acc.join(format!("ec2/us-east-1/describe-{f}.json")));
    let ids = |v: &Value, list: &str, key: &str| -> Vec<String> {
        v[list]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x[key].as_str().map(str::to_string))
            .collect()
    };
    assert!(ids(&ec2("vpcs"), "Vpcs", "VpcId").contains(&created.vpc));
    let subnets = ids(&ec2("subnets"), "Subnets", "SubnetId");
    assert!(
        created.subnets.iter().all(|s| subnets.contains(s)),
        "{subnets:?}"
    );
    assert!(
        ids(&ec2("security-groups"), "SecurityGroups", "GroupId").contains(&created.security_group)
    );
    let instances: Vec<Value> = ec2("instances")["Reservations"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["Instances"].as_array().cloned().unwrap_or_default())
        .collect();
    assert_eq!(instances.len(), created.instances);
    for i in &instances {
        assert_eq!(i["SubnetId"], created.subnets[0].as_str());
        assert!(i["IamInstanceProfile"]["Arn"]
            .as_str()
            .is_some_and(|a| a.ends_with("instance-profile/web")));
    }
    for f in [
        "route-tables",
        "network-acls",
        "internet-gateways",
        "nat-gateways",
        "vpc-endpoints",
    ] {
        assert!(
            acc.join(format!("ec2/us-east-1/describe-{f}.json"))
                .is_file(),
            "{f}"
        );
    }

    // KMS.
    let keys = read_json(&acc.join("kms/us-east-1/list-keys.json"));
    assert_eq!(ids(&keys, "Keys", "KeyId"), vec![created.key.clone()]);
    let key_dir = acc.join(format!("kms/us-east-1/keys/{}", created.key));
    assert!(read_json(&key_dir.join("get-key-policy.json"))["Policy"].is_string());
    assert_eq!(
        read_json(&key_dir.join("describe-key.json"))["KeyMetadata"]["KeyId"],
        created.key.as_str()
    );

    // Lambda: a URL with auth NONE; no resource policy is "collected, none".
    let functions = read_json(&acc.join("lambda/us-east-1/list-functions.json"));
    assert_eq!(
        ids(&functions, "Functions", "FunctionName"),
        vec!["orders".to_string()]
    );
    let fdir = acc.join("lambda/us-east-1/functions/orders");
    assert_eq!(
        read_json(&fdir.join("get-function-url-config.json"))["AuthType"],
        "NONE"
    );
    assert_eq!(
        read_json(&fdir.join("get-policy.json")),
        serde_json::json!({})
    );

    // The export loads: `leakpath inventory --json` counts what was created.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_leakpath"));
    cmd.arg("inventory").arg(&out).arg("--json");
    let inv = run_bounded(cmd, Duration::from_secs(120));
    assert!(
        inv.status.success(),
        "inventory failed: {}",
        String::from_utf8_lossy(&inv.stderr)
    );
    let inv: Value = serde_json::from_slice(&inv.stdout).expect("inventory --json prints JSON");
    let counts = &inv["counts"];
    let vpcs_seen = ids(&ec2("vpcs"), "Vpcs", "VpcId").len();
    for (key, want) in [
        ("accounts", 1),
        ("users", created.users),
        ("groups", created.groups),
        ("roles", created.roles),
        ("instance_profiles", 1),
        ("buckets", created.buckets.len()),
        ("instances", created.instances),
        ("kms_keys", 1),
        ("lambda_functions", 1),
        ("vpcs", vpcs_seen),
        ("scps", 1),
    ] {
        assert_eq!(counts[key], want, "inventory count {key}: {counts}");
    }
    assert_eq!(inv["organization"]["management_account"], ACCOUNT);
    assert_eq!(
        inv["warnings"].as_array().map(Vec::len),
        Some(0),
        "{}",
        inv["warnings"]
    );
}
