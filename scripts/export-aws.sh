#!/usr/bin/env bash
# export-aws.sh: collects a leakpath export with the stock AWS CLI.
#
# Writes EXPORT in the native layout of ../shared/spec/export-layout.md: every file is
# exactly what `aws ... --output json` prints (pages merged, the CLI's default).
#
# Usage:
#   scripts/export-aws.sh [options] EXPORT
# Options:
#   --profile NAME        passed to every aws call
#   --endpoint-url URL    passed to every aws call (e.g. a local moto_server)
#   --regions a,b         regions for regional services (default: every enabled region,
#                         from `aws ec2 describe-regions`)
#   --max-items N         object keys listed per bucket (default 100)
#   --samples N           download up to N small objects per bucket into samples/ (default 0)
#   --sample-max-bytes B  largest object downloaded as a sample (default 1048576)
#   -h, --help
#
# Conventions (shared with src/ingest):
# - A file holding `{}` means "collected, and there is none": the call was made and AWS
#   answered NoSuchBucketPolicy, NoSuchPublicAccessBlockConfiguration,
#   ServerSideEncryptionConfigurationNotFoundError, OwnershipControlsNotFoundError,
#   NoSuchOrganizationConfiguration... or ResourceNotFoundException for a Lambda function's
#   policy or URL config. (A successful call that printed nothing is written as `{}` too.)
# - A missing file means "not collected": the call failed for another reason (access
#   denied, throttling, an unsupported region...). Every such failure is reported on
#   stderr and appended to EXPORT/collector-errors.txt as
#   `<file>\t<aws command>\t<error>`; it never stops the collection.
# - Object keys are flattened into samples/ with `/` replaced by `__`
#   (`deploy/.env` -> `samples/deploy__.env`).
# - The organizations/ part is collected only when `aws organizations
#   describe-organization` succeeds (the caller's account belongs to an organization);
#   listing accounts, OUs and policies needs the management account or a delegated
#   administrator, and fails (reported, not fatal) elsewhere.
#
# Exit status: 0 when the export was written (even with collector errors), 2 on bad usage
# or when the caller's identity cannot be determined.

set -uo pipefail
export AWS_PAGER=""

usage() { sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'; }

profile=""
endpoint=""
regions=""
max_items=100
samples=0
sample_max_bytes=1048576
out=""

while [ $# -gt 0 ]; do
  case "$1" in
    --profile) profile="${2:?--profile needs a value}"; shift 2 ;;
    --endpoint-url) endpoint="${2:?--endpoint-url needs a value}"; shift 2 ;;
    --regions) regions="${2:?--regions needs a value}"; shift 2 ;;
    --max-items) max_items="${2:?--max-items needs a value}"; shift 2 ;;
    --samples) samples="${2:?--samples needs a value}"; shift 2 ;;
    --sample-max-bytes) sample_max_bytes="${2:?--sample-max-bytes needs a value}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "export-aws.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) [ -z "$out" ] || { echo "export-aws.sh: more than one EXPORT given" >&2; exit 2; }; out="$1"; shift ;;
  esac
done
[ -n "$out" ] || { echo "export-aws.sh: EXPORT folder missing" >&2; usage >&2; exit 2; }
for n in "$max_items" "$samples" "$sample_max_bytes"; do
  case "$n" in ''|*[!0-9]*) echo "export-aws.sh: not a number: $n" >&2; exit 2 ;; esac
done
command -v aws >/dev/null 2>&1 || { echo "export-aws.sh: the aws CLI is not installed" >&2; exit 2; }

common=()
[ -n "$profile" ] && common+=(--profile "$profile")
[ -n "$endpoint" ] && common+=(--endpoint-url "$endpoint")

mkdir -p "$out" || exit 2
errors="$out/collector-errors.txt"
: > "$errors"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# Error codes that mean "collected, there is none".
NONE_CODES="NoSuchBucketPolicy NoSuchPublicAccessBlockConfiguration ServerSideEncryptionConfigurationNotFoundError OwnershipControlsNotFoundError NoSuchOwnershipControls"

report() { # file, command, message
  printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$errors"
  printf 'export-aws.sh: %s: %s: %s\n' "$1" "$2" "$3" >&2
}

# call FILE EXTRA_NONE_CODES aws-args...: runs one aws command with --output json into
# EXPORT/FILE; writes `{}` when AWS answers one of the "there is none" codes.
call() {
  local rel="$1" extra_none="$2"; shift 2
  local dest="$out/$rel"
  mkdir -p "$(dirname "$dest")"
  if aws "${common[@]}" "$@" --output json > "$scratch/out" 2> "$scratch/err"; then
    if [ -s "$scratch/out" ]; then mv "$scratch/out" "$dest"; else echo '{}' > "$dest"; fi
    return 0
  fi
  local code
  code="$(sed -n 's/.*An error occurred (\([A-Za-z0-9.]*\)).*/\1/p' "$scratch/err" | head -n1)"
  if [ -n "$code" ] && [[ " $NONE_CODES $extra_none " == *" $code "* ]]; then
    echo '{}' > "$dest"
    return 0
  fi
  report "$rel" "aws $*" "$(tr '\n' ' ' < "$scratch/err" | sed 's/  */ /g; s/^ //; s/ $//')"
  rm -f "$scratch/out"
  return 1
}

# text aws-args...: one aws command with --output text, words on stdout (for ids to loop
# over). Failures are reported under the pseudo-file given as $1.
text() {
  local what="$1"; shift
  if aws "${common[@]}" "$@" --output text > "$scratch/txt" 2> "$scratch/err"; then
    tr '\t' '\n' < "$scratch/txt" | sed '/^$/d; /^None$/d'
    return 0
  fi
  report "$what" "aws $*" "$(tr '\n' ' ' < "$scratch/err" | sed 's/  */ /g; s/^ //; s/ $//')"
  return 1
}

account="$(text "(caller identity)" sts get-caller-identity --query Account)" || {
  echo "export-aws.sh: cannot determine the caller's account (aws sts get-caller-identity failed)" >&2
  exit 2
}
account="$(echo "$account" | head -n1)"
echo "export-aws.sh: collecting account $account into $out" >&2

if [ -z "$regions" ]; then
  regions="$(text "(regions)" ec2 describe-regions --region us-east-1 --query 'Regions[].RegionName' | sort | tr '\n' ',')"
  [ -n "$regions" ] || regions="us-east-1"
fi
IFS=',' read -r -a region_list <<< "$regions"

# ---------------------------------------------------------------- organizations
if call organizations/describe-organization.json "" organizations describe-organization; then
  call organizations/list-accounts.json "" organizations list-accounts
  if call organizations/list-roots.json "" organizations list-roots; then
    # Walk the OU tree from every root: parents of each OU and account.
    pending="$(text "organizations/list-roots.json" organizations list-roots --query 'Roots[].Id')"
    while [ -n "$pending" ]; do
      next=""
      for parent in $pending; do
        for ou in $(text "organizations/(OUs of $parent)" organizations list-organizational-units-for-parent --parent-id "$parent" --query 'OrganizationalUnits[].Id'); do
          call "organizations/parents/$ou.json" "" organizations list-parents --child-id "$ou"
          next="$next $ou"
        done
      done
      pending="$next"
    done
  fi
  for acct in $(text "organizations/list-accounts.json" organizations list-accounts --query 'Accounts[].Id'); do
    call "organizations/parents/$acct.json" "" organizations list-parents --child-id "$acct"
  done
  for ptype in SERVICE_CONTROL_POLICY RESOURCE_CONTROL_POLICY; do
    for pid in $(text "organizations/(policies $ptype)" organizations list-policies --filter "$ptype" --query 'Policies[].Id'); do
      call "organizations/policies/$pid/describe-policy.json" "" organizations describe-policy --policy-id "$pid"
      call "organizations/policies/$pid/list-targets-for-policy.json" "" organizations list-targets-for-policy --policy-id "$pid"
    done
  done
else
  echo "export-aws.sh: no organization data (describe-organization failed; see collector-errors.txt)" >&2
fi

acc="accounts/$account"

# ---------------------------------------------------------------- IAM
call "$acc/iam/get-account-authorization-details.json" "" iam get-account-authorization-details

# ---------------------------------------------------------------- S3
call "$acc/s3control/get-public-access-block.json" "" s3control get-public-access-block --account-id "$account" --region us-east-1
if call "$acc/s3/list-buckets.json" "" s3api list-buckets; then
  for bucket in $(text "$acc/s3/list-buckets.json" s3api list-buckets --query 'Buckets[].Name'); do
    b="$acc/s3/buckets/$bucket"
    call "$b/get-bucket-location.json" "" s3api get-bucket-location --bucket "$bucket"
    # Address the bucket in its own region (null/empty is us-east-1, EU is eu-west-1).
    loc="$(sed -n 's/.*"LocationConstraint": *"\([a-z0-9-]*\)".*/\1/p' "$out/$b/get-bucket-location.json" 2>/dev/null | head -n1)"
    case "$loc" in "") loc=us-east-1 ;; EU) loc=eu-west-1 ;; esac
    call "$b/get-bucket-policy.json" "" s3api get-bucket-policy --bucket "$bucket" --region "$loc"
    call "$b/get-bucket-acl.json" "" s3api get-bucket-acl --bucket "$bucket" --region "$loc"
    call "$b/get-public-access-block.json" "" s3api get-public-access-block --bucket "$bucket" --region "$loc"
    call "$b/get-bucket-ownership-controls.json" "" s3api get-bucket-ownership-controls --bucket "$bucket" --region "$loc"
    call "$b/get-bucket-encryption.json" "" s3api get-bucket-encryption --bucket "$bucket" --region "$loc"
    call "$b/list-objects-v2.json" "" s3api list-objects-v2 --bucket "$bucket" --region "$loc" --max-items "$max_items"
    if [ "$samples" -gt 0 ] && [ -s "$out/$b/list-objects-v2.json" ]; then
      taken=0
      # Keys of small objects from the listing already made, one per line.
      while IFS= read -r key; do
        [ "$taken" -lt "$samples" ] || break
        [ -n "$key" ] && [ "$key" != "None" ] || continue
        case "$key" in */) continue ;; esac
        flat="${key//\//__}"
        mkdir -p "$out/$b/samples"
        if aws "${common[@]}" s3api get-object --bucket "$bucket" --region "$loc" --key "$key" \
             "$out/$b/samples/$flat" > /dev/null 2> "$scratch/err"; then
          taken=$((taken + 1))
        else
          rm -f "$out/$b/samples/$flat"
          report "$b/samples/$flat" "aws s3api get-object --bucket $bucket --key $key" "$(tr '\n' ' ' < "$scratch/err")"
        fi
      done < <(aws "${common[@]}" s3api list-objects-v2 --bucket "$bucket" --region "$loc" --max-items "$max_items" \
                 --query "Contents[?Size <= \`$sample_max_bytes\`].Key" --output json 2>/dev/null |
               sed -n 's/^ *"\(.*\)",\{0,1\}$/\1/p')
    fi
  done
fi

# ---------------------------------------------------------------- regional services
for region in "${region_list[@]}"; do
  [ -n "$region" ] || continue
  echo "export-aws.sh: region $region" >&2

  k="$acc/kms/$region"
  if call "$k/list-keys.json" "" kms list-keys --region "$region"; then
    for key in $(text "$k/list-keys.json" kms list-keys --region "$region" --query 'Keys[].KeyId'); do
      call "$k/keys/$key/get-key-policy.json" "" kms get-key-policy --region "$region" --key-id "$key" --policy-name default
      call "$k/keys/$key/describe-key.json" "" kms describe-key --region "$region" --key-id "$key"
    done
  fi

  e="$acc/ec2/$region"
  for what in vpcs subnets route-tables security-groups network-acls internet-gateways nat-gateways vpc-endpoints instances; do
    call "$e/describe-$what.json" "" ec2 "describe-$what" --region "$region"
  done

  l="$acc/lambda/$region"
  if call "$l/list-functions.json" "" lambda list-functions --region "$region"; then
    for fn in $(text "$l/list-functions.json" lambda list-functions --region "$region" --query 'Functions[].FunctionName'); do
      call "$l/functions/$fn/get-policy.json" "ResourceNotFoundException" lambda get-policy --region "$region" --function-name "$fn"
      call "$l/functions/$fn/get-function-url-config.json" "ResourceNotFoundException" lambda get-function-url-config --region "$region" --function-name "$fn"
    done
  fi
done

n_errors="$(wc -l < "$errors" | tr -d ' ')"
echo "export-aws.sh: done: $out ($n_errors collector errors, see $errors)" >&2
exit 0
