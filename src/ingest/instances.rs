//! The fast path for `describe-instances`, an export's largest file after the GAAD: typed
//! records borrowed from the text (see `gaad.rs` for the approach), loaded with the checks
//! of `ec2::parse_instances`, in its order, with its errors and warnings. A file the records
//! refuse goes through the `Value` path.

use super::builder::Builder;
use super::ec2::{
    add_instance, check_ec2_id, parse_instances, parse_ip, unless_unreadable, GroupIds, IGNORED,
    KEPT_AS_WRITTEN,
};
use super::json::{json_text, parse_json_text, Node};
use super::records::{invalid, parse_record, record, req, ArnRec, Cx, Record, Text, Truncation};
use super::IngestError;
use crate::model::{Arn, Instance};
use serde::de::MapAccess;
use std::net::IpAddr;

/// Loads `rel` (a `describe-instances` output) if the export has it; `Ok(false)` when it
/// is absent or empty (not collected).
pub(crate) fn load_instances_file(
    b: &mut Builder,
    rel: &str,
    account: &str,
    region: &str,
) -> Result<bool, IngestError> {
    let Some(bytes) = b.read_bytes(rel)? else {
        return Ok(false);
    };
    let Some(text) = json_text(&bytes, rel)? else {
        b.note_empty(rel);
        return Ok(false);
    };
    match parse_record::<InstancesDoc>(text) {
        Ok(doc) => {
            if doc.truncation.truncated() {
                b.truncated(rel, Some(account), Some(region));
            }
            load_instances_doc(b, doc, rel, account, region)?;
        }
        Err(_) => {
            let v = parse_json_text(text, rel)?;
            let n = Node::root(&v, rel);
            b.note_truncation(&n, Some(account), Some(region))?;
            parse_instances(b, &n, account, region)?;
        }
    }
    Ok(true)
}

#[derive(Default)]
struct InstancesDoc<'a> {
    truncation: Truncation,
    reservations: Option<Vec<ReservationRec<'a>>>,
}

impl<'de> Record<'de> for InstancesDoc<'de> {
    fn field<A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
        cx: Cx<'_>,
    ) -> Result<bool, A::Error> {
        match key {
            "Reservations" => self.reservations = cx.next(map)?,
            _ => return self.truncation.field(key, map, cx),
        }
        Ok(true)
    }
}

record! {
    struct ReservationRec<'a> {
        "Instances" => instances: Option<Vec<InstanceRec<'a>>>,
    }

    struct InstanceRec<'a> {
        "InstanceId" => instance_id: Option<Text<'a>>,
        "SecurityGroups" => security_groups: Option<Vec<GroupRef<'a>>>,
        "NetworkInterfaces" => interfaces: Option<Vec<InterfaceRec<'a>>>,
        "IamInstanceProfile" => profile: Option<ArnRec<'a>>,
        "State" => state: Option<StateRec<'a>>,
        "MetadataOptions" => metadata: Option<MetadataRec<'a>>,
        "Tags" => tags: Option<Vec<TagRec<'a>>>,
        "SubnetId" => subnet_id: Option<Text<'a>>,
        "VpcId" => vpc_id: Option<Text<'a>>,
        "PublicIpAddress" => public_ip: Option<Text<'a>>,
        "PrivateIpAddress" => private_ip: Option<Text<'a>>,
    }

    struct GroupRef<'a> {
        "GroupId" => group_id: Option<Text<'a>>,
    }

    struct InterfaceRec<'a> {
        "Groups" => groups: Option<Vec<GroupRef<'a>>>,
        "Ipv6Addresses" => ipv6: Option<Vec<Ipv6Rec<'a>>>,
    }

    struct Ipv6Rec<'a> {
        "Ipv6Address" => address: Option<Text<'a>>,
    }

    struct StateRec<'a> {
        "Name" => name: Option<Text<'a>>,
    }

    struct MetadataRec<'a> {
        "HttpTokens" => http_tokens: Option<Text<'a>>,
    }

    struct TagRec<'a> {
        "Key" => key: Option<Text<'a>>,
        "Value" => value: Option<Text<'a>>,
    }
}

/// `ec2::ec2_id` for the string `s` at `pointer`.
fn ec2_id<'t>(s: &'t str, file: &str, pointer: String) -> Result<&'t str, IngestError> {
    check_ec2_id(s).map_err(|message| invalid(file, pointer, message))
}

/// `ec2::ip` for the string `s` at `pointer`.
fn ip(s: &str, file: &str, pointer: String) -> Result<IpAddr, IngestError> {
    parse_ip(s).map_err(|message| invalid(file, pointer, message))
}

/// `ec2::opt_ip` for the field `key` of the instance at `pointer`.
fn opt_ip(
    s: &Option<Text<'_>>,
    file: &str,
    pointer: &str,
    key: &str,
) -> Result<Option<IpAddr>, IngestError> {
    s.as_deref()
        .map(|s| ip(s, file, format!("{pointer}/{key}")))
        .transpose()
}

/// Loads the instances of a `describe-instances` output parsed into records:
/// `ec2::parse_instances` on the same document.
fn load_instances_doc(
    b: &mut Builder,
    doc: InstancesDoc<'_>,
    file: &str,
    account: &str,
    region: &str,
) -> Result<(), IngestError> {
    let account = b.intern(account);
    let region = b.intern(region);
    for (ri, res) in doc.reservations.iter().flatten().enumerate() {
        for (ii, i) in res.instances.iter().flatten().enumerate() {
            let ptr = format!("/Reservations/{ri}/Instances/{ii}");
            let id_s = req(&i.instance_id, file, &ptr, "InstanceId")?;
            let id = b.intern(ec2_id(id_s, file, format!("{ptr}/InstanceId"))?);
            b.claim_at("instance", None, id, file, &ptr)?;
            let mut security_groups = GroupIds::default();
            // `Node::field_list` reads every id before any is used.
            let mut ids = Vec::new();
            for (k, g) in i.security_groups.iter().flatten().enumerate() {
                ids.push(req(
                    &g.group_id,
                    file,
                    &format!("{ptr}/SecurityGroups/{k}"),
                    "GroupId",
                )?);
            }
            for g in ids {
                security_groups.add(b, g);
            }
            let mut ipv6_addresses = Vec::new();
            for (k, ni) in i.interfaces.iter().flatten().enumerate() {
                let ni_ptr = format!("{ptr}/NetworkInterfaces/{k}");
                let mut ids = Vec::new();
                for (m, g) in ni.groups.iter().flatten().enumerate() {
                    ids.push(req(
                        &g.group_id,
                        file,
                        &format!("{ni_ptr}/Groups/{m}"),
                        "GroupId",
                    )?);
                }
                for g in ids {
                    security_groups.add(b, g);
                }
                for (m, a) in ni.ipv6.iter().flatten().enumerate() {
                    let a_ptr = format!("{ni_ptr}/Ipv6Addresses/{m}");
                    let s = req(&a.address, file, &a_ptr, "Ipv6Address")?;
                    ipv6_addresses.push(ip(s, file, format!("{a_ptr}/Ipv6Address"))?);
                }
            }
            let instance_profile = match &i.profile {
                Some(p) => {
                    let p_ptr = format!("{ptr}/IamInstanceProfile");
                    let s = req(&p.arn, file, &p_ptr, "Arn")?;
                    if Arn::parse(s).is_none() {
                        return Err(invalid(
                            file,
                            format!("{p_ptr}/Arn"),
                            format!("invalid instance profile ARN {s:?}"),
                        ));
                    }
                    Some(b.intern(s))
                }
                None => None,
            };
            let state = i
                .state
                .as_ref()
                .and_then(|s| s.name.as_deref())
                .map(str::to_string);
            let metadata_http_tokens = i
                .metadata
                .as_ref()
                .and_then(|m| m.http_tokens.as_deref())
                .map(str::to_string);
            let mut name_tag = None;
            for t in i.tags.iter().flatten() {
                if t.key.as_deref() == Some("Name") {
                    name_tag = t.value.as_deref().map(str::to_string);
                }
            }
            let subnet = match i.subnet_id.as_deref() {
                Some(s) => Some(b.intern(ec2_id(s, file, format!("{ptr}/SubnetId"))?)),
                None => None,
            };
            let vpc = match i.vpc_id.as_deref() {
                Some(s) => Some(b.intern(ec2_id(s, file, format!("{ptr}/VpcId"))?)),
                None => None,
            };
            let public_ip = unless_unreadable(
                b,
                opt_ip(&i.public_ip, file, &ptr, "PublicIpAddress"),
                file,
                || format!("{ptr}/PublicIpAddress"),
                KEPT_AS_WRITTEN,
            );
            let private_ip = unless_unreadable(
                b,
                opt_ip(&i.private_ip, file, &ptr, "PrivateIpAddress"),
                file,
                || format!("{ptr}/PrivateIpAddress"),
                IGNORED,
            );
            let instance = Instance {
                id,
                account,
                region,
                state,
                subnet,
                vpc,
                public_ip,
                public_address: i.public_ip.as_deref().map(str::to_string),
                private_ip,
                ipv6_addresses,
                security_groups: security_groups.0,
                instance_profile,
                metadata_http_tokens,
                name_tag,
            };
            add_instance(b, instance, file, ptr);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::differential::{outcome, TwoPaths};
    use serde_json::{json, Value};

    const FILE: &str = "accounts/111122223333/ec2/us-east-1/describe-instances.json";

    fn instances_model(b: &Builder) -> String {
        format!("{:?}", b.model.instances)
    }

    /// The `Value` path (`ec2::parse_instances`), the reference, and the typed path.
    const PATHS: TwoPaths = TwoPaths {
        by_value: |text| {
            let run = |b: &mut Builder| -> Result<(), IngestError> {
                let v = parse_json_text(text, FILE)?;
                let n = Node::root(&v, FILE);
                b.note_truncation(&n, Some("111122223333"), Some("us-east-1"))?;
                parse_instances(b, &n, "111122223333", "us-east-1")
            };
            outcome(run, instances_model)
        },
        by_records: |text| {
            let doc = parse_record::<InstancesDoc>(text).ok()?;
            let run = |b: &mut Builder| {
                if doc.truncation.truncated() {
                    b.truncated(FILE, Some("111122223333"), Some("us-east-1"));
                }
                load_instances_doc(b, doc, FILE, "111122223333", "us-east-1")
            };
            Some(outcome(run, instances_model))
        },
    };

    fn check(text: &str, expect: bool) {
        PATHS.check(text, expect)
    }

    fn base() -> Value {
        json!({"Reservations": [
            {"ReservationId": "r-1", "Instances": [
                {"InstanceId": "i-1", "SubnetId": "subnet-1", "VpcId": "vpc-1",
                 "PublicIpAddress": "203.0.113.5", "PrivateIpAddress": "10.0.0.5",
                 "State": {"Code": 16, "Name": "running"},
                 "MetadataOptions": {"HttpTokens": "optional"},
                 "IamInstanceProfile": {"Arn": "arn:aws:iam::111122223333:instance-profile/web", "Id": "AIPA1"},
                 "SecurityGroups": [{"GroupName": "web", "GroupId": "sg-1"}, {"GroupId": "sg-2"}],
                 "NetworkInterfaces": [{"Groups": [{"GroupId": "sg-2"}, {"GroupId": "sg-3"}],
                    "Ipv6Addresses": [{"Ipv6Address": "2001:db8::1"}]}],
                 "Tags": [{"Key": "env", "Value": "prod"}, {"Key": "Name", "Value": "web-1"}]},
                {"InstanceId": "i-2", "PublicIpAddress": "not-an-ip", "PrivateIpAddress": "10.0.0.300"}
            ]},
            {"Instances": []}
        ], "NextToken": null})
    }

    #[test]
    fn the_base_document_loads_the_same_both_ways() {
        check(&base().to_string(), true);
        check(&serde_json::to_string_pretty(&base()).unwrap(), true);
        check(
            &base()
                .to_string()
                .replacen('{', "{\"NextToken\": \"t\", ", 1),
            true,
        );
        check("{}", true);
        check("[]", false);
    }

    /// Every node replaced by each JSON type, and every object field removed.
    #[test]
    fn mutated_documents_load_the_same_both_ways() {
        let replacements = [
            json!(null),
            json!(true),
            json!(7),
            json!("x"),
            json!("i-9"),
            json!("sg 1"),
            json!("10.1.2.3"),
            json!("arn:aws:iam::111122223333:instance-profile/p"),
            json!([]),
            json!({}),
        ];
        let (typed, total) = PATHS.check_mutations(&base(), &replacements);
        assert!(total > 400 && typed * 3 > total, "{typed} of {total} taken");
    }
}
