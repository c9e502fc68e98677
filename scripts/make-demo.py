#!/usr/bin/env python3
"""make-demo.py: writes datasets/demo/, the Acme demo export, in the native layout.

Deterministic (no clock, no unseeded randomness): running it twice gives byte-identical
files. Python 3 standard library only. Every JSON file is shaped exactly as the AWS CLI v2
prints the command named in ../shared/spec/export-layout.md with `--output json`
(4-space indent, ISO-8601 timestamps, IAM documents in get-account-authorization-details
decoded to objects, bucket/function/key/endpoint policies as JSON strings).

The company and its deliberate exposures are described in datasets/demo/README.md, which is
the ground truth for end-to-end scan tests; change both together.

Usage: scripts/make-demo.py [OUT]   (default: datasets/demo next to this script's repo)
"""

import base64
import hashlib
import json
import os
import random
import shutil
import sys

ORG_ID = "o-a1b2c3d4e5"
ROOT_ID = "r-a1b2"
MGMT = "111111111111"
PROD = "222222222222"
FOREIGN = "999999999999"
PARTNER = "333333333333"  # trusted in leakpath.toml
OU_WORKLOADS = "ou-a1b2-wkld0001"
OU_SANDBOX = "ou-a1b2-sbox0001"
REGION = "us-east-1"
GITHUB_OIDC = "token.actions.githubusercontent.com"
OFFICE_CIDR = "203.0.113.0/24"  # trusted in leakpath.toml

# Canonical user ids of the two accounts (S3 ACL owners).
CANONICAL = {
    MGMT: hashlib.sha256(b"acme-mgmt canonical").hexdigest(),
    PROD: hashlib.sha256(b"acme-prod canonical").hexdigest(),
}
ACCOUNT_NAME = {MGMT: "acme-mgmt", PROD: "acme-prod"}


# ----------------------------------------------------------------------------- helpers

def ident(prefix, name, n=17):
    """An AWS-style unique id (AROA..., AIDA...) derived from a name: stable across runs."""
    digest = hashlib.sha256((prefix + ":" + name).encode()).digest()
    return prefix + base64.b32encode(digest).decode()[:n]


def hexid(prefix, name, n=17):
    """An EC2-style resource id (vpc-0..., subnet-0...)."""
    return prefix + "-0" + hashlib.sha256((prefix + name).encode()).hexdigest()[: n - 1]


def ts(day, hour=10):
    """A fixed ISO timestamp as the CLI v2 prints it."""
    return "2024-%02d-%02dT%02d:%02d:%02d+00:00" % (1 + day % 12, 1 + day % 28, hour, day % 60, (day * 7) % 60)


def doc(*statements, version="2012-10-17"):
    return {"Version": version, "Statement": list(statements)}


def compact(policy):
    """A policy as AWS returns it inside a JSON string (no whitespace)."""
    return json.dumps(policy, separators=(",", ":"))


def write_json(out, rel, value):
    path = os.path.join(out, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(value, indent=4, ensure_ascii=False))
        f.write("\n")


def write_text(out, rel, text):
    path = os.path.join(out, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def bucket_arn(b):
    return "arn:aws:s3:::" + b


def read_stmt(bucket, sid=None, actions=("s3:GetObject", "s3:ListBucket")):
    st = {}
    if sid:
        st["Sid"] = sid
    st.update({
        "Effect": "Allow",
        "Action": list(actions),
        "Resource": [bucket_arn(bucket), bucket_arn(bucket) + "/*"],
    })
    return st


def deny_insecure_transport(bucket):
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn(bucket), bucket_arn(bucket) + "/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


# ----------------------------------------------------------------------------- AWS managed policies
# Documents as AWS publishes them (the default version); only small ones are used.

AWS_MANAGED = {
    "AdministratorAccess": ("/", "v1", "2015-02-06T18:39:46+00:00", doc(
        {"Effect": "Allow", "Action": "*", "Resource": "*"})),
    "AmazonS3ReadOnlyAccess": ("/", "v3", "2023-08-10T21:31:39+00:00", doc(
        {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*", "s3:Describe*",
                                        "s3-object-lambda:Get*", "s3-object-lambda:List*"],
         "Resource": "*"})),
    "AmazonEC2ReadOnlyAccess": ("/", "v5", "2026-02-12T18:03:17+00:00", doc(
        {"Effect": "Allow", "Action": ["ec2:Describe*", "ec2:GetSecurityGroupsForVpc"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["elasticloadbalancing:Describe*"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["cloudwatch:ListMetrics", "cloudwatch:GetMetricStatistics",
                                        "cloudwatch:Describe*"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["autoscaling:Describe*"], "Resource": "*"})),
    "IAMReadOnlyAccess": ("/", "v4", "2018-01-25T19:11:27+00:00", doc(
        {"Effect": "Allow", "Action": ["iam:GenerateCredentialReport", "iam:GenerateServiceLastAccessedDetails",
                                        "iam:Get*", "iam:List*", "iam:SimulateCustomPolicy",
                                        "iam:SimulatePrincipalPolicy"], "Resource": "*"})),
    "AWSOrganizationsReadOnlyAccess": ("/", "v6", "2024-06-07T21:32:16+00:00", doc(
        {"Sid": "AWSOrganizationsReadOnly", "Effect": "Allow",
         "Action": ["organizations:Describe*", "organizations:List*"], "Resource": "*"},
        {"Sid": "AWSOrganizationsReadOnlyAccount", "Effect": "Allow",
         "Action": ["account:GetAlternateContact", "account:GetContactInformation", "account:ListRegions",
                    "account:GetRegionOptStatus", "account:GetPrimaryEmail"], "Resource": "*"})),
    "AmazonSSMManagedInstanceCore": ("/", "v2", "2019-05-23T16:54:21+00:00", doc(
        {"Effect": "Allow", "Action": ["ssm:DescribeAssociation", "ssm:GetDeployablePatchSnapshotForInstance",
                                        "ssm:GetDocument", "ssm:DescribeDocument", "ssm:GetManifest",
                                        "ssm:GetParameter", "ssm:GetParameters", "ssm:ListAssociations",
                                        "ssm:ListInstanceAssociations", "ssm:PutInventory",
                                        "ssm:PutComplianceItems", "ssm:PutConfigurePackageResult",
                                        "ssm:UpdateAssociationStatus", "ssm:UpdateInstanceAssociationStatus",
                                        "ssm:UpdateInstanceInformation"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
                                        "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
         "Resource": "*"},
        {"Effect": "Allow", "Action": ["ec2messages:AcknowledgeMessage", "ec2messages:DeleteMessage",
                                        "ec2messages:FailMessage", "ec2messages:GetEndpoint",
                                        "ec2messages:GetMessages", "ec2messages:SendReply"], "Resource": "*"})),
    "AWSLambdaBasicExecutionRole": ("/service-role/", "v1", "2015-04-09T15:03:43+00:00", doc(
        {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": "*"})),
    "AmazonECSTaskExecutionRolePolicy": ("/service-role/", "v1", "2017-11-16T18:48:22+00:00", doc(
        {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability",
                                        "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage",
                                        "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"})),
    "AmazonRDSEnhancedMonitoringRole": ("/service-role/", "v1", "2015-11-11T19:58:29+00:00", doc(
        {"Sid": "EnableCreationAndManagementOfRDSCloudwatchLogGroups", "Effect": "Allow",
         "Action": ["logs:CreateLogGroup", "logs:PutRetentionPolicy"],
         "Resource": ["arn:aws:logs:*:*:log-group:RDS*"]},
        {"Sid": "EnableCreationAndManagementOfRDSCloudwatchLogStreams", "Effect": "Allow",
         "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "logs:GetLogEvents"],
         "Resource": ["arn:aws:logs:*:*:log-group:RDS*:log-stream:*"]})),
    "AWSOrganizationsServiceTrustPolicy": ("/aws-service-role/", "v3", "2026-03-05T19:12:09+00:00", doc(
        {"Sid": "AllowDeletionOfServiceLinkedRoleForOrganizations", "Effect": "Allow",
         "Action": ["iam:DeleteRole"],
         "Resource": ["arn:aws:iam::*:role/aws-service-role/organizations.amazonaws.com/*"]},
        {"Sid": "AllowCreationOfServiceLinkedRoles", "Effect": "Allow",
         "Action": ["iam:CreateServiceLinkedRole"], "Resource": "*"},
        {"Sid": "ListRolesSLR", "Effect": "Allow", "Action": ["iam:ListRoles"],
         "Resource": "arn:aws:iam::*:role/aws-service-role/*"})),
}


def aws_managed_arn(name):
    return "arn:aws:iam::aws:policy" + AWS_MANAGED[name][0] + name


# ----------------------------------------------------------------------------- IAM model

class Account:
    """Collects one account's IAM entities and renders get-account-authorization-details."""

    def __init__(self, account_id):
        self.id = account_id
        self.users = []
        self.groups = []
        self.roles = []
        self.customer_policies = {}  # name -> (path, [documents, oldest first], description)
        self.day = 0

    def _next_day(self):
        self.day += 3
        return self.day

    def arn(self, kind, name, path="/"):
        return "arn:aws:iam::%s:%s%s%s" % (self.id, kind, path, name)

    def policy_arn(self, name):
        if name in AWS_MANAGED:
            return aws_managed_arn(name)
        return "arn:aws:iam::%s:policy%s%s" % (self.id, self.customer_policies[name][0], name)

    def customer_policy(self, name, *documents, path="/"):
        self.customer_policies[name] = (path, list(documents))

    def _attached(self, names):
        return [{"PolicyName": n, "PolicyArn": self.policy_arn(n)} for n in names]

    def group(self, name, managed=(), inline=()):
        self.groups.append({
            "Path": "/",
            "GroupName": name,
            "GroupId": ident("AGPA", self.id + name),
            "Arn": self.arn("group/", name),
            "CreateDate": ts(self._next_day()),
            "GroupPolicyList": [{"PolicyName": n, "PolicyDocument": d} for n, d in inline],
            "AttachedManagedPolicies": self._attached(managed),
        })

    def user(self, name, groups=(), managed=(), inline=(), boundary=None):
        u = {
            "Path": "/",
            "UserName": name,
            "UserId": ident("AIDA", self.id + name),
            "Arn": self.arn("user/", name),
            "CreateDate": ts(self._next_day()),
        }
        if inline:
            u["UserPolicyList"] = [{"PolicyName": n, "PolicyDocument": d} for n, d in inline]
        u["GroupList"] = list(groups)
        u["AttachedManagedPolicies"] = self._attached(managed)
        if boundary:
            u["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                        "PermissionsBoundaryArn": self.policy_arn(boundary)}
        u["Tags"] = []
        self.users.append(u)

    def role(self, name, trust, managed=(), inline=(), path="/", instance_profile=False,
             boundary=None, description=None, last_used=True):
        created = ts(self._next_day())
        arn = self.arn("role", name, path)
        role_id = ident("AROA", self.id + name)
        r = {
            "Path": path,
            "RoleName": name,
            "RoleId": role_id,
            "Arn": arn,
            "CreateDate": created,
            "AssumeRolePolicyDocument": trust,
            "InstanceProfileList": [],
            "RolePolicyList": [{"PolicyName": n, "PolicyDocument": d} for n, d in inline],
            "AttachedManagedPolicies": self._attached(managed),
        }
        if instance_profile:
            r["InstanceProfileList"].append({
                "Path": "/",
                "InstanceProfileName": name,
                "InstanceProfileId": ident("AIPA", self.id + name),
                "Arn": self.arn("instance-profile/", name),
                "CreateDate": created,
                "Roles": [{
                    "Path": path,
                    "RoleName": name,
                    "RoleId": role_id,
                    "Arn": arn,
                    "CreateDate": created,
                    "AssumeRolePolicyDocument": trust,
                }],
            })
        if boundary:
            r["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                        "PermissionsBoundaryArn": self.policy_arn(boundary)}
        if description:
            r["Description"] = description
        r["Tags"] = []
        r["RoleLastUsed"] = {"LastUsedDate": ts(200 + len(self.roles), 9), "Region": REGION} if last_used else {}
        self.roles.append(r)
        return arn

    def gaad(self):
        used = {}
        boundary_use = {}
        for entity in self.users + self.groups + self.roles:
            for a in entity["AttachedManagedPolicies"]:
                used[a["PolicyName"]] = used.get(a["PolicyName"], 0) + 1
            b = entity.get("PermissionsBoundary")
            if b:
                name = b["PermissionsBoundaryArn"].rsplit("/", 1)[1]
                boundary_use[name] = boundary_use.get(name, 0) + 1
        policies = []
        names = sorted(set(used) | set(boundary_use) | set(self.customer_policies))
        for name in names:
            if name in AWS_MANAGED:
                path, version, created, document = AWS_MANAGED[name]
                versions = [{"Document": document, "VersionId": version, "IsDefaultVersion": True,
                             "CreateDate": created}]
                default = version
                policy_id = ident("ANPA", name)
                create = created
            else:
                path, documents = self.customer_policies[name]
                create = ts(self._next_day())
                versions = []
                # Newest first, as IAM lists them; the last document passed is the default.
                for i in range(len(documents), 0, -1):
                    versions.append({"Document": documents[i - 1], "VersionId": "v%d" % i,
                                     "IsDefaultVersion": i == len(documents), "CreateDate": ts(self.day + i)})
                default = "v%d" % len(documents)
                policy_id = ident("ANPA", self.id + name)
            policies.append({
                "PolicyName": name,
                "PolicyId": policy_id,
                "Arn": self.policy_arn(name),
                "Path": path,
                "DefaultVersionId": default,
                "AttachmentCount": used.get(name, 0),
                "PermissionsBoundaryUsageCount": boundary_use.get(name, 0),
                "IsAttachable": True,
                "CreateDate": create,
                "UpdateDate": versions[0]["CreateDate"],
                "PolicyVersionList": versions,
            })
        return {
            "UserDetailList": self.users,
            "GroupDetailList": self.groups,
            "RoleDetailList": self.roles,
            "Policies": policies,
        }


def trust_service(service):
    return doc({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"})


def trust_aws(principal, condition=None):
    st = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if condition:
        st["Condition"] = condition
    return doc(st)


def trust_github(account_id, sub=None):
    cond = {"StringEquals": {GITHUB_OIDC + ":aud": "sts.amazonaws.com"}}
    if sub:
        cond["StringEquals"][GITHUB_OIDC + ":sub"] = sub
    return doc({
        "Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::%s:oidc-provider/%s" % (account_id, GITHUB_OIDC)},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": cond,
    })


# ----------------------------------------------------------------------------- sample data (all fake)

FIRST = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
         "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
         "Carlos", "Maria", "Wei", "Aisha", "Olga", "Kenji", "Fatima", "Lars", "Priya", "Diego"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
        "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
        "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Nguyen"]
STREETS = ["Maple Ave", "Oak St", "Pine Rd", "Cedar Ln", "Elm St", "Washington Blvd", "Lake Dr",
           "Hillcrest Way", "Sunset Blvd", "River Rd"]
CITIES = [("Springfield", "IL", "62704"), ("Columbus", "OH", "43215"), ("Austin", "TX", "78701"),
          ("Portland", "OR", "97205"), ("Denver", "CO", "80202"), ("Raleigh", "NC", "27601"),
          ("Madison", "WI", "53703"), ("Tucson", "AZ", "85701")]
ICD10 = [("E11.9", "Type 2 diabetes mellitus without complications"),
         ("I10", "Essential (primary) hypertension"),
         ("J45.909", "Unspecified asthma, uncomplicated"),
         ("F32.9", "Major depressive disorder, single episode, unspecified"),
         ("M54.5", "Low back pain"),
         ("K21.9", "Gastro-esophageal reflux disease without esophagitis"),
         ("E78.5", "Hyperlipidemia, unspecified"),
         ("G43.909", "Migraine, unspecified, not intractable")]


def luhn_complete(prefix, length, rng):
    digits = [int(c) for c in prefix]
    while len(digits) < length - 1:
        digits.append(rng.randrange(10))
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    digits.append((10 - total % 10) % 10)
    return "".join(str(d) for d in digits)


def fake_person(rng):
    first, last = rng.choice(FIRST), rng.choice(LAST)
    city, state, zipc = rng.choice(CITIES)
    return {
        "first": first, "last": last,
        "email": "%s.%s%d@example.com" % (first.lower(), last.lower(), rng.randrange(100)),
        "phone": "(%03d) 555-%04d" % (rng.randrange(201, 990), rng.randrange(10000)),
        "address": "%d %s" % (rng.randrange(10, 9999), rng.choice(STREETS)),
        "city": city, "state": state, "zip": zipc,
        "dob": "%04d-%02d-%02d" % (rng.randrange(1950, 2004), rng.randrange(1, 13), rng.randrange(1, 29)),
        "ssn": "%03d-%02d-%04d" % (rng.choice([rng.randrange(100, 665), rng.randrange(667, 899)]),
                                   rng.randrange(1, 100), rng.randrange(1, 10000)),
    }


def csv_text(header, rows):
    def cell(v):
        s = str(v)
        return '"%s"' % s.replace('"', '""') if ("," in s or '"' in s) else s
    return "\n".join([",".join(header)] + [",".join(cell(v) for v in r) for r in rows]) + "\n"


def customers_csv(rng, n):
    rows = []
    for i in range(n):
        p = fake_person(rng)
        rows.append([10000 + i, p["first"], p["last"], p["email"], p["phone"], p["address"], p["city"],
                     p["state"], p["zip"], p["dob"], p["ssn"]])
    return csv_text(["customer_id", "first_name", "last_name", "email", "phone", "street_address", "city",
                     "state", "zip", "date_of_birth", "ssn"], rows)


def orders_csv(rng, n):
    rows = []
    for i in range(n):
        p = fake_person(rng)
        prefix = rng.choice(["4", "51", "37"])
        card = luhn_complete(prefix, 15 if prefix == "37" else 16, rng)
        rows.append(["ORD-%06d" % (500000 + i), p["first"] + " " + p["last"], p["email"], card,
                     "%02d/%02d" % (rng.randrange(1, 13), rng.randrange(25, 31)), "%03d" % rng.randrange(1000),
                     "%.2f" % (rng.randrange(500, 90000) / 100.0), p["address"] + ", " + p["city"]])
    return csv_text(["order_id", "cardholder_name", "email", "card_number", "card_expiry", "cvv",
                     "amount_usd", "billing_address"], rows)


def invoices_csv(rng, n):
    rows = []
    for i in range(n):
        rows.append(["INV-2024-%05d" % (100 + i), "Partner %s LLC" % rng.choice(LAST),
                     "GB%02dACME%014d" % (rng.randrange(10, 99), rng.randrange(10 ** 13, 10 ** 14)),
                     "%09d" % rng.randrange(10 ** 8, 10 ** 9), "%.2f" % (rng.randrange(10000, 5000000) / 100.0),
                     "2024-%02d-%02d" % (rng.randrange(1, 4), rng.randrange(1, 29)),
                     rng.choice(["paid", "open", "overdue"])])
    return csv_text(["invoice_id", "vendor", "iban", "routing_number", "amount_usd", "due_date", "status"],
                    rows)


def payroll_csv(rng, n):
    rows = []
    for i in range(n):
        p = fake_person(rng)
        salary = rng.randrange(52000, 240000)
        rows.append(["E%05d" % (2000 + i), p["first"] + " " + p["last"], p["ssn"],
                     "%09d" % rng.randrange(10 ** 8, 10 ** 9), "%010d" % rng.randrange(10 ** 9, 10 ** 10),
                     salary, "%.2f" % (salary / 24.0), "%.2f" % (salary / 24.0 * 0.22)])
    return csv_text(["employee_id", "employee_name", "ssn", "bank_routing_number", "bank_account_number",
                     "annual_salary", "gross_pay", "federal_tax_withheld"], rows)


def pnl_csv(rng):
    rows = []
    for m in range(1, 13):
        rev = rng.randrange(4000000, 9000000)
        cogs = int(rev * rng.uniform(0.35, 0.5))
        opex = int(rev * rng.uniform(0.2, 0.3))
        rows.append(["2024-%02d" % m, rev, cogs, rev - cogs, opex, rev - cogs - opex])
    return csv_text(["month", "revenue_usd", "cost_of_goods_sold", "gross_profit", "operating_expenses",
                     "net_income"], rows)


def health_csv(rng, n):
    rows = []
    for i in range(n):
        p = fake_person(rng)
        code, desc = rng.choice(ICD10)
        rows.append(["MRN%07d" % rng.randrange(10 ** 6, 10 ** 7), p["first"] + " " + p["last"], p["dob"],
                     code, desc, "2024-%02d-%02d" % (rng.randrange(1, 13), rng.randrange(1, 29)),
                     "%.2f" % (rng.randrange(5000, 500000) / 100.0), "Acme Health Plan PPO"])
    return csv_text(["medical_record_number", "patient_name", "date_of_birth", "diagnosis_code",
                     "diagnosis", "claim_date", "claim_amount_usd", "insurance_plan"], rows)


def events_csv(rng, n):
    rows = []
    for i in range(n):
        rows.append(["2024-06-%02dT%02d:%02d:%02dZ" % (rng.randrange(1, 29), rng.randrange(24), rng.randrange(60),
                                                        rng.randrange(60)),
                     "u-%08x" % rng.randrange(1 << 32), "%d.%d.%d.%d" % (rng.randrange(1, 224), rng.randrange(256),
                                                                        rng.randrange(256), rng.randrange(1, 255)),
                     rng.choice(["page_view", "add_to_cart", "checkout", "login"]),
                     rng.choice(["/", "/products", "/cart", "/account"])])
    return csv_text(["timestamp", "user_id", "client_ip", "event", "path"], rows)


def sales_csv(rng):
    rows = []
    for q in range(1, 5):
        for region in ["NA", "EMEA", "APAC"]:
            rows.append(["2024-Q%d" % q, region, rng.randrange(1000000, 5000000), rng.randrange(100, 900)])
    return csv_text(["quarter", "region", "bookings_usd", "new_customers"], rows)


def products_csv(rng):
    rows = []
    for i, name in enumerate(["Anvil", "Rocket Skates", "Giant Magnet", "Bird Seed", "Portable Hole",
                              "Tornado Kit", "Spring Shoes", "Earthquake Pills"]):
        rows.append(["SKU-%04d" % (100 + i), name, "%.2f" % (rng.randrange(999, 49999) / 100.0), "in stock"])
    return csv_text(["sku", "product", "list_price_usd", "availability"], rows)


def env_file(kind):
    # AWS's documented example credentials and obviously fake values: detectors must fire,
    # nobody can use them.
    if kind == "deploy":
        return ("# deploy environment for acme-web (prod)\n"
                "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"
                "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
                "DATABASE_URL=postgres://acme_app:Xq7!fakePassw0rd-2024@db.prod.acme.internal:5432/shop\n"
                "STRIPE_SECRET_KEY=sk_test_51FAKEFAKEFAKEFAKEfakefakefake00000000\n"
                "JWT_SIGNING_SECRET=9f8e7d6c5b4a39281706f5e4d3c2b1a0fakefake\n"
                "SENTRY_DSN=https://0123456789abcdef@o000000.ingest.sentry.io/0000000\n")
    return ("# release configuration (pinned pipeline)\n"
            "AWS_ACCESS_KEY_ID=AKIAI44QH8DHBEXAMPLE\n"
            "AWS_SECRET_ACCESS_KEY=je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY\n"
            "REDIS_PASSWORD=fake-redis-pass-123\n"
            "SMTP_PASSWORD=not-a-real-smtp-password\n")


# ----------------------------------------------------------------------------- S3

class Bucket:
    def __init__(self, account, name, region=REGION, policy=None, acl_public=False, ownership="BucketOwnerEnforced",
                 bpa=None, kms_key=None, samples=(), keys=(), created_day=0):
        self.account = account
        self.name = name
        self.region = region
        self.policy = policy
        self.acl_public = acl_public
        self.ownership = ownership
        self.bpa = bpa
        self.kms_key = kms_key
        self.samples = list(samples)  # [(file name, text)]
        self.keys = list(keys)  # extra keys in the listing, [(key, size)]
        self.created_day = created_day


def write_bucket(out, b):
    base = "accounts/%s/s3/buckets/%s/" % (b.account, b.name)
    write_json(out, base + "get-bucket-policy.json", {"Policy": compact(b.policy)} if b.policy else {})
    owner = {"DisplayName": ACCOUNT_NAME[b.account], "ID": CANONICAL[b.account]}
    grants = [{"Grantee": {"DisplayName": ACCOUNT_NAME[b.account], "ID": CANONICAL[b.account],
                           "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"}]
    if b.acl_public:
        grants.append({"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
                       "Permission": "READ"})
    write_json(out, base + "get-bucket-acl.json", {"Owner": owner, "Grants": grants})
    write_json(out, base + "get-public-access-block.json",
               {"PublicAccessBlockConfiguration": b.bpa} if b.bpa is not None else {})
    write_json(out, base + "get-bucket-ownership-controls.json",
               {"OwnershipControls": {"Rules": [{"ObjectOwnership": b.ownership}]}})
    if b.kms_key:
        rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": b.kms_key},
                "BucketKeyEnabled": True}
    else:
        rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}
    write_json(out, base + "get-bucket-encryption.json",
               {"ServerSideEncryptionConfiguration": {"Rules": [rule]}})
    write_json(out, base + "get-bucket-location.json",
               {"LocationConstraint": None if b.region == "us-east-1" else b.region})
    contents = []
    listing = [(name, len(text.encode())) for name, text in b.samples] + b.keys
    for i, (key, size) in enumerate(sorted(listing)):
        contents.append({
            "Key": key,
            "LastModified": "2024-%02d-%02dT%02d:%02d:%02d+00:00" % (1 + i % 12, 1 + i % 28, 8 + i % 10, i % 60, (i * 13) % 60),
            "ETag": '"%s"' % hashlib.md5((b.name + key).encode()).hexdigest(),
            "ChecksumAlgorithm": ["CRC32"],
            "Size": size,
            "StorageClass": "STANDARD",
        })
    write_json(out, base + "list-objects-v2.json", {"Contents": contents, "RequestCharged": None, "Prefix": ""})
    for name, text in b.samples:
        write_text(out, base + "samples/" + name.replace("/", "__"), text)


# ----------------------------------------------------------------------------- the company

def build(out):
    rng = random.Random(20240601)
    mgmt = Account(MGMT)
    prod = Account(PROD)

    def role_arn(acct, name, path="/"):
        return "arn:aws:iam::%s:role%s%s" % (acct, path, name)

    # ---- management account: organization admins, finance, billing exports (egress case)
    mgmt.customer_policy("DataPerimeterBoundary", doc(
        {"Sid": "AllowAllWithinBoundary", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Sid": "DenyWritesOutsideOrg", "Effect": "Deny", "Action": ["s3:PutObject", "s3:PutObjectAcl"],
         "Resource": "*", "Condition": {"StringNotEquals": {"aws:ResourceOrgID": ORG_ID}}}))
    mgmt.customer_policy("AssumeOrgAccountAccess", doc(
        {"Effect": "Allow", "Action": "sts:AssumeRole",
         "Resource": "arn:aws:iam::*:role/OrganizationAccountAccessRole"}))
    mgmt.group("OrgAdmins", managed=["AWSOrganizationsReadOnlyAccess", "IAMReadOnlyAccess", "AssumeOrgAccountAccess"])
    mgmt.group("Finance", inline=[("ViewBilling", doc(
        {"Effect": "Allow", "Action": ["aws-portal:ViewBilling", "aws-portal:ViewUsage", "ce:Get*",
                                        "ce:Describe*", "budgets:ViewBudget"], "Resource": "*"}))])
    mgmt.user("alice.admin", groups=["OrgAdmins"])
    mgmt.user("bob.admin", groups=["OrgAdmins"])
    mgmt.user("carol.finance", groups=["Finance"])
    mgmt.role("AWSServiceRoleForOrganizations", trust_service("organizations.amazonaws.com"),
              managed=["AWSOrganizationsServiceTrustPolicy"], path="/aws-service-role/organizations.amazonaws.com/",
              description="Service-linked role used by AWS Organizations to enable integration of other AWS services with Organizations.")
    mgmt.role("security-audit", trust_aws("arn:aws:iam::%s:root" % MGMT,
                                          {"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
              managed=["IAMReadOnlyAccess", "AWSOrganizationsReadOnlyAccess"],
              inline=[("S3ConfigRead", doc({"Effect": "Allow", "Action": [
                  "s3:GetBucketPolicy", "s3:GetBucketAcl", "s3:GetBucketPublicAccessBlock",
                  "s3:GetEncryptionConfiguration", "s3:ListAllMyBuckets"], "Resource": "*"}))])
    mgmt.role("org-automation", trust_service("lambda.amazonaws.com"),
              managed=["AWSLambdaBasicExecutionRole", "AWSOrganizationsReadOnlyAccess"])
    mgmt.role("cloudtrail-to-cloudwatch", trust_service("cloudtrail.amazonaws.com"),
              inline=[("DeliverToLogs", doc({"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                             "Resource": "arn:aws:logs:us-east-1:%s:log-group:org-trail:*" % MGMT}))])
    mgmt.role("AWSCloudFormationStackSetAdministrationRole", trust_service("cloudformation.amazonaws.com"),
              inline=[("AssumeRole-AWSCloudFormationStackSetExecutionRole", doc(
                  {"Effect": "Allow", "Action": ["sts:AssumeRole"],
                   "Resource": ["arn:aws:iam::*:role/AWSCloudFormationStackSetExecutionRole"]}))])
    billing_export_policy = lambda bucket: doc(  # noqa: E731
        {"Sid": "ReadCostReports", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": [bucket_arn(bucket), bucket_arn(bucket) + "/*"]},
        {"Sid": "DeliverAnywhere", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"})
    mgmt.role("billing-export", trust_service("lambda.amazonaws.com"), managed=["AWSLambdaBasicExecutionRole"],
              inline=[("CostReportDelivery", billing_export_policy("acme-mgmt-billing"))])
    mgmt.role("billing-export-bounded", trust_service("lambda.amazonaws.com"), managed=["AWSLambdaBasicExecutionRole"],
              inline=[("CostReportDelivery", billing_export_policy("acme-mgmt-ledger"))],
              boundary="DataPerimeterBoundary")

    # ---- workload account
    prod.customer_policy("acme-customer-data-read",
                         doc(read_stmt("acme-customer-data", actions=("s3:GetObject",))),
                         doc(read_stmt("acme-customer-data", sid="ReadCustomerData")))
    prod.customer_policy("acme-ci-artifacts", doc(
        {"Sid": "Artifacts", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
         "Resource": [bucket_arn("acme-build-artifacts"), bucket_arn("acme-build-artifacts") + "/*"]},
        {"Sid": "Describe", "Effect": "Allow", "Action": ["cloudformation:DescribeStacks"], "Resource": "*"}))
    prod.customer_policy("acme-release-read", doc(
        {"Sid": "ReleaseConfig", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": [bucket_arn("acme-release-config"), bucket_arn("acme-release-config") + "/*"]}))

    prod.group("Developers", managed=["AmazonS3ReadOnlyAccess", "AmazonEC2ReadOnlyAccess"],
               inline=[("RequireMFAForWrites", doc(
                   {"Sid": "DenyWritesWithoutMFA", "Effect": "Deny", "NotAction": ["iam:ChangePassword",
                                                                                    "iam:GetUser", "sts:GetSessionToken"],
                    "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}))])
    prod.group("DataAnalysts", inline=[("AnalyticsRead", doc(
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": [bucket_arn("acme-analytics"), bucket_arn("acme-analytics") + "/*"],
         "Condition": {"IpAddress": {"aws:SourceIp": [OFFICE_CIDR]}}}))])
    prod.user("dave.dev", groups=["Developers"])
    prod.user("erin.dev", groups=["Developers"])
    prod.user("frank.analyst", groups=["DataAnalysts"])
    prod.user("deploy-bot", inline=[("LegacyArtifactUpload", doc(
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": bucket_arn("acme-build-artifacts") + "/legacy/*"}))])

    prod.role("OrganizationAccountAccessRole", trust_aws("arn:aws:iam::%s:root" % MGMT), managed=["AdministratorAccess"])
    prod.role("rds-monitoring-role", trust_service("monitoring.rds.amazonaws.com"),
              managed=["AmazonRDSEnhancedMonitoringRole"])
    prod.role("ecsTaskExecutionRole", trust_service("ecs-tasks.amazonaws.com"),
              managed=["AmazonECSTaskExecutionRolePolicy"])
    prod.role("AWSCloudFormationStackSetExecutionRole",
              trust_aws(role_arn(MGMT, "AWSCloudFormationStackSetAdministrationRole")), managed=["AdministratorAccess"])
    prod.role("vpc-flow-logs", trust_service("vpc-flow-logs.amazonaws.com"),
              inline=[("PublishFlowLogs", doc({"Effect": "Allow", "Action": [
                  "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups",
                  "logs:DescribeLogStreams"], "Resource": "*"}))])
    prod.role("ssm-automation", trust_service("ssm.amazonaws.com"),
              inline=[("RestartInstances", doc({"Effect": "Allow", "Action": [
                  "ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances", "ec2:DescribeInstances",
                  "ec2:DescribeInstanceStatus"], "Resource": "*"}))])
    prod.role("config-recorder", trust_service("config.amazonaws.com"),
              inline=[("RecordConfiguration", doc({"Effect": "Allow", "Action": [
                  "config:Put*", "ec2:Describe*", "iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies",
                  "iam:ListAttachedRolePolicies", "s3:GetBucketPolicy", "s3:GetBucketAcl",
                  "s3:GetBucketPublicAccessBlock"], "Resource": "*"}))])
    # internet-compute: web-1 (public) and its twins
    prod.role("web-server", trust_service("ec2.amazonaws.com"),
              managed=["AmazonSSMManagedInstanceCore", "acme-customer-data-read"], instance_profile=True)
    prod.role("internal-api", trust_service("ec2.amazonaws.com"), managed=["AmazonSSMManagedInstanceCore"],
              inline=[("HrRecordsRead", doc(read_stmt("acme-hr-records")))], instance_profile=True)
    prod.role("batch-worker", trust_service("ec2.amazonaws.com"), managed=["AmazonSSMManagedInstanceCore"],
              inline=[("AnalyticsRead", doc(read_stmt("acme-analytics")))], instance_profile=True)
    prod.role("report-worker", trust_service("ec2.amazonaws.com"), managed=["AmazonSSMManagedInstanceCore"],
              inline=[("ReportsRead", doc(read_stmt("acme-reports-archive")))], instance_profile=True)
    prod.role("bastion", trust_service("ec2.amazonaws.com"), managed=["AmazonSSMManagedInstanceCore"],
              inline=[("RunbooksRead", doc(read_stmt("acme-ops-runbooks")))], instance_profile=True)
    # internet-compute: Lambda function URLs
    prod.role("public-api-fn", trust_service("lambda.amazonaws.com"), managed=["AWSLambdaBasicExecutionRole"],
              inline=[("OrdersRead", doc(read_stmt("acme-lambda-data", actions=("s3:GetObject",))))],
              path="/service-role/")
    prod.role("internal-report-fn", trust_service("lambda.amazonaws.com"), managed=["AWSLambdaBasicExecutionRole"],
              inline=[("ReportsRead", doc(read_stmt("acme-lambda-internal", actions=("s3:GetObject",))))],
              path="/service-role/")
    # federated
    prod.role("github-deploy", trust_github(PROD), managed=["acme-ci-artifacts"])
    prod.role("github-deploy-pinned", trust_github(PROD, "repo:acme/deploy:ref:refs/heads/main"),
              managed=["acme-release-read"])
    # cross-account through a role chain, and its twin
    prod.role("vendor-audit", trust_aws("arn:aws:iam::%s:root" % FOREIGN),
              inline=[("AssumeFinanceReader", doc({"Effect": "Allow", "Action": "sts:AssumeRole",
                                                   "Resource": role_arn(PROD, "finance-reader")}))],
              description="Quarterly audit by Vendor Co (999999999999)")
    prod.role("finance-reader", trust_aws(role_arn(PROD, "vendor-audit")),
              inline=[("FinanceReportsRead", doc(read_stmt("acme-finance-reports")))])
    prod.role("vendor-audit-restricted", trust_aws("arn:aws:iam::%s:root" % FOREIGN,
                                                   {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}),
              inline=[("FinanceArchiveRead", doc(read_stmt("acme-finance-archive")))])
    # trusted partner (leakpath.toml trusted_accounts): must not be flagged
    prod.role("partner-ingest", trust_aws("arn:aws:iam::%s:root" % PARTNER,
                                          {"StringEquals": {"sts:ExternalId": "acme-partner-7731"}}),
              inline=[("PartnerFeed", doc(read_stmt("acme-partner-feed"),
                                          {"Effect": "Allow", "Action": "s3:PutObject",
                                           "Resource": bucket_arn("acme-partner-feed") + "/incoming/*"}))])
    # egress inside the Workloads OU: closed by the perimeter SCP
    prod.role("reports-export", trust_service("lambda.amazonaws.com"), managed=["AWSLambdaBasicExecutionRole"],
              inline=[("ExportAnywhere", doc(read_stmt("acme-prod-exports", sid="ReadExports"),
                                             {"Sid": "DeliverAnywhere", "Effect": "Allow", "Action": "s3:PutObject",
                                              "Resource": "*"}))])
    prod.role("data-pipeline", trust_service("glue.amazonaws.com"),
              inline=[("Pipeline", doc(read_stmt("acme-analytics"),
                                       {"Effect": "Allow", "Action": "s3:PutObject",
                                        "Resource": bucket_arn("acme-analytics") + "/curated/*"}))])

    # ---- organization
    write_org(out)

    # ---- IAM
    write_json(out, "accounts/%s/iam/get-account-authorization-details.json" % MGMT, mgmt.gaad())
    write_json(out, "accounts/%s/iam/get-account-authorization-details.json" % PROD, prod.gaad())

    # ---- KMS
    share_key = "1f0e2d3c-4b5a-4697-8877-a1b2c3d4e5f6"
    prod_key = "7a6b5c4d-3e2f-4a1b-9c8d-0f1e2d3c4b5a"
    key_arn = lambda k: "arn:aws:kms:%s:%s:key/%s" % (REGION, PROD, k)  # noqa: E731
    enable_iam = {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                  "Principal": {"AWS": "arn:aws:iam::%s:root" % PROD}, "Action": "kms:*", "Resource": "*"}
    keys = [
        (share_key, "Partner share key (Vendor Co may decrypt)", doc(
            enable_iam,
            {"Sid": "Allow use of the key by Vendor Co", "Effect": "Allow",
             "Principal": {"AWS": "arn:aws:iam::%s:root" % FOREIGN},
             "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*"})),
        (prod_key, "acme-prod data key", doc(enable_iam)),
    ]
    write_json(out, "accounts/%s/kms/%s/list-keys.json" % (PROD, REGION),
               {"Keys": [{"KeyId": k, "KeyArn": key_arn(k)} for k, _, _ in keys]})
    for i, (k, desc, policy) in enumerate(keys):
        base = "accounts/%s/kms/%s/keys/%s/" % (PROD, REGION, k)
        write_json(out, base + "get-key-policy.json",
                   {"Policy": json.dumps(policy, indent=4).replace("    ", "  "), "PolicyName": "default"})
        write_json(out, base + "describe-key.json", {"KeyMetadata": {
            "AWSAccountId": PROD, "KeyId": k, "Arn": key_arn(k),
            "CreationDate": "2023-0%d-14T09:12:44.512000+00:00" % (3 + i), "Enabled": True, "Description": desc,
            "KeyUsage": "ENCRYPT_DECRYPT", "KeyState": "Enabled", "Origin": "AWS_KMS", "KeyManager": "CUSTOMER",
            "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT", "KeySpec": "SYMMETRIC_DEFAULT",
            "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"], "MultiRegion": False}})
    write_json(out, "accounts/%s/kms/%s/list-keys.json" % (MGMT, REGION), {"Keys": []})

    # ---- S3
    buckets = s3_buckets(rng, key_arn(share_key), key_arn(prod_key))
    for acct in (MGMT, PROD):
        mine = [b for b in buckets if b.account == acct]
        write_json(out, "accounts/%s/s3/list-buckets.json" % acct, {
            "Buckets": [{"Name": b.name, "CreationDate": ts(b.created_day, 14)} for b in sorted(mine, key=lambda b: b.name)],
            "Owner": {"DisplayName": ACCOUNT_NAME[acct], "ID": CANONICAL[acct]},
        })
        all_on = acct == MGMT
        write_json(out, "accounts/%s/s3control/get-public-access-block.json" % acct, {
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": all_on, "IgnorePublicAcls": all_on,
                                               "BlockPublicPolicy": all_on, "RestrictPublicBuckets": all_on}})
        for b in mine:
            write_bucket(out, b)

    # ---- network and compute
    write_prod_network(out)
    write_mgmt_network(out)
    write_lambda(out)

    write_text(out, "leakpath.toml",
               "# Scan settings for the Acme demo export.\n"
               "# Vendor Co's partner account 333333333333 and the office network are inside the zone of trust.\n"
               "trusted_accounts = [\"%s\"]\n"
               "trusted_cidrs = [\"%s\"]\n" % (PARTNER, OFFICE_CIDR))


def s3_buckets(rng, share_key_arn, prod_key_arn):
    P, M = PROD, MGMT
    no_bpa = {"BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
              "RestrictPublicBuckets": False}

    def public_read(b, cond=None, sid="PublicReadGetObject"):
        st = {"Sid": sid, "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
              "Resource": bucket_arn(b) + "/*"}
        if cond:
            st["Condition"] = cond
        return doc(st, deny_insecure_transport(b))

    def grant(b, account, actions=("s3:GetObject", "s3:ListBucket")):
        return {"Sid": "Account%sRead" % account, "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::%s:root" % account}, "Action": list(actions),
                "Resource": [bucket_arn(b), bucket_arn(b) + "/*"]}

    marketing = [("brochure-2024.txt", "Acme Corporation - Spring 2024 catalogue.\nRocket Skates, Giant Magnets and more. "
                  "Visit www.example.com/acme for details.\n"),
                 ("press-release-2024-03.md", "# Acme opens new Tucson warehouse\n\nAcme Corporation today announced "
                  "a new distribution center.\n"),
                 ("price-list.csv", products_csv(rng))]
    buckets = [
        # public: bucket policy Principal "*" GetObject
        Bucket(P, "acme-marketing-public", policy=public_read("acme-marketing-public"), bpa=dict(no_bpa),
               samples=marketing, keys=[("images/hero.jpg", 482113), ("images/logo.png", 18211)], created_day=1),
        # twin: same policy, bucket-level RestrictPublicBuckets = true
        Bucket(P, "acme-marketing-staging", policy=public_read("acme-marketing-staging"),
               bpa=dict(no_bpa, RestrictPublicBuckets=True),
               samples=[("campaign-draft.md", "# Q3 campaign (DRAFT, internal)\n\nBudget: $240,000. Launch 2024-09-01.\n")],
               created_day=2),
        # twin: Principal "*" pinned to the organization
        Bucket(P, "acme-shared-reports", policy=public_read("acme-shared-reports",
                                                           {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}},
                                                           sid="OrgMembersRead"),
               samples=[("kpi-2024-q2.csv", sales_csv(rng))], created_day=3),
        # public: ACL grant to AllUsers READ (bucket listing)
        Bucket(P, "acme-legacy-exports", acl_public=True, ownership="ObjectWriter",
               samples=[("customers_2019.csv", customers_csv(rng, 40))],
               keys=[("customers_2018.csv", 88213), ("README.txt", 210)], created_day=4),
        # twin: same ACL, ACLs disabled (BucketOwnerEnforced)
        Bucket(P, "acme-legacy-archive", acl_public=True, ownership="BucketOwnerEnforced",
               samples=[("customers_2017.csv", customers_csv(rng, 25))], created_day=5),
        # cross-account: bucket policy grants the foreign account
        Bucket(P, "acme-partner-exchange", policy=doc(grant("acme-partner-exchange", FOREIGN),
                                                       deny_insecure_transport("acme-partner-exchange")),
               samples=[("invoices_2024_q1.csv", invoices_csv(rng, 30))], created_day=6),
        # twin: same grant, overridden by an explicit deny for principals outside the org
        Bucket(P, "acme-partner-dropbox", policy=doc(
            grant("acme-partner-dropbox", FOREIGN),
            {"Sid": "DenyOutsideOrg", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": [bucket_arn("acme-partner-dropbox"), bucket_arn("acme-partner-dropbox") + "/*"],
             "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG_ID}}}),
               samples=[("invoices_2023_q4.csv", invoices_csv(rng, 20))], created_day=7),
        # twin: grant to the trusted partner account (leakpath.toml)
        Bucket(P, "acme-partner-feed", policy=doc(grant("acme-partner-feed", PARTNER)),
               samples=[("product_feed.csv", products_csv(rng))], created_day=8),
        # cross-account via role chain vendor-audit -> finance-reader
        Bucket(P, "acme-finance-reports", samples=[("pnl_2024.csv", pnl_csv(rng)),
                                                   ("payroll_2024_03.csv", payroll_csv(rng, 25))], created_day=9),
        # twin: trust condition the foreign account cannot meet
        Bucket(P, "acme-finance-archive", samples=[("payroll_2022_12.csv", payroll_csv(rng, 20))], created_day=10),
        # federated: GitHub OIDC without sub
        Bucket(P, "acme-build-artifacts", samples=[("deploy/.env", env_file("deploy")),
                                                   ("build-manifest.json", json.dumps(
                                                       {"build": 4412, "commit": "3f2c9e1", "artifacts": ["web.tar.gz"]},
                                                       indent=2) + "\n")],
               keys=[("web/web-4412.tar.gz", 18822301)], created_day=11),
        # twin: sub pinned to one repository and branch
        Bucket(P, "acme-release-config", samples=[("release/.env", env_file("release"))], created_day=12),
        # internet-compute: web-1
        Bucket(P, "acme-customer-data", samples=[("customers.csv", customers_csv(rng, 60))], created_day=13),
        # twins: api-1 (SG from 10.0.0.0/8), batch-1 (private subnet), report-1 (NACL), bastion-1 (trusted CIDR)
        Bucket(P, "acme-hr-records", samples=[("employee_health_claims.csv", health_csv(rng, 40))], created_day=14),
        Bucket(P, "acme-analytics", region="eu-west-1", samples=[("events-2024-06.csv", events_csv(rng, 50))],
               created_day=15),
        Bucket(P, "acme-reports-archive", samples=[("sales_2024.csv", sales_csv(rng))], created_day=16),
        Bucket(P, "acme-ops-runbooks", samples=[("runbook-db-failover.md",
                                                 "# DB failover\n\n1. ssh bastion.acme.internal\n2. promote replica "
                                                 "db-2.prod.acme.internal\n3. update DNS\n")], created_day=17),
        # internet-compute: Lambda function URL (NONE) and its AWS_IAM twin
        Bucket(P, "acme-lambda-data", samples=[("orders.csv", orders_csv(rng, 40))], created_day=18),
        Bucket(P, "acme-lambda-internal", samples=[("orders_internal.csv", orders_csv(rng, 15))], created_day=19),
        # KMS: foreign account may use the key / may not
        Bucket(P, "acme-partner-encrypted", policy=doc(grant("acme-partner-encrypted", FOREIGN, ("s3:GetObject",))),
               kms_key=share_key_arn, samples=[("claims_shared.csv", health_csv(rng, 30))], created_day=20),
        Bucket(P, "acme-partner-sealed", policy=doc(grant("acme-partner-sealed", FOREIGN, ("s3:GetObject",))),
               kms_key=prod_key_arn, samples=[("claims_sealed.csv", health_csv(rng, 30))], created_day=21),
        # egress twin: readable by reports-export, PutObject "*" denied by the Workloads SCP
        Bucket(P, "acme-prod-exports", samples=[("customer_export.csv", customers_csv(rng, 30))], created_day=22),
        # management account
        Bucket(M, "acme-mgmt-billing", samples=[("cur-2024-06.csv", invoices_csv(rng, 25))], created_day=23),
        Bucket(M, "acme-mgmt-ledger", samples=[("ledger-2024-06.csv", invoices_csv(rng, 25))], created_day=24),
        Bucket(M, "acme-org-cloudtrail", policy=doc(
            {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:GetBucketAcl", "Resource": bucket_arn("acme-org-cloudtrail"),
             "Condition": {"StringEquals": {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:%s:trail/org-trail" % M}}},
            {"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": bucket_arn("acme-org-cloudtrail") + "/AWSLogs/*",
             "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                                            "aws:SourceArn": "arn:aws:cloudtrail:us-east-1:%s:trail/org-trail" % M}}}),
               keys=[("AWSLogs/%s/%s/CloudTrail/us-east-1/2024/06/01/%s_CloudTrail_us-east-1_20240601T0000Z_a1b2.json.gz"
                      % (ORG_ID, a, a), 4821) for a in (M, P)], created_day=25),
    ]
    return buckets


# ----------------------------------------------------------------------------- Organizations

def write_org(out):
    org_arn = lambda kind, rid: "arn:aws:organizations::%s:%s/%s/%s" % (MGMT, kind, ORG_ID, rid)  # noqa: E731
    write_json(out, "organizations/describe-organization.json", {"Organization": {
        "Id": ORG_ID,
        "Arn": "arn:aws:organizations::%s:organization/%s" % (MGMT, ORG_ID),
        "FeatureSet": "ALL",
        "MasterAccountArn": org_arn("account", MGMT),
        "MasterAccountId": MGMT,
        "MasterAccountEmail": "aws-root@acme.example.com",
        "AvailablePolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}],
    }})
    write_json(out, "organizations/list-accounts.json", {"Accounts": [
        {"Id": MGMT, "Arn": org_arn("account", MGMT), "Email": "aws-root@acme.example.com", "Name": "acme-mgmt",
         "Status": "ACTIVE", "State": "ACTIVE", "JoinedMethod": "CREATED", "JoinedTimestamp": "2021-02-01T09:00:00.123000+00:00"},
        {"Id": PROD, "Arn": org_arn("account", PROD), "Email": "aws-prod@acme.example.com", "Name": "acme-prod",
         "Status": "ACTIVE", "State": "ACTIVE", "JoinedMethod": "CREATED", "JoinedTimestamp": "2021-02-03T11:30:00.456000+00:00"},
    ]})
    write_json(out, "organizations/list-roots.json", {"Roots": [{
        "Id": ROOT_ID, "Arn": org_arn("root", ROOT_ID), "Name": "Root",
        "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}]})
    for child, parent, ptype in [(MGMT, ROOT_ID, "ROOT"), (PROD, OU_WORKLOADS, "ORGANIZATIONAL_UNIT"),
                                 (OU_WORKLOADS, ROOT_ID, "ROOT"), (OU_SANDBOX, ROOT_ID, "ROOT")]:
        write_json(out, "organizations/parents/%s.json" % child, {"Parents": [{"Id": parent, "Type": ptype}]})

    def target(tid):
        if tid == ROOT_ID:
            return {"TargetId": tid, "Arn": org_arn("root", tid), "Name": "Root", "Type": "ROOT"}
        if tid.startswith("ou-"):
            return {"TargetId": tid, "Arn": org_arn("ou", tid),
                    "Name": "Workloads" if tid == OU_WORKLOADS else "Sandbox", "Type": "ORGANIZATIONAL_UNIT"}
        return {"TargetId": tid, "Arn": org_arn("account", tid), "Name": ACCOUNT_NAME[tid], "Type": "ACCOUNT"}

    scps = [
        # AWS attaches FullAWSAccess to every root, OU and account by default; an SCP allow is
        # needed at every level of the hierarchy.
        ("p-FullAWSAccess", "FullAWSAccess", "Allows access to every operation", True,
         {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
         [ROOT_ID, OU_WORKLOADS, OU_SANDBOX, MGMT, PROD]),
        ("p-guard1a2b3c", "DenyLeaveOrgAndTrailTampering", "Workload guardrails", False, doc(
            {"Sid": "DenyLeaveOrganization", "Effect": "Deny", "Action": "organizations:LeaveOrganization",
             "Resource": "*"},
            {"Sid": "DenyCloudTrailTampering", "Effect": "Deny",
             "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail",
                        "cloudtrail:PutEventSelectors"], "Resource": "*"}),
         [OU_WORKLOADS]),
        ("p-perim4d5e6f", "DenyPutObjectOutsideOrg", "Data perimeter: no writes to buckets outside the organization",
         False, doc(
             {"Sid": "DenyWritesToForeignBuckets", "Effect": "Deny", "Action": ["s3:PutObject", "s3:PutObjectAcl"],
              "Resource": "*", "Condition": {"StringNotEquals": {"aws:ResourceOrgID": ORG_ID}}}),
         [OU_WORKLOADS]),
        ("p-sbox7g8h9i", "DenyExpensiveServices", "Sandbox cost guardrail", False, doc(
            {"Sid": "DenyLargeInstances", "Effect": "Deny", "Action": "ec2:RunInstances",
             "Resource": "arn:aws:ec2:*:*:instance/*",
             "Condition": {"ForAnyValue:StringNotLike": {"ec2:InstanceType": ["t3.*", "t4g.*"]}}}),
         [OU_SANDBOX]),
    ]
    for pid, name, desc, managed, content, targets in scps:
        arn = ("arn:aws:organizations::aws:policy/service_control_policy/%s" % pid if managed else
               "arn:aws:organizations::%s:policy/%s/service_control_policy/%s" % (MGMT, ORG_ID, pid))
        write_json(out, "organizations/policies/%s/describe-policy.json" % pid, {"Policy": {
            "PolicySummary": {"Id": pid, "Arn": arn, "Name": name, "Description": desc,
                              "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": managed},
            "Content": json.dumps(content, indent=4) if not managed else compact(content),
        }})
        write_json(out, "organizations/policies/%s/list-targets-for-policy.json" % pid,
                   {"Targets": [target(t) for t in targets]})


# ----------------------------------------------------------------------------- EC2

def tags(name):
    return [{"Key": "Name", "Value": name}]


def sg_rule(proto, lo, hi, cidrs, desc=None):
    r = {"IpProtocol": proto}
    if proto != "-1":
        r["FromPort"] = lo
        r["ToPort"] = hi
    r["IpRanges"] = [dict({"CidrIp": c}, **({"Description": desc} if desc else {})) for c in cidrs]
    r["Ipv6Ranges"] = []
    r["PrefixListIds"] = []
    r["UserIdGroupPairs"] = []
    return r


def write_prod_network(out):
    acct = PROD
    base = "accounts/%s/ec2/%s/" % (acct, REGION)
    vpc = hexid("vpc", "prod")
    igw = hexid("igw", "prod")
    nat = hexid("nat", "prod")
    vpce = hexid("vpce", "prod-s3")
    sub = {n: hexid("subnet", n) for n in ("public-a", "private-a", "public-b")}
    rtb = {n: hexid("rtb", n) for n in ("main", "public", "private")}
    acl = {n: hexid("acl", n) for n in ("default", "restricted")}
    sg = {n: hexid("sg", n) for n in ("default", "web", "internal", "bastion")}
    s3_prefix_list = "pl-63a5400a"

    write_json(out, base + "describe-vpcs.json", {"Vpcs": [{
        "CidrBlock": "10.0.0.0/16", "DhcpOptionsId": hexid("dopt", "prod"), "State": "available", "VpcId": vpc,
        "OwnerId": acct, "InstanceTenancy": "default",
        "CidrBlockAssociationSet": [{"AssociationId": hexid("vpc-cidr-assoc", "prod"), "CidrBlock": "10.0.0.0/16",
                                     "CidrBlockState": {"State": "associated"}}],
        "IsDefault": False, "Tags": tags("acme-prod")}]})
    subnets = [("public-a", "10.0.1.0/24", "us-east-1a", True), ("private-a", "10.0.2.0/24", "us-east-1a", False),
               ("public-b", "10.0.3.0/24", "us-east-1b", True)]
    write_json(out, base + "describe-subnets.json", {"Subnets": [{
        "AvailabilityZone": az, "AvailabilityZoneId": "use1-az%d" % (2 if az.endswith("a") else 4),
        "AvailableIpAddressCount": 245, "CidrBlock": cidr, "DefaultForAz": False, "MapPublicIpOnLaunch": pub,
        "MapCustomerOwnedIpOnLaunch": False, "State": "available", "SubnetId": sub[n], "VpcId": vpc, "OwnerId": acct,
        "AssignIpv6AddressOnCreation": False, "Ipv6CidrBlockAssociationSet": [], "Tags": tags("acme-prod-" + n),
        "SubnetArn": "arn:aws:ec2:%s:%s:subnet/%s" % (REGION, acct, sub[n]), "EnableDns64": False,
        "Ipv6Native": False, "PrivateDnsNameOptionsOnLaunch": {"HostnameType": "ip-name",
                                                               "EnableResourceNameDnsARecord": False,
                                                               "EnableResourceNameDnsAAAARecord": False}}
        for n, cidr, az, pub in subnets]})
    write_json(out, base + "describe-internet-gateways.json", {"InternetGateways": [{
        "Attachments": [{"State": "available", "VpcId": vpc}], "InternetGatewayId": igw, "OwnerId": acct,
        "Tags": tags("acme-prod-igw")}]})
    write_json(out, base + "describe-nat-gateways.json", {"NatGateways": [{
        "CreateTime": "2023-03-02T10:11:12+00:00",
        "NatGatewayAddresses": [{"AllocationId": hexid("eipalloc", "nat"), "NetworkInterfaceId": hexid("eni", "nat"),
                                 "PrivateIp": "10.0.1.10", "PublicIp": "3.220.14.7", "AssociationId": hexid("eipassoc", "nat"),
                                 "IsPrimary": True, "Status": "succeeded"}],
        "NatGatewayId": nat, "State": "available", "SubnetId": sub["public-a"], "VpcId": vpc,
        "Tags": tags("acme-prod-nat"), "ConnectivityType": "public"}]})

    def route_local():
        return {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable",
                "State": "active"}

    def assoc(table, subnet=None, main=False):
        a = {"Main": main, "RouteTableAssociationId": hexid("rtbassoc", table + (subnet or "main")),
             "RouteTableId": rtb[table]}
        if subnet:
            a["SubnetId"] = sub[subnet]
        a["AssociationState"] = {"State": "associated"}
        return a

    write_json(out, base + "describe-route-tables.json", {"RouteTables": [
        {"Associations": [assoc("main", main=True)], "PropagatingVgws": [], "RouteTableId": rtb["main"],
         "Routes": [route_local()], "Tags": [], "VpcId": vpc, "OwnerId": acct},
        {"Associations": [assoc("public", "public-a"), assoc("public", "public-b")], "PropagatingVgws": [],
         "RouteTableId": rtb["public"],
         "Routes": [route_local(), {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw, "Origin": "CreateRoute",
                                    "State": "active"}], "Tags": tags("acme-prod-public"), "VpcId": vpc, "OwnerId": acct},
        {"Associations": [assoc("private", "private-a")], "PropagatingVgws": [], "RouteTableId": rtb["private"],
         "Routes": [route_local(),
                    {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": nat, "Origin": "CreateRoute", "State": "active"},
                    {"DestinationPrefixListId": s3_prefix_list, "GatewayId": vpce, "Origin": "CreateRoute",
                     "State": "active"}], "Tags": tags("acme-prod-private"), "VpcId": vpc, "OwnerId": acct},
    ]})

    def acl_entry(rule, egress, cidr, action, proto="-1", ports=None):
        e = {"CidrBlock": cidr, "Egress": egress, "Protocol": proto, "RuleAction": action, "RuleNumber": rule}
        if ports:
            e["PortRange"] = {"From": ports[0], "To": ports[1]}
        return e

    write_json(out, base + "describe-network-acls.json", {"NetworkAcls": [
        {"Associations": [{"NetworkAclAssociationId": hexid("aclassoc", s), "NetworkAclId": acl["default"],
                           "SubnetId": sub[s]} for s in ("public-a", "private-a")],
         "Entries": [acl_entry(100, True, "0.0.0.0/0", "allow"), acl_entry(32767, True, "0.0.0.0/0", "deny"),
                     acl_entry(100, False, "0.0.0.0/0", "allow"), acl_entry(32767, False, "0.0.0.0/0", "deny")],
         "IsDefault": True, "NetworkAclId": acl["default"], "Tags": [], "VpcId": vpc, "OwnerId": acct},
        {"Associations": [{"NetworkAclAssociationId": hexid("aclassoc", "public-b"), "NetworkAclId": acl["restricted"],
                           "SubnetId": sub["public-b"]}],
         "Entries": [acl_entry(100, True, "0.0.0.0/0", "allow"), acl_entry(32767, True, "0.0.0.0/0", "deny"),
                     acl_entry(100, False, "10.0.0.0/8", "allow"),
                     acl_entry(200, False, "0.0.0.0/0", "allow", "6", (1024, 65535)),
                     acl_entry(32767, False, "0.0.0.0/0", "deny")],
         "IsDefault": False, "NetworkAclId": acl["restricted"], "Tags": tags("acme-prod-restricted"), "VpcId": vpc,
         "OwnerId": acct},
    ]})

    egress_all = [sg_rule("-1", None, None, ["0.0.0.0/0"])]

    def group(name, gid_key, desc, ingress):
        return {"Description": desc, "GroupName": name, "IpPermissions": ingress, "OwnerId": acct,
                "GroupId": sg[gid_key], "IpPermissionsEgress": egress_all, "Tags": tags(name), "VpcId": vpc}

    default_ingress = [{"IpProtocol": "-1", "IpRanges": [], "Ipv6Ranges": [], "PrefixListIds": [],
                        "UserIdGroupPairs": [{"GroupId": sg["default"], "UserId": acct}]}]
    write_json(out, base + "describe-security-groups.json", {"SecurityGroups": [
        group("default", "default", "default VPC security group", default_ingress),
        group("web-sg", "web", "Public web tier", [
            sg_rule("tcp", 443, 443, ["0.0.0.0/0"], "HTTPS from anywhere"),
            sg_rule("tcp", 80, 80, ["0.0.0.0/0"], "HTTP redirect"),
            sg_rule("tcp", 22, 22, [OFFICE_CIDR], "SSH from office")]),
        group("internal-sg", "internal", "Internal services", [
            sg_rule("tcp", 443, 443, ["10.0.0.0/8"], "HTTPS from the corporate network")]),
        group("bastion-sg", "bastion", "Bastion host", [
            sg_rule("tcp", 22, 22, [OFFICE_CIDR], "SSH from office")]),
    ]})

    endpoint_policy = {"Version": "2008-10-17", "Statement": [{
        "Sid": "AcmeBucketsOnly", "Effect": "Allow", "Principal": "*", "Action": "s3:*",
        "Resource": ["arn:aws:s3:::acme-*", "arn:aws:s3:::acme-*/*"]}]}
    write_json(out, base + "describe-vpc-endpoints.json", {"VpcEndpoints": [{
        "VpcEndpointId": vpce, "VpcEndpointType": "Gateway", "VpcId": vpc,
        "ServiceName": "com.amazonaws.us-east-1.s3", "State": "available",
        "PolicyDocument": json.dumps(endpoint_policy, indent=4),
        "RouteTableIds": [rtb["private"]], "SubnetIds": [], "Groups": [], "IpAddressType": "ipv4",
        "PrivateDnsEnabled": False, "RequesterManaged": False, "NetworkInterfaceIds": [], "DnsEntries": [],
        "CreationTimestamp": "2023-03-02T10:20:00+00:00", "Tags": tags("acme-prod-s3"), "OwnerId": acct}]})

    instances = [
        # name, subnet, private ip, public ip, sg key, profile role
        ("web-1", "public-a", "10.0.1.20", "54.210.10.20", "web", "web-server"),
        ("api-1", "public-a", "10.0.1.21", "54.210.10.21", "internal", "internal-api"),
        ("bastion-1", "public-a", "10.0.1.22", "54.210.10.22", "bastion", "bastion"),
        ("report-1", "public-b", "10.0.3.23", "54.210.10.23", "web", "report-worker"),
        ("batch-1", "private-a", "10.0.2.24", None, "web", "batch-worker"),
    ]
    sg_names = {"web": "web-sg", "internal": "internal-sg", "bastion": "bastion-sg"}
    reservations = []
    for i, (name, subnet, priv, pub, sgk, role) in enumerate(instances):
        iid = hexid("i", name)
        eni = hexid("eni", name)
        priv_dns = "ip-%s.ec2.internal" % priv.replace(".", "-")
        pub_dns = "ec2-%s.compute-1.amazonaws.com" % pub.replace(".", "-") if pub else ""
        groups = [{"GroupName": sg_names[sgk], "GroupId": sg[sgk]}]
        ni = {}
        if pub:
            ni["Association"] = {"IpOwnerId": "amazon", "PublicDnsName": pub_dns, "PublicIp": pub}
        ni.update({
            "Attachment": {"AttachTime": "2024-05-0%dT12:00:00+00:00" % (i + 1), "AttachmentId": hexid("eni-attach", name),
                           "DeleteOnTermination": True, "DeviceIndex": 0, "Status": "attached", "NetworkCardIndex": 0},
            "Description": "", "Groups": groups, "Ipv6Addresses": [],
            "MacAddress": "0e:%02x:3c:4d:5e:6f" % (16 + i), "NetworkInterfaceId": eni, "OwnerId": acct,
            "PrivateDnsName": priv_dns, "PrivateIpAddress": priv,
            "PrivateIpAddresses": [dict({"Primary": True, "PrivateDnsName": priv_dns, "PrivateIpAddress": priv},
                                        **({"Association": {"IpOwnerId": "amazon", "PublicDnsName": pub_dns,
                                                            "PublicIp": pub}} if pub else {}))],
            "SourceDestCheck": True, "Status": "in-use", "SubnetId": sub[subnet], "VpcId": vpc,
            "InterfaceType": "interface"})
        inst = {
            "AmiLaunchIndex": 0, "ImageId": "ami-0c7217cdde317cfec", "InstanceId": iid, "InstanceType": "t3.medium",
            "KeyName": "acme-prod", "LaunchTime": "2024-05-0%dT12:00:00+00:00" % (i + 1),
            "Monitoring": {"State": "disabled"},
            "Placement": {"AvailabilityZone": "us-east-1a" if subnet.endswith("-a") else "us-east-1b",
                          "GroupName": "", "Tenancy": "default"},
            "PrivateDnsName": priv_dns, "PrivateIpAddress": priv, "ProductCodes": [], "PublicDnsName": pub_dns,
        }
        if pub:
            inst["PublicIpAddress"] = pub
        inst.update({
            "State": {"Code": 16, "Name": "running"}, "StateTransitionReason": "", "SubnetId": sub[subnet],
            "VpcId": vpc, "Architecture": "x86_64",
            "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {
                "AttachTime": "2024-05-0%dT12:00:01+00:00" % (i + 1), "DeleteOnTermination": True, "Status": "attached",
                "VolumeId": hexid("vol", name)}}],
            "ClientToken": "", "EbsOptimized": False, "EnaSupport": True, "Hypervisor": "xen",
            "IamInstanceProfile": {"Arn": "arn:aws:iam::%s:instance-profile/%s" % (acct, role),
                                   "Id": ident("AIPA", acct + role)},
            "NetworkInterfaces": [ni], "RootDeviceName": "/dev/xvda", "RootDeviceType": "ebs",
            "SecurityGroups": groups, "SourceDestCheck": True, "Tags": tags(name), "VirtualizationType": "hvm",
            "CpuOptions": {"CoreCount": 1, "ThreadsPerCore": 2},
            "MetadataOptions": {"State": "applied", "HttpTokens": "required", "HttpPutResponseHopLimit": 2,
                                "HttpEndpoint": "enabled", "HttpProtocolIpv6": "disabled",
                                "InstanceMetadataTags": "disabled"},
            "PlatformDetails": "Linux/UNIX", "UsageOperation": "RunInstances",
        })
        reservations.append({"Groups": [], "Instances": [inst], "OwnerId": acct,
                             "ReservationId": hexid("r", name)})
    write_json(out, base + "describe-instances.json", {"Reservations": reservations})


def write_mgmt_network(out):
    # The management account keeps its default VPC and runs nothing in it.
    acct = MGMT
    base = "accounts/%s/ec2/%s/" % (acct, REGION)
    vpc = hexid("vpc", "mgmt-default")
    igw = hexid("igw", "mgmt-default")
    rtb = hexid("rtb", "mgmt-default")
    acl = hexid("acl", "mgmt-default")
    sgid = hexid("sg", "mgmt-default")
    azs = ["us-east-1a", "us-east-1b", "us-east-1c"]
    subs = [(hexid("subnet", "mgmt-" + az), "172.31.%d.0/20" % (16 * i), az) for i, az in enumerate(azs)]
    write_json(out, base + "describe-vpcs.json", {"Vpcs": [{
        "CidrBlock": "172.31.0.0/16", "DhcpOptionsId": hexid("dopt", "mgmt"), "State": "available", "VpcId": vpc,
        "OwnerId": acct, "InstanceTenancy": "default",
        "CidrBlockAssociationSet": [{"AssociationId": hexid("vpc-cidr-assoc", "mgmt"), "CidrBlock": "172.31.0.0/16",
                                     "CidrBlockState": {"State": "associated"}}], "IsDefault": True}]})
    write_json(out, base + "describe-subnets.json", {"Subnets": [{
        "AvailabilityZone": az, "AvailableIpAddressCount": 4091, "CidrBlock": cidr, "DefaultForAz": True,
        "MapPublicIpOnLaunch": True, "State": "available", "SubnetId": sid, "VpcId": vpc, "OwnerId": acct,
        "AssignIpv6AddressOnCreation": False, "Ipv6CidrBlockAssociationSet": [],
        "SubnetArn": "arn:aws:ec2:%s:%s:subnet/%s" % (REGION, acct, sid)} for sid, cidr, az in subs]})
    write_json(out, base + "describe-internet-gateways.json", {"InternetGateways": [{
        "Attachments": [{"State": "available", "VpcId": vpc}], "InternetGatewayId": igw, "OwnerId": acct, "Tags": []}]})
    write_json(out, base + "describe-nat-gateways.json", {"NatGateways": []})
    write_json(out, base + "describe-route-tables.json", {"RouteTables": [{
        "Associations": [{"Main": True, "RouteTableAssociationId": hexid("rtbassoc", "mgmt"), "RouteTableId": rtb,
                          "AssociationState": {"State": "associated"}}],
        "PropagatingVgws": [], "RouteTableId": rtb,
        "Routes": [{"DestinationCidrBlock": "172.31.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable",
                    "State": "active"},
                   {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw, "Origin": "CreateRoute", "State": "active"}],
        "Tags": [], "VpcId": vpc, "OwnerId": acct}]})
    write_json(out, base + "describe-network-acls.json", {"NetworkAcls": [{
        "Associations": [{"NetworkAclAssociationId": hexid("aclassoc", sid), "NetworkAclId": acl, "SubnetId": sid}
                         for sid, _, _ in subs],
        "Entries": [{"CidrBlock": "0.0.0.0/0", "Egress": e, "Protocol": "-1", "RuleAction": a, "RuleNumber": n}
                    for e in (True, False) for n, a in ((100, "allow"), (32767, "deny"))],
        "IsDefault": True, "NetworkAclId": acl, "Tags": [], "VpcId": vpc, "OwnerId": acct}]})
    write_json(out, base + "describe-security-groups.json", {"SecurityGroups": [{
        "Description": "default VPC security group", "GroupName": "default",
        "IpPermissions": [{"IpProtocol": "-1", "IpRanges": [], "Ipv6Ranges": [], "PrefixListIds": [],
                           "UserIdGroupPairs": [{"GroupId": sgid, "UserId": acct}]}],
        "OwnerId": acct, "GroupId": sgid,
        "IpPermissionsEgress": [sg_rule("-1", None, None, ["0.0.0.0/0"])], "VpcId": vpc}]})
    write_json(out, base + "describe-vpc-endpoints.json", {"VpcEndpoints": []})
    write_json(out, base + "describe-instances.json", {"Reservations": []})


# ----------------------------------------------------------------------------- Lambda

def write_lambda(out):
    def function(acct, name, role, handler="app.handler", desc=""):
        return {
            "FunctionName": name,
            "FunctionArn": "arn:aws:lambda:%s:%s:function:%s" % (REGION, acct, name),
            "Runtime": "python3.12", "Role": role, "Handler": handler,
            "CodeSize": 4096 + len(name) * 17, "Description": desc, "Timeout": 30, "MemorySize": 256,
            "LastModified": "2024-05-20T08:15:30.000+0000",
            "CodeSha256": base64.b64encode(hashlib.sha256(name.encode()).digest()).decode(),
            "Version": "$LATEST", "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": "%s-%s-%s-%s-%s" % tuple(hashlib.sha256(("rev" + name).encode()).hexdigest()[a:b]
                                                   for a, b in ((0, 8), (8, 12), (12, 16), (16, 20), (20, 32))),
            "PackageType": "Zip", "Architectures": ["x86_64"], "EphemeralStorage": {"Size": 512},
            "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": "/aws/lambda/" + name},
        }

    def url_config(acct, name, auth):
        return {
            "FunctionUrl": "https://%s.lambda-url.us-east-1.on.aws/" % hashlib.sha256(name.encode()).hexdigest()[:32],
            "FunctionArn": "arn:aws:lambda:%s:%s:function:%s" % (REGION, acct, name),
            "AuthType": auth,
            "CreationTime": "2024-05-20T08:20:00.000000Z",
            "LastModifiedTime": "2024-05-20T08:20:00.000000Z",
            "InvokeMode": "BUFFERED",
        }

    prod_fns = [
        function(PROD, "public-api", "arn:aws:iam::%s:role/service-role/public-api-fn" % PROD,
                 desc="Order status API (function URL)"),
        function(PROD, "internal-report", "arn:aws:iam::%s:role/service-role/internal-report-fn" % PROD,
                 desc="Internal order report (IAM-authenticated URL)"),
        function(PROD, "reports-export", "arn:aws:iam::%s:role/reports-export" % PROD, desc="Nightly export"),
    ]
    mgmt_fns = [
        function(MGMT, "billing-export", "arn:aws:iam::%s:role/billing-export" % MGMT, desc="CUR delivery to finance"),
        function(MGMT, "ledger-export", "arn:aws:iam::%s:role/billing-export-bounded" % MGMT, desc="Ledger delivery"),
        function(MGMT, "org-automation", "arn:aws:iam::%s:role/org-automation" % MGMT, desc="Account vending"),
    ]
    for acct, fns in ((PROD, prod_fns), (MGMT, mgmt_fns)):
        base = "accounts/%s/lambda/%s/" % (acct, REGION)
        write_json(out, base + "list-functions.json", {"Functions": fns})
        for fn in fns:
            name = fn["FunctionName"]
            fbase = base + "functions/%s/" % name
            if name == "public-api":
                policy = {"Version": "2012-10-17", "Id": "default", "Statement": [{
                    "Sid": "FunctionURLAllowPublicAccess", "Effect": "Allow", "Principal": "*",
                    "Action": "lambda:InvokeFunctionUrl", "Resource": fn["FunctionArn"],
                    "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}}]}
                write_json(out, fbase + "get-policy.json",
                           {"Policy": compact(policy), "RevisionId": fn["RevisionId"]})
                write_json(out, fbase + "get-function-url-config.json", url_config(acct, name, "NONE"))
            elif name == "internal-report":
                write_json(out, fbase + "get-policy.json", {})
                write_json(out, fbase + "get-function-url-config.json", url_config(acct, name, "AWS_IAM"))
            else:
                write_json(out, fbase + "get-policy.json", {})
                write_json(out, fbase + "get-function-url-config.json", {})


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(repo, "datasets", "demo")
    # Regenerate everything but the hand-written README.
    if os.path.isdir(out):
        for entry in os.listdir(out):
            if entry == "README.md":
                continue
            path = os.path.join(out, entry)
            if os.path.isdir(path):
                shutil.rmtree(path)
            else:
                os.remove(path)
    build(out)


if __name__ == "__main__":
    main()
