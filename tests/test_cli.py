#!/usr/bin/env python3
"""The da3bench command as a user meets it: usage errors (one line, exit 2,
nothing run), list, env, a small run writing JSON with the manifest and the
counters, and the seed's console block. Standard library only.

usage: test_cli.py PATH/TO/da3bench
"""
import json
import os
import subprocess
import sys
import tempfile

import cli_common  # noqa: E402
from cli_common import (DA3, EMULATED, SANITIZE, TSAN, WRAP, check, run,  # noqa: E402,F401
                        say_skipped, usage_error)

# Usage errors name the flag and the value.
usage_error(["nosuchsuite"], "nosuchsuite")
usage_error(["--frobnicate"], "--frobnicate")
usage_error(["attention", "--seq", "abc"], "--seq")
usage_error(["attention", "--seq", "0"], "--seq")
usage_error(["attention", "--seq", "-5"], "--seq")
usage_error(["attention", "--heads", "1.5"], "--heads")
usage_error(["attention", "--batch", ""], "--batch")
usage_error(["attention", "--threads", "0"], "--threads")
usage_error(["attention", "--head-dim", "24"], "--head-dim 24")
usage_error(["attention", "--head-dim", "512"], "--head-dim 512")
usage_error(["attention", "--impl", "flash,turbo"], "turbo")
usage_error(["attention", "--preset", "huge"], "huge")
usage_error(["attention", "--mem-limit", "lots"], "--mem-limit")
usage_error(["attention", "--seq", "65536", "--batch", "4", "--impl", "naive"], "--mem-limit")
usage_error(["attention", "--seq", "4096", "--mem-limit", "1M"], "--seq 4096")
usage_error(["attention", "--seq", "256..64:x2"], "--seq")
usage_error(["attention", "--json", "/nonexistent/dir/out.json"], "--json /nonexistent")
usage_error(["attention", "--repetitions", "0"], "--repetitions")
usage_error(["attention", "--min-time", "soon"], "--min-time")
usage_error(["attention"], "DA3BENCH_ISA=sse9", env={"DA3BENCH_ISA": "sse9"})
usage_error(["env", "attention"], "env")
# getopt_long over the flag table: a missing value, a value on a switch, an
# unknown short flag, an ambiguous abbreviation are each one line naming it
usage_error(["attention", "--seq"], "--seq")
usage_error(["block", "--image=yes"], "--image takes no value")
usage_error(["-x"], "'-x'")
usage_error(["--b", "1"], "'--b' is ambiguous: --batch")
usage_error(["attention", "--min-time", "5000"], "at most 3600")
# env measures the machine: a flag given to it would be silently ignored
usage_error(["env", "--threads", "2"], "env: takes no flags, not --threads")
usage_error(["env", "--json", "/tmp/x.json"], "env: takes no flags, not --json")
usage_error(["env", "--benchmark_filter=x"], "env: takes no flags, not --benchmark_filter")
usage_error(["list", "--", "--seq"], "unknown suite '--seq'")

# GNU habits: a unique abbreviation is the flag, "--flag=value" the same as
# "--flag value", suites and flags in any order, "--" ends the flags, and
# POSIXLY_CORRECT does not stop the flags at the first suite name.
want = run(["list", "attention", "--seq", "256", "--impl", "flash", "--threads", "2"])[1]
for args, env in ((["list", "--thr=2", "attention", "--imp", "flash", "--seq=256"], None),
                  (["list", "attention", "--seq", "256", "--impl=flash", "--threads", "2"],
                   {"POSIXLY_CORRECT": "1"}),
                  (["list", "--seq", "256", "--impl", "flash", "--threads", "2", "--",
                    "attention"], None)):
    rc, out, err = run(args, env)
    check(rc == 0 and want and out == want, f"{args} {env}: lists {out!r}, expected {want!r}")

# An ISA the machine lacks is refused by name, not a crash.
rc, out, err = run(["list"], env={"DA3BENCH_ISA": "avx512"})
has512 = rc == 0
if not has512:
    check(rc == 2 and "avx512" in err, f"DA3BENCH_ISA=avx512 without it: {rc} {err!r}")

# --help on each command.
for cmd in ([], ["run"], ["list"], ["env"]):
    rc, out, err = run(cmd + ["--help"])
    check(rc == 0 and "usage: da3bench" in out, f"{cmd} --help")
    # puts, not printf: a "%%" there is printed as two characters
    check("%%" not in out, f"{cmd} --help prints no literal '%%'")

# list: exactly what a run would execute.
rc, out, err = run(["list", "attention", "--preset", "seed"])
names = out.split()
check(rc == 0 and len(names) == 12, f"seed preset lists 12 benchmarks, got {len(names)}")
check("attention/flash/B:2/H:8/N:1024/D:64/threads:%d" % os.cpu_count() in names,
      "seed config B2 H8 N1024 D64 listed")
rc, out, err = run(["list", "attention", "--preset", "da3", "--impl", "flash"])
names = out.split()
check(len(names) == 16 and "attention/flash/B:1/H:24/N:5768/D:64/threads:%d" % os.cpu_count()
      in names, "da3 preset: 4 head counts x 4 view counts, 721 tokens per view")
rc, out, err = run(["list", "attention", "--seq", "256..1024:x2", "--heads", "2,4",
                    "--impl", "flash,blas", "--threads", "1,2"])
check(len(out.split()) == 3 * 2 * 2 * 2, f"sweep product listed: {len(out.split())}")
rc, out, err = run(["list", "peak"])
check("peak/fma/threads:1" in out.split() and "peak/triad/threads:1" in out.split(), "peak list")
# the bf16 unit: measured where it is, listed as skipped with why where not
bf = [l for l in out.splitlines() if l.startswith("peak/bf16_dot/threads:1")]
check(len(bf) == 1 and (bf[0] == "peak/bf16_dot/threads:1" or "# skipped: " in bf[0]),
      f"peak list: the bf16 loop or why not: {bf!r}")

# cuda: listed (as skipped, with why, where no GPU can run), never an error
rc, out, err = run(["list", "cuda", "--preset", "seed", "--depth", "0,2", "--io-ms", "5"])
lines = out.splitlines()
names = [l.split()[0] for l in lines]
check(rc == 0 and len(names) == 1 + 5 * 4 + 2,
      f"cuda seed: peak + 5 shapes x 4 implementations + 2 prefetch, got {len(names)} ({rc})")
check("cuda_attention/flash_tf32/B:2/H:8/N:4096/D:64" in names and
      "cuda_prefetch/depth:2/io_ms:5" in names, f"cuda names: {names[:3]}")
skipped = [l for l in lines if "# skipped: " in l]
check(len(skipped) in (0, len(lines)), "all skipped or none")
usage_error(["cuda", "--head-dim", "48"], "--head-dim 48")
# as a default suite, cuda leaves a head dim it cannot run to the CPU's
# attention instead of refusing the whole run
rc, out, err = run(["list", "--head-dim", "48", "--seq", "64"])
names = [l.split()[0] for l in out.splitlines()]
check(rc == 0 and any(n.startswith("attention/") and "/D:48" in n for n in names)
      and not any(n.startswith("cuda_attention/") for n in names)
      and any(n.startswith("cuda_prefetch/") for n in names),
      f"list --head-dim 48: CPU attention at D48, no cuda_attention: {rc} {err[-200:]!r}")
usage_error(["cuda", "--cuda-impl", "flash,turbo"], "turbo")
rc, out, err = run(["list", "cuda", "--cuda-impl", "flash_tf32_br128,flash", "--seq", "1024",
                    "--depth", "0"])
names = [l.split()[0] for l in out.splitlines()]
rc, out2, err = run(["list", "cuda", "--seq", "256", "--loader", "sim,jpeg", "--loader-threads",
                     "1,2", "--io-ms", "5", "--depth", "0,2"])
pf = [l.split()[0] for l in out2.splitlines() if l.startswith("cuda_prefetch/")]
check(len(pf) == 8 and "cuda_prefetch/depth:2/io_ms:0/loader:jpeg/loaders:2/batches:10" in pf,
      f"cuda prefetch: sim and jpeg loaders, 1 and 2 threads, as the CPU suite names them: {pf}")
check(names[1:3] == ["cuda_attention/flash_tf32_br128/B:1/H:8/N:1024/D:64",
                     "cuda_attention/flash/B:1/H:8/N:1024/D:64"], f"--cuda-impl order: {names}")
if skipped:
    reason = skipped[0].split("# skipped: ", 1)[1]
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "cuda.json")
        rc, out, err = run(["cuda", "--json", path, "-q"])
        check(rc == 0, f"a run with every cuda benchmark skipped exits 0, got {rc} ({err!r})")
        check(err.count(f"benchmarks skipped: {reason}") == 1, f"the skip said once: {err!r}")
        try:
            doc = json.load(open(path))
            check(doc["benchmarks"] == [] and doc["context"].get("cuda_skipped") == reason,
                  "the JSON has the context with the reason and no benchmark")
        except (OSError, ValueError, KeyError) as e:
            check(False, f"cuda-only run writes a valid JSON: {e}")

# env: one JSON object with the manifest.
rc, out, err = run(["--version"])
check(rc == 0 and out.startswith("da3bench ") and "(commit " in out and not err,
      f"--version prints the version and commit: {rc} {out!r}")
rc, out, err = run(["env"])
try:
    env = json.loads(out)
except ValueError:
    env = {}
for key in ("da3bench_version", "git_commit", "compiler", "kernel_flags", "isa_detected",
            "isa_selected", "cores", "blas", "peak_gflops", "triad_gbs"):
    check(key in env, f"env has {key}")
check(float(env.get("peak_gflops", 0)) > 0, "env measured a peak")
# what changes timings (pyperf's system show), "unknown" where unreadable;
# numbers as JSON numbers, a commit always a string
for key in ("cpu_governor", "cpufreq_driver", "turbo", "smt", "isolated_cpus", "aslr"):
    check(isinstance(env.get(key), str) and env[key], f"env has {key}: {env.get(key)!r}")
for key in ("load_average_1min", "load_average_5min", "load_average_15min"):
    check(isinstance(env.get(key), (int, float)) and env[key] >= 0,
          f"env has {key} as a number: {env.get(key)!r}")
check(env.get("aslr") in ("off", "partial", "full", "unknown"), "env: aslr is a word")
check(isinstance(env.get("cores"), int) and isinstance(env.get("peak_gflops"), float)
      and isinstance(env.get("git_commit"), str), "env: numbers as numbers, the commit a string")
# the accumulator sweep, per level present: the best level's is the peak
isa = env.get("peak_isa", "?")
check(env.get(f"peak_gflops_{isa}") == env.get("peak_gflops")
      and 4 <= int(env.get(f"peak_accs_{isa}", 0)) <= 32
      and "peak_accs_scalar" in env, f"env: per-level peaks and accumulator counts ({isa})")
check(("cuda_device" in env) != ("cuda_skipped" in env), "env names the GPU or why there is none")
# OpenBLAS's generic fallback (Prescott, SSE3) is never what runs on a CPU
# with AVX2 (da3bench sets OPENBLAS_CORETYPE and says so); a user's own
# OPENBLAS_CORETYPE stands, with nothing said
core = env.get("blas_core", "")
if "OpenBLAS" in env.get("blas", "") and env.get("isa_detected") in ("avx2", "avx512"):
    check(core and not core.startswith("Prescott"), f"env: OpenBLAS's kernels fit the CPU: {core!r}")
    rc, out, err = run(["env"], env={"OPENBLAS_CORETYPE": "Prescott"})
    check(rc == 0 and json.loads(out).get("blas_core") == "Prescott" and "OPENBLAS" not in err,
          f"env: the user's OPENBLAS_CORETYPE stands: {rc} {err!r}")
else:
    check(bool(core), f"env names the BLAS kernels: {core!r}")
check(env.get("bf16", "").startswith("none: ") or
      (env.get("bf16") == "avx512_bf16" and isinstance(env.get("peak_gflops_bf16"), float)
       and env["peak_gflops_bf16"] > 0), f"env: the bf16 peak or why none: {env.get('bf16')!r}")

# A small run: JSON with the manifest, counters, and the seed's block.
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "r.json")
    rc, out, err = run(["attention", "--seq", "40,100", "--heads", "2", "--head-dim", "32",
                        "--repetitions", "2", "--min-time", "0.001", "--json", path])
    check(rc == 0, f"small run exit {rc}: {err[-500:]!r}")
    doc = json.load(open(path)) if os.path.exists(path) else {}
    ctx = doc.get("context", {})
    check(ctx.get("isa_selected") and ctx.get("peak_gflops") and ctx.get("git_commit"),
          "context carries the manifest")
    runs = [b for b in doc.get("benchmarks", []) if b.get("run_type") == "iteration"]
    check(len(runs) == 2 * 4 * 2, f"16 repetition runs, got {len(runs)}")
    for b in runs:
        for c in ("GFLOPS", "pct_peak", "max_abs_err", "extra_bytes"):
            check(c in b, f"{b['name']} has {c}")
        check(b.get("max_abs_err", 1) < 1e-4, f"{b['name']} checked against the reference")
    fl = [b for b in runs if b["name"].startswith("attention/flash/B:1/H:2/N:100/")]
    nv = [b for b in runs if b["name"].startswith("attention/naive/B:1/H:2/N:100/")]
    check(fl and nv and fl[0]["extra_bytes"] < nv[0]["extra_bytes"] * 100, "extra_bytes stated")
    for label in ("Optimized:", "Upstream:", "Speedup:", "Improvement:", "Flash:",
                  "Config: batch=1, seq_len=100, heads=2, head_dim=32"):
        check(label in out, f"console block has {label!r}")

    # --benchmark_* flags pass through unchanged.
    rc, out, err = run(["attention", "--seq", "40", "--heads", "1", "--head-dim", "16",
                        "--impl", "flash", "--benchmark_format=json",
                        "--benchmark_repetitions=1", "--benchmark_min_time=0.001"])
    try:
        gb = json.loads(out)  # stdout is the JSON alone: no summary after it
        ok = gb["benchmarks"][0]["name"].startswith("attention/flash/B:1/H:1/N:40/D:16")
    except (ValueError, KeyError, IndexError):
        ok = False
    check(rc == 0 and ok, f"--benchmark_format=json: stdout is JSON alone ({out[-200:]!r})")
    check("Flash:" in err, "with a machine format, the summary block goes to stderr")
    # two suites whose counters differ: Google Benchmark's CSVReporter
    # aborted; every row has the header's fields
    rc, out, err = run(["attention", "prefetch", "--seq", "40", "--heads", "1", "--head-dim",
                        "16", "--impl", "flash", "--batches", "2", "--io-ms", "1",
                        "--benchmark_format=csv", "--repetitions", "2", "--min-time", "0.001"])
    import csv as _csv
    rows = list(_csv.reader(out.splitlines()))
    check(rc == 0 and len(rows) > 2 and rows[0][:2] == ["name", "iterations"]
          and {len(r) for r in rows} == {len(rows[0])}
          and "batches_per_s" in rows[0] and "GFLOPS" in rows[0],
          f"--benchmark_format=csv: one header, every row its fields ({rc}, {out[-300:]!r})")
    # --benchmark_time_unit is honoured (each suite sets its own otherwise)
    rc, out, err = run(["attention", "--seq", "40", "--heads", "1", "--head-dim", "16",
                        "--impl", "flash", "--benchmark_format=json", "--benchmark_time_unit=us",
                        "--repetitions", "1", "--min-time", "0.001"])
    try:
        units = {b["time_unit"] for b in json.loads(out)["benchmarks"]}
    except (ValueError, KeyError):
        units = set()
    check(rc == 0 and units == {"us"}, f"--benchmark_time_unit=us honoured: {units}")
    usage_error(["attention", "--seq", "40", "--benchmark_time_unit=h"], "--benchmark_time_unit")

    # A benchmark that fails its check is reported, the others still run,
    # the JSON keeps everything measured, and the exit status is 1.
    path = os.path.join(tmp, "fail.json")
    rc, out, err = run(["attention", "--seq", "64", "--heads", "2", "--head-dim", "16",
                        "--repetitions", "1", "--min-time", "0.001", "--json", path],
                       env={"DA3BENCH_TEST_CORRUPT": "fused"})
    check(rc == 1, f"a failing benchmark exits 1, got {rc}")
    check("max_abs_err" in out and "above the tolerance" in out, "the failure is reported")
    doc = json.load(open(path)) if os.path.exists(path) else {}
    by = {b["name"].split("/")[1]: b for b in doc.get("benchmarks", [])}
    check(by.get("fused", {}).get("error_occurred") is True, "JSON marks fused errored")
    check(all(k in by and not by[k].get("error_occurred") and by[k].get("GFLOPS", 0) > 0
              for k in ("naive", "flash", "blas")), "the other implementations ran")
    check("FAILED" in out, "the console block says which failed")

# Interruption: SIGINT or SIGTERM leaves a valid JSON of what completed and
# exits 128 + signal; an older results file is not truncated before that.
import signal
import time

with tempfile.TemporaryDirectory() as tmp:
    for sig, code in ((signal.SIGINT, 130), (signal.SIGTERM, 143)):
        path = os.path.join(tmp, f"int-{code}.json")
        with open(path, "w") as f:
            f.write('{"old": true}')
        e = dict(os.environ)
        e.pop("DA3BENCH_ISA", None)
        # (under emulation a smaller third benchmark: it still runs for seconds)
        p = subprocess.Popen(WRAP + [DA3, "attention", "--seq",
                                     "32,1024" if EMULATED else "32,3000", "--heads", "8",
                              "--impl", "flash,naive", "--repetitions", "3", "--min-time", "0.05",
                              "--json", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=e)
        # wait until two benchmarks have printed their results (da3bench
        # flushes each), then interrupt the third, which runs for seconds
        import select
        seen, buf, deadline = 0, "", time.monotonic() + (1200 if EMULATED else 120)
        while seen < 2 and time.monotonic() < deadline and p.poll() is None:
            r, _, _ = select.select([p.stdout], [], [], 1.0)
            if r:
                line = p.stdout.readline()
                buf += line
                seen += "/N:32/" in line and "_median" in line
        check(seen >= 2, f"signal {sig}: two results printed before the signal ({buf[-300:]!r})")
        check(json.load(open(path)) == {"old": True}, "the old file is intact while running")
        p.send_signal(sig)
        try:
            out, err = p.communicate(timeout=1200 if EMULATED else 120)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
        check(p.returncode == code, f"signal {sig}: exit {p.returncode}, expected {code}")
        try:
            doc = json.load(open(path))
        except ValueError:
            doc = {}
        done = [b for b in doc.get("benchmarks", []) if not b.get("error_occurred")]
        stopped = [b for b in doc.get("benchmarks", []) if "interrupted" in b.get("error_message", "")]
        check(len(done) >= 3 and stopped, f"signal {sig}: JSON keeps {len(done)} completed runs "
              f"and marks {len(stopped)} interrupted")
        check(not [f for f in os.listdir(tmp) if ".partial-" in f], "no temporary file left")

# Under an address-space limit: refused up front by default, and an
# allocation failure (limit raised by hand) fails that benchmark only.
def limited(args):
    return subprocess.run(["bash", "-c", 'ulimit -v 1000000 && exec "$@"', "x", DA3] + args,
                          capture_output=True, text=True, timeout=300)
# ASan and qemu-user both reserve far more address space than the limit
p = limited(["attention", "--seq", "4096", "--batch", "2", "--impl", "naive"]) if not EMULATED \
    else subprocess.CompletedProcess([], 0, "", "emulated")
asan = "AddressSanitizer" in p.stderr or EMULATED or SANITIZE != "none"
if asan:
    say_skipped("the ulimit -v checks", "a sanitizer or emulation reserves more address space")
check(asan or p.returncode == 2 and "--mem-limit" in p.stderr and "ulimit" in p.stderr,
      f"ulimit -v: refused with a message: {p.returncode} {p.stderr!r}")
if not EMULATED:
    p = limited(["attention", "--seq", "4096", "--batch", "2", "--impl", "naive,flash",
                 "--mem-limit", "100G", "--repetitions", "1", "--min-time", "0.001"])
check(asan or p.returncode == 1 and "out of memory" in p.stdout and "Flash:" in p.stdout,
      f"ulimit -v with --mem-limit raised: naive fails, flash runs: {p.returncode}")

# Progress: on stderr only. Not a terminal: one plain line per finished
# benchmark; a terminal (a pty here): the live line; --quiet: nothing. Never
# in stdout or the JSON.
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "p.json")
    args = ["attention", "--seq", "64,128", "--impl", "flash", "--repetitions", "1",
            "--min-time", "0.001"]
    rc, out, err = run(args + ["--json", path])
    lines = [line for line in err.splitlines() if line.startswith("[")]
    check(rc == 0 and len(lines) == 2 and lines[0].startswith("[1/2] attention/flash/B:1/H:8/N:64")
          and "done in" in lines[1], f"one progress line per finished benchmark: {lines}")
    text = open(path).read() if os.path.exists(path) else ""
    check("done in" not in out and "[1/2]" not in out and "done in" not in text
          and "elapsed" not in text, "progress neither in stdout nor in the JSON")
    rc, out, err = run(args + ["--quiet"])
    check(rc == 0 and "[1/2]" not in err and "done in" not in err, "--quiet: no progress")
    if not EMULATED:
        import pty
        import select as sel
        m, s = pty.openpty()
        p = subprocess.Popen(WRAP + [DA3, "attention", "--seq", "1024,1536", "--impl", "naive",
                                     "--repetitions", "3", "--min-time", "0.3"],
                             stdout=subprocess.PIPE, stderr=s)
        os.close(s)
        tty = b""
        while True:
            r, _, _ = sel.select([m], [], [], 0.5)
            if r:
                try:
                    d = os.read(m, 4096)
                except OSError:
                    break
                if not d:
                    break
                tty += d
            elif p.poll() is not None:
                break
        os.close(m)
        piped = p.stdout.read()
        p.wait()
        check(b"\r\x1b[K[" in tty and b"elapsed" in tty and b"done in" not in tty,
              f"a terminal gets the live line: {tty[-200:]!r}")
        check(b"elapsed" not in piped and b"\x1b[K" not in piped, "the live line is not in stdout")

# Shape files: good lines run in the file's order; a bad line is named by
# file and line number and nothing runs.
with tempfile.TemporaryDirectory() as tmp:
    good = os.path.join(tmp, "good.txt")
    with open(good, "w") as f:
        f.write("# my model\nB=2 H=8 N=1024 D=64\n\n  N=300   # B=1 H=8 D=64\nD=32 N=128 H=4 B=1\n")
    rc, out, err = run(["list", "attention", "--impl", "flash", "--shapes", good])
    check(rc == 0 and out.split() == ["attention/flash/B:2/H:8/N:1024/D:64/threads:%d" % os.cpu_count(),
                                      "attention/flash/B:1/H:8/N:300/D:64/threads:%d" % os.cpu_count(),
                                      "attention/flash/B:1/H:4/N:128/D:32/threads:%d" % os.cpu_count()],
          f"--shapes list: {out!r}")
    for body, line, word in (("N=64\nB=2 X=3\n", 2, "X=3"), ("N=64\n\n# c\nN=abc\n", 4, "N=abc"),
                             ("H=8\n", 1, "no N"), ("N=64 N=65\n", 1, "twice"),
                             ("N=64 D=17\n", 1, "D=17"), ("# only a comment\n", 0, "no shape")):
        bad = os.path.join(tmp, "bad.txt")
        with open(bad, "w") as f:
            f.write(body)
        where = f"{bad}:{line}:" if line else f"{bad}:"
        rc, out, err = run(["attention", "--shapes", bad])
        check(rc == 2 and where in err and word in err and out == "" and len(err.splitlines()) == 1,
              f"--shapes {body!r}: {rc} {err!r}")
    usage_error(["attention", "--shapes", os.path.join(tmp, "missing.txt")], "missing.txt")
    usage_error(["attention", "--shapes", good, "--seq", "64"], "--shapes")

# One command from run to report, the report command, and compare's
# terminal front end (same exit codes as scripts/compare.py).
with tempfile.TemporaryDirectory() as tmp:
    rdir = os.path.join(tmp, "rep")
    rc, out, err = run(["attention", "--seq", "64", "--impl", "flash,naive", "--repetitions", "5",
                        "--min-time", "0.001", "--quiet", "--report", rdir])
    files = set(os.listdir(rdir)) if os.path.isdir(rdir) else set()
    check(rc == 0 and {"results.json", "BENCHMARK_RESULTS.md"} <= files,
          f"--report writes the JSON and the markdown: {rc} {sorted(files)} {err[-300:]!r}")
    tables = os.listdir(os.path.join(rdir, "tables")) if "tables" in files else []
    check(any(t.endswith(".csv") for t in tables) and any(t.endswith(".tex") for t in tables),
          f"--report writes the tables as CSV and LaTeX: {tables}")
    check(not os.path.exists(os.path.join(rdir, "results.json")) or
          "command" in json.load(open(os.path.join(rdir, "results.json")))["context"],
          "the JSON context records the command")
    if not EMULATED:
        check({"attention_time.png", "attention_time.pdf", "attention_time.svg"} <= files,
              f"--report draws the plots: {sorted(files)}")
    usage_error(["attention", "--report", rdir, "--json", os.path.join(tmp, "x.json")], "--report")
    r2 = os.path.join(tmp, "rep2")
    rc, out, err = run(["report", os.path.join(rdir, "results.json"), "--out", r2, "--no-plots"])
    check(rc == 0 and os.path.exists(os.path.join(r2, "BENCHMARK_RESULTS.md")),
          f"da3bench report: {rc} {err[-300:]!r}")
    rc, out, err = run(["report", os.path.join(tmp, "none.json"), "--out", r2])
    check(rc == 2 and "none.json" in err, f"da3bench report on a missing file: {rc} {err!r}")
    res = os.path.join(rdir, "results.json")
    # a file against itself: no regression; 5 noisy repetitions may leave
    # it inconclusive (exit 3), which --inconclusive pass turns into 0
    rc, out, err = run(["compare", res, res])
    check(rc in (0, 3) and "verdict |" in out and "\x1b[" not in out and "regression**" not in out,
          f"da3bench compare: no regression, plain when piped: {rc} {out[-300:]!r}")
    rc, out, err = run(["compare", res, res, "--inconclusive", "pass"])
    check(rc == 0, f"compare --inconclusive pass: exit {rc}")
    rc, out, err = run(["compare", res, res, "--color", "always"])
    check(rc in (0, 3) and "\x1b[" in out, "compare --color always colours the verdicts")
    rc, out, err = run(["compare", res, os.path.join(tmp, "none.json")])
    check(rc == 2, f"da3bench compare on a missing file: exit {rc}")

# --mode instructions: the same count twice, a 2% heavier kernel caught
import shutil

usage_error(["calib", "--mode", "cycles"], "--mode")
usage_error(["calib", "--mode", "instructions", "--report", "/tmp/r"], "--report /tmp/r")
# Valgrind cannot run a binary built with AddressSanitizer
ldd = subprocess.run(["ldd", DA3], capture_output=True, text=True) if shutil.which("ldd") else None
sanitized = (asan and not EMULATED) or bool(ldd and "libasan" in ldd.stdout)
if sanitized:
    print("cli: the instruction-count checks are skipped under AddressSanitizer")
if shutil.which("valgrind") and not EMULATED and not sanitized:
    with tempfile.TemporaryDirectory() as tmp:
        paths = [os.path.join(tmp, f"ic{i}.json") for i in range(3)]
        for path, extra in zip(paths, ([], [], ["--slowdown", "1.02"])):
            rc, out, err = run(["calib", "--work", "20", "--mode", "instructions",
                                "--json", path] + extra)
            check(rc == 0 and "calib/spin/work:20" in out, f"instruction mode run: {rc} {err[-200:]!r}")
        counts = []
        for path in paths:
            try:
                doc = json.load(open(path))
                counts.append(doc["benchmarks"][0]["instructions"])
                check("instructions" in doc["context"].get("measure", ""), "context says instructions")
            except (OSError, ValueError, KeyError, IndexError):
                counts.append(None)
        check(counts[0] is not None and counts[0] == counts[1], f"identical counts: {counts}")
        check(counts[2] and abs(counts[2] / counts[0] - 1.02) < 0.002, f"+2% work counted: {counts}")
        compare = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                               "scripts", "compare.py")
        py = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
        p1 = subprocess.run([py, compare, paths[0], paths[1]], capture_output=True, text=True)
        p2 = subprocess.run([py, compare, paths[0], paths[2]], capture_output=True, text=True)
        check(p1.returncode == 0 and "unchanged" in p1.stdout, "the gate passes equal counts")
        check(p2.returncode == 1 and "**regression**" in p2.stdout, "the gate catches +2% instructions")
        # a SIGTERM to the parent alone: passed on to the child under
        # Valgrind, whose results are still saved (exit 128 + 15)
        import signal
        import time
        stopped = os.path.join(tmp, "stopped.json")
        child = subprocess.Popen(WRAP + [DA3, "calib", "--work", "300000", "--mode",
                                         "instructions", "--json", stopped],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # the child's banner ("da3bench VERSION: CPU, ISA ...") comes just
        # before it installs its handlers, then the benchmark starts
        head = ""
        t_end = time.monotonic() + 120
        while time.monotonic() < t_end and ", ISA " not in head:
            line = child.stderr.readline()
            if not line:
                break
            head += line
        time.sleep(2)
        child.send_signal(signal.SIGTERM)
        try:
            out, err = child.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            child.kill()
            out, err = child.communicate()
        err = head + err
        try:
            doc = json.load(open(stopped))
        except (OSError, ValueError):
            doc = None
        check(child.returncode == 128 + signal.SIGTERM and isinstance(doc, dict),
              f"SIGTERM while counting: exit {child.returncode}, JSON saved: {doc is not None} "
              f"{err[-300:]!r}")
        # a count that fails at once (Valgrind refuses its options) leaves
        # no empty JSON behind: the up-front check's file is removed
        # and no counting folder in TMPDIR
        failed = os.path.join(tmp, "failed.json")
        cgtmp = os.path.join(tmp, "cgtmp")
        os.mkdir(cgtmp)
        rc, out, err = run(["calib", "--work", "20", "--mode", "instructions", "--json", failed],
                           env={"VALGRIND_OPTS": "--no-such-option", "TMPDIR": cgtmp})
        check(rc != 0 and "left no results" in err and not os.path.exists(failed)
              and not os.listdir(cgtmp),
              f"a failed count: exit {rc}, JSON left: {os.path.exists(failed)}, "
              f"TMPDIR {os.listdir(cgtmp)} {err[-200:]!r}")
else:
    print("cli: valgrind not installed, instruction mode not tested")

# The forced scalar level runs and says so.
rc, out, err = run(["attention", "--seq", "33", "--heads", "1", "--head-dim", "16",
                    "--impl", "flash", "--repetitions", "1", "--min-time", "0.001",
                    "--benchmark_format=json"], env={"DA3BENCH_ISA": "scalar"})
check(rc == 0 and '"isa_selected": "scalar"' in out, "DA3BENCH_ISA=scalar honoured")

# The gate's test knob: off unless given, and then never unnoticed
# (stderr and the JSON context), flash alone made slower.
usage_error(["attention", "--inject-slowdown", "0"], "--inject-slowdown")
usage_error(["attention", "--inject-slowdown", "five"], "--inject-slowdown")
for bad in ("flash,", ",flash", "flash,,blas"):
    usage_error(["attention", "--impl", bad], "--impl")
usage_error(["preprocess", "--workers", "1,,2"], "--workers")
# --no-peak: the gate's rounds compare times; no peak is measured, so no
# pct_peak or peak_gflops is reported (never a 0% of an unknown roof), and
# the context says the peak was not measured.
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "np.json")
    rc, out, err = run(["attention", "--seq", "64", "--heads", "2", "--impl", "flash",
                        "--threads", "1", "--repetitions", "1", "--no-peak", "--json", path])
    try:
        doc = json.load(open(path))
    except (OSError, ValueError):
        doc = {"context": {}, "benchmarks": []}
    runs = [b for b in doc["benchmarks"] if b.get("run_type") == "iteration"]
    check(rc == 0 and len(runs) == 1 and runs[0].get("GFLOPS", 0) > 0,
          f"--no-peak still times the case: rc {rc}, {runs!r}")
    check(all("pct_peak" not in b and "peak_gflops" not in b for b in runs),
          f"--no-peak reports no pct_peak: {runs!r}")
    check(doc["context"].get("peak_gflops") == "not measured",
          f"--no-peak: context says not measured: {doc['context'].get('peak_gflops')!r}")
    check("of peak" not in out and "GFLOP/s" in out, f"--no-peak console: {out[-300:]!r}")
    check("peak not measured" in err and "measured peak" not in err, f"header: {err[:300]!r}")
usage_error(["attention", "--no-peak=yes"], "--no-peak")


def knob_pair(tmp):
    """One run without the knob and one with it; each benchmark's least CPU
    time over its repetitions. CPU time, not wall time: in a CI job other
    suites run beside this one, and the wall time of two processes skews
    with load only one of them saw (1.14x and 2.03x were measured so), while
    the kernel's CPU time does not, and the knob's spin, a fraction of the
    call's wall time, gets the same share of the core as the call did."""
    times = {}
    for tag, extra in (("off", []), ("on", ["--inject-slowdown", "50%"])):
        path = os.path.join(tmp, tag + ".json")
        rc, out, err = run(["attention", "--seq", "128", "--heads", "2", "--impl", "flash,blas",
                            "--threads", "1", "--repetitions", "5", "--min-time", "0.02",
                            "--quiet", "--json", path] + extra)
        try:
            doc = json.load(open(path))
        except (OSError, ValueError):
            doc = {"context": {}, "benchmarks": []}
        ctx = doc["context"].get("injected_slowdown")
        if tag == "off":
            check(rc == 0 and ctx is None and "TEST KNOB" not in err, f"no knob by default: {ctx}")
        else:
            check(rc == 0 and ctx == "attention/flash +50%" and "TEST KNOB" in err,
                  f"the knob is recorded: {ctx!r} {err[-200:]!r}")
        for b in doc["benchmarks"]:
            if b.get("run_type") == "iteration":
                key = (tag, b["run_name"].split("/")[1])
                times[key] = min(times.get(key, float("inf")), b["cpu_time"])
    return times


with tempfile.TemporaryDirectory() as tmp:
    # the knob's size is calibrated on the real kernels: under a sanitizer
    # the instrumented extra pass costs more than the instrumented flash
    # (1.84x under ASan in the sanitizers job), under emulation anything
    if SANITIZE != "none":
        knob_pair(tmp)
        say_skipped("the knob's size", f"timings under -Db_sanitize={SANITIZE}")
    elif EMULATED:
        knob_pair(tmp)
    else:
        # Up to three pairs, for a pair that load still skewed: a knob that
        # does nothing, or far too much, fails all three.
        seen = []
        for attempt in range(3):
            times = knob_pair(tmp)
            if len(times) != 4:
                break
            seen.append(times[("on", "flash")] / times[("off", "flash")])
            if 1.3 < seen[-1] < 1.8:
                break
        check(seen and 1.3 < seen[-1] < 1.8,
              "flash made ~50% slower: " + ", ".join(f"{r:.2f}x" for r in seen))

cli_common.finish("cli")
