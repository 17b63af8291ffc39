"""What the command-line tests share: running da3bench (through meson's
exe_wrapper in a cross build) and counting checks. Standard library only."""
import os
import shlex
import subprocess
import sys

DA3 = sys.argv[1]
# a cross build's tests run the binary through meson's exe_wrapper (qemu):
# only correctness counts there, and what emulation cannot do is skipped
WRAP = shlex.split(os.environ.get("MESON_EXE_WRAPPER", ""))
EMULATED = bool(WRAP)
# meson's b_sanitize of this build ("none", "address,undefined", "thread"):
# a sanitizer reserves terabytes of address space (no ulimit -v checks), and
# ThreadSanitizer's runtime itself dies under a small RLIMIT_FSIZE (SIGBUS
# at start, before main), so those checks skip under it and say so
SANITIZE = os.environ.get("DA3_SANITIZE", "none")
TSAN = "thread" in SANITIZE


def say_skipped(what, why):
    print(f"skipped: {what} ({why})")
failures = 0
checks = 0


def run(args, env=None, timeout=300):
    e = dict(os.environ)
    e.pop("DA3BENCH_ISA", None)
    e.update(env or {})
    p = subprocess.run(WRAP + [DA3] + args, capture_output=True, text=True, env=e,
                       timeout=timeout * (10 if EMULATED else 1))
    return p.returncode, p.stdout, p.stderr


def check(cond, what):
    global failures, checks
    checks += 1
    if not cond:
        failures += 1
        print("FAIL:", what, file=sys.stderr)


def usage_error(args, must_name, env=None):
    rc, out, err = run(args, env)
    lines = [l for l in err.splitlines() if l.strip()]
    check(rc == 2, f"{args}: exit {rc}, expected 2 ({err.strip()!r})")
    check(len(lines) == 1, f"{args}: one line of error, got {lines!r}")
    check(must_name in err, f"{args}: error names {must_name!r}: {err.strip()!r}")
    check("Benchmark" not in out and "attention/" not in out, f"{args}: nothing ran")


def finish(name):
    print(f"{name}: {checks} checks, {failures} failures")
    sys.exit(1 if failures else 0)
