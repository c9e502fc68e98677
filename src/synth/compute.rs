//! `ec2/`, `kms/` and `lambda/` files for one generated account: one VPC with public and
//! private subnets, an instance per EC2 role, KMS keys, a function per Lambda role.

use super::iam::instance_profile_id;
use super::plan::{KeyShare, Plan, RolePlan, Trust, FOREIGN_ACCOUNT, OFFICE_CIDR, REGION};
use super::rng::SplitMix64;
use super::{compact, SynthError, Writer};
use serde_json::{json, Value};

pub fn write(plan: &Plan, a: usize, out: &mut Writer) -> Result<(), SynthError> {
    let account = plan.account_id(a).to_string();
    let mut rng = plan.rng.fork(&format!("compute/{account}"));
    network(plan, a, &account, &mut rng, out)?;
    kms(plan, a, &account, out)?;
    lambda(plan, a, &account, &mut rng, out)
}

fn id(rng: &mut SplitMix64, prefix: &str) -> String {
    format!("{prefix}-0{}", rng.hex(16))
}

fn tags(name: &str) -> Value {
    json!([{"Key": "Name", "Value": name}])
}

fn sg_rule(proto: &str, port: Option<u16>, cidrs: &[&str]) -> Value {
    let mut r = json!({"IpProtocol": proto});
    if let Some(p) = port {
        r["FromPort"] = json!(p);
        r["ToPort"] = json!(p);
    }
    r["IpRanges"] = json!(cidrs
        .iter()
        .map(|c| json!({"CidrIp": c}))
        .collect::<Vec<_>>());
    r["Ipv6Ranges"] = json!([]);
    r["PrefixListIds"] = json!([]);
    r["UserIdGroupPairs"] = json!([]);
    r
}

fn network(
    plan: &Plan,
    a: usize,
    account: &str,
    rng: &mut SplitMix64,
    out: &mut Writer,
) -> Result<(), SynthError> {
    let base = format!("accounts/{account}/ec2/{REGION}/");
    let octet = 10 + a % 200;
    let vpc = id(rng, "vpc");
    let igw = id(rng, "igw");
    let nat = id(rng, "nat");
    let vpce = id(rng, "vpce");
    // public-a, public-b, private-a, private-b
    let subnets: Vec<(String, String, &str, bool)> = (0..4)
        .map(|i| {
            (
                id(rng, "subnet"),
                format!("10.{octet}.{i}.0/24"),
                if i % 2 == 0 {
                    "us-east-1a"
                } else {
                    "us-east-1b"
                },
                i < 2,
            )
        })
        .collect();
    let rtb_main = id(rng, "rtb");
    let rtb_public = id(rng, "rtb");
    let rtb_private = id(rng, "rtb");
    let acl_default = id(rng, "acl");
    let acl_restricted = id(rng, "acl");
    let sg_default = id(rng, "sg");
    let sg_web = id(rng, "sg");
    let sg_internal = id(rng, "sg");
    let sg_ssh = id(rng, "sg");
    let vpc_cidr = format!("10.{octet}.0.0/16");

    out.json(format!("{base}describe-vpcs.json"), &json!({"Vpcs": [{
        "CidrBlock": vpc_cidr, "DhcpOptionsId": id(rng, "dopt"), "State": "available", "VpcId": vpc,
        "OwnerId": account, "InstanceTenancy": "default",
        "CidrBlockAssociationSet": [{"AssociationId": id(rng, "vpc-cidr-assoc"), "CidrBlock": vpc_cidr,
                                     "CidrBlockState": {"State": "associated"}}],
        "IsDefault": false, "Tags": tags("main")}]}))?;
    out.json(
        format!("{base}describe-subnets.json"),
        &json!({"Subnets": subnets.iter().enumerate().map(|(i, (sid, cidr, az, public))| json!({
            "AvailabilityZone": az, "AvailableIpAddressCount": 250, "CidrBlock": cidr, "DefaultForAz": false,
            "MapPublicIpOnLaunch": public, "State": "available", "SubnetId": sid, "VpcId": vpc,
            "OwnerId": account, "AssignIpv6AddressOnCreation": false, "Ipv6CidrBlockAssociationSet": [],
            "Tags": tags(&format!("{}-{i}", if *public { "public" } else { "private" })),
            "SubnetArn": format!("arn:aws:ec2:{REGION}:{account}:subnet/{sid}")})).collect::<Vec<_>>()}),
    )?;
    out.json(format!("{base}describe-internet-gateways.json"), &json!({"InternetGateways": [{
        "Attachments": [{"State": "available", "VpcId": vpc}], "InternetGatewayId": igw, "OwnerId": account,
        "Tags": tags("main-igw")}]}))?;
    out.json(format!("{base}describe-nat-gateways.json"), &json!({"NatGateways": [{
        "CreateTime": "2023-03-02T10:11:12+00:00",
        "NatGatewayAddresses": [{"AllocationId": id(rng, "eipalloc"), "NetworkInterfaceId": id(rng, "eni"),
                                 "PrivateIp": format!("10.{octet}.0.10"), "PublicIp": format!("3.{}.{}.7", 200 + a % 50, a % 250),
                                 "IsPrimary": true, "Status": "succeeded"}],
        "NatGatewayId": nat, "State": "available", "SubnetId": subnets[0].0, "VpcId": vpc,
        "Tags": tags("main-nat"), "ConnectivityType": "public"}]}))?;

    let local = json!({"DestinationCidrBlock": vpc_cidr, "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"});
    let assoc = |rng: &mut SplitMix64, table: &str, subnet: Option<&str>| {
        let mut v = json!({"Main": subnet.is_none(), "RouteTableAssociationId": id(rng, "rtbassoc"), "RouteTableId": table});
        if let Some(s) = subnet {
            v["SubnetId"] = json!(s);
        }
        v["AssociationState"] = json!({"State": "associated"});
        v
    };
    let public_assocs: Vec<Value> = subnets
        .iter()
        .filter(|s| s.3)
        .map(|s| assoc(rng, &rtb_public, Some(&s.0)))
        .collect();
    let private_assocs: Vec<Value> = subnets
        .iter()
        .filter(|s| !s.3)
        .map(|s| assoc(rng, &rtb_private, Some(&s.0)))
        .collect();
    let main_assoc = assoc(rng, &rtb_main, None);
    out.json(format!("{base}describe-route-tables.json"), &json!({"RouteTables": [
        {"Associations": [main_assoc], "PropagatingVgws": [], "RouteTableId": rtb_main, "Routes": [local],
         "Tags": [], "VpcId": vpc, "OwnerId": account},
        {"Associations": public_assocs, "PropagatingVgws": [], "RouteTableId": rtb_public,
         "Routes": [local, {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw, "Origin": "CreateRoute", "State": "active"}],
         "Tags": tags("public"), "VpcId": vpc, "OwnerId": account},
        {"Associations": private_assocs, "PropagatingVgws": [], "RouteTableId": rtb_private,
         "Routes": [local,
                    {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": nat, "Origin": "CreateRoute", "State": "active"},
                    {"DestinationPrefixListId": "pl-63a5400a", "GatewayId": vpce, "Origin": "CreateRoute", "State": "active"}],
         "Tags": tags("private"), "VpcId": vpc, "OwnerId": account}]}))?;

    let entry = |rule: u32, egress: bool, cidr: &str, action: &str| json!({"CidrBlock": cidr, "Egress": egress, "Protocol": "-1", "RuleAction": action, "RuleNumber": rule});
    // The second public subnet sits behind a NACL that admits only the corporate network.
    out.json(format!("{base}describe-network-acls.json"), &json!({"NetworkAcls": [
        {"Associations": subnets.iter().enumerate().filter(|(i, _)| *i != 1).map(|(_, s)| json!({
            "NetworkAclAssociationId": id(rng, "aclassoc"), "NetworkAclId": acl_default, "SubnetId": s.0})).collect::<Vec<_>>(),
         "Entries": [entry(100, true, "0.0.0.0/0", "allow"), entry(32767, true, "0.0.0.0/0", "deny"),
                     entry(100, false, "0.0.0.0/0", "allow"), entry(32767, false, "0.0.0.0/0", "deny")],
         "IsDefault": true, "NetworkAclId": acl_default, "Tags": [], "VpcId": vpc, "OwnerId": account},
        {"Associations": [{"NetworkAclAssociationId": id(rng, "aclassoc"), "NetworkAclId": acl_restricted,
                           "SubnetId": subnets[1].0}],
         "Entries": [entry(100, true, "0.0.0.0/0", "allow"), entry(32767, true, "0.0.0.0/0", "deny"),
                     entry(100, false, "10.0.0.0/8", "allow"), entry(32767, false, "0.0.0.0/0", "deny")],
         "IsDefault": false, "NetworkAclId": acl_restricted, "Tags": tags("restricted"), "VpcId": vpc, "OwnerId": account}]}))?;

    let egress_all = json!([sg_rule("-1", None, &["0.0.0.0/0"])]);
    let group = |name: &str, gid: &str, ingress: Value| {
        json!({"Description": name, "GroupName": name, "IpPermissions": ingress, "OwnerId": account,
               "GroupId": gid, "IpPermissionsEgress": egress_all, "Tags": tags(name), "VpcId": vpc})
    };
    out.json(format!("{base}describe-security-groups.json"), &json!({"SecurityGroups": [
        group("default", &sg_default, json!([{"IpProtocol": "-1", "IpRanges": [], "Ipv6Ranges": [], "PrefixListIds": [],
                                              "UserIdGroupPairs": [{"GroupId": sg_default, "UserId": account}]}])),
        group("web", &sg_web, json!([sg_rule("tcp", Some(443), &["0.0.0.0/0"]), sg_rule("tcp", Some(80), &["0.0.0.0/0"])])),
        group("internal", &sg_internal, json!([sg_rule("tcp", Some(443), &["10.0.0.0/8"]), sg_rule("tcp", Some(5432), &["10.0.0.0/8"])])),
        group("ssh-office", &sg_ssh, json!([sg_rule("tcp", Some(22), &[OFFICE_CIDR])])),
    ]}))?;

    let endpoint_policy = json!({"Version": "2008-10-17", "Statement": [{
        "Sid": "OrgBucketsOnly", "Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceOrgID": plan.org_id}}}]});
    out.json(format!("{base}describe-vpc-endpoints.json"), &json!({"VpcEndpoints": [{
        "VpcEndpointId": vpce, "VpcEndpointType": "Gateway", "VpcId": vpc,
        "ServiceName": format!("com.amazonaws.{REGION}.s3"), "State": "available",
        "PolicyDocument": compact(&endpoint_policy), "RouteTableIds": [rtb_private], "SubnetIds": [],
        "Groups": [], "PrivateDnsEnabled": false, "RequesterManaged": false, "NetworkInterfaceIds": [],
        "DnsEntries": [], "CreationTimestamp": "2023-03-02T10:20:00+00:00", "OwnerId": account}]}))?;

    // One instance per EC2 role.
    let mut reservations = Vec::new();
    let ec2_roles: Vec<&RolePlan> = plan
        .roles
        .iter()
        .filter(|r| r.account == a && r.trust == Trust::Service("ec2.amazonaws.com"))
        .collect();
    for (i, r) in ec2_roles.iter().enumerate() {
        let iid = id(rng, "i");
        // Public instances: the open public subnet, or (one in five) the NACL-restricted one.
        let subnet = if r.public_instance {
            if rng.percent(20) {
                &subnets[1]
            } else {
                &subnets[0]
            }
        } else {
            &subnets[2 + rng.below(2)]
        };
        let (sg_name, sg_id) = if r.public_instance {
            if rng.percent(80) {
                ("web", &sg_web)
            } else {
                ("ssh-office", &sg_ssh)
            }
        } else {
            ("internal", &sg_internal)
        };
        let prefix = subnet.1.trim_end_matches("0/24");
        let private_ip = format!("{prefix}{}", 10 + i % 240);
        let private_dns = format!("ip-{}.ec2.internal", private_ip.replace('.', "-"));
        let public_ip = r
            .public_instance
            .then(|| format!("54.{}.{}.{}", 100 + a % 100, (i / 250) % 250, 1 + i % 250));
        let public_dns = public_ip
            .as_ref()
            .map(|p| format!("ec2-{}.compute-1.amazonaws.com", p.replace('.', "-")))
            .unwrap_or_default();
        let groups = json!([{"GroupName": sg_name, "GroupId": sg_id}]);
        let mut eni = json!({});
        if let Some(p) = &public_ip {
            eni["Association"] =
                json!({"IpOwnerId": "amazon", "PublicDnsName": public_dns, "PublicIp": p});
        }
        eni["Attachment"] = json!({"AttachTime": "2024-05-01T12:00:00+00:00", "AttachmentId": id(rng, "eni-attach"),
                                   "DeleteOnTermination": true, "DeviceIndex": 0, "Status": "attached", "NetworkCardIndex": 0});
        eni["Description"] = json!("");
        eni["Groups"] = groups.clone();
        eni["Ipv6Addresses"] = json!([]);
        eni["MacAddress"] = json!(format!(
            "0e:{}:{}:{}:{}:{}",
            rng.hex(2),
            rng.hex(2),
            rng.hex(2),
            rng.hex(2),
            rng.hex(2)
        ));
        eni["NetworkInterfaceId"] = json!(id(rng, "eni"));
        eni["OwnerId"] = json!(account);
        eni["PrivateDnsName"] = json!(private_dns);
        eni["PrivateIpAddress"] = json!(private_ip);
        eni["PrivateIpAddresses"] = json!([{"Primary": true, "PrivateDnsName": private_dns, "PrivateIpAddress": private_ip}]);
        eni["SourceDestCheck"] = json!(true);
        eni["Status"] = json!("in-use");
        eni["SubnetId"] = json!(subnet.0);
        eni["VpcId"] = json!(vpc);
        eni["InterfaceType"] = json!("interface");
        let instance_type = ["t3.medium", "m5.large", "c6i.xlarge"][rng.below(3)];
        let mut inst = json!({
            "AmiLaunchIndex": 0, "ImageId": "ami-0c7217cdde317cfec", "InstanceId": iid,
            "InstanceType": instance_type, "KeyName": "ops",
            "LaunchTime": "2024-05-01T12:00:00+00:00", "Monitoring": {"State": "disabled"},
            "Placement": {"AvailabilityZone": subnet.2, "GroupName": "", "Tenancy": "default"},
            "PrivateDnsName": private_dns, "PrivateIpAddress": private_ip, "ProductCodes": [],
            "PublicDnsName": public_dns,
        });
        if let Some(p) = &public_ip {
            inst["PublicIpAddress"] = json!(p);
        }
        inst["State"] = json!({"Code": 16, "Name": "running"});
        inst["StateTransitionReason"] = json!("");
        inst["SubnetId"] = json!(subnet.0);
        inst["VpcId"] = json!(vpc);
        inst["Architecture"] = json!("x86_64");
        inst["IamInstanceProfile"] = json!({"Arn": format!("arn:aws:iam::{account}:instance-profile/{}", r.name),
                                            "Id": instance_profile_id(plan, r)});
        inst["NetworkInterfaces"] = json!([eni]);
        inst["RootDeviceName"] = json!("/dev/xvda");
        inst["RootDeviceType"] = json!("ebs");
        inst["SecurityGroups"] = groups;
        inst["SourceDestCheck"] = json!(true);
        inst["Tags"] = json!([{"Key": "Name", "Value": r.name}, {"Key": "team", "Value": r.team}]);
        inst["VirtualizationType"] = json!("hvm");
        inst["MetadataOptions"] = json!({"State": "applied", "HttpTokens": "required", "HttpPutResponseHopLimit": 2,
                                         "HttpEndpoint": "enabled"});
        reservations.push(
            json!({"Groups": [], "Instances": [inst], "OwnerId": account,
                                 "ReservationId": id(rng, "r")}),
        );
    }
    out.json(
        format!("{base}describe-instances.json"),
        &json!({"Reservations": reservations}),
    )
}

fn kms(plan: &Plan, a: usize, account: &str, out: &mut Writer) -> Result<(), SynthError> {
    let base = format!("accounts/{account}/kms/{REGION}/");
    let keys: Vec<(usize, &super::plan::KeyPlan)> = plan
        .keys
        .iter()
        .enumerate()
        .filter(|(_, k)| k.account == a)
        .collect();
    out.json(
        format!("{base}list-keys.json"),
        &json!({"Keys": keys.iter().map(|(i, k)| json!({"KeyId": k.id, "KeyArn": plan.key_arn(*i)})).collect::<Vec<_>>()}),
    )?;
    for (i, k) in keys {
        let mut statements = vec![
            json!({"Sid": "Enable IAM User Permissions", "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{account}:root")}, "Action": "kms:*", "Resource": "*"}),
        ];
        let shared = match k.shared_with {
            Some(KeyShare::OrgAccount(o)) => Some(plan.account_id(o).to_string()),
            Some(KeyShare::Foreign) => Some(FOREIGN_ACCOUNT.to_string()),
            None => None,
        };
        if let Some(other) = shared {
            statements.push(json!({"Sid": "Allow use of the key", "Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{other}:root")},
                "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*"], "Resource": "*"}));
        }
        let policy =
            json!({"Version": "2012-10-17", "Id": "key-default-1", "Statement": statements});
        let kb = format!("{base}keys/{}/", k.id);
        out.json(
            format!("{kb}get-key-policy.json"),
            &json!({"Policy": compact(&policy), "PolicyName": "default"}),
        )?;
        out.json(format!("{kb}describe-key.json"), &json!({"KeyMetadata": {
            "AWSAccountId": account, "KeyId": k.id, "Arn": plan.key_arn(i),
            "CreationDate": "2023-04-14T09:12:44.512000+00:00", "Enabled": true, "Description": "",
            "KeyUsage": "ENCRYPT_DECRYPT", "KeyState": "Enabled", "Origin": "AWS_KMS", "KeyManager": "CUSTOMER",
            "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT", "KeySpec": "SYMMETRIC_DEFAULT",
            "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"], "MultiRegion": false}}))?;
    }
    Ok(())
}

fn lambda(
    plan: &Plan,
    a: usize,
    account: &str,
    rng: &mut SplitMix64,
    out: &mut Writer,
) -> Result<(), SynthError> {
    let base = format!("accounts/{account}/lambda/{REGION}/");
    let roles: Vec<&RolePlan> = plan
        .roles
        .iter()
        .filter(|r| r.account == a && r.trust == Trust::Service("lambda.amazonaws.com"))
        .collect();
    let mut functions = Vec::new();
    for r in &roles {
        let name = r.name.replace("-fn-", "-");
        let arn = format!("arn:aws:lambda:{REGION}:{account}:function:{name}");
        let revision = format!(
            "{}-{}-{}-{}-{}",
            rng.hex(8),
            rng.hex(4),
            rng.hex(4),
            rng.hex(4),
            rng.hex(12)
        );
        functions.push(json!({
            "FunctionName": name, "FunctionArn": arn, "Runtime": "python3.12", "Role": plan.role_arn(r),
            "Handler": "app.handler", "CodeSize": 4096 + rng.below(100_000), "Description": "",
            "Timeout": 30, "MemorySize": 256, "LastModified": "2024-05-20T08:15:30.000+0000",
            "CodeSha256": format!("{}=", rng.hex(43)), "Version": "$LATEST",
            "TracingConfig": {"Mode": "PassThrough"}, "RevisionId": revision, "PackageType": "Zip",
            "Architectures": ["x86_64"], "EphemeralStorage": {"Size": 512},
        }));
        let fb = format!("{base}functions/{name}/");
        let url_auth = if r.url_none {
            Some("NONE")
        } else if rng.percent(5) {
            Some("AWS_IAM")
        } else {
            None
        };
        let policy = if r.url_none {
            json!({"Policy": compact(&json!({"Version": "2012-10-17", "Id": "default", "Statement": [{
                "Sid": "FunctionURLAllowPublicAccess", "Effect": "Allow", "Principal": "*",
                "Action": "lambda:InvokeFunctionUrl", "Resource": arn,
                "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}}]})), "RevisionId": revision})
        } else if rng.percent(20) {
            json!({"Policy": compact(&json!({"Version": "2012-10-17", "Id": "default", "Statement": [{
                "Sid": "AllowApiGateway", "Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"},
                "Action": "lambda:InvokeFunction", "Resource": arn,
                "Condition": {"ArnLike": {"AWS:SourceArn": format!("arn:aws:execute-api:{REGION}:{account}:{}/*", rng.hex(10))}}}]})),
                   "RevisionId": revision})
        } else {
            json!({})
        };
        out.json(format!("{fb}get-policy.json"), &policy)?;
        out.json(
            format!("{fb}get-function-url-config.json"),
            &match url_auth {
                Some(auth) => json!({
                    "FunctionUrl": format!("https://{}.lambda-url.{REGION}.on.aws/", rng.hex(32)),
                    "FunctionArn": arn, "AuthType": auth,
                    "CreationTime": "2024-05-20T08:20:00.000000Z", "LastModifiedTime": "2024-05-20T08:20:00.000000Z",
                    "InvokeMode": "BUFFERED"}),
                None => json!({}),
            },
        )?;
    }
    out.json(
        format!("{base}list-functions.json"),
        &json!({"Functions": functions}),
    )
}
