#!/usr/bin/env python3
"""Runs the steps of action.yml as GitHub Actions would, against the reference server, and
checks what a workflow sees: the step outputs, the job summary, the annotations, the artifact
name and the step's verdict.

GitHub's runner is not here, so this plays its part for what the action uses: `${{ inputs.* }}`,
`${{ steps.*.outputs.* }}`, `${{ github.action_* }}` and `runner.*` expressions, `if:` with
`always()` and `==`, the GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_PATH files, and `uses:`
steps recorded (not run: cache and upload-artifact are GitHub's). A `run:` script is run with
bash as `shell: bash` does (`bash --noprofile --norc -eo pipefail`).

usage: .ci/action-check.py SCIMCHECK_BINARY
"""
import os
import re
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def evaluate(expr, ctx):
    """The value of a GitHub expression, for the forms the action uses."""
    if expr == "always()":
        return True
    m = re.fullmatch(r"(.+?)\s*(==|!=)\s*'([^']*)'", expr)
    if m:
        left = evaluate(m.group(1), ctx)
        return (left == m.group(3)) == (m.group(2) == "==")
    parts = expr.split(".")
    if parts[0] == "inputs":
        return ctx["inputs"].get(parts[1], "")
    if parts[0] == "steps" and parts[2] == "outputs":
        return ctx["steps"].get(parts[1], {}).get(parts[3], "")
    if parts[0] == "github":
        return ctx["github"].get(parts[1], "")
    if parts[0] == "runner":
        return ctx["runner"].get(parts[1], "")
    raise SystemExit(f"action-check: an expression this check does not know: {expr!r}")


def render(text, ctx):
    return EXPR.sub(lambda m: str(evaluate(m.group(1), ctx)), str(text))


def read_outputs(path):
    out = {}
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                out[k] = v
    return out


def run_action(action, inputs, binary_dir, env_extra):
    """Runs the action's steps; returns (step outputs, stdout, summary text, uploads, last code)."""
    defaults = {k: v.get("default", "") for k, v in action["inputs"].items()}
    ctx = {
        "inputs": {**defaults, **inputs},
        "steps": {},
        "github": {"action_repository": "", "action_ref": "main", "action_path": ROOT},
        "runner": {"os": "Linux", "arch": "X64"},
    }
    for name, spec in action["inputs"].items():
        if spec.get("required") and not ctx["inputs"].get(name):
            raise SystemExit(f"action-check: input {name} is required")
    work = tempfile.mkdtemp(prefix="action-check-")
    summary = os.path.join(work, "summary.md")
    path_file = os.path.join(work, "path")
    open(path_file, "w").close()
    stdout_all, uploads, code = "", [], 0
    failed = False
    for i, step in enumerate(action["runs"]["steps"]):
        cond = step.get("if")
        if cond is not None and not evaluate(cond, ctx):
            continue
        if cond is None and failed:
            continue
        if "uses" in step:
            uploads.append((step["uses"], {k: render(v, ctx) for k, v in step.get("with", {}).items()}))
            continue
        out_file = os.path.join(work, f"output-{i}")
        open(out_file, "w").close()
        extra_path = [p for p in open(path_file).read().splitlines() if p]
        env = {
            "PATH": os.pathsep.join(extra_path + [binary_dir, "/usr/bin", "/bin"]),
            "HOME": work,
            "GITHUB_ACTIONS": "true",
            "GITHUB_OUTPUT": out_file,
            "GITHUB_STEP_SUMMARY": summary,
            "GITHUB_PATH": path_file,
            "GITHUB_ACTION_PATH": ROOT,
            "GITHUB_JOB": "conformance",
            "RUNNER_TEMP": work,
            "RUNNER_OS": "Linux",
            "RUNNER_ARCH": "X64",
            **env_extra,
            **{k: render(v, ctx) for k, v in step.get("env", {}).items()},
        }
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            env=env, cwd=work, capture_output=True, text=True, timeout=300,
        )
        stdout_all += proc.stdout
        code = proc.returncode
        if "id" in step:
            ctx["steps"][step["id"]] = read_outputs(out_file)
        if code != 0:
            failed = True
    text = open(summary).read() if os.path.exists(summary) else ""
    return ctx["steps"], stdout_all, text, uploads, code, work


def start_server(binary, faults):
    args = [binary, "serve", "--port", "0", "--token", "action-check-token", "--seed-users", "3"]
    for f in faults:
        args += ["--fault", f]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    base = proc.stdout.readline().strip()
    if not base.startswith("http://127.0.0.1:"):
        proc.kill()
        raise SystemExit(f"action-check: the reference server did not start ({base!r})")
    return proc, base


def expect(cond, what, detail=""):
    if not cond:
        raise SystemExit(f"action-check: {what}\n{detail[-3000:]}")


def main():
    binary = os.path.abspath(sys.argv[1])
    action = yaml.safe_load(open(os.path.join(ROOT, "action.yml"), encoding="utf-8"))
    for name in ["exit-code", "verdict", "passed", "failed", "warnings", "report", "results"]:
        expect(name in action["outputs"], f"action.yml declares no output {name}")
    for name in ["version", "artifact-name"]:
        expect(name in action["inputs"], f"action.yml has no input {name}")
    env = {"SCIM_TOKEN": "action-check-token"}
    binary_dir = os.path.dirname(binary)

    clean, base = start_server(binary, [])
    try:
        steps, stdout, summary, uploads, code, work = run_action(
            action, {"base-url": base, "args": "--suite rfc7644", "out": "results"}, binary_dir, env)
        run = steps.get("run", {})
        expect(steps.get("get", {}).get("how") == "path", "scimcheck on PATH is used as it is", str(steps))
        expect(run.get("exit-code") == "0" and run.get("verdict") == "passed", "a clean app passes", stdout)
        expect(int(run.get("passed", "0")) > 0 and run.get("failed") == "0", "counts in the outputs", str(run))
        expect(os.path.exists(os.path.join(work, run.get("report", "-"))), "the report output names report.html", str(run))
        expect("## scimcheck: ✅ PASSED" in summary, "the job summary says PASSED", summary)
        expect("::error" not in stdout, "no error annotation on a clean app", stdout)
        upload = [w for u, w in uploads if u.startswith("actions/upload-artifact")]
        expect(upload and upload[0]["path"] == "results", "the results are uploaded", str(uploads))
        first_name = run.get("artifact", "")
        expect(first_name.startswith("scimcheck-results-conformance-"), "an artifact name of the job", first_name)
        expect(code == 0, "the action's last step passes", stdout)

        # A matrix: another base URL or arguments, another artifact name.
        steps2, _, _, _, _, _ = run_action(
            action, {"base-url": base, "args": "--suite okta-scim2-spec", "out": "results"}, binary_dir, env)
        expect(steps2["run"]["artifact"] != first_name, "matrix jobs get distinct artifact names",
               f"{first_name} {steps2['run']['artifact']}")
    finally:
        clean.kill()

    faulty, base = start_server(binary, ["put-not-applied", "json-content-type"])
    try:
        steps, stdout, summary, _, code, _ = run_action(
            action, {"base-url": base, "args": "--suite rfc7644"}, binary_dir, env)
        run = steps.get("run", {})
        expect(run.get("exit-code") == "1" and run.get("verdict") == "failed", "a faulty app fails", stdout)
        expect(int(run.get("failed", "0")) >= 1 and int(run.get("warnings", "0")) >= 1, "failures and warnings counted", str(run))
        expect("::error title=root cause%3A put-not-applied::" in stdout, "one annotation per root cause", stdout)
        expect(stdout.count("::error ") <= 10 and stdout.count("::warning ") <= 10, "at most 10 annotations a level", stdout)
        expect("### Failed checks" in summary and "### Warnings" in summary, "failures and warnings in the summary", summary)
        expect(code == 1, "the action's last step fails with scimcheck's status", str(code))
    finally:
        faulty.kill()
    print("action-check: the action's steps give outputs, summary, annotations and a distinct artifact; passed")


if __name__ == "__main__":
    main()
