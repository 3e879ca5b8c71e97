#!/usr/bin/env bash
# A/B of query latency on one warmed server: starts JAR on an existing data dir (e.g. one the shared
# harness filled), runs each query of ../shared/bench/queries.json as a 24 h range query (step 60 s,
# ending where the data set ends), WARM untimed then RUNS timed requests, prints the median per query,
# and stops the server. Run it for the jar before and the jar after, on the same data dir.
#   scripts/ab-queries.sh JAR LABEL DATA_DIR [RUNS] [WARM]
# BENCH_DATA: the data set (default /tmp/bench-data/default). count_all_node_series gets 5 runs.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=$1 LABEL=$2 DATA_DIR=$3 RUNS=${4:-20} WARM=${5:-10}
BENCH_DATA=${BENCH_DATA:-/tmp/bench-data/default}
java -Xmx256m -jar "$JAR" server --data-dir "$DATA_DIR" --http-address 127.0.0.1:8321 > "/tmp/ab-$LABEL.log" 2>&1 &
PID=$!
trap 'kill -TERM $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf localhost:8321/-/ready > /dev/null && break; sleep 0.5; done
python3 - "$ROOT/../shared/bench/queries.json" "$BENCH_DATA/meta.json" <<'PY' | while read -r id path; do
import json, sys, urllib.parse
qs = json.load(open(sys.argv[1]))
qs = qs["queries"] if isinstance(qs, dict) else qs
end = json.load(open(sys.argv[2]))["query_end_ms"] / 1000
for q in qs:
    p = {"query": q["expr"], "start": end - 86400, "end": end, "step": 60}
    print(q["id"], "/api/v1/query_range?" + urllib.parse.urlencode(p))
PY
  n=$RUNS w=$WARM
  if [[ $id == count_all_node_series ]]; then n=5 w=2; fi
  python3 "$ROOT/scripts/query-loop.py" http://127.0.0.1:8321 "$path" "$w" > /dev/null
  echo "$LABEL $id $(python3 "$ROOT/scripts/query-loop.py" http://127.0.0.1:8321 "$path" "$n")"
done
