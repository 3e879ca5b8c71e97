#!/usr/bin/env python3
"""A/B of query latency on two servers at once, over the same data: each query of ../shared/bench/queries.json
is sent to A and B in turn (alternating which goes first), 20 untimed rounds then N timed ones, a new connection
per request as the shared harness makes them; prints both medians and B's difference.

    ab-alternate.py URL_A URL_B [MODES] [N] [META]
MODES: comma-separated of instant, range1h, range24h (default instant); N: timed rounds (default 100);
META: the data set's meta.json, for where it ends (default /tmp/bench-data/default/meta.json).
"""
import json
import os
import statistics
import sys
import time
import urllib.parse
import urllib.request

a_base, b_base = sys.argv[1].rstrip("/"), sys.argv[2].rstrip("/")
modes = (sys.argv[3] if len(sys.argv) > 3 else "instant").split(",")
n = int(sys.argv[4]) if len(sys.argv) > 4 else 100
meta = sys.argv[5] if len(sys.argv) > 5 else "/tmp/bench-data/default/meta.json"
root = os.path.dirname(os.path.abspath(__file__))
queries = json.load(open(os.path.join(root, "..", "..", "shared", "bench", "queries.json")))
end = json.load(open(meta))["query_end_ms"] // 1000


def path(expr, mode):
    if mode == "instant":
        return "/api/v1/query?" + urllib.parse.urlencode({"query": expr, "time": end})
    span = {"range1h": 3600, "range24h": 86400}[mode]
    return "/api/v1/query_range?" + urllib.parse.urlencode(
        {"query": expr, "start": end - span, "end": end, "step": 60})


def timed(url):
    t = time.perf_counter()
    with urllib.request.urlopen(url) as r:
        r.read()
    return (time.perf_counter() - t) * 1000


for mode in modes:
    for q in queries:
        ua, ub = a_base + path(q["expr"], mode), b_base + path(q["expr"], mode)
        for _ in range(20):
            timed(ua)
            timed(ub)
        ta, tb = [], []
        for i in range(n):
            if i % 2:
                ta.append(timed(ua))
                tb.append(timed(ub))
            else:
                tb.append(timed(ub))
                ta.append(timed(ua))
        ma, mb = statistics.median(ta), statistics.median(tb)
        print("%-26s %-8s A %8.2f ms  B %8.2f ms  %+6.1f %%" % (q["id"], mode, ma, mb, (mb / ma - 1) * 100),
              flush=True)
