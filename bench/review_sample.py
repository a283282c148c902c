#!/usr/bin/env python3
"""Draws a seeded, stratified random sample of faaslint findings for a reviewer to judge.

    faaslint check REPO --format json > REPO.json      # for each repository
    python3 bench/review_sample.py --seed 16 --size 50 REPO=REPO.json [...] > sample.md

Findings are grouped by rule code. Every code gets at least `--min-per-code` findings (all of
them when it has fewer), the rest of the sample is shared out in proportion to each code's
count, and the findings of a code are drawn with `random.Random(seed)`: the same reports and
seed give the same sample. Each finding is printed with the lines around it, read from the
repository folder, so the reviewer sees what faaslint saw.
"""

import argparse
import json
import random
from collections import defaultdict
from pathlib import Path


def load(specs):
    """(repository folder, report) pairs -> every finding with its repository."""
    findings = []
    for spec in specs:
        folder, report = spec.split("=", 1)
        for diagnostic in json.loads(Path(report).read_text())["diagnostics"]:
            findings.append({"repo": folder, **diagnostic})
    findings.sort(key=lambda d: (d["code"], d["repo"], d["path"], d["range"]["start"]["line"]))
    return findings


def quotas(by_code, size, minimum):
    """How many findings each code gets: at least `minimum`, the rest by share."""
    quota = {code: min(len(items), minimum) for code, items in by_code.items()}
    left = size - sum(quota.values())
    total = sum(len(items) - quota[code] for code, items in by_code.items())
    if left > 0 and total > 0:
        for code, items in sorted(by_code.items()):
            spare = len(items) - quota[code]
            quota[code] += min(spare, round(left * spare / total))
    return quota


def excerpt(repo, path, line, around=3):
    try:
        lines = (Path(repo) / path).read_text(errors="replace").splitlines()
    except OSError:
        return "(file not readable)"
    start = max(1, line - around)
    shown = lines[start - 1 : line + around]
    return "\n".join(f"{n:>5}{'>' if n == line else ' '} {text[:160]}" for n, text in enumerate(shown, start))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="+", help="REPO_FOLDER=REPORT.json")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--size", type=int, default=50)
    parser.add_argument("--min-per-code", type=int, default=3)
    args = parser.parse_args()

    by_code = defaultdict(list)
    for finding in load(args.reports):
        by_code[finding["code"]].append(finding)
    quota = quotas(by_code, args.size, args.min_per_code)
    rng = random.Random(args.seed)
    sample = []
    for code in sorted(by_code):
        sample += rng.sample(by_code[code], quota[code])

    counts = ", ".join(f"{code} {quota[code]}/{len(by_code[code])}" for code in sorted(by_code))
    print(f"# {len(sample)} findings, seed {args.seed} (sampled/found per code: {counts})\n")
    for number, d in enumerate(sample, 1):
        line = d["range"]["start"]["line"]
        print(f"## {number}. {d['code']} {d['severity']} {Path(d['repo']).name}/{d['path']}:{line}\n")
        print(f"{d['message']}\n")
        for related in d.get("related", []):
            print(f"- related: {related['path']}:{related['range']['start']['line']} {related['message']}")
        print(f"\n```\n{excerpt(d['repo'], d['path'], line)}\n```\n")


if __name__ == "__main__":
    main()
