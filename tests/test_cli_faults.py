#!/usr/bin/env python3
"""The failure paths a user meets: a write that fails (as on a full disk)
keeps the old results, nothing to run is a usage error, stale partial
files are cleaned, convert looks at its input before reading it.

usage: test_cli_faults.py PATH/TO/da3bench
"""
import json
import os
import subprocess
import tempfile

import cli_common
from cli_common import DA3, TSAN, WRAP, check, run, say_skipped, usage_error

import resource  # noqa: E402
import signal  # noqa: E402
import stat  # noqa: E402
import threading  # noqa: E402


def fsize_limited(limit):
    """A child whose files cannot grow past limit bytes: its writes fail
    with EFBIG, as on a full disk (SIGXFSZ ignored, as a shell's ulimit -f
    leaves it for a program that checks its writes)."""
    def pre():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return pre


with tempfile.TemporaryDirectory() as tmp:
    old = os.path.join(tmp, "old.json")
    open(old, "w").write('{"old": true}\n')
    if TSAN:
        say_skipped("a write that fails keeps the old JSON", "ThreadSanitizer dies under RLIMIT_FSIZE")
    else:
        p = subprocess.run(WRAP + [DA3, "attention", "--seq", "64", "--impl", "flash", "-q",
                                   "--repetitions", "1", "--min-time", "0.01", "--json", old],
                           capture_output=True, text=True, preexec_fn=fsize_limited(1000),
                           env=dict(os.environ, TMPDIR=tmp), timeout=300)
        lines = [l for l in p.stderr.splitlines() if l.startswith("da3bench: --json")]
        check(p.returncode == 1 and open(old).read() == '{"old": true}\n' and len(lines) == 1
              and "kept as it was" in lines[0],
              f"a write that fails keeps the old JSON, exit 1, one line: {p.returncode} {lines!r}")
        check(not [f for f in os.listdir(tmp) if ".partial-" in f], "no partial file left behind")
    # results written to a full stdout are not a success
    if os.path.exists("/dev/full"):
        for fmt in ("console", "json", "csv"):
            with open("/dev/full", "w") as full:
                p = subprocess.run(WRAP + [DA3, "attention", "--seq", "64", "--impl", "flash",
                                           "-q", "--repetitions", "1", "--min-time", "0.01",
                                           f"--benchmark_format={fmt}"],
                                   stdout=full, stderr=subprocess.PIPE, text=True, timeout=300)
            lines = [l for l in p.stderr.splitlines() if l.startswith("da3bench: stdout")]
            check(p.returncode == 1 and len(lines) == 1 and "No space left" in lines[0],
                  f"{fmt} on a full stdout: exit 1, one line: {p.returncode} {p.stderr[-300:]!r}")
    usage_error(["attention", "--seq", "64", "--json", tmp], "is a directory")
    usage_error(["attention", "--seq", "64", "--benchmark_filter=["], "--benchmark_filter")
    usage_error(["attention", "--seq", "64", "--benchmark_filter=nosuch"], "matches none")
    usage_error(["attention", "--seq", "64", "--benchmark_min_time=-5"], "--benchmark_min_time")
    # Google Benchmark 1.8's forms: "100x" needs it, "0.01s" is passed on as
    # a plain number (Debian 12's 1.7.1 took neither and exited 0)
    usage_error(["attention", "--seq", "64", "--benchmark_min_time=5x"], "iteration count")
    rc, out, err = run(["attention", "--seq", "40", "--impl", "flash", "-q", "--repetitions", "1",
                        "--benchmark_min_time=0.01s"])
    check(rc == 0 and "unrecognized" not in err, f"--benchmark_min_time=0.01s runs: {rc} {err[-200:]!r}")
    # checked before anything runs: a file as the fixtures folder, a flag of
    # a suite the run does not include
    usage_error(["preprocess", "--fixtures", old], "not a folder")
    usage_error(["preprocess"], f"DA3BENCH_FIXTURES={old}: not a folder",
                env={"DA3BENCH_FIXTURES": old})
    usage_error(["attention", "--seq", "64", "--report", old], "--report")
    usage_error(["attention", "--seq", "64", "--report", old], "not a folder")
    # the report's script and Python are looked for before the run, not after
    usage_error(["attention", "--seq", "64", "--report", os.path.join(tmp, "rep")],
                "cannot find report.py", env={"DA3BENCH_SCRIPTS": "/nonexistent"})
    usage_error(["attention", "--seq", "64", "--report", os.path.join(tmp, "rep")],
                "cannot run /nonexistent/python", env={"DA3BENCH_PYTHON": "/nonexistent/python"})
    check(not os.path.exists(os.path.join(tmp, "rep")), "a refused --report makes no folder")
    usage_error(["attention", "--seq", "64", "--slowdown", "2"], "--slowdown")
    usage_error(["peak", "--inject-slowdown", "5%"], "--inject-slowdown")
    usage_error(["attention", "--workers", "2"], "--workers")
    usage_error(["--work", "10"], "calib")
    check(not os.path.exists(os.path.join(tmp, "x.json")), "nothing to run writes no JSON")
    # a stale partial file of a process that is gone is cleaned on the next run
    gone = subprocess.Popen(["true"])
    gone.wait()
    stale = f"{old}.partial-{gone.pid}"
    open(stale, "w").write("{")
    rc, out, err = run(["attention", "--seq", "64", "--impl", "flash", "-q", "--repetitions", "1",
                        "--min-time", "0.01", "--json", old])
    check(rc == 0 and not os.path.exists(stale) and json.load(open(old))["benchmarks"],
          f"a stale partial file is removed, the new JSON complete: {rc} {err[-300:]!r}")
    # --json into a pipe (a FIFO, /dev/stdout): written in place at the end,
    # its partial file in TMPDIR, not beside it (no folder to write in)
    pipe = os.path.join(tmp, "json-fifo")
    os.mkfifo(pipe)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(pipe).read()), daemon=True)
    reader.start()
    rc, out, err = run(["attention", "--seq", "64", "--impl", "flash", "-q", "--repetitions", "1",
                        "--min-time", "0.01", "--json", pipe], env={"TMPDIR": tmp})
    reader.join(60)
    doc = json.loads(got[0]) if got and got[0].strip() else {}
    check(rc == 0 and doc.get("benchmarks") and stat.S_ISFIFO(os.stat(pipe).st_mode)
          and not [f for f in os.listdir(tmp) if "partial" in f],
          f"--json into a FIFO: exit {rc}, {len(doc.get('benchmarks', []))} runs, the FIFO kept, "
          f"no partial file: {err[-300:]!r}")
    # convert looks before it reads: no endless /dev/zero, no hang on a FIFO
    npy = os.path.join(tmp, "z.npy")
    usage_error(["convert", "/dev/zero", "-o", npy], "DA3BENCH_ISA=sse9",
                env={"DA3BENCH_ISA": "sse9"})
    for src, why in (("/dev/zero", "not a regular file"), ("fifo", "not a regular file")):
        if src == "fifo":
            src = os.path.join(tmp, "fifo")
            os.mkfifo(src)
        try:
            rc, out, err = run(["convert", src, "-o", npy], timeout=20)
        except subprocess.TimeoutExpired:
            rc, err = None, "timed out"
        check(rc == 1 and why in err and len(err.strip().splitlines()) == 1,
              f"convert {src}: {rc} {err!r}")
    big = os.path.join(tmp, "big.jpg")
    with open(big, "wb") as f:
        f.write(b"\xff\xd8")
        f.truncate(3 << 30)
    rc, out, err = run(["convert", big, "-o", npy], timeout=20)
    check(rc == 1 and "larger than" in err and not os.path.exists(npy), f"convert 3 GB: {err!r}")
    os.unlink(big)

    # a benchmark that errors in its repetitions is one errored benchmark:
    # the run goes on and writes its JSON (Google Benchmark aborted in
    # ComputeStats when an errored repetition counted other iterations)
    if os.environ.get("DA3_SANITIZE", "none") == "none" and not WRAP:
        out_json = os.path.join(tmp, "oom.json")

        def _as_limit():
            resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
        p = subprocess.run([DA3, "attention", "--seq", "32768,64", "--heads", "1", "--impl",
                            "naive", "--mem-limit", "100G", "--repetitions", "3",
                            "--min-time", "0.01", "--quiet", "--json", out_json],
                           capture_output=True, text=True, preexec_fn=_as_limit, timeout=300)
        runs = json.load(open(out_json))["benchmarks"] if os.path.exists(out_json) else []
        naive = [r for r in runs if "/N:32768/" in r["name"]]
        flash = [r for r in runs if "/N:64/" in r["name"] and r.get("run_type") == "iteration"]
        check(p.returncode == 1 and len(naive) == 3 and all(r.get("error_occurred") for r in naive)
              and "out of memory" in naive[0].get("error_message", "")
              and len(flash) == 3 and not any(r.get("error_occurred") for r in flash),
              f"out of memory in every repetition: one errored benchmark, the next runs, JSON "
              f"written: exit {p.returncode}, {len(runs)} runs, {p.stderr[-200:]!r}")


cli_common.finish("cli_faults")
