"""Time unify on synthetic code bases, side by side with git grep and libcst.

    python bench/run.py [--sizes 1000 10000] [--runs 3] [--libcst deps] [--curves]

For each size it generates a code base (``bench/generate.py``) and times, in
one run, the median of ``--runs`` runs of:

* ``git grep -l`` of the three model module names over the tree (the floor);
* ``unify plan`` with an empty cache, a second ``unify plan`` (the plan memo
  answers it), and one more after editing one importing file (the memo misses,
  the facts cache knows every other file);
* ``unify apply`` as a whole, and its rewrite step alone (from its progress lines);
* libcst's ``RenameCommand -j 2``, once per old module (the equivalent renames),
  over the files unify rewrites (``--libcst deps``) and/or over the whole tree
  (``--libcst tree``, what a user without a file list runs), with ``--no-format``.

Peak memory is the largest sum of the resident sizes of a command's process
tree (workers included), sampled every 0.05 s. ``--curves`` adds the two
scaling series: a fixed tree with more and more importing files, and a fixed
number of importing files in larger and larger trees. ``--unify-src DIR`` runs
unify from another source tree (PYTHONPATH), e.g. a patched copy.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import math
import resource
import threading
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402  (bench/ is not a package)

FLOOR = ["git", "grep", "-l", "-w", "-F", "-e", "models", "-e", "unified_models",
         "-e", "mvp_models", "--", "*.py"]
PAGE = os.sysconf("SC_PAGE_SIZE")


# -- measuring one command -------------------------------------------------------------


@dataclass
class Sample:
    wall: float
    peak_mib: float
    code: int
    marks: dict[str, float] = field(default_factory=dict)  # progress line -> seconds
    cpu: float | None = None  # user + system seconds of the command and its children
    out: str = ""
    err: str = ""


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def tree_rss(pid: int) -> int:
    """Bytes resident in ``pid`` and all its descendants."""
    tree, total, todo = _children(), 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * PAGE
        except OSError:
            pass
        todo += tree.get(current, [])
    return total


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(cmd: list[str], cwd: Path, env: dict[str, str], sample: bool = True) -> Sample:
    cpu_before = _child_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, errors="replace")
    peak = 0
    marks: dict[str, float] = {}
    err_lines: list[str] = []
    out_chunks: list[str] = []

    def read_err() -> None:
        for line in proc.stderr:
            marks.setdefault(line.strip(), time.perf_counter() - start)
            err_lines.append(line)

    def read_out() -> None:
        out_chunks.append(proc.stdout.read())

    readers = [threading.Thread(target=read_err), threading.Thread(target=read_out)]
    for reader in readers:
        reader.start()
    while True:  # wait in slices of 0.05 s, sampling memory between them
        if sample:
            peak = max(peak, tree_rss(proc.pid))
        try:
            proc.wait(timeout=0.05)
            break
        except subprocess.TimeoutExpired:
            pass
    wall = time.perf_counter() - start  # taken when the process ends, not at a poll
    for reader in readers:
        reader.join()
    return Sample(wall, peak / 2**20, proc.returncode, marks, out="".join(out_chunks),
                  err="".join(err_lines), cpu=_child_cpu() - cpu_before)


def step_time(sample: Sample, name: str) -> float | None:
    """Seconds between ``step N/5 name ...`` and ``step N/5 name: ...`` progress lines."""
    begin = [t for line, t in sample.marks.items() if line.endswith(f"{name} ...")]
    end = [t for line, t in sample.marks.items() if f" {name}: " in line]
    return end[0] - begin[0] if begin and end else None


# -- the code base ----------------------------------------------------------------------


def environment(unify_src: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's unify has its .pyc files
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update({"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
                "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"})
    if unify_src is not None:
        env["PYTHONPATH"] = str(unify_src)
    return env


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout


def reset(repo: Path) -> None:
    """Back to the generated state: no cache, no plans, no unify branches or work trees."""
    shutil.rmtree(repo / ".git" / "unify", ignore_errors=True)
    shutil.rmtree(repo / "plans", ignore_errors=True)
    git(repo, "worktree", "prune")
    for branch in git(repo, "branch", "--format=%(refname:short)").split():
        if branch.startswith("bench/"):
            git(repo, "branch", "-D", branch)


@contextlib.contextmanager
def edited(path: Path):
    """``path`` with one more comment line, for a re-plan that the plan memo cannot
    answer (the facts cache still knows every other file); restored after."""
    original = path.read_bytes()
    path.write_bytes(original + b"# edited by bench/run.py\n")
    try:
        yield
    finally:
        path.write_bytes(original)


def first_importer(repo: Path) -> str:
    """An importing file of a generated code base (the first that names a model module)."""
    return git(repo, "grep", "-l", "-w", "-e", "mvp_models", "--", "app/").split()[0]


def rewrite_files(repo: Path, unify: list[str], env: dict[str, str]) -> list[str]:
    """The files unify's rewrite step works on: dependents of the model modules."""
    out = subprocess.run([*unify, "scan", "--repo", str(repo), "--json"], env=env,
                         capture_output=True, text=True)
    data = json.loads(out.stdout)
    sources = {m["path"] for m in data["model_modules"] if m["kind"] == "models"}
    skip = sources | {"app/data/__init__.py", "app/data/models_compat.py"}
    return sorted({d["path"] for d in data["dependents"] if d["target"] in sources} - skip)


# -- output quality --------------------------------------------------------------------


def stale_imports(root: Path, files: list[str], old: tuple[str, ...]) -> int:
    """Import statements in ``files`` that still name an old model module."""
    count = 0
    for rel in files:
        path = root / rel
        if not path.is_file():
            continue
        package = ".".join(Path(rel).with_suffix("").parts[:-1])
        for node in ast.walk(ast.parse(path.read_bytes())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package.split(".")
                base = base[: len(base) - node.level + 1] if node.level else []
                module = ".".join([*base, node.module] if node.module else base)
                names = [module] + [f"{module}.{a.name}" for a in node.names]
            else:
                continue
            if any(n == o or n.startswith(o + ".") for n in names for o in old):
                count += 1
    return count


def diff_stats(repo: Path, old_rev: str, new_rev: str | None) -> tuple[int, int]:
    """(files changed, lines changed) between two revisions (None: the work tree)."""
    args = ["diff", "--numstat", old_rev] + ([new_rev] if new_rev else [])
    rows = [line.split("\t") for line in git(repo, *args).splitlines()]
    return len(rows), sum(int(a) + int(b) for a, b, _ in rows if a != "-")


# -- one code base, all commands -----------------------------------------------------------


def bench_size(n: int, args, work: Path, env: dict[str, str], shape: str = "extensions") -> dict:
    repo = work / f"{shape}-n{n}"
    shutil.rmtree(repo, ignore_errors=True)
    summary = generate.generate(repo, n, args.importers, args.seed, shape)
    unify = [sys.executable, "-m", "unify"]
    # the files to rewrite (a full `unify scan`: slow on big trees) only for libcst
    files = rewrite_files(repo, unify, env) if args.libcst else [first_importer(repo)]
    result: dict = {"shape": shape, "files": summary.files, "importers": summary.importers,
                    "rewrite_files": len(files) if args.libcst else None, "runs": {}}
    runs = result["runs"]
    for r in range(args.runs):
        reset(repo)
        record(runs, "git grep -l (floor)", measure(FLOOR, repo, env, sample=False))
        record(runs, "unify --version (start-up)", measure([*unify, "--version"], repo, env))
        plan = [*unify, "plan", "--repo", str(repo)]
        again = [*plan, "-o", str(work / "second.toml"), "--force"]
        record(runs, "unify plan (cold cache)", measure(plan, repo, env))
        record(runs, "unify plan (cached)", measure(again, repo, env))
        with edited(repo / files[r % len(files)]):
            record(runs, "unify plan (one file edited)", measure(again, repo, env))
        apply = [*unify, "apply", "plans/models.toml", "--branch", f"bench/{r}"]
        applied = measure(apply, repo, env)
        if applied.code != 0:
            raise SystemExit(f"unify apply failed ({applied.code}):\n{applied.err[-3000:]}")
        record(runs, "unify apply (whole)", applied)
        rewrite = step_time(applied, "rewrite-imports")
        runs.setdefault("unify apply: rewrite step", []).append(
            {"wall": rewrite, "peak_mib": None, "load": os.getloadavg()[0]})
        if r == 0 and args.libcst:
            result["unify_output"] = unify_output(repo, files)
    for mode in args.libcst:
        targets = files if mode == "deps" else ["."]
        where = "rewritten files" if mode == "deps" else "whole tree"
        scale = 1.0
        if mode == "deps" and args.libcst_sample and args.libcst_sample < len(files):
            targets = files[:: max(1, len(files) // args.libcst_sample)][: args.libcst_sample]
            scale = len(files) / len(targets)
            where = f"rewritten files, timed on {len(targets)}, scaled x{scale:.1f}"
        for r in range(args.libcst_runs if mode == "deps" else args.tree_runs):
            sample, output = libcst_renames(repo, work, targets, env, args.jobs,
                                            inspect=r == 0 and mode == "deps" and scale == 1)
            sample.wall *= scale
            record(runs, f"libcst RenameCommand -j {args.jobs} ({where})", sample)
            if output:
                result["libcst_output"] = output
    reset(repo)
    return result


def record(runs: dict, name: str, sample: Sample) -> None:
    runs.setdefault(name, []).append({"wall": sample.wall, "peak_mib": sample.peak_mib,
                                      "cpu": sample.cpu, "load": os.getloadavg()[0]})


def unify_output(repo: Path, files: list[str]) -> dict:
    """Stale imports and diff size of unify's rewrite step (commit 3 of the branch)."""
    rewrite = git(repo, "rev-parse", "bench/0~2").strip()
    tree = repo.parent / "unify-out"
    shutil.rmtree(tree, ignore_errors=True)
    git(repo, "worktree", "add", "-q", "--detach", str(tree), rewrite)
    try:
        changed, lines = diff_stats(tree, "HEAD~1", "HEAD")
        return {"stale_imports": stale_imports(tree, files, generate.OLD_MODULES),
                "files_changed": changed, "lines_changed": lines}
    finally:
        git(repo, "worktree", "remove", "--force", str(tree))


def libcst_renames(repo: Path, work: Path, targets: list[str], env, jobs: int, inspect: bool):
    """One RenameCommand per old module, in a fresh work tree; their summed time."""
    tree = work / "libcst-tree"
    shutil.rmtree(tree, ignore_errors=True)
    git(repo, "worktree", "add", "-q", "--detach", str(tree), "main")
    try:
        wall, peak = 0.0, 0.0
        for old in generate.OLD_MODULES:
            cmd = [sys.executable, "-m", "libcst.tool", "codemod", "rename.RenameCommand",
                   f"--old_name={old}", f"--new_name={generate.TARGET_MODULE}", "-j", str(jobs),
                   "--no-format", "--hide-progress", *targets]
            sample = measure(cmd, tree, env)
            if sample.code != 0:
                raise SystemExit(f"libcst failed ({sample.code}):\n{sample.err[-3000:]}")
            wall, peak = wall + sample.wall, max(peak, sample.peak_mib)
        output = None
        if inspect:
            files = targets
            changed, lines = diff_stats(tree, "HEAD", None)
            output = {"stale_imports": stale_imports(tree, files, generate.OLD_MODULES),
                      "files_changed": changed, "lines_changed": lines}
        return Sample(wall, peak, 0), output
    finally:
        git(repo, "worktree", "remove", "--force", str(tree))


# -- scaling series -------------------------------------------------------------------------


def bench_curves(args, work: Path, env: dict[str, str]) -> dict:
    unify = [sys.executable, "-m", "unify"]
    series: dict = {"importers": [], "size": []}
    points = [("importers", args.curve_size, round(k * args.curve_size))
              for k in (0.025, 0.05, 0.1, 0.2)]
    points += [("size", n, args.curve_importers) for n in (1000, 2500, 5000, 10000, 20000)]
    for kind, n, importers in points:
        repo = work / f"curve-{kind}-{n}-{importers}"
        shutil.rmtree(repo, ignore_errors=True)
        generate.generate(repo, n, importers / n, args.seed)
        point: dict = {"files": n, "importers": importers, "runs": {}}
        for _ in range(args.runs):
            reset(repo)
            record(point["runs"], "git grep -l (floor)", measure(FLOOR, repo, env, sample=False))
            record(point["runs"], "unify plan (cold cache)",
                   measure([*unify, "plan", "--repo", str(repo)], repo, env))
            again = [*unify, "plan", "--repo", str(repo), "-o", str(work / "second.toml"),
                     "--force"]
            record(point["runs"], "unify plan (cached)", measure(again, repo, env))
            with edited(repo / first_importer(repo)):
                record(point["runs"], "unify plan (one file edited)",
                       measure(again, repo, env))
        series[kind].append(point)
        shutil.rmtree(repo, ignore_errors=True)
    return series


def bench_scaling(args, work: Path, env: dict[str, str]) -> dict:
    """One run a size: plan with an empty cache, plan again (memo), apply; the tree is
    generated for each size and removed after."""
    unify = [sys.executable, "-m", "unify"]
    points = []
    for n in args.scaling:
        repo = work / f"scaling-{args.scaling_shape}-{n}"
        shutil.rmtree(repo, ignore_errors=True)
        summary = generate.generate(repo, n, args.importers, args.seed, args.scaling_shape)
        runs: dict = {}
        record(runs, "git grep -l (floor)", measure(FLOOR, repo, env, sample=False))
        plan = [*unify, "plan", "--repo", str(repo)]
        record(runs, "unify plan (cold cache)", measure(plan, repo, env))
        again = [*plan, "-o", str(work / "second.toml"), "--force"]
        record(runs, "unify plan (cached)", measure(again, repo, env))
        applied = measure([*unify, "apply", "plans/models.toml", "--branch", "bench/s"], repo, env)
        if applied.code != 0:
            raise SystemExit(f"unify apply failed ({applied.code}):\n{applied.err[-3000:]}")
        record(runs, "unify apply (whole)", applied)
        points.append({"shape": args.scaling_shape, "files": summary.files,
                       "importers": summary.importers, "runs": runs})
        print(json.dumps(points[-1]), flush=True)
        shutil.rmtree(repo, ignore_errors=True)
    return {"shape": args.scaling_shape, "points": points}


# -- reporting -------------------------------------------------------------------------------


def _wall(runs: dict, name: str, key: str = "wall") -> float | None:
    return median([s.get(key) for s in runs.get(name, [])])


def shapes_table(results: list[dict]) -> str:
    """One row per code base: the figures the targets are about."""
    lines = ["| shape | files | importing | git grep (s) | plan, cold (s) | plan, cached (s) "
             "| cached / grep | apply (s) | rewrite step (s) | plan + apply (s) "
             "| plan + apply CPU (s) | peak MiB | load |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        runs = r["runs"]
        grep, cold = _wall(runs, "git grep -l (floor)"), _wall(runs, "unify plan (cold cache)")
        cached, apply = _wall(runs, "unify plan (cached)"), _wall(runs, "unify apply (whole)")
        rewrite = _wall(runs, "unify apply: rewrite step")
        cpu = [_wall(runs, n, "cpu") for n in ("unify plan (cold cache)", "unify apply (whole)")]
        peak = max((s["peak_mib"] or 0) for n in ("unify plan (cold cache)", "unify apply (whole)")
                   for s in runs.get(n, []))
        loads = [s["load"] for samples in runs.values() for s in samples if "load" in s]
        cells = [r.get("shape", "extensions"), f"{r['files']:,}", f"{r['importers']:,}",
                 _f(grep, 3), _f(cold), _f(cached), _f(cached / grep if cached and grep else None, 1),
                 _f(apply), _f(rewrite), _f(cold + apply if cold and apply else None),
                 _f(sum(cpu) if None not in cpu else None), f"{peak:.0f}",
                 f"{min(loads):.1f}-{max(loads):.1f}" if loads else ""]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _f(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def scaling_table(series: dict) -> str:
    points = series["points"]
    lines = [f"Scaling, shape {series['shape']} (one run a size)", "",
             "| files | git grep (s) | plan, cold (s) | plan, cached (s) | apply (s) "
             "| plan + apply (s) | ms a file | CPU (s) | peak MiB | load |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    xs, ys = [], []
    for p in points:
        runs = p["runs"]
        cold, apply = _wall(runs, "unify plan (cold cache)"), _wall(runs, "unify apply (whole)")
        total = cold + apply
        cpu = sum(_wall(runs, n, "cpu") or 0 for n in ("unify plan (cold cache)",
                                                       "unify apply (whole)"))
        peak = max(s["peak_mib"] or 0 for n in ("unify plan (cold cache)", "unify plan (cached)",
                                                 "unify apply (whole)") for s in runs[n])
        loads = [s["load"] for samples in runs.values() for s in samples]
        lines.append(f"| {p['files']:,} | {_f(_wall(runs, 'git grep -l (floor)'), 3)} "
                     f"| {_f(cold)} | {_f(_wall(runs, 'unify plan (cached)'))} | {_f(apply)} "
                     f"| {_f(total)} | {1000 * total / p['files']:.2f} | {cpu:.1f} | {peak:.0f} "
                     f"| {min(loads):.1f}-{max(loads):.1f} |")
        if p["files"] >= 10000:
            xs.append(math.log(p["files"]))
            ys.append(math.log(total))
    if len(xs) >= 2:
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
        lines += ["", f"plan + apply time ~ files^{slope:.2f} from 10,000 files up "
                  "(least squares on log-log)"]
    return "\n".join(lines)




def median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def machine() -> dict:
    mem = next((l.split()[1] for l in Path("/proc/meminfo").read_text().splitlines()
                if l.startswith("MemTotal")), "?")
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor())
    return {
        "nproc": os.cpu_count(), "cpus_usable": len(os.sched_getaffinity(0)),
        "memory_gib": round(int(mem) / 2**20, 1), "cpu": cpu,
        "python": platform.python_version(), "libcst": metadata.version("libcst"),
        "git": subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip(),
        "os": f"{platform.system()} {platform.release()}",
    }


def table(result: dict) -> str:
    runs = result["runs"]
    floor = median([r["wall"] for r in runs["git grep -l (floor)"]])
    rewrite = median([r["wall"] for r in runs["unify apply: rewrite step"]])
    lines = [f"{result['files']} files, {result['importers']} importing the model modules "
             f"({result['rewrite_files']} files to rewrite)", "",
             "| command | median wall (s) | runs | peak memory (MiB) | vs git grep "
             "| rewrite step faster by |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, samples in runs.items():
        wall = median([s["wall"] for s in samples])
        peak = median([s["peak_mib"] for s in samples])
        versus = f"{wall / floor:.1f}x" if wall and floor else ""
        faster = (f"{wall / rewrite:.1f}x" if name.startswith("libcst") and wall and rewrite
                  else "")
        lines.append(f"| {name} | {wall:.2f} | {len(samples)} | "
                     f"{'' if peak is None else f'{peak:.0f}'} | {versus} | {faster} |")
    return "\n".join(lines)


def curve_table(series: dict) -> str:
    """The two scaling series, one row per code base."""
    lines = ["| series | files | importing files | git grep -l (s) | unify plan, cold (s) "
             "| unify plan, cached (s) | unify plan, one file edited (s) |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for kind, label in (("importers", "more importing files"), ("size", "larger tree")):
        for point in series.get(kind, []):
            walls = [median([s["wall"] for s in point["runs"].get(name, [])]) for name in
                     ("git grep -l (floor)", "unify plan (cold cache)", "unify plan (cached)",
                      "unify plan (one file edited)")]
            lines.append(f"| {label} | {point['files']} | {point['importers']} | "
                         + " | ".join("" if w is None else f"{w:.2f}" for w in walls) + " |")
    return "\n".join(lines)


def render(report: dict) -> str:
    parts = [json.dumps(report["machine"])]
    for result in report["sizes"]:
        parts += [table(result),
                  json.dumps({k: result.get(k) for k in ("unify_output", "libcst_output")})]
    if report["sizes"]:
        parts.append(shapes_table(report["sizes"]))
    if report.get("curves"):
        parts.append(curve_table(report["curves"]))
    if report.get("scaling"):
        parts.append(scaling_table(report["scaling"]))
    return "\n\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3, help="runs per command (median)")
    parser.add_argument("--libcst", nargs="*", default=["deps"], choices=["deps", "tree"],
                        help="libcst over the files unify rewrites and/or the whole tree")
    parser.add_argument("--libcst-runs", type=int, default=None, help="default: --runs")
    parser.add_argument("--libcst-sample", type=int, default=0,
                        help="time libcst on this many of the files to rewrite, scaled up")
    parser.add_argument("--tree-runs", type=int, default=1,
                        help="runs of libcst over the whole tree (default 1: it is slow)")
    parser.add_argument("--jobs", type=int, default=2, help="libcst -j (default 2)")
    parser.add_argument("--importers", type=float, default=None,
                        help="share of importing files (default: the shape's, 0.2; heavy 0.5)")
    parser.add_argument("--shapes", nargs="*", default=list(generate.SHAPES),
                        choices=generate.SHAPES, help="tree shapes (default: all five)")
    parser.add_argument("--scaling", type=int, nargs="*", default=[],
                        help="sizes of the scaling series, e.g. 1000 10000 50000 100000")
    parser.add_argument("--scaling-shape", default="package-init", choices=generate.SHAPES)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--curves", action="store_true", help="also the two scaling series")
    parser.add_argument("--curve-size", type=int, default=10000)
    parser.add_argument("--curve-importers", type=int, default=250)
    parser.add_argument("--unify-src", type=Path, default=None,
                        help="run unify from this source tree (PYTHONPATH)")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: temp)")
    parser.add_argument("--json", type=Path, default=None, help="write all samples here")
    parser.add_argument("--report", type=Path, default=None,
                        help="only print the tables of a --json file written before")
    args = parser.parse_args(argv)
    if args.report:
        print(render(json.loads(args.report.read_text(encoding="utf-8"))))
        return 0
    args.libcst_runs = args.libcst_runs or args.runs
    env = environment(args.unify_src)
    work = args.work or Path(tempfile.mkdtemp(prefix="unify-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    report: dict = {"machine": machine(), "args": {k: str(v) for k, v in vars(args).items()},
                    "sizes": []}
    print(json.dumps(report["machine"]), flush=True)
    for n in args.sizes:
        for shape in args.shapes:
            result = bench_size(n, args, work, env, shape)
            report["sizes"].append(result)
            print(f"\n{shape}: " + table(result), flush=True)
            print(json.dumps({k: result.get(k) for k in ("unify_output", "libcst_output")}),
                  flush=True)
            if args.json:  # kept after every code base: a long run stopped keeps what it did
                args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    if report["sizes"]:
        print("\n" + shapes_table(report["sizes"]), flush=True)
    if args.scaling:
        report["scaling"] = bench_scaling(args, work, env)
        print("\n" + scaling_table(report["scaling"]), flush=True)
    if args.curves:
        report["curves"] = bench_curves(args, work, env)
        print("\n" + curve_table(report["curves"]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
