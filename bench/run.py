#!/usr/bin/env python3
"""faaslint's benchmark: speed, scaling and memory, side by side with cfn-lint and checkov.

    python3 bench/run.py                  # the whole benchmark (about 25 minutes on 2 cores)
    python3 bench/run.py --quick          # smaller sets, fewer runs, no cfn-lint/checkov
    python3 bench/run.py --repo PATH      # the same measurements on a real repository
    python3 bench/run.py --repo PATH --no-others --baseline OLD_BINARY
                                          # this build against another, runs interleaved
    python3 bench/run.py --part formats   # the same services in SAM, Terraform and the CDK
    python3 bench/run.py --part conditions
                                          # condition-heavy templates, faaslint and cfn-lint

It builds faaslint (release), installs cfn-lint and checkov into target/bench-venv, generates
the synthetic monorepos with bench/generate.py into target/bench/, runs every tool several times
and prints medians and ratios as Markdown tables (also written to target/bench/results.md).
Wall time and peak RSS are those of each process, read with wait4(2).
"""

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "target" / "bench"
VENV = ROOT / "target" / "bench-venv"
FAASLINT = ROOT / "target" / "release" / "faaslint"
PINNED = ["cfn-lint==1.58.0", "checkov==3.3.30"]


class Sample:
    def __init__(self, seconds, peak_rss_mb, returncode, stdout):
        self.seconds = seconds
        self.peak_rss_mb = peak_rss_mb
        self.returncode = returncode
        self.stdout = stdout


def measure(command, env=None, keep_stdout=False, timeout=None):
    """Runs `command` once: wall seconds and the peak RSS of the process (and what it waited on).
    Past `timeout` seconds the process is killed (its exit code is then -9)."""
    out = subprocess.PIPE if keep_stdout else subprocess.DEVNULL
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=out, stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})}
    )
    timer = threading.Timer(timeout, process.kill) if timeout else None
    if timer:
        timer.start()
    stdout = process.stdout.read() if keep_stdout else b""
    _, status, usage = os.wait4(process.pid, 0)
    if timer:
        timer.cancel()
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return Sample(seconds, usage.ru_maxrss / 1024, process.returncode, stdout)


class Result:
    """Several runs of one command, summarised by medians."""

    def __init__(self, label, samples, files, bytes_):
        self.label = label
        self.samples = samples
        self.files = files
        self.bytes = bytes_

    @property
    def seconds(self):
        return statistics.median(s.seconds for s in self.samples)

    @property
    def peak_rss_mb(self):
        return statistics.median(s.peak_rss_mb for s in self.samples)

    def row(self, baseline=None):
        ratio = self.seconds / baseline.seconds if baseline else 1.0
        ratio = f"{ratio:,.0f}x" if ratio >= 10 else f"{ratio:.2f}x"
        spread = f"{min(s.seconds for s in self.samples):.3f}-{max(s.seconds for s in self.samples):.3f}"
        return (
            f"| {self.label} | {len(self.samples)} | {self.seconds:.3f} s ({spread}) | "
            f"{self.files / self.seconds:,.0f} | {self.bytes / 1e6 / self.seconds:,.2f} | "
            f"{self.peak_rss_mb:,.0f} MB | {ratio} |"
        )


TABLE_HEAD = (
    "| run | runs | median wall (min-max) | files/s | MB/s | peak RSS | time vs faaslint |\n"
    "|---|---|---|---|---|---|---|"
)


# Exit codes that mean "ran to the end": cfn-lint ORs 2 (error), 4 (warning), 8 (info) together,
# checkov and faaslint exit 1 for findings. Anything else (a Python traceback exits 1 in cfn-lint)
# means the tool stopped early and its time is not comparable.
FINISHED = {"cfn-lint": {0, 2, 4, 6, 8, 10, 12, 14}, "checkov": {0, 1}}


def repeat(label, command, runs, files, bytes_, env=None, timeout=None):
    print(f"  {label}: ", end="", flush=True)
    samples = []
    for _ in range(runs):
        samples.append(measure(command, env, timeout=timeout))
        print(f"{samples[-1].seconds:.2f}s ", end="", flush=True)
    print()
    finished = FINISHED.get(label, {0, 1})
    failed = sorted({s.returncode for s in samples if s.returncode not in finished})
    if failed:
        label += f" (STOPPED EARLY: exit {', '.join(map(str, failed))}; not comparable)"
    return Result(label, samples, files, bytes_)


def faaslint_command(path, threads=None, format_="concise"):
    command = [str(FAASLINT), "check", str(path), "--format", format_, "--fail-on", "never"]
    if threads:
        command += ["--threads", str(threads)]
    return command


def build_faaslint():
    print("building faaslint (release)...")
    subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT, check=True)


def install_others():
    python = VENV / "bin" / "python"
    if not python.exists():
        print("creating target/bench-venv...")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    missing = subprocess.run(
        [str(python), "-m", "pip", "show", "cfn-lint", "checkov"], capture_output=True, text=True
    )
    if "Name: checkov" not in missing.stdout or "Name: cfn-lint" not in missing.stdout:
        print(f"installing {' '.join(PINNED)} into target/bench-venv...")
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PINNED], check=True)


def generate(name, services, sam_only=False, terraform=False, cdk=False, conditions=None):
    """A generated set, made again whenever the generator's code changed."""
    out = WORK / name
    stamp = out / "generator.sha256"
    digest = hashlib.sha256(
        b"".join((ROOT / "bench" / f).read_bytes() for f in ("generate.py", "handlers.py"))
    ).hexdigest()
    if not stamp.exists() or stamp.read_text() != digest:
        print(f"generating {name} ({services} services)...")
        shutil.rmtree(out, ignore_errors=True)
        command = [sys.executable, str(ROOT / "bench" / "generate.py"), str(out), "--services", str(services)]
        command += ["--sam-only"] if sam_only else []
        command += ["--terraform"] if terraform else []
        command += ["--cdk"] if cdk else []
        command += ["--conditions", str(conditions)] if conditions else []
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        stamp.write_text(digest)
    return json.loads((out / "planted.json").read_text())


def templates_in(path):
    """Files that cfn-lint should read: CloudFormation or SAM templates, by their content."""
    found = []
    for file in sorted(path.rglob("*")):
        if file.suffix not in (".yaml", ".yml", ".json", ".template") or not file.is_file():
            continue
        if any(part in ("node_modules", ".aws-sam", "cdk.out", ".git") for part in file.parts):
            continue
        try:
            head = file.read_text(errors="replace")[:20000]
        except OSError:
            continue
        if "AWSTemplateFormatVersion" in head or "AWS::Serverless-2016-10-31" in head:
            found.append(file)
    return found


def size_of(files):
    return sum(f.stat().st_size for f in files)


def others_table(path, templates, runs, faaslint_runs, out):
    """faaslint, cfn-lint and checkov on the same templates."""
    bin_ = VENV / "bin"
    files, bytes_ = len(templates), size_of(templates)
    same_files = faaslint_command(path)[:2] + list(map(str, templates)) + faaslint_command(path)[3:]
    results = [
        repeat("faaslint, the same template files", same_files, faaslint_runs, files, bytes_),
        repeat("faaslint, the whole folder (templates and handler code)", faaslint_command(path),
               faaslint_runs, files, bytes_),
    ]
    results.append(repeat("cfn-lint", [str(bin_ / "cfn-lint"), "--", *map(str, templates)], runs, files, bytes_))
    checkov = [str(bin_ / "checkov"), "-d", str(path), "--framework", "cloudformation", "--quiet",
               "--compact", "--skip-download", "-o", "json"]
    results.append(repeat("checkov", checkov, runs, files, bytes_, env={"BC_SKIP_MAPPING": "TRUE"}))
    out.append(TABLE_HEAD)
    out += [r.row(results[0]) for r in results]
    per_template = [f"{r.label} {r.seconds / files * 1000:.2f} ms" for r in results]
    out.append(f"\nPer template: {', '.join(per_template)}.")
    return results


def conditions_table(templates_count, conditions, runs, other_runs, out):
    """faaslint and cfn-lint on the same condition-heavy templates: every `!If` is evaluated by
    both, faaslint as the set of its branches, cfn-lint by its condition scenarios."""
    name = f"conditions-{templates_count}x{conditions}"
    summary = generate(name, templates_count, conditions=conditions)
    templates = sorted((WORK / name).rglob("template.yaml"))
    files, bytes_ = len(templates), size_of(templates)
    out.append(f"## {files} condition-heavy SAM templates ({bytes_ / 1e6:.2f} MB): {conditions} "
               f"conditions each, `!If` chains {summary['if_depth']} deep in runtimes and "
               "environments, mappings picked by parameters\n")
    faaslint = [str(FAASLINT), "check", *map(str, templates), "--format", "json", "--fail-on", "never"]
    results = [repeat("faaslint", faaslint, runs, files, bytes_)]
    cfn_lint = [str(VENV / "bin" / "cfn-lint"), "--", *map(str, templates)]
    results.append(repeat("cfn-lint", cfn_lint, other_runs, files, bytes_, timeout=1800))
    out.append(TABLE_HEAD)
    out += [r.row(results[0]) for r in results]
    found = Counter(d["code"] for d in json.loads(measure(faaslint, keep_stdout=True).stdout)["diagnostics"])
    planted = summary["planted"]["FL201"]
    out.append(f"\nfaaslint found {found['FL201']} of the {planted} secrets planted behind the "
               "innermost branch of an `!If` chain.")
    return results


def baseline_table(repo, baseline, runs, out):
    """This build and `baseline` on the whole folder, A B A B..., so drift hits both alike."""
    paths = [p for p in repo.rglob("*") if p.is_file() and ".git" not in p.relative_to(repo).parts]
    print(f"faaslint vs {baseline}, {runs} rounds interleaved:")
    current, other = [], []
    for _ in range(runs):
        for samples, binary in ((other, baseline), (current, FAASLINT)):
            command = faaslint_command(repo)
            command[0] = str(binary)
            samples.append(measure(command))
            print(f"{samples[-1].seconds:.2f}s ", end="", flush=True)
    print()
    ratios = sorted(c.seconds / o.seconds for c, o in zip(current, other))
    before = Result(f"baseline {baseline.name}", other, len(paths), size_of(paths))
    after = Result("this build", current, len(paths), size_of(paths))
    out += [
        "| run | runs | median wall (min-max) | files/s | MB/s | peak RSS | time vs baseline |",
        "|---|---|---|---|---|---|---|",
        before.row(),
        after.row(before),
        "",
        f"Median of the per-round ratios (this build / baseline): {statistics.median(ratios):.3f} "
        f"(min {ratios[0]:.3f}, max {ratios[-1]:.3f}).",
    ]


def scaling_table(datasets, runs, out):
    """faaslint on N and 10N services, one thread and all threads. The runs are interleaved
    (each round runs every configuration once), so a slow spell of a shared machine weighs on
    every configuration alike instead of on one."""
    cpus = os.cpu_count()
    configs = [(name, summary, threads) for name, summary in datasets for threads in (1, cpus)]
    samples = {(name, threads): [] for name, _, threads in configs}
    for round_ in range(runs):
        print(f"  round {round_ + 1}/{runs}: ", end="", flush=True)
        for name, _, threads in configs:
            sample = measure(faaslint_command(WORK / name, threads))
            samples[(name, threads)].append(sample)
            print(f"{name}/{threads}t {sample.seconds:.2f}s ", end="", flush=True)
        print()
    results = {}
    out.append(TABLE_HEAD.replace("time vs faaslint", "time vs first row"))
    first = None
    for name, summary, threads in configs:
        label = f"{name}, {threads} thread{'s' if threads > 1 else ''}"
        result = Result(label, samples[(name, threads)], summary["files"], summary["bytes"])
        results[(name, threads)] = result
        first = first or result
        out.append(result.row(first))
    return results


def formats_table(mixed, mixed_summary, services, runs, out):
    """The same services (same handlers, same plants) declared in SAM/serverless.yml, in
    Terraform and in the CDK (TypeScript), timed in turn: what reading HCL and its sibling files,
    or a stack's constructs, costs."""
    terraform, cdk = f"terraform-{services}", f"cdk-{services}"
    sets = [
        (mixed, mixed_summary),
        (terraform, generate(terraform, services, terraform=True)),
        (cdk, generate(cdk, services, cdk=True)),
    ]
    out.append(f"## The same {services} services per IaC format\n")
    samples = {name: [] for name, _ in sets}
    for round_ in range(runs):
        print(f"  formats round {round_ + 1}/{runs}: ", end="", flush=True)
        for name, _ in sets:
            samples[name].append(measure(faaslint_command(WORK / name)))
            print(f"{name} {samples[name][-1].seconds:.2f}s ", end="", flush=True)
        print()
    out.append(TABLE_HEAD.replace("time vs faaslint", "time vs first row"))
    first = None
    for name, summary in sets:
        result = Result(name, samples[name], summary["files"], summary["bytes"])
        first = first or result
        out.append(result.row(first))
    out.append("")
    for name, summary in sets[1:]:
        out.append(f"- {planted_check(name, summary)[1]}")


def planted_check(name, summary):
    """faaslint's findings per rule on a generated set, against what the generator planted."""
    sample = measure(faaslint_command(WORK / name, format_="json"), keep_stdout=True)
    found = Counter(d["code"] for d in json.loads(sample.stdout)["diagnostics"])
    planted = summary["planted"]
    codes = sorted(set(found) | set(planted))
    exact = all(found.get(c, 0) == planted.get(c, 0) for c in codes)
    detail = ", ".join(f"{c} {found.get(c, 0)}/{planted.get(c, 0)}" for c in codes)
    return exact, f"{name}: found/planted {detail}: {'exact' if exact else 'MISMATCH'}"


def lsp_latency():
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "lsp_latency.py"), str(FAASLINT)],
        capture_output=True, text=True, check=True,
    )
    return result.stdout.strip()


def machine():
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs ({model}), {memory:.0f} GiB"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sets, 3 runs, no cfn-lint/checkov")
    parser.add_argument("--repo", type=Path, help="measure this folder instead of generated sets")
    parser.add_argument("--services", type=int, default=1000, help="N for the N vs 10N sets")
    parser.add_argument("--runs", type=int, help="runs per faaslint measurement (default 5)")
    parser.add_argument("--other-runs", type=int, default=3, help="runs of cfn-lint and checkov")
    parser.add_argument("--no-others", action="store_true", help="skip cfn-lint and checkov")
    parser.add_argument("--baseline", type=Path,
                        help="with --repo: another faaslint binary, run in turn with this build")
    parser.add_argument("--conditions", type=int, default=200,
                        help="with --part conditions: conditions per template")
    parser.add_argument("--part", choices=["all", "compare", "scale", "formats", "conditions"],
                        default="all",
                        help="only the comparison with cfn-lint and checkov, only faaslint's scaling, "
                             "the same services in SAM, Terraform and CDK, or condition-heavy "
                             "templates with cfn-lint")
    args = parser.parse_args()
    runs = args.runs or (3 if args.quick else 5)
    services = 100 if args.quick and args.services == 1000 else args.services
    others = not (args.quick or args.no_others) and args.part not in ("scale", "formats")
    others = others or args.part == "conditions"

    build_faaslint()
    if others:
        install_others()
    WORK.mkdir(parents=True, exist_ok=True)
    out = [f"Machine: {machine()}. faaslint {FAASLINT.relative_to(ROOT)}; "
           f"medians of {runs} runs (cfn-lint and checkov: {args.other_runs}).", ""]

    if args.repo:
        repo = args.repo.resolve()
        templates = templates_in(repo)
        out.append(f"## {repo}: {len(templates)} templates, {size_of(templates) / 1e6:.1f} MB\n")
        if args.baseline:
            baseline_table(repo, args.baseline.resolve(), runs, out)
        elif others and templates:
            others_table(repo, templates, args.other_runs, runs, out)
        else:
            result = repeat("faaslint", faaslint_command(repo), runs, len(templates), size_of(templates))
            out += [TABLE_HEAD, result.row()]
        report(out)
        return

    if args.part == "conditions":
        conditions_table(10 if not args.quick else 2, args.conditions, runs, args.other_runs, out)
        report(out)
        return

    if others:
        sam = generate("sam-1000", 1000, sam_only=True)
        templates = sorted((WORK / "sam-1000").rglob("template.yaml"))
        out.append(f"## {len(templates)} SAM templates ({size_of(templates) / 1e6:.1f} MB; their "
                   f"handlers: {sam['code_bytes'] / 1e6:.1f} MB). cfn-lint is given the template "
                   "files, checkov the folder with `--framework cloudformation`; files/s and MB/s "
                   "count the templates\n")
        others_table(WORK / "sam-1000", templates, args.other_runs, runs, out)
        out.append("")

    if args.part == "compare":
        report(out)
        return

    small, large = f"mixed-{services}", f"mixed-{services * 10}"
    if args.part == "formats":
        formats_table(small, generate(small, services), services, runs, out)
        report(out)
        return
    datasets = [(small, generate(small, services)), (large, generate(large, services * 10))]
    out.append(f"## faaslint on a generated monorepo: N = {services} services, 10N = {services * 10}\n")
    for name, summary in datasets:
        out.append(f"- {name}: {summary['functions']} functions, {summary['files']} files, "
                   f"{summary['bytes'] / 1e6:.1f} MB ({summary['code_bytes'] / 1e6:.1f} MB of handler code)")
    out.append("")
    results = scaling_table(datasets, runs, out)
    cpus = os.cpu_count()
    out.append("")
    for name, summary in datasets:
        one, all_ = results[(name, 1)], results[(name, cpus)]
        out.append(f"- {name}: {cpus} threads are {one.seconds / all_.seconds:.2f}x faster than 1; "
                   f"handler code per core (1 thread) {summary['code_bytes'] / 1e6 / one.seconds:.1f} MB/s; "
                   f"peak RSS {all_.peak_rss_mb:.0f} MB for {summary['bytes'] / 1e6:.0f} MB of source")
    ratio = results[(large, cpus)].seconds / results[(small, cpus)].seconds
    out.append(f"- 10x the files took {ratio:.2f}x the time ({cpus} threads)")
    for name, summary in datasets:
        exact, line = planted_check(name, summary)
        out.append(f"- {line}")
    out.append("")
    formats_table(small, datasets[0][1], services, runs, out)
    out.append("")
    out.append("## LSP\n")
    out.append(lsp_latency())
    report(out)


def report(lines):
    text = "\n".join(lines) + "\n"
    (WORK / "results.md").write_text(text)
    print()
    print(text)


if __name__ == "__main__":
    main()
