#!/usr/bin/env python3
"""Benchmark of a whole SCIM 2.0 run against a slow app: the reference server answering every
request after a delay (`--fault latency=MS`), every built-in 2.0 suite.

    cargo build --release
    python3 bench/latency.py [--latency 100] [--runs 3] [--binary target/release/scimcheck]

Prints, per run and as the median: wall time, HTTP requests, and wall ÷ (requests × latency)
(1.0 = strictly one request at a time; lower = requests overlap).
"""
import argparse
import json
import os
import secrets
import statistics
import subprocess
import tempfile
import time


def once(binary, latency):
    token = secrets.token_hex(16)
    server = subprocess.Popen(
        [binary, "serve", "--port", "0", "--token", token, "--seed-users", "30", "--seed-groups", "3",
         "--fault", f"latency={latency}"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    base_url = server.stdout.readline().strip()
    try:
        with tempfile.TemporaryDirectory() as out:
            env = dict(os.environ, SCIM_TOKEN=token, NO_COLOR="1")
            started = time.monotonic()
            subprocess.run([binary, "run", "--base-url", base_url, "--scim-version", "2.0", "--out", out, "-q"],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            wall = time.monotonic() - started
            with open(os.path.join(out, "results.json")) as f:
                report = json.load(f)
    finally:
        server.terminate()
        server.wait()
    requests = report["summary"]["requests"]
    return wall, requests, wall / (requests * latency / 1000)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--binary", default="target/release/scimcheck")
    args = parser.parse_args()
    ratios = []
    for _ in range(args.runs):
        wall, requests, ratio = once(args.binary, args.latency)
        ratios.append(ratio)
        print(f"wall {wall:.2f} s, {requests} requests, wall / (requests × {args.latency} ms) = {ratio:.2f}")
    print(f"median ratio {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
