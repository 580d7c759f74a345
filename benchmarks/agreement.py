#!/usr/bin/env python3
# agreement.py - how often cpol's rules agree with other linters' own fixture labels.
# Reads ../shared/corpus/labels.tsv (file, upstream check, pass|fail), maps the upstream checks that
# mean the same as one of our rules (benchmarks/agreement-map.tsv), runs cpol once per labelled file
# and prints agreement per rule plus every disagreement. A report, not a test: exit 0 unless cpol
# itself cannot be run (missing binary, usage error, output that is not JSON).
#
# usage: python3 benchmarks/agreement.py [CPOL] [--corpus DIR] [--map FILE] [--markdown]

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import OrderedDict, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# kinds whose objects hold containers (a file label is about the file, these say how many objects
# the label may be about)
WORKLOAD_KINDS = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob",
                  "ReplicationController", "PodTemplate", "DeploymentConfig"}


def read_map(path):
    """upstream check id -> (our rule, relation, note)"""
    out = OrderedDict()
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < 3:
                sys.exit("agreement: bad map line: %r" % line)
            out[cols[0]] = (cols[1], cols[2], cols[3] if len(cols) > 3 else "")
    return out


def read_labels(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        header = f.readline()
        if not header.startswith("path\t"):
            sys.exit("agreement: %s: unexpected header" % path)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 3:
                rows.append((cols[0], cols[1], cols[2]))
    return rows


def compose_name(base):
    return ((base.startswith("docker-compose") or base.startswith("compose")) and
            base.lower().endswith((".yml", ".yaml")))


def dockerfile_name(base):
    low = base.lower()
    return (base in ("Dockerfile", "Containerfile") or low == "dockerfile" or
            base.startswith(("Dockerfile.", "Containerfile.", "Dockerfile-", "Dockerfile_")) or
            low.endswith((".dockerfile", ".containerfile")))


def scan_path(corpus_rel, full, tmp):
    """The path to hand to cpol. cpol picks compose and Dockerfiles by name (and has no option to
    force a format), so a labelled file whose name it would not recognise is copied under a name it
    does; the copy loses its neighbours (build context, .dockerignore), which none of the relabelled
    fixtures use. Returns (path, renamed?)."""
    fmt = corpus_rel.split("/", 1)[0]
    base = os.path.basename(full)
    target = None
    if fmt == "compose" and not compose_name(base):
        target = "compose.yaml"
    elif fmt == "dockerfile" and not dockerfile_name(base):
        target = "Dockerfile"
    elif fmt in ("k8s", "oci") and not base.lower().endswith((".yml", ".yaml", ".json")):
        target = "input.yaml" if fmt == "k8s" else "config.json"
    if target is None:
        return full, False
    d = tempfile.mkdtemp(dir=tmp)
    dst = os.path.join(d, target)
    shutil.copyfile(full, dst)
    return dst, True


def run_cpol(cpol, path):
    try:
        p = subprocess.run([cpol, "scan", "--format", "json", "--fail-on", "none", "--no-config",
                            path], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        sys.stderr.write("agreement: cannot run %s: %s\n" % (cpol, e))
        sys.exit(1)
    # 0: no findings at --fail-on none; 3: scan incomplete (an input did not parse) - still a result
    if p.returncode not in (0, 1, 3):
        sys.stderr.write("agreement: %s exited %d on %s:\n%s" % (cpol, p.returncode, path,
                                                                    p.stderr))
        sys.exit(1)
    try:
        return json.loads(p.stdout)
    except ValueError:
        sys.stderr.write("agreement: %s printed no JSON for %s:\n%s\n" % (cpol, path,
                                                                          p.stdout[:500]))
        sys.exit(1)


def workload_objects(full):
    """How many workload objects a Kubernetes file holds (top-level `kind:` lines of workload
    kinds); 0 for other formats. A label is per file, so with several objects it may be about one."""
    n = 0
    try:
        with open(full, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = re.match(r"^kind:\s*['\"]?(\w+)", line)
                if m and m.group(1) in WORKLOAD_KINDS:
                    n += 1
    except OSError:
        pass
    return n


def pct(a, n):
    return "%.1f%%" % (100.0 * a / n) if n else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("cpol", nargs="?", default=os.path.join(REPO, "build", "cpol"))
    ap.add_argument("--corpus", default=os.path.join(REPO, "..", "shared", "corpus"))
    ap.add_argument("--map", default=os.path.join(HERE, "agreement-map.tsv"))
    args = ap.parse_args()

    if not os.access(args.cpol, os.X_OK):
        sys.stderr.write("agreement: %s is not an executable cpol (build it first)\n" % args.cpol)
        return 1
    corpus = os.path.normpath(args.corpus)
    mapping = read_map(args.map)
    labels = read_labels(os.path.join(corpus, "labels.tsv"))

    mapped = [r for r in labels if r[1] in mapping]
    unmapped = sorted({r[1] for r in labels if r[1] not in mapping})
    unmapped_rows = sum(1 for r in labels if r[1] not in mapping)

    results = {}  # corpus path -> (rule -> [findings], errors, renamed)
    tmp = tempfile.mkdtemp(prefix="cpol-agreement-")
    try:
        for rel in sorted({r[0] for r in mapped}):
            full = os.path.join(corpus, rel)
            path, renamed = scan_path(rel, full, tmp)
            out = run_cpol(args.cpol, path)
            by_rule = defaultdict(list)
            for f in out.get("findings", []):
                by_rule[f["rule_id"]].append(f)
            errors = [e.get("message", "") for e in out.get("errors", [])]
            results[rel] = (by_rule, errors, renamed)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    per_rule = OrderedDict()
    disagreements = []
    for rel, check, expected in mapped:
        rule, relation, _ = mapping[check]
        by_rule, errors, renamed = results[rel]
        ours = "fail" if by_rule.get(rule) else "pass"
        st = per_rule.setdefault(rule, {"checks": set(), "files": set(), "labels": 0, "agree": 0,
                                        "disagree": 0})
        st["checks"].add(check)
        st["files"].add(rel)
        st["labels"] += 1
        if ours == expected:
            st["agree"] += 1
        else:
            st["disagree"] += 1
            objs = sorted({f.get("object") or "" for f in by_rule.get(rule, [])})
            disagreements.append({
                "file": rel, "check": check, "theirs": expected, "ours": ours, "rule": rule,
                "relation": relation, "objects": workload_objects(os.path.join(corpus, rel)),
                "flagged": objs,
                "first": by_rule[rule][0] if by_rule.get(rule) else None,
                "errors": errors, "renamed": renamed,
            })

    print("Agreement of cpol with other tools' fixture labels")
    print("cpol: %s   labels: %s" % (args.cpol, os.path.join(corpus, "labels.tsv")))
    print()
    print("| our rule | mapped upstream checks | labelled files | labels | agree | disagree "
          "| agreement |")
    print("|---|---|---|---|---|---|---|")
    tot_l = tot_a = tot_d = 0
    for rule in sorted(per_rule):
        st = per_rule[rule]
        tot_l += st["labels"]
        tot_a += st["agree"]
        tot_d += st["disagree"]
        print("| %s | %d | %d | %d | %d | %d | %s |" % (
            rule, len(st["checks"]), len(st["files"]), st["labels"], st["agree"],
            st["disagree"], pct(st["agree"], st["labels"])))
    print("| **all** | %d | %d | %d | %d | %d | %s |" % (
        len({r[1] for r in mapped}), len({r[0] for r in mapped}), tot_l, tot_a, tot_d,
        pct(tot_a, tot_l)))
    print()
    print("Labels: %d in all, %d mapped (%d upstream checks), %d unmapped (%d upstream checks)." % (
        len(labels), len(mapped), len({r[1] for r in mapped}), unmapped_rows, len(unmapped)))
    multi = sorted(rel for rel in results if workload_objects(os.path.join(corpus, rel)) > 1)
    print("%d of the %d labelled files hold more than one workload object; their file-level label "
          "may be about one object while a finding of ours is about another (each such "
          "disagreement below says so)." % (len(multi), len(results)))
    print()
    print("Disagreements (%d):" % len(disagreements))
    for d in disagreements:
        extra = []
        if d["first"]:
            f = d["first"]
            extra.append("line %s: %s" % (f.get("line"), f.get("message")))
        if len(d["flagged"]) > 0:
            extra.append("objects flagged: %s" % "; ".join(d["flagged"]))
        if d["objects"] > 1:
            extra.append("%d workload objects in the file" % d["objects"])
        if d["errors"]:
            extra.append("cpol errors: %s" % " | ".join(d["errors"]))
        if d["renamed"]:
            extra.append("scanned as a renamed copy")
        print("- %s  %s  theirs=%s ours=%s (%s, %s)%s" % (
            d["file"], d["check"], d["theirs"], d["ours"], d["rule"], d["relation"],
            ("\n    " + "\n    ".join(extra)) if extra else ""))
    print()
    print("Unmapped upstream checks (%d): %s" % (len(unmapped), ", ".join(unmapped)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
