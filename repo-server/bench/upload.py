"""Uploads every package of a folder in turn over one keep-alive
connection and prints upload latency percentiles."""
import http.client, os, sys, time, urllib.parse

base, folder = sys.argv[1:3]
u = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(u.hostname, u.port)
lat = []
for f in sorted(os.listdir(folder)):
    data = open(os.path.join(folder, f), "rb").read()
    t = time.perf_counter()
    conn.request("POST", "/api/charts", body=data, headers={"Content-Type": "application/gzip"})
    r = conn.getresponse()
    r.read()
    lat.append(time.perf_counter() - t)
    if r.status != 201:
        sys.exit(f"upload {f}: HTTP {r.status}")
lat.sort()
pick = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000
print(f"uploads: {len(lat)}, p50 {pick(0.50):.1f} ms, p99 {pick(0.99):.1f} ms, max {lat[-1]*1000:.1f} ms")
