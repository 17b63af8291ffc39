"""scripts/cuda-batch.sh, the GPU batch, against a stand-in bundle: device
time is short, so a failing step must be logged and the next one run."""
import os
import shutil
import subprocess
import tarfile

from conftest import ROOT

BATCH = os.path.join(ROOT, "scripts", "cuda-batch.sh")

# stands in for the bundle's `run`: writes the --json file it is given,
# fails the prefetch step, says what it was asked
FAKE_RUN = """#!/bin/sh
echo "fake run: $*"
json=
prev=
for a in "$@"; do
    [ "$prev" = --json ] && json=$a
    prev=$a
done
case "$*" in *cuda_prefetch*) echo "prefetch broke" >&2; exit 7 ;; esac
[ -n "$json" ] && echo '{"benchmarks": []}' > "$json"
[ "$1" = env ] && echo '{"cpu_model": "fake"}'
exit 0
"""


def make_bundle(tmp_path):
    b = tmp_path / "da3bench-cuda"
    b.mkdir()
    (b / "run").write_text(FAKE_RUN)
    (b / "run").chmod(0o755)
    return b


def batch(*args, path=None):
    env = dict(os.environ, PATH=path or os.environ["PATH"])
    return subprocess.run(["bash", BATCH, *map(str, args)], capture_output=True, text=True,
                          timeout=120, env=env)


def test_usage_and_a_folder_that_is_no_bundle(tmp_path):
    assert batch().returncode == 2
    p = batch(tmp_path, tmp_path / "out")
    assert p.returncode == 2 and "not a da3bench bundle" in p.stderr


def test_a_failing_step_is_logged_and_the_rest_run(tmp_path):
    bundle = make_bundle(tmp_path)
    # the .tar.xz a GPU machine gets, unpacked by the batch with tar -J, where
    # this machine has xz; else (the docker image's build stage has none) the
    # folder, which the batch takes as it is
    src = bundle
    if shutil.which("xz"):
        src = tmp_path / "da3bench-cuda.tar.xz"
        with tarfile.open(src, "w:xz") as t:
            t.add(bundle, arcname="da3bench-cuda")
    out = tmp_path / "out"
    # no nvidia-smi, no compute-sanitizer on this PATH: both are said, not fatal
    p = batch(src, out, path="/usr/bin:/bin")
    log = (out / "batch.log").read_text()
    assert p.returncode == 1, p.stdout + p.stderr
    for step in ("env", "check", "attn-seed", "attn-da3"):
        assert f"=== {step}: exit 0" in log
    assert "=== prefetch: exit 7" in log and "prefetch broke" in log
    assert "=== nvidia-smi: exit 127" in log
    assert "compute-sanitizer: not on this machine" in log
    for f in ("check.json", "attn-seed.json", "attn-da3.json"):
        assert (out / f).exists()
    assert '"cpu_model": "fake"' in (out / "env.json").read_text()
    assert "2 step(s) failed" in p.stdout
    # the DA3 shapes file the attn-da3 step names is the one in scripts/
    assert os.path.join(ROOT, "scripts", "cuda-da3.shapes") in log
