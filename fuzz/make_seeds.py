#!/usr/bin/env python3
"""Builds fuzz seeds from tests/fixtures/ingest (deterministic)."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "tests", "fixtures", "ingest", "org")
ACCT = os.path.join(FIX, "accounts", "444455556666")
# Must match PATHS in fuzz_targets/export_loader.rs.
PATHS = [
    "iam/get-account-authorization-details.json", "s3/list-buckets.json",
    "s3/buckets/b/get-bucket-policy.json", "s3/buckets/b/get-bucket-acl.json",
    "s3/buckets/b/get-public-access-block.json", "s3/buckets/b/get-bucket-ownership-controls.json",
    "s3/buckets/b/get-bucket-encryption.json", "s3/buckets/b/get-bucket-location.json",
    "s3/buckets/b/list-objects-v2.json", "s3/buckets/b/samples/x.csv",
    "s3control/get-public-access-block.json", "kms/us-east-1/list-keys.json",
    "kms/us-east-1/keys/k/get-key-policy.json", "kms/us-east-1/keys/k/describe-key.json",
    "ec2/us-east-1/describe-vpcs.json", "ec2/us-east-1/describe-subnets.json",
    "ec2/us-east-1/describe-route-tables.json", "ec2/us-east-1/describe-security-groups.json",
    "ec2/us-east-1/describe-network-acls.json", "ec2/us-east-1/describe-internet-gateways.json",
    "ec2/us-east-1/describe-nat-gateways.json", "ec2/us-east-1/describe-vpc-endpoints.json",
    "ec2/us-east-1/describe-instances.json", "lambda/us-east-1/list-functions.json",
    "lambda/us-east-1/functions/f/get-policy.json",
    "lambda/us-east-1/functions/f/get-function-url-config.json", "leakpath.toml",
    "organizations/describe-organization.json", "organizations/list-accounts.json",
    "organizations/list-roots.json", "organizations/parents/111122223333.json",
    "organizations/policies/p-1/describe-policy.json",
]
SOURCE = {p: os.path.join(ACCT, p.replace("/b/", "/data-bucket/").replace("/k/", "/1111aaaa-2222-3333-4444-555566667777/").replace("/f/", "/exporter/")) for p in PATHS}
SOURCE["leakpath.toml"] = os.path.join(FIX, "leakpath.toml")
for p in PATHS:
    if p.startswith("organizations"):
        SOURCE[p] = os.path.join(FIX, p.replace("111122223333", "444455556666").replace("p-1", "p-scp00001"))
SOURCE["s3/buckets/b/samples/x.csv"] = os.path.join(ACCT, "s3/buckets/data-bucket/samples/customers/customers.csv")


def main():
    out = os.path.join(HERE, "seeds", "export_loader")
    os.makedirs(out, exist_ok=True)
    whole = bytearray([1])
    for i, p in enumerate(PATHS):
        src = SOURCE[p]
        if not os.path.isfile(src):
            continue
        body = open(src, "rb").read()
        if 0 in body:
            continue
        chunk = bytes([i]) + body
        whole += chunk + b"\0"
        with open(os.path.join(out, f"one-{i:02d}"), "wb") as f:
            f.write(bytes([1]) + chunk)
    with open(os.path.join(out, "whole-account"), "wb") as f:
        f.write(bytes(whole))
    with open(os.path.join(out, "gaad"), "wb") as f:
        f.write(bytes([0]) + open(SOURCE[PATHS[0]], "rb").read())
    pout = os.path.join(HERE, "seeds", "policy_parser")
    os.makedirs(pout, exist_ok=True)
    import json
    import urllib.parse
    gaad = json.load(open(SOURCE[PATHS[0]]))
    n = 0
    for role in gaad["RoleDetailList"]:
        doc = role["AssumeRolePolicyDocument"]
        with open(os.path.join(pout, f"p{n:02d}"), "w") as f:
            f.write(doc)
        n += 1
        with open(os.path.join(pout, f"p{n:02d}"), "w") as f:
            f.write(urllib.parse.unquote(doc))
        n += 1
    for p in ["s3/buckets/b/get-bucket-policy.json", "lambda/us-east-1/functions/f/get-policy.json"]:
        with open(os.path.join(pout, f"p{n:02d}"), "w") as f:
            f.write(json.load(open(SOURCE[p]))["Policy"])
        n += 1


main()
