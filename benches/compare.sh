#!/usr/bin/env bash
# benches/compare.sh: leakpath side by side with Cloudsplaining and Parliament on the same
# GAAD files (aws iam get-account-authorization-details), from one run: wall time and peak
# memory of each tool, and the ratio to leakpath on the same input.
#
# Inputs (COMPARE_INPUTS, comma-separated; default all):
#   iamvulnerable  ../shared/data/exports/cloudsplaining/example.json
#   synth-5000     `leakpath synth --roles 5000 --users 5000 --policies 5000 --buckets 2000`
#                  (one account: its single GAAD file; leakpath also scans the export folder)
#   org-100        `leakpath synth --accounts 100 --roles 10000 --users 2000 --policies 3000
#                  --buckets 2000`: the 100 accounts' GAAD files merged into one GAAD (user,
#                  group, role lists concatenated, policies deduplicated by ARN), because
#                  Cloudsplaining and Parliament read one file per run; leakpath also scans
#                  the whole organization export folder.
# Each tool run is measured with /usr/bin/time -v (wall clock, maximum resident set size,
# children included) and killed after COMPARE_TIMEOUT seconds (default 600), reported as
# "timeout". Cloudsplaining and Parliament are installed from PyPI into a temporary virtual
# environment, removed at exit (COMPARE_KEEP=1 keeps the work folder).
#
# Run from anywhere: benches/compare.sh   (builds target/release/leakpath when missing)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="$repo/../shared/data"
timeout_s="${COMPARE_TIMEOUT:-600}"
inputs="${COMPARE_INPUTS:-iamvulnerable,synth-5000,org-100}"
leakpath="$repo/target/release/leakpath"

die() { echo "compare.sh: $*" >&2; exit 1; }
note() { echo "compare.sh: $*" >&2; }

command -v python3 >/dev/null || die "python3 is required (for the virtual environment)"
python3 -c 'import venv, ensurepip' 2>/dev/null \
  || die "python3 has no venv/ensurepip module (Debian: apt-get install python3-venv)"
if [[ ! -x /usr/bin/time ]]; then
  note "/usr/bin/time missing; installing the 'time' package"
  if command -v apt-get >/dev/null; then
    apt-get install -y -qq time >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq time >/dev/null 2>&1; } \
      || die "could not install /usr/bin/time (apt-get install time)"
  else
    die "/usr/bin/time (GNU time) is required"
  fi
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/leakpath-compare.XXXXXX")"
cleanup() {
  if [[ "${COMPARE_KEEP:-0}" == 1 ]]; then note "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# --- tools ---------------------------------------------------------------------------
if [[ ! -x "$leakpath" ]]; then
  note "building leakpath (cargo build --release --bin leakpath)"
  (cd "$repo" && cargo build --release --bin leakpath) || die "cargo build failed"
fi
note "leakpath: $leakpath (built $(date -u -r "$leakpath" '+%Y-%m-%d %H:%M UTC'), tree at $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?'))"

note "creating a virtual environment in $work/venv"
python3 -m venv "$work/venv" || die "python3 -m venv failed"
pip_log="$work/pip.log"
if ! "$work/venv/bin/pip" install --disable-pip-version-check -q cloudsplaining parliament >"$pip_log" 2>&1; then
  tail -5 "$pip_log" >&2
  if grep -qiE 'connection|resolve|network|temporary failure|timed out|proxy|No matching distribution' "$pip_log"; then
    die "pip could not reach PyPI (offline?): cloudsplaining and parliament are needed; see the lines above"
  fi
  die "pip install cloudsplaining parliament failed; see the lines above"
fi
versions="$("$work/venv/bin/pip" list --disable-pip-version-check 2>/dev/null | awk 'tolower($1)=="cloudsplaining"||tolower($1)=="parliament"{printf "%s %s  ", $1, $2}')"
note "installed: $versions"
cloudsplaining="$work/venv/bin/cloudsplaining"
parliament="$work/venv/bin/parliament"

# --- inputs --------------------------------------------------------------------------
# Each input: a GAAD file, and optionally an export folder for leakpath.
declare -A gaad=() folder=()
want() { [[ ",$inputs," == *",$1,"* ]]; }

if want iamvulnerable; then
  if [[ -f "$shared/exports/cloudsplaining/example.json" ]]; then
    gaad[iamvulnerable]="$shared/exports/cloudsplaining/example.json"
  else
    note "SKIPPED iamvulnerable: ../shared/data not present"
  fi
fi
if want synth-5000; then
  note "generating synth-5000"
  "$leakpath" synth --roles 5000 --users 5000 --policies 5000 --buckets 2000 --seed 1 \
    "$work/synth-5000" 2>/dev/null || die "leakpath synth failed"
  gaad[synth-5000]="$(ls "$work"/synth-5000/accounts/*/iam/get-account-authorization-details.json)"
  folder[synth-5000]="$work/synth-5000"
fi
if want org-100; then
  note "generating org-100 and merging its 100 GAAD files into one"
  "$leakpath" synth --accounts 100 --roles 10000 --users 2000 --policies 3000 --buckets 2000 \
    --seed 1 "$work/org-100" 2>/dev/null || die "leakpath synth failed"
  python3 - "$work/org-100" "$work/org-100-merged-gaad.json" <<'PY'
import glob, json, sys
root, out = sys.argv[1], sys.argv[2]
merged = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
seen = set()
for path in sorted(glob.glob(f"{root}/accounts/*/iam/get-account-authorization-details.json")):
    with open(path) as f:
        doc = json.load(f)
    for key in ("UserDetailList", "GroupDetailList", "RoleDetailList"):
        merged[key].extend(doc.get(key, []))
    for p in doc.get("Policies", []):
        if p.get("Arn") not in seen:
            seen.add(p.get("Arn"))
            merged["Policies"].append(p)
with open(out, "w") as f:
    json.dump(merged, f, indent=4)
PY
  gaad[org-100]="$work/org-100-merged-gaad.json"
  folder[org-100]="$work/org-100"
fi

# --- measuring -----------------------------------------------------------------------
results="$work/results.tsv"
: >"$results"

# measure TOOL INPUT OUTFILE CMD...: one run under /usr/bin/time -v with a timeout.
measure() {
  local tool="$1" input="$2" out="$3"
  shift 3
  local tv="$work/time-$tool-$input.txt" rc=0
  note "running $tool on $input"
  /usr/bin/time -v -o "$tv" timeout --kill-after=10 "$timeout_s" "$@" >"$out" 2>"$out.err" || rc=$?
  local wall kb status
  wall="$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$tv" \
    | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')"
  kb="$(awk -F': ' '/Maximum resident set size/{print $2}' "$tv")"
  case "$rc" in
    0) status=ok ;;
    1) status=ok ;; # leakpath: findings at/above --fail-on (not used here); parliament: findings
    124 | 137) status=timeout ;;
    *) status="exit $rc" ;;
  esac
  note "$tool on $input: $status, $(wc -l <"$out") output lines"
  [[ "$status" == ok ]] || note "$tool on $input: $status (stderr: $(tail -c 300 "$out.err" | tr '\n' ' '))"
  printf '%s\t%s\t%s\t%s\t%s\n' "$tool" "$input" "${wall:-?}" "${kb:-0}" "$status" >>"$results"
}

for input in iamvulnerable synth-5000 org-100; do
  [[ -n "${gaad[$input]:-}" ]] || continue
  file="${gaad[$input]}"
  note "$input: $(du -m "$file" | cut -f1) MB GAAD ($file)"
  measure leakpath "$input" "$work/leakpath-$input.jsonl" \
    "$leakpath" scan --no-state --format jsonl "$file"
  if [[ -n "${folder[$input]:-}" ]]; then
    measure leakpath-export "$input" "$work/leakpath-export-$input.jsonl" \
      "$leakpath" scan --no-state --format jsonl "${folder[$input]}"
  fi
  mkdir -p "$work/cloudsplaining-$input"
  measure cloudsplaining "$input" "$work/cloudsplaining-$input.log" \
    "$cloudsplaining" scan --input-file "$file" --output "$work/cloudsplaining-$input" --skip-open-report
  measure parliament "$input" "$work/parliament-$input.jsonl" \
    "$parliament" --auth-details-file "$file" --json
done

# --- table ---------------------------------------------------------------------------
echo
echo "leakpath vs Cloudsplaining and Parliament, one run each, $(nproc) cores, timeout ${timeout_s} s"
echo "($versions; leakpath = scan of the GAAD file, leakpath-export = scan of the export folder)"
awk -F'\t' '
  { tool[NR]=$1; input[NR]=$2; wall[NR]=$3; kb[NR]=$4; status[NR]=$5
    if ($1 == "leakpath" && ($5 == "ok" || $5 == "timeout")) { lw[$2]=$3; lm[$2]=$4; lt[$2]=($5 == "timeout") } }
  END {
    printf "%-16s %-14s %10s %10s %12s %12s  %s\n", "tool", "input", "wall s", "peak MB", "wall ratio", "mem ratio", "status"
    for (i = 1; i <= NR; i++) {
      w = (status[i] == "timeout") ? ">" wall[i] : wall[i]
      wr = (input[i] in lw && lw[input[i]] > 0) ? sprintf("%.2fx", wall[i] / lw[input[i]]) : "n/a"
      mr = (input[i] in lm && lm[input[i]] > 0) ? sprintf("%.2fx", kb[i] / lm[input[i]]) : "n/a"
      # Bounds: a tool killed at the timeout took at least that long; when leakpath was
      # killed, the tool took less than the ratio shown (memory: leakpath at the kill).
      if (status[i] == "timeout" && !lt[input[i]]) { wr = ">" wr }
      if (lt[input[i]] && tool[i] != "leakpath" && status[i] != "timeout") { wr = "<" wr; mr = "~" mr }
      if (lt[input[i]] && tool[i] != "leakpath" && status[i] == "timeout") { wr = "n/a"; mr = "n/a" }
      printf "%-16s %-14s %10s %10.1f %12s %12s  %s\n", tool[i], input[i], w, kb[i] / 1024, wr, mr, status[i]
    }
  }' "$results"
echo "(ratio = tool / leakpath on the same GAAD file; > and < are bounds where a run hit the timeout;"
echo " peak MB of a killed run is its peak until the kill)"
