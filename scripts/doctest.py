#!/usr/bin/env python3
"""Runs the shell examples of the README and the guides, so that they cannot rot.

Every shell block (```sh, ```bash, ```shell, or an untagged block holding a command) in README.md and docs/*.md
must be marked:
  ```sh doctest        run by this script, command by command, and checked
  ```sh illustrative   shown only (a server, a long training, a file the reader brings, another machine)
An unmarked shell block is an error, so a new example is a decision, not an accident.

A doctest block runs with `sentiment` on PATH (--bin: the built CLI's folder), in a fresh working folder per
document that holds copies of examples/ and heldout/; the blocks of one document share it, in order. Each command
(a line; a line ending in a backslash continues) must exit 0 within --timeout seconds, and every `#=> TEXT` line
after it names a text its output (stdout and stderr) must contain. Only the standard library: CI runs it with the
system python3.

    scripts/doctest.py --bin .build/release [--list] [FILE.md ...]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHELL = {"sh", "bash", "shell", "console"}
COMMAND = re.compile(r"^\s*(\$ )?(sentiment|make|swift|curl|scripts/|\.venv/|python3?|docker|kubectl|cat|export|PIP_)\b")


def blocks(path):
    """(line number, info words, lines) of every fenced block."""
    out, lines = [], path.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)(```+)(.*)$", lines[i])
        if m:
            fence, info, start, body = m.group(2), m.group(3).strip().split(), i + 1, []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(fence):
                body.append(lines[i][len(m.group(1)):] if lines[i].startswith(m.group(1)) else lines[i])
                i += 1
            out.append((start, info, body))
        i += 1
    return out


def classify(info, body):
    """'doctest', 'illustrative', 'other', or 'unmarked'."""
    language = info[0] if info else ""
    marks = set(info[1:])
    if language in SHELL or (not info and any(COMMAND.match(l) for l in body)):
        if "doctest" in marks:
            return "doctest"
        if "illustrative" in marks:
            return "illustrative"
        return "unmarked"
    return "other"


def commands(body):
    """[(command, [expected texts])] of a doctest block."""
    out, current = [], ""
    for line in body:
        if line.startswith("#=>"):
            if not out:
                raise ValueError("an expectation (#=>) before any command")
            out[-1][1].append(line[3:].strip())
            continue
        if not line.strip() or (line.lstrip().startswith("#") and not current):
            continue
        current += line
        if line.endswith("\\"):
            current = current[:-1] + " "
            continue
        out.append((current.strip(), []))
        current = ""
    if current:
        out.append((current.strip(), []))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", default=str(ROOT / ".build" / "release"), help="folder of the built sentiment CLI")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per command")
    parser.add_argument("--list", action="store_true", help="list the blocks and their marks, run nothing")
    parser.add_argument("files", nargs="*", help="documents (default: README.md and docs/*.md)")
    args = parser.parse_args()
    files = [Path(f).resolve() for f in args.files] or [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))

    unmarked, plan = [], []
    for path in files:
        for line, info, body in blocks(path):
            kind = classify(info, body)
            name = f"{path.relative_to(ROOT)}:{line}"
            if args.list and kind != "other":
                print(f"{kind:12} {name}")
            if kind == "unmarked":
                unmarked.append(name)
            elif kind == "doctest":
                plan.append((path, name, commands(body)))
    if unmarked:
        print("shell blocks marked neither `doctest` nor `illustrative`:\n  " + "\n  ".join(unmarked), file=sys.stderr)
        return 1
    if args.list:
        return 0
    cli = Path(args.bin).resolve()
    if not (cli / "sentiment").exists():
        print(f"no sentiment CLI in {cli}: build first (make build) or pass --bin", file=sys.stderr)
        return 1
    env = dict(os.environ, PATH=f"{cli}:{os.environ.get('PATH', '')}", OPENBLAS_CORETYPE=os.environ.get("OPENBLAS_CORETYPE", "Haswell"))
    failures, count, started = [], 0, time.time()
    folders = {}
    for path, name, cmds in plan:
        if path not in folders:
            folders[path] = Path(tempfile.mkdtemp(prefix="doctest-"))
            for sub in ("examples", "heldout"):
                shutil.copytree(ROOT / sub, folders[path] / sub)
        for command, expected in cmds:
            count += 1
            t0 = time.time()
            try:
                run = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=folders[path], env=env,
                                     capture_output=True, text=True, timeout=args.timeout)
                output, status = run.stdout + run.stderr, run.returncode
            except subprocess.TimeoutExpired:
                output, status = f"timed out after {args.timeout} s", -1
            missing = [e for e in expected if e not in output]
            ok = status == 0 and not missing
            print(f"{'ok  ' if ok else 'FAIL'} {time.time() - t0:6.1f} s  {name}  $ {command}", flush=True)
            if not ok:
                why = f"exit {status}" if status else "missing " + ", ".join(repr(m) for m in missing)
                failures.append(f"{name}: $ {command}: {why}\n" + "\n".join("    " + l for l in output.strip().split("\n")[-15:]))
    for folder in folders.values():
        shutil.rmtree(folder, ignore_errors=True)
    print(f"doctest: {count - len(failures)} of {count} commands passed in {time.time() - started:.0f} s")
    for f in failures:
        print("FAIL " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
