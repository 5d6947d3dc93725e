#!/bin/bash
# polybench client `curl-jq` (docs/contract.md): the article's "use shell tools".
#
# curl makes the calls (N of them over one connection for keepalive, by URL
# globbing), jq parses every response body as JSON and checks it against the
# contract's payload, and bash folds the verified responses' nonces into the
# receipt and prints the contract's result line. Every value arrives as an
# argument ("$@") and reaches curl and jq as one argv element each: nothing
# is ever evaluated by a shell (no eval, no unquoted expansion).
T_ENTRY_NS="${EPOCHREALTIME/./}000"  # bash's own clock: no process spawned for a timestamp
set -u -o pipefail
export LC_ALL=C

CLIENT="curl-jq"
EXPECTED='{"message":"GET request received","data":[1,2,3]}'
USAGE="usage: curl_jq.sh SCENARIO --url URL --run-id ID [--requests N] [--ca-file PATH]"

usage_error() { echo "$CLIENT: $1; $USAGE" >&2; exit 2; }

scenario="${1-}"
[ -n "$scenario" ] || usage_error "missing scenario"
shift
url="" run_id="" requests=1 ca_file=""
while [ "$#" -gt 0 ]; do
  [ "$#" -ge 2 ] || usage_error "flag $1 needs a value"
  case "$1" in
    --url) url="$2" ;;
    --run-id) run_id="$2" ;;
    --requests) requests="$2" ;;
    --ca-file) ca_file="$2" ;;
    --concurrency|--delay-ms|--bytes) ;;  # scenarios this client does not run (exit 3 below)
    *) usage_error "unknown flag $1" ;;
  esac
  shift 2
done
[[ "$requests" =~ ^[1-9][0-9]{0,5}$ ]] || usage_error "--requests: expected a positive integer"
[[ "$run_id" =~ ^[A-Za-z0-9._-]{1,64}$ ]] || usage_error "--run-id: expected [A-Za-z0-9._-]{1,64}"
url_pattern='^https?://[][A-Za-z0-9.:-]+$'  # a host and port, [::1] too: nothing curl would glob or a shell read
[[ "$url" =~ $url_pattern ]] || usage_error "--url: expected http://HOST:PORT or https://HOST:PORT"

# The curl flags per scenario; `sequential` asks the server to close each connection.
headers=(-H "X-Polybench-Run: $run_id") trust=()
# Over TLS, curl trusts the --ca-file CA as the curl client does (--cacert; verification stays on).
if [[ "$url" == https://* ]]; then
  [ -n "$ca_file" ] || usage_error "an https:// --url needs --ca-file (the CA to trust)"
  trust=(--cacert "$ca_file")
fi
case "$scenario" in
  single) calls=1 target=(--globoff "$url/api") ;;
  keepalive) calls=$requests target=("$url/api?i=[1-$requests]") ;;
  sequential) calls=$requests target=("$url/api?i=[1-$requests]"); headers+=(-H "Connection: close") ;;
  *) echo "$CLIENT: scenario '$scenario' is not supported" >&2; exit 3 ;;
esac

T_READY_NS="${EPOCHREALTIME/./}000"
# After each body curl writes one JSON object of its own: the response's nonce and size.
# jq reads the stream of values: a body becomes "ok" or "bad", curl's object "nonce HEX SIZE".
# shellcheck disable=SC2016  # $expected and $b are jq's variables
program='if type == "object" and has("polybench_nonce")
         then "nonce \(.polybench_nonce) \(.size)"
         elif . == $expected then "ok" else "bad \(tojson | .[0:100])" end'
ok=0 bytes=0 hi=0 lo=0 pending="" errors=()
while IFS= read -r line; do
  case "$line" in
    ok) pending=ok ;;
    bad*) pending="" ; errors+=("GET /api: body ${line#bad }, expected $EXPECTED") ;;
    nonce*)
      rest="${line#nonce }"; nonce="${rest%% *}"; size="${rest#* }"
      if [ "$pending" = ok ]; then
        if [[ "$nonce" =~ ^[0-9a-f]{32}$ && "$size" =~ ^[0-9]{1,9}$ ]]; then
          hi=$(( hi ^ 16#${nonce:0:16} )); lo=$(( lo ^ 16#${nonce:16:16} ))
          ok=$(( ok + 1 )); bytes=$(( bytes + size ))
        else
          errors+=("GET /api: header X-Polybench-Nonce is '$nonce', expected 32 lowercase hex chars")
        fi
      fi
      pending="" ;;
  esac
done < <(curl --silent --show-error --fail --max-time 30 "${trust[@]}" "${headers[@]}" \
           --write-out '\n{"polybench_nonce":"%header{x-polybench-nonce}","size":%{size_download}}\n' \
           "${target[@]}" 2>/dev/null \
         | jq --unbuffered --raw-output --argjson expected "$EXPECTED" "$program" 2>/dev/null)
T_DONE_NS="${EPOCHREALTIME/./}000"
[ "$ok" -eq "$calls" ] || [ "${#errors[@]}" -gt 0 ] || errors+=("GET /api: $ok of $calls responses verified (curl or jq failed)")

printf -v receipt '%016x%016x' "$hi" "$lo"
json_errors="[]"  # jq (one more process) only when there is an error to quote
if [ "${#errors[@]}" -gt 0 ]; then
  json_errors=$(printf '%s\n' "${errors[@]}" | jq --raw-input --slurp --compact-output 'split("\n") | map(select(length > 0))')
fi
printf '{"client":"%s","scenario":"%s","requests":%d,"ok":%d,"bytes":%d,"sha256":null,"receipt":"%s","errors":%s,"t_entry_ns":%s,"t_ready_ns":%s,"t_done_ns":%s}\n' \
  "$CLIENT" "$scenario" "$calls" "$ok" "$bytes" "$receipt" "$json_errors" "$T_ENTRY_NS" "$T_READY_NS" "$T_DONE_NS"
[ "$ok" -eq "$calls" ] && [ "${#errors[@]}" -eq 0 ]
