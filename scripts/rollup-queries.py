#!/usr/bin/env python3
"""Hourly-step queries over the benchmark day, raw samples against rollups (docs/benchmarks.md, Downsampling).

usage: rollup-queries.py [INGEST_JSON] [URL]   (defaults: /tmp/ds/ingest.json, http://127.0.0.1:8321)
Steps are on the hour. Prints per query the median latency of 3 runs after a warm-up, the samples
read (stats=all), and how far the rollup answers are from the raw ones.
"""
import json
import statistics
import sys
import time
import urllib.parse
import urllib.request

INGEST = sys.argv[1] if len(sys.argv) > 1 else "/tmp/ds/ingest.json"
URL = sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:8321"
END = json.load(open(INGEST))["dataset"]["end_ms"] // 1000 // 3600 * 3600
START = END - 86400 + 3 * 3600
QUERIES = [
    'sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[2h]))',
    'max by (instance) (max_over_time(node_memory_MemAvailable_bytes[1h]))',
    'count(count_over_time({__name__=~"node_.*"}[1h]))',
]


def run(expr, resolution):
    params = urllib.parse.urlencode({"query": expr, "start": START, "end": END, "step": 3600,
                                     "max_source_resolution": resolution, "stats": "all"})
    times = []
    for _ in range(4):
        t = time.time()
        body = json.load(urllib.request.urlopen(URL + "/api/v1/query_range?" + params))
        times.append((time.time() - t) * 1000)
    samples = body["data"].get("stats", {}).get("samples", {}).get("totalQueryableSamples")
    series = {json.dumps(s["metric"], sort_keys=True): s["values"] for s in body["data"]["result"]}
    return statistics.median(times[1:]), samples, series


for expr in QUERIES:
    raw_ms, raw_samples, raw = run(expr, "0s")
    ds_ms, ds_samples, ds = run(expr, "auto")
    diffs = []
    for key, values in raw.items():
        for (_, x), (_, y) in zip(values, ds.get(key, [])):
            x, y = float(x), float(y)
            diffs.append(0.0 if x == y else abs(x - y) / max(abs(x), 1e-300))
    print(expr)
    print(f"  raw {raw_ms:.0f} ms, {raw_samples} samples; rollups {ds_ms:.0f} ms, {ds_samples} samples;"
          f" series {len(raw)}/{len(ds)}, points {len(diffs)}, rel. diff median {statistics.median(diffs):.2e}"
          f" max {max(diffs):.2e}, points > 1 %: {sum(1 for d in diffs if d > 0.01)}")
