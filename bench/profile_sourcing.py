#!/usr/bin/env python3
"""Benchmark of the profile-sourcing suite at scale: the harness against the reference server.

    cargo build --release
    python3 bench/profile_sourcing.py [--users 10000 100000] [--binary target/release/scimcheck]
        [--latency MS] [--import-concurrency N]

For each size it starts `scimcheck serve --seed-users N --seed-groups N/100`, runs
`scimcheck run --suite profile-sourcing` against it (six full user walks and one group walk,
pages of 100), and prints wall time, pages per second, the harness's peak memory, and the CPU
time of the harness (also per page: the whole run's over its pages) and of the server (from the kernel's accounting of each process); with
`--repeat K` (default 3) the median and min–max of K runs.

The harness's peak memory is its own: VmHWM from /proc/PID/status, read while it runs (the
high-water mark of the process image after exec). getrusage's ru_maxrss of a child counts the
forked Python before exec too, and read 18.4 MB where the harness used 13.1 MiB.
"""
import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time


def vm_hwm_mib(pid):
    """The process's peak resident memory so far (VmHWM), in MiB; None once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def bench(binary, users, latency, import_concurrency, pagination):
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
             "--import-concurrency", str(import_concurrency), "--pagination", pagination],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        # Polled until it ends (bounded by the run itself): the last reading is its peak.
        peak = 0.0
        while True:
            done_pid, status, usage = os.wait4(harness.pid, os.WNOHANG)
            if done_pid:
                break
            peak = max(peak, vm_hwm_mib(harness.pid) or 0.0)
            time.sleep(0.02)
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
    return {
        "wall s": wall,
        "pages/s": pages / walk_seconds,
        "harness peak MiB": peak,
        "harness CPU s": harness_cpu,
        # The whole run's CPU over its pages: the run's fixed costs (start, writes, cleanup)
        # included, so an upper bound of a page's cost.
        "harness µs/page": harness_cpu / pages * 1e6,
        "server CPU s": server_cpu,
        # Harness and server busy at once: 1.0 means they take turns; more, that fetching the
        # next page overlaps judging this one.
        "cores busy": (harness_cpu + server_cpu) / wall,
        "pages": pages,
    }


def summary(users, latency, import_concurrency, pagination, runs):
    """One line: the median and min–max of each figure over the runs."""
    def fig(name, fmt):
        values = [r[name] for r in runs]
        return f"{name} {format(statistics.median(values), fmt)} ({format(min(values), fmt)}–{format(max(values), fmt)})"
    print(
        f"{users:>7} users, latency {latency} ms, {pagination} pagination, import concurrency {import_concurrency}, "
        f"{len(runs)} runs, "
        f"{runs[0]['pages']} pages a run — medians (min–max): "
        + ", ".join([fig("wall s", ".2f"), fig("pages/s", ",.0f"), fig("harness peak MiB", ".1f"),
                     fig("harness CPU s", ".2f"), fig("harness µs/page", ".0f"),
                     fig("server CPU s", ".2f"), fig("cores busy", ".2f")])
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--binary", default="target/release/scimcheck")
    parser.add_argument("--latency", type=int, default=0, help="ms the server waits before each answer")
    parser.add_argument("--import-concurrency", type=int, default=1)
    parser.add_argument("--pagination", choices=["index", "cursor"], default="index",
                        help="how the walks page (cursor: RFC 9865, a chain of nextCursor)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (median and min–max)")
    args = parser.parse_args()
    for users in args.users:
        runs = [bench(args.binary, users, args.latency, args.import_concurrency, args.pagination)
                for _ in range(max(args.repeat, 1))]
        summary(users, args.latency, args.import_concurrency, args.pagination, runs)


if __name__ == "__main__":
    main()
