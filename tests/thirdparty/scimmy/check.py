"""Compares a scimcheck results.json with the findings expected on a third-party app.

Usage: check.py EXPECTED.json RESULTS.json [MIN_CHECKS]. Exit 1, listing each difference, when a check's
verdict is not the expected one: an unexpected failure or warning is a false alarm until an
RFC text proves otherwise; an expected finding that went away is a changed check.
"""
import json
import sys

expected = json.load(open(sys.argv[1]))
results = json.load(open(sys.argv[2]))
wrong = []
seen = 0
for suite in results["suites"]:
    for check in suite["checks"]:
        key = f"{suite['id']}/{check['id']}"
        status = check["outcome"]["status"]
        seen += 1
        want = next((s for s in ("fail", "warn", "skip", "partial") if key in expected.get(s, {})), "pass")
        if status != want:
            wrong.append(f"{key}: {status}, expected {want}")
if results.get("aborted"):
    wrong.append(f"the run stopped: {results['aborted']}")
minimum = int(sys.argv[3]) if len(sys.argv) > 3 else 100
if seen < minimum:
    wrong.append(f"only {seen} checks ran")
for line in wrong:
    print("  -", line)
print(f"{seen} checks, {len(wrong)} differences from the expected findings")
sys.exit(1 if wrong else 0)
