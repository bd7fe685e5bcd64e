#!/usr/bin/env python3
"""Benchmark of the profile-sourcing suite at scale: the harness against the reference server.

    cargo build --release
    python3 bench/profile_sourcing.py [--users 10000 100000] [--binary target/release/scimcheck]
        [--latency MS] [--import-concurrency N]

For each size it starts `scimcheck serve --seed-users N --seed-groups N/100`, runs
`scimcheck run --suite profile-sourcing` against it (six full user walks and one group walk,
pages of 100), and prints wall time, pages per second, the harness's peak memory, and the CPU
time of the harness and of the server (from the kernel's accounting of each process).
"""
import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def bench(binary, users, latency, import_concurrency):
    token = secrets.token_hex(16)
    faults = ["--fault", f"latency={latency}"] if latency else []
    server = subprocess.Popen(
        [binary, "serve", "--port", "0", "--token", token, "--seed-users", str(users), "--seed-groups", str(max(users // 100, 1))] + faults,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    base_url = server.stdout.readline().strip()
    server_cpu_before = cpu_seconds(server.pid)
    with tempfile.TemporaryDirectory() as out:
        env = dict(os.environ, SCIM_TOKEN=token, NO_COLOR="1")
        started = time.monotonic()
        harness = subprocess.Popen(
            [binary, "run", "--base-url", base_url, "--scim-version", "2.0", "--suite", "profile-sourcing", "--out", out,
             "--import-concurrency", str(import_concurrency)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(harness.pid, 0)
        wall = time.monotonic() - started
        server_cpu = cpu_seconds(server.pid) - server_cpu_before
        server.terminate()
        server.wait()
        with open(os.path.join(out, "results.json")) as f:
            report = json.load(f)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"the suite did not pass at {users} users: {report['summary']}")
    walks = [c for c in report["suites"][0]["checks"] if c.get("note")]
    pages = sum(int(c["note"].split()[0]) for c in walks)
    walk_seconds = sum(c["duration_ms"] for c in walks) / 1000
    harness_cpu = usage.ru_utime + usage.ru_stime
    print(
        f"{users:>7} users, latency {latency} ms, import concurrency {import_concurrency}: wall {wall:6.2f} s, {pages} pages in {walk_seconds:.2f} s "
        f"({pages / walk_seconds:,.0f} pages/s), harness peak RSS {usage.ru_maxrss / 1024:.1f} MB, "
        f"CPU harness {harness_cpu:.2f} s vs server {server_cpu:.2f} s "
        f"(harness/server {harness_cpu / max(server_cpu, 1e-9):.2f})"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--binary", default="target/release/scimcheck")
    parser.add_argument("--latency", type=int, default=0, help="ms the server waits before each answer")
    parser.add_argument("--import-concurrency", type=int, default=1)
    args = parser.parse_args()
    for users in args.users:
        bench(args.binary, users, args.latency, args.import_concurrency)


if __name__ == "__main__":
    main()
