"""Turns faaslint's JSON report into the job summary: a table of findings per rule."""
import json
import sys
from collections import Counter

report = json.load(open(sys.argv[1]))
summary = report["summary"]
diagnostics = report["diagnostics"]
print("## faaslint")
print()
if not diagnostics:
    print(f"No findings in {summary['files']} files.")
    sys.exit(0)
print(f"{summary['errors']} errors, {summary['warnings']} warnings, {summary['infos']} infos in {summary['files']} files.")
print()
print("| rule | name | severity | findings |")
print("|---|---|---|---|")
counts = Counter((d["code"], d["name"], d["severity"]) for d in diagnostics)
for (code, name, severity), count in sorted(counts.items()):
    print(f"| {code} | {name} | {severity} | {count} |")
