#!/usr/bin/env bash
# One side-by-side run of the shared harness (../shared/bench): Sightline (the packaged jar with the README's
# small-host options, @small-host.jvmopts, fresh data dir), then Prometheus and VictoriaMetrics
# (REPEATS=1 of run-peers.sh), on the same data set; then bench.py compare (Prometheus vs Sightline answers)
# and one report of all three.
#   scripts/bench-side-by-side.sh [RESULTS_DIR]      (default /tmp/bench-q)
# Build first: ./mvnw -q package -DskipTests. Needs the Debian prometheus and victoria-metrics packages.
# Persist: Prometheus's snapshot API (all data as blocks), measured as for Prometheus.
# SIGHTLINE_ONLY=1 runs Sightline only (label sightline-N, N = first free number); JAVA_OPTS replaces those options;
# SIGHTLINE_CONFIG=FILE starts it with --config FILE (e.g. storage.tsdb.significant_digits); BENCH_DATA picks the data.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/../shared/bench
export RESULTS=${1:-/tmp/bench-q}
DATA=$(mktemp -d /tmp/sightline-bench.XXXXXX)
LABEL=sightline
n=1; while [[ -e $RESULTS/$LABEL ]]; do n=$((n + 1)); LABEL=sightline-$n; done
# A copy of the jar: a rebuild during the run would replace the file under the running server.
cp "$ROOT/sightline-server/target/sightline.jar" "$DATA/sightline.jar"
# JAVA_OPTS split into words; the options file's path kept whole (it may hold spaces).
read -r -a OPTS <<< "${JAVA_OPTS:-}"
[[ ${#OPTS[@]} -gt 0 ]] || OPTS=("@$ROOT/small-host.jvmopts")
java "${OPTS[@]}" -jar "$DATA/sightline.jar" server \
    ${SIGHTLINE_CONFIG:+--config "$SIGHTLINE_CONFIG"} --data-dir "$DATA/data" \
    --http-address 127.0.0.1:8321 > "$DATA/server.log" 2>&1 &
PID=$!
trap 'kill -TERM $PID 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do curl -sf localhost:8321/-/ready > /dev/null && break; sleep 0.5; done
cd "$BENCH"
./run.sh http://127.0.0.1:8321 --label "$LABEL" --pid "$PID" --data-dir "$DATA/data" --persist prometheus
kill -TERM "$PID"; wait "$PID" || true
if [[ ${SIGHTLINE_ONLY:-0} != 1 ]]; then
  REPEATS=1 ./run-peers.sh
fi
if [[ -e $RESULTS/prometheus/queries-1-data.json.gz ]]; then
  python3 bench.py compare "$RESULTS/prometheus/queries-1-data.json.gz" "$RESULTS/$LABEL/queries-1-data.json.gz" \
      > "$RESULTS/compare-prometheus-vs-$LABEL.md"
  python3 bench.py report "$RESULTS/$LABEL" "$RESULTS/prometheus" "$RESULTS/vm" > "$RESULTS/summary-$LABEL.md"
  cat "$RESULTS/summary-$LABEL.md"
fi
