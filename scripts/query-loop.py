#!/usr/bin/env python3
"""Times one query URL N times, a new connection per request as the shared harness makes them.

    query-loop.py BASE PATH N        prints: n=N median M ms min m ms bytes B
"""
import http.client
import sys
import time
import urllib.parse

base, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
u = urllib.parse.urlsplit(base)
times = []
body = b""
for _ in range(n):
    c = http.client.HTTPConnection(u.hostname, u.port)
    t = time.perf_counter()
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    times.append((time.perf_counter() - t) * 1000)
    c.close()
    if r.status != 200:
        sys.exit(f"HTTP {r.status} for {path}: {body[:300]!r}")
times.sort()
print(f"n={n} median {times[len(times) // 2]:.2f} ms min {times[0]:.2f} ms bytes {len(body)}")
