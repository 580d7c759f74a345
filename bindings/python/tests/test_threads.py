"""Threads: the GIL is released during scans, so engines in different threads overlap in time;
one engine shared by threads is safe because its lock makes them take turns.

Overlap is judged from the times the C side took around the library call (Report.timing): with
the GIL held during the call, two such intervals could never overlap, however the OS schedules."""

import threading

import containerpolicy
from conftest import BAD_DOCKERFILE

# Big enough that a scan takes a good tenth of a second (about 6000 instructions).
BIG = "FROM node:20\n" + "".join(
    f"RUN apt-get install -y pkg{i} && echo {i}\nENV VAR{i}=value{i}\n" for i in range(3000))


def run_threads(targets):
    barrier = threading.Barrier(len(targets))
    results = [None] * len(targets)
    failures = []

    def worker(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except BaseException as e:  # reported by the main thread
            failures.append(e)

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    return results


def overlap(a, b):
    return min(a[1], b[1]) - max(a[0], b[0])


def test_two_threads_with_their_own_engines_overlap_in_time():
    engines = [containerpolicy.Engine(), containerpolicy.Engine()]
    solo = engines[0].scan_string(BIG, name="Dockerfile")
    reports = run_threads([lambda e=e: e.scan_string(BIG, name="Dockerfile") for e in engines])
    a, b = reports[0].timing, reports[1].timing
    shorter = min(a[1] - a[0], b[1] - b[0])
    assert overlap(a, b) > 0.3 * shorter, f"scans did not overlap: {a} {b}"
    assert reports[0].findings == reports[1].findings == solo.findings


def test_one_engine_shared_by_threads_takes_turns():
    engine = containerpolicy.Engine()
    reports = run_threads([lambda: engine.scan_string(BIG, name="Dockerfile")] * 3)
    times = sorted(r.timing for r in reports)
    for earlier, later in zip(times, times[1:]):
        assert overlap(earlier, later) <= 0, f"a shared engine ran two scans at once: {times}"
    assert reports[0].findings == reports[1].findings == reports[2].findings


def test_many_threads_many_engines_same_findings():
    expected = containerpolicy.scan(BAD_DOCKERFILE).findings
    reports = run_threads([lambda: containerpolicy.scan(BAD_DOCKERFILE)] * 8)
    assert all(r.findings == expected for r in reports)
