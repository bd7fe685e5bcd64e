#!/usr/bin/env python3
"""Benchmark of a whole SCIM 2.0 run against a slow app: the reference server answering every
request after a delay (`--fault latency=MS`), every built-in 2.0 suite.

    cargo build --release
    python3 bench/latency.py [--latency 100] [--runs 3] [--binary target/release/scimcheck]

    python3 bench/latency.py --concurrency 1        # Okta's order: one request at a time
    python3 bench/latency.py --suite okta-scim2-spec --suite okta-scim2-crud \
        --suite okta-scim2-groups --suite rfc7644     # the four suites of Okta's and the RFC's
    python3 bench/latency.py --scim-sanity PATH      # and scim-sanity's probe (PyPI), alternated

With --scim-sanity (its executable: `pip install scim-sanity` in a venv), each run also times
`scim-sanity probe` against a fresh server of the same latency, and prints scimcheck's wall ÷
scim-sanity's.

Prints, per run and as the median (with min–max): wall time, HTTP requests, wall ÷ (requests × latency)
(1.0 = strictly one request at a time; lower = requests overlap), and wall ÷ (critical path ×
latency): the critical path is the run's longest chain of dependent checks, from
`scimcheck suites`, phase by phase (a phase lasts its leader's chain, or its leader's gate and
then the longest chain of the suites that start after it), cleanup not included.
"""
import argparse
import json
import os
import secrets
import statistics
import subprocess
import tempfile
import time


def critical_path(binary, suites):
    """Round trips of the longest chain of dependent checks of a run of these suites, phase by
    phase as the scheduler forms them (harness/src/run/schedule.rs): a suite that reads beyond its
    own resources leads a phase; the suites between two leaders join the one whose gate opens
    sooner, and start when it has."""
    text = subprocess.run([binary, "suites"], capture_output=True, text=True, check=True).stdout
    chains = {}
    current = None
    for line in text.splitlines():
        if line and not line.startswith(" "):
            current = line.split()[0]
        elif line.strip().startswith("schedule: longest chain") and current:
            words = line.split()
            gate = None
            if "a chain of" in line:
                gate = int(line.split("a chain of ")[1].split(":")[0])
            chains[current] = (int(words[3]), gate)
    phases, pending, last = [], [], None
    for suite in suites:
        chain, gate = chains[suite]
        if gate is None:
            pending.append(chain)
            continue
        phase = {"chain": chain, "gate": gate, "followers": []}
        if last is not None and last["gate"] < gate:
            last["followers"] += pending
        else:
            phase["followers"] += pending
        pending = []
        phases.append(phase)
        last = phase
    if last is not None:
        last["followers"] += pending
    elif pending:
        phases.append({"chain": 0, "gate": 0, "followers": pending})
    return sum(max(p["chain"], p["gate"] + max(p["followers"], default=0)) for p in phases)


def serve(binary, latency, token):
    """A reference server answering after `latency` ms, and its base URL."""
    server = subprocess.Popen(
        [binary, "serve", "--port", "0", "--token", token, "--seed-users", "30", "--seed-groups", "3",
         "--fault", f"latency={latency}"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    return server, server.stdout.readline().strip()


def sanity_wall(binary, sanity, latency):
    """Wall time of scim-sanity's probe against a fresh server of the same latency."""
    token = secrets.token_hex(16)
    server, base_url = serve(binary, latency, token)
    try:
        started = time.monotonic()
        subprocess.run([sanity, "probe", base_url, "--token", token, "--i-accept-side-effects"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, timeout=600)
        return time.monotonic() - started
    finally:
        server.terminate()
        server.wait()


def once(binary, latency, concurrency, suites):
    token = secrets.token_hex(16)
    server, base_url = serve(binary, latency, token)
    try:
        with tempfile.TemporaryDirectory() as out:
            env = dict(os.environ, SCIM_TOKEN=token, NO_COLOR="1")
            started = time.monotonic()
            picked = [w for s in suites for w in ("--suite", s)]
            paced = ["--concurrency", str(concurrency)] if concurrency else []
            subprocess.run([binary, "run", "--base-url", base_url, "--scim-version", "2.0", "--out", out, "-q"]
                           + paced + picked,
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            wall = time.monotonic() - started
            with open(os.path.join(out, "results.json")) as f:
                report = json.load(f)
    finally:
        server.terminate()
        server.wait()
    requests = report["summary"]["requests"]
    ran = [s["id"] for s in report["suites"]]
    path = critical_path(binary, ran) if concurrency != 1 else requests
    return wall, requests, wall / (requests * latency / 1000), path, wall / (path * latency / 1000)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--binary", default="target/release/scimcheck")
    parser.add_argument("--concurrency", type=int, default=None, help="default: scimcheck's own")
    parser.add_argument("--suite", action="append", default=[])
    parser.add_argument("--scim-sanity", help="scim-sanity's executable: time its probe too")
    args = parser.parse_args()
    ratios, path_ratios, versus = [], [], []
    for _ in range(args.runs):
        wall, requests, ratio, path, path_ratio = once(args.binary, args.latency, args.concurrency, args.suite)
        ratios.append(ratio)
        path_ratios.append(path_ratio)
        line = (f"wall {wall:.2f} s, {requests} requests, wall / (requests × {args.latency} ms) = {ratio:.2f}; "
                f"critical path {path} round trips, wall / (path × {args.latency} ms) = {path_ratio:.2f}")
        if args.scim_sanity:
            theirs = sanity_wall(args.binary, args.scim_sanity, args.latency)
            versus.append(wall / theirs)
            line += f"; scim-sanity {theirs:.2f} s, ours ÷ theirs = {wall / theirs:.2f}"
        print(line)
    def fig(values):
        return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"
    summary = f"median ratio {fig(ratios)}, median critical-path ratio {fig(path_ratios)}"
    if versus:
        summary += f", median wall ÷ scim-sanity's {fig(versus)}"
    print(summary)


if __name__ == "__main__":
    main()
