#!/usr/bin/env python3
"""run.py - `make bench`: every figure of docs/performance.md, as medians of interleaved runs.

Whole-process figures (scan, floor, -j 2, Python, other tools) run each command as a child of
`cpol-bench exec`, which reads its CPU time (user + system) and peak RSS from wait4() (a small
launcher: Linux counts peak RSS across exec, so a child of this Python process would inherit the
driver's size); wall time is printed beside them. Reports go to /dev/null (rendered and written,
not read back through a pipe).
CPU time is the figure compared with the targets: on a shared machine wall time measures the
neighbours as much as us. Runs of the things compared are interleaved (floor, scan, floor, scan,
...) so a burst of load hits both, and the median of the runs is kept.

usage: benchmarks/run.py --build DIR [--corpus DIR] [--runs N] [--no-python] [--tools-dir DIR]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


class ToolFailed(Exception):
    pass


LAUNCHER = None  # cpol-bench, set by main(): every measured command runs under `cpol-bench exec`


def run(cmd, env=None, cwd=None, strict=True, capture=False):
    """Run cmd under `cpol-bench exec` (stderr discarded; stdout kept when capture, else sent to
    /dev/null); return (cpu seconds, wall seconds, peak RSS in MB, stdout).
    A status other than 0, 1 (findings) or 3 (incomplete) ends the benchmark, or raises
    ToolFailed when strict is false (other tools: one that fails is reported, not fatal)."""
    p = subprocess.Popen([LAUNCHER, "exec"] + cmd, stdout=subprocess.PIPE if capture else
                         subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd)
    out, err = p.communicate()
    lines = err.decode("utf-8", "replace").strip().splitlines()
    if p.returncode != 0 or not lines:
        sys.exit("bench: cannot run %s" % " ".join(cmd))
    m = json.loads(lines[-1])
    if m["status"] not in (0, 1, 3):
        if not strict:
            raise ToolFailed("%s exited with status %d" % (cmd[0], m["status"]))
        sys.exit("bench: %s failed with status %d" % (" ".join(cmd), m["status"]))
    return m["user"] + m["sys"], m["wall"], m["maxrss_kb"] / 1024.0, out


def interleave(cmds, runs, env=None):
    """Run each named command `runs` times, round-robin; return name -> list of results."""
    res = {name: [] for name in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            res[name].append(run(cmd, env))
    return res


def med(results, i):
    return statistics.median(r[i] for r in results)


def make_corpus10(src, dst):
    """Ten copies of the corpus under dst (hard links when the file system allows)."""
    stamp = os.path.join(dst, ".complete")
    if os.path.exists(stamp):
        return
    shutil.rmtree(dst, ignore_errors=True)
    for k in range(10):
        target = os.path.join(dst, "copy%d" % k)
        try:
            shutil.copytree(src, target, copy_function=os.link)
        except OSError:
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(src, target)
    open(stamp, "w").close()


def newest_mtime(*dirs):
    """The newest modification time of the files under dirs (build output folders skipped)."""
    newest = 0.0
    for d in dirs:
        for root, subdirs, files in os.walk(d):
            subdirs[:] = [s for s in subdirs if s not in ("build", "__pycache__") and
                          not s.endswith(".egg-info")]
            for f in files:
                newest = max(newest, os.path.getmtime(os.path.join(root, f)))
    return newest


def python_env(build):
    """A venv with the binding installed from this checkout; reinstalled (the C core compiled
    again) when the binding, the library or the rules changed since the last install."""
    venv = os.path.join(build, "bench-venv")
    py = os.path.join(venv, "bin", "python")
    stamp = os.path.join(venv, ".installed")
    sources = [os.path.join(ROOT, d) for d in ("bindings", "libcontainerpolicy", "include", "rules")]
    if os.path.exists(stamp) and newest_mtime(*sources) > os.path.getmtime(stamp):
        print("bench: the binding's sources changed; reinstalling it", flush=True)
        shutil.rmtree(venv)
    if not os.path.exists(stamp):
        print("bench: installing the Python binding into %s (once)" % venv, flush=True)
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([py, "-m", "pip", "install", "-q", os.path.join(ROOT, "bindings", "python")],
                       check=True)
        open(os.path.join(venv, ".installed"), "w").close()
    return py


def kube_score_files(corpus, build):
    """The corpus's Kubernetes files kube-score reads: one file it cannot parse stops a whole
    kube-score run, so each is tried alone once (the list is kept in the build folder)."""
    cache = os.path.join(build, "kube-score-files.txt")
    if os.path.exists(cache):
        return open(cache).read().split()
    files = []
    for line in open(os.path.join(corpus, "MANIFEST.tsv")):
        f = line.rstrip("\n").split("\t")
        if len(f) > 1 and f[1] == "k8s":
            p = subprocess.run(["kube-score", "score", "-o", "ci", "--color", "never", f[0]],
                               cwd=corpus, capture_output=True, text=True)
            if not (p.stdout + p.stderr).startswith("Failed to score files"):
                files.append(f[0])
    with open(cache, "w") as out:
        out.write("\n".join(files) + "\n")
    return files


def row(name, value, target, ok, note=""):
    mark = "" if ok is None else ("met" if ok else "MISSED")
    print("  %-44s %-26s %-12s %s %s" % (name, value, target, mark, note))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpus"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-python", action="store_true")
    ap.add_argument("--tools-dir", help="a folder with checkov, trivy or kube-score to compare "
                    "with (searched before PATH)")
    a = ap.parse_args()
    if a.tools_dir:
        os.environ["PATH"] = os.path.abspath(a.tools_dir) + os.pathsep + os.environ["PATH"]
    build = os.path.abspath(a.build)
    corpus = os.path.abspath(a.corpus)
    cpol = os.path.join(build, "cpol")
    bench = os.path.join(build, "benchmarks", "cpol-bench")
    global LAUNCHER
    LAUNCHER = bench
    corpus10 = os.path.join(build, "bench-corpus10")
    make_corpus10(corpus, corpus10)
    one = {"OMP_NUM_THREADS": "1"}
    env = dict(os.environ, **one)

    print("machine: %s, %d CPUs; load average %.1f at start" % (
        os.uname().machine, os.cpu_count(), os.getloadavg()[0]))
    print("medians of %d interleaved runs; times are CPU time (user+sys) of the whole process, "
          "wall time in brackets\n" % a.runs)

    # one untimed run of each so the page cache is warm for every command below
    for cmd in ([cpol, "scan", corpus, "--format", "json", "--fail-on", "none"],
                [bench, "floor", corpus10]):
        run(cmd)

    figures = {}
    for label, path in (("corpus", corpus), ("corpus x10", corpus10)):
        cmds = {
            "floor": [bench, "floor", path],
            "scan": [cpol, "scan", path, "--format", "json", "--fail-on", "none"],
        }
        if label == "corpus":
            cmds["floor_jpos"] = [bench, "floor-jpos", path]
        r = interleave(cmds, a.runs, env)
        info = json.loads(run([bench, "floor", path], env, capture=True)[3])
        figures[label] = {
            "files": info["files"], "bytes": info["bytes"],
            "scan": med(r["scan"], 0), "scan_wall": med(r["scan"], 1),
            "floor": med(r["floor"], 0), "floor_wall": med(r["floor"], 1),
            "rss": max(x[2] for x in r["scan"]),
            "floor_jpos": med(r["floor_jpos"], 0) if "floor_jpos" in r else None,
        }

    st = json.loads(run([bench, "startup", "50"], capture=True)[3])
    dockerfile30 = os.path.join(HERE, "data", "Dockerfile")
    emb = json.loads(run([bench, "embedded", dockerfile30, "3000"], capture=True)[3])
    pf = json.loads(run([bench, "perfile", corpus], capture=True)[3])

    j = interleave({
        "j1": [cpol, "scan", corpus10, "--format", "json", "--fail-on", "none", "-j", "1"],
        "j2": [cpol, "scan", corpus10, "--format", "json", "--fail-on", "none", "-j", "2"],
    }, a.runs, env)
    j1, j2 = med(j["j1"], 1), med(j["j2"], 1)

    py_ratio = None
    if not a.no_python:
        py = python_env(build)
        code = ("import sys, containerpolicy; r = containerpolicy.scan(sys.argv[1]); "
                "print(len(r.findings))")
        p = interleave({
            "cli": [cpol, "scan", corpus, "--format", "json", "--fail-on", "none"],
            "python": [py, "-c", code, corpus],
        }, a.runs, env)
        py_ratio = (med(p["python"], 0) / med(p["cli"], 0), med(p["python"], 0), med(p["cli"], 0))

    # other scanners, when on PATH (--tools-dir adds a folder): the same corpus, the same run
    others = {}
    k8s_files = kube_score_files(corpus, build) if shutil.which("kube-score") else []
    tools = (
        ("checkov", ["checkov", "-d", corpus, "--quiet", "--compact", "-o", "json"],
         [cpol, "scan", corpus, "--format", "json", "--fail-on", "none"], None, "corpus"),
        ("trivy", ["trivy", "config", "--quiet", "--skip-check-update", "--skip-version-check",
                   "--disable-telemetry", "--cache-dir", os.path.join(build, "trivy-cache"),
                   corpus],
         [cpol, "scan", corpus, "--format", "json", "--fail-on", "none"], None, "corpus"),
        ("kube-score", ["kube-score", "score", "-o", "ci", "--color", "never"] + k8s_files,
         [cpol, "scan", "--format", "json", "--fail-on", "none"] + k8s_files, corpus,
         "%d Kubernetes files" % len(k8s_files)),
    )
    for tool, cmd, ours, cwd, what in tools:
        if not shutil.which(tool):
            continue
        try:
            run(cmd, env, cwd, strict=False)  # warm-up, and a check that it runs at all
            o = {"cpol": [], tool: []}
            for _ in range(max(1, a.runs // 2)):
                o["cpol"].append(run(ours, env, cwd))
                o[tool].append(run(cmd, env, cwd, strict=False))
            others[tool] = (med(o[tool], 0), med(o["cpol"], 0), med(o[tool], 1),
                            med(o["cpol"], 1), max(x[2] for x in o[tool]), what)
        except ToolFailed as err:
            print("bench: %s not measured: %s" % (tool, err))

    c, c10 = figures["corpus"], figures["corpus x10"]
    print("corpus: %d files, %.1f MB; corpus x10: %d files, %.1f MB" % (
        c["files"], c["bytes"] / 1e6, c10["files"], c10["bytes"] / 1e6))
    for label in ("corpus", "corpus x10"):
        f = figures[label]
        print("  %-11s scan %.3f s [%.3f]  floor %.3f s [%.3f]  %.0f files/s  %.1f MB/s  "
              "peak RSS %.1f MB" % (label, f["scan"], f["scan_wall"], f["floor"], f["floor_wall"],
                                    f["files"] / f["scan"], f["bytes"] / 1e6 / f["scan"], f["rss"]))
    print("  per file (scan_buffer, one engine): median %.0f us, p99 %.0f us, min %.0f us" % (
        pf["median_us"], pf["p99_us"], pf["min_us"]))
    print()
    print("  %-44s %-26s %-12s" % ("figure", "measured", "target"))
    ratio = c["scan"] / c["floor"]
    row("scan / parse-only floor (corpus)", "%.2f (%.3f / %.3f s)" % (ratio, c["scan"], c["floor"]),
        "<= 2.0", ratio <= 2.0)
    strict = c["scan"] / c["floor_jpos"]
    row("  same, OCI floor by our JSON reader", "%.2f (%.3f / %.3f s)" % (
        strict, c["scan"], c["floor_jpos"]), "", None,
        "(the OCI parser reads JSON with it, not jansson)")
    row("engine creation (%d rules + library)" % st["rules"],
        "%.2f ms (p99 %.2f)" % (st["median_us"] / 1e3, st["p99_us"] / 1e3), "<= 5 ms",
        st["median_us"] <= 5000)
    row("embedded scan, %d-line Dockerfile" % emb["lines"],
        "%.0f us (p99 %.0f)" % (emb["median_us"], emb["p99_us"]), "<= 100 us",
        emb["median_us"] <= 100)
    row("peak RSS, corpus", "%.1f MB" % c["rss"], "<= 64 MB", c["rss"] <= 64)
    lin = c10["scan"] / c["scan"]
    row("corpus x10 time / corpus time", "%.2f" % lin, "<= 10.5", lin <= 10.5)
    row("-j 2 speed-up (corpus x10, wall)", "%.2f (%.2f / %.2f s)" % (j1 / j2, j1, j2), ">= 1.7",
        j1 / j2 >= 1.7, "(needs two idle cores)")
    if py_ratio:
        row("Python binding / CLI (corpus)",
            "%.2f (%.3f / %.3f s)" % py_ratio, "<= 1.2", py_ratio[0] <= 1.2)
    else:
        row("Python binding / CLI (corpus)", "not measured (--no-python)", "<= 1.2", None)
    for tool, (t, ours, tw, oursw, rss, what) in others.items():
        row("%s / cpol (%s, CPU)" % (tool, what),
            "%.0fx (%.2f / %.3f s)" % (t / ours, t, ours), "", None,
            "wall %.0fx (%.2f / %.3f s), %s peak RSS %.0f MB" % (tw / oursw, tw, oursw, tool, rss))
    missing = [t for t in ("checkov", "trivy", "kube-score") if t not in others]
    if missing:
        print("  (%s: not on PATH, not measured; see --tools-dir)" % ", ".join(missing))


if __name__ == "__main__":
    main()
