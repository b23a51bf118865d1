#!/usr/bin/env python3
"""Turns the benchmark's JSON lines into a Markdown table.

Each input line: {"tool": "hoist"|"helm", "op": NAME, "times": [seconds...]}.
Median and p90 use the nearest-rank method (p90 of 10 runs = 9th fastest).
The ratio is Helm's median over hoist's.
Usage: summarize.py RESULTS_JSONL
"""
import json
import math
import sys


def nearest_rank(sorted_times, p):
    return sorted_times[max(0, math.ceil(p / 100 * len(sorted_times)) - 1)]


def median(sorted_times):
    n = len(sorted_times)
    mid = n // 2
    return sorted_times[mid] if n % 2 else (sorted_times[mid - 1] + sorted_times[mid]) / 2


def main():
    rows = {}
    order = []
    for line in open(sys.argv[1]):
        if not line.strip():
            continue
        entry = json.loads(line)
        times = sorted(entry["times"])
        if entry["op"] not in order:
            order.append(entry["op"])
        rows[(entry["op"], entry["tool"])] = (len(times), median(times), nearest_rank(times, 90))
    print("| operation | tool | runs | median (ms) | p90 (ms) | Helm median / hoist median |")
    print("|---|---|---:|---:|---:|---:|")
    for op in order:
        hoist, helm = rows.get((op, "hoist")), rows.get((op, "helm"))
        for tool, row in (("hoist", hoist), ("helm", helm)):
            if row is None:
                continue
            ratio = f"{helm[1] / hoist[1]:.1f}x" if tool == "hoist" and helm and hoist else ""
            print(f"| {op} | {tool} | {row[0]} | {row[1] * 1000:.0f} | {row[2] * 1000:.0f} | {ratio} |")


main()
