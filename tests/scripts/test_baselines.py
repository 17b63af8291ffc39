"""baselines.py against the built libda3.so: our kernels through ctypes,
the baselines this interpreter has (numpy and Pillow at least; torch and
OpenCV named as skipped when absent), the checks that catch a wrong
output, and the usage errors."""

import ctypes
import json
import os
import subprocess

import pytest

from da3bench import baseline_impls
from da3bench import baselines
from da3bench import da3lib

BUILD = os.environ.get("BUILD_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "build"))
LIB = os.path.join(BUILD, "kernels", "libda3.so")
DA3BENCH = os.path.join(BUILD, "suites", "da3bench")

SANITIZE = os.environ.get("DA3_SANITIZE", "none")


def loadable(path):
    """The library loads into this interpreter (not in a cross build: an
    aarch64 libda3.so beside an x86-64 python; not a sanitized build, whose
    runtime must come first in the process and would abort it)."""
    if SANITIZE not in ("", "none"):
        return False
    try:
        ctypes.CDLL(path)
        return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not loadable(LIB), reason=f"{LIB} not built, not for this "
                                f"interpreter's machine, or built with -Db_sanitize={SANITIZE}")


def have(module):
    try:
        __import__(module)
        return True
    except ImportError:
        return False


def run(tmp_path, *args):
    out = tmp_path / "b.json"
    rc = baselines.main(["--lib", LIB, "--json", str(out), *args])
    return rc, (json.loads(out.read_text()) if out.exists() else None)


def by_impl(doc, suite):
    return {b["name"].split("/")[2]: b for b in doc["benchmarks"]
            if b["name"].startswith(f"baseline/{suite}/")}


def test_attention_side_by_side(tmp_path, capsys):
    rc, doc = run(tmp_path, "attention", "--shapes", "1,2,70,32;2,1,33,16", "--rounds", "3",
                  "--gap", "0", "--threads", "2")
    assert rc == 0
    got = by_impl(doc, "attention")
    assert {"da3_flash", "da3_blas", "numpy"} <= set(got)
    for b in doc["benchmarks"]:
        assert b["max_abs_err"] < 1e-5, b
        assert b["real_time"] > 0 and b["rounds"] == 3 and b["GFLOPS"] > 0
        assert b["time_ratio_min"] <= b["time_ratio"] <= b["time_ratio_max"]
    assert got["da3_flash"]["time_ratio"] == 1.0  # the first is the reference
    assert doc["context"]["threads"] == 2 and doc["context"]["peak_gflops"] > 0
    names = [b["name"] for b in doc["benchmarks"]]
    assert "baseline/attention/da3_flash/B:2/H:1/N:33/D:16/threads:2" in names
    err = capsys.readouterr().err
    if not have("torch"):
        assert "torch_sdpa: skipped (torch not installed)" in err
        assert "torch_sdpa" not in got
    if have("onnxruntime") and have("onnx"):
        assert "ort_mha" in got  # checked against the float64 reference above
    else:
        assert "ort_mha: skipped (" in err and "ort_mha" not in got


def test_attention_in_bf16_side_by_side(tmp_path, capsys):
    lib = da3lib.Lib(LIB)
    why = lib.bf16_missing()
    rc, doc = run(tmp_path, "attention", "--dtype", "bf16", "--shapes", "1,2,70,32;1,1,33,16",
                  "--rounds", "3", "--gap", "0", "--threads", "2")
    if why:  # no unit: refused by name before anything runs
        assert rc == 2 and why in capsys.readouterr().err
        return
    assert rc == 0
    got = by_impl(doc, "attention")
    assert {"da3_flash_bf16", "da3_flash"} <= set(got)
    assert got["da3_flash_bf16"]["time_ratio"] == 1.0
    # the bf16 kernel: within its tolerance, not exact (P is rounded)
    assert 0 < got["da3_flash_bf16"]["max_abs_err"] < 5e-3
    assert got["da3_flash"]["max_abs_err"] < 1e-5  # fp32 on the same (rounded) inputs
    assert doc["context"]["dtype"] == "bf16" and doc["context"]["peak_gflops_bf16"] > 0
    assert all(0 < b["pct_peak"] <= 103 for b in doc["benchmarks"])
    if not have("torch"):
        assert "torch_sdpa_bf16: skipped (torch not installed)" in capsys.readouterr().err


def test_a_wrong_baseline_is_reported_and_fails_the_run(tmp_path, monkeypatch, capsys):
    real = baseline_impls.attention

    def spoiled(name, q, k, v, threads):
        call = real(name, q, k, v, threads)
        return (lambda: call() * 1.01) if name == "numpy" else call

    monkeypatch.setattr(baseline_impls, "attention", spoiled)
    rc, doc = run(tmp_path, "attention", "--shapes", "1,1,40,16", "--rounds", "2", "--gap", "0",
                  "--only", "da3_flash,numpy")
    assert rc == 1
    assert "numpy B1 H1 N40 D16: max_abs_err" in capsys.readouterr().err
    assert set(by_impl(doc, "attention")) == {"da3_flash", "numpy"}  # still measured


@pytest.fixture(scope="module")
def jpegs(tmp_path_factory):
    d = tmp_path_factory.mktemp("jpegs")
    subprocess.run([DA3BENCH, "fixtures", "gen", "--dir", str(d), "--count", "2",
                    "--size", "640x360"], check=True, stdout=subprocess.DEVNULL)
    return d


def test_preprocess_side_by_side(tmp_path, jpegs, capsys):
    rc, doc = run(tmp_path, "preprocess", "--fixtures", str(jpegs), "--images", "2",
                  "--rounds", "2")
    assert rc == 0
    got = by_impl(doc, "preprocess")
    assert {"da3_full", "da3_dct"} <= set(got)
    assert got["da3_full"]["max_abs_diff_vs_da3_full"] == 0
    # dct reads a 1/2-scale decode: close to full, not equal
    assert 0 < got["da3_dct"]["mean_abs_diff_vs_da3_full"] < 0.05
    if have("PIL"):
        assert {"pillow", "pillow_draft"} <= set(got)
        assert got["pillow"]["mean_abs_diff_vs_da3_full"] < 0.1
    if have("cv2"):
        # OpenCV's INTER_AREA is the resampling da3 reproduces (uint8 between)
        assert got["opencv"]["max_abs_diff_vs_da3_full"] < 0.05
    else:
        assert "opencv: skipped (cv2 not installed)" in capsys.readouterr().err
    for b in doc["benchmarks"]:
        assert b["rounds"] == 4 and b["img_per_s"] > 0
        assert b["name"].endswith("/size:640x360/threads:1")


def test_da3lib_errors(tmp_path):
    with pytest.raises(da3lib.Da3Error, match="no such library"):
        da3lib.Lib(str(tmp_path / "nope.so"))
    pp = da3lib.Lib(LIB).preprocessor("full")
    with pytest.raises(da3lib.Da3Error):
        pp(b"not a jpeg at all")


@pytest.mark.parametrize("args, message", [
    (["--shapes", "1,2,3"], "--shapes: '1,2,3' is not B,H,N,D"),
    (["--shapes", "1,2,0,16"], "--shapes: '1,2,0,16' is not B,H,N,D"),
    (["--threads", "0"], "--threads: 0"),
    (["--threads", "5000"], "--threads: 5000 is not a count in 1..1024"),
    (["--images", "0"], "--images: 0 is not a count in 1..100000"),
    (["--shapes", "a,b,c,d"], "--shapes: 'a,b,c,d' is not B,H,N,D"),
    (["--json", "/nonexistent/r.json"], "--json: /nonexistent/r.json: its folder does not exist"),
    (["--rounds", "-1"], "--rounds: -1"),
    (["--gap", "99"], "--gap: 99.0"),
    (["--fixtures", "/nonexistent"], "--fixtures: /nonexistent: no such folder"),
    (["kernels"], "unknown suite 'kernels'"),
    (["--json", "/tmp"], "--json: /tmp: is a folder, not a file"),
    (["--only", "da3_flash,torch_spda"], "--only: unknown implementation 'torch_spda'"),
])
def test_usage_errors(args, message, capsys):
    with pytest.raises(SystemExit) as e:
        baselines.main(args)
    assert e.value.code == 2
    assert message in capsys.readouterr().err


def test_missing_library_is_a_usage_error(tmp_path, capsys):
    assert baselines.main(["attention", "--lib", str(tmp_path / "x.so")]) == 2
    assert "--lib:" in capsys.readouterr().err


@pytest.mark.parametrize("shape, message", [
    ("1,1,64,24", "1,1,64,24: head_dim must be a multiple of 16"),
    ("1,1,100000000,64", "more than the"),
])
def test_shapes_the_kernels_or_the_memory_refuse_stop_before_measuring(tmp_path, capsys,
                                                                       shape, message):
    rc, doc = run(tmp_path, "attention", "--shapes", f"1,1,32,16;{shape}", "--rounds", "1",
                  "--gap", "0")
    assert rc == 2 and doc is None
    assert message in capsys.readouterr().err


def test_an_implementation_failing_while_timed_leaves_the_others(tmp_path, monkeypatch, capsys):
    real = baseline_impls.attention

    def flaky(name, q, k, v, threads):
        call, count = real(name, q, k, v, threads), [0]

        def maybe():
            count[0] += 1
            if name == "numpy" and count[0] > 2:  # the check and one round pass
                raise MemoryError("out of memory")
            return call()
        return maybe

    monkeypatch.setattr(baseline_impls, "attention", flaky)
    rc, doc = run(tmp_path, "attention", "--shapes", "1,1,40,16", "--rounds", "3", "--gap", "0",
                  "--only", "da3_flash,da3_blas,numpy")
    assert rc == 1
    assert "numpy B1 H1 N40 D16: failed while timed (out of memory)" in capsys.readouterr().err
    got = by_impl(doc, "attention")
    assert set(got) == {"da3_flash", "da3_blas"} and got["da3_blas"]["rounds"] == 3


def test_a_file_that_is_not_a_jpeg_is_named(tmp_path, jpegs, capsys):
    d = tmp_path / "fx"
    d.mkdir()
    (d / "a.jpg").write_bytes((jpegs / "img_0000.jpg").read_bytes())
    (d / "b.jpg").write_bytes(b"not a jpeg")
    rc, doc = run(tmp_path, "preprocess", "--fixtures", str(d), "--rounds", "1")
    assert rc == 2 and doc is None
    assert "b.jpg: not a JPEG file" in capsys.readouterr().err


def test_a_truncated_jpeg_fails_each_pipeline_in_a_line(tmp_path, jpegs, capsys):
    d = tmp_path / "fx"
    d.mkdir()
    (d / "a.jpg").write_bytes((jpegs / "img_0000.jpg").read_bytes()[:3000])
    rc, doc = run(tmp_path, "preprocess", "--fixtures", str(d), "--rounds", "1")
    assert rc == 1
    err = capsys.readouterr().err
    assert "da3_full: failed (corrupt or truncated JPEG data" in err
    assert "Traceback" not in err


def test_baselines_whose_scores_do_not_fit_the_memory_budget_are_skipped(tmp_path, monkeypatch,
                                                                         capsys):
    # inputs 0.25 MiB, + 0.5 MiB of scores for da3_blas, + 0.75 MiB for the eager paths
    monkeypatch.setattr(da3lib.Lib, "mem_budget", lambda self: 1_000_000)
    rc, doc = run(tmp_path, "attention", "--shapes", "1,1,256,64", "--rounds", "1", "--gap", "0",
                  "--threads", "2")
    assert rc == 0
    assert {"da3_flash", "da3_blas"} <= set(by_impl(doc, "attention"))
    assert "numpy" not in by_impl(doc, "attention")
    assert "numpy B1 H1 N256 D64: skipped (its N x N scores" in capsys.readouterr().err


@pytest.mark.skipif(not have("PIL"), reason="Pillow not installed")
def test_a_cmyk_jpeg_decodes_as_pillow_does(tmp_path):
    # an Adobe CMYK JPEG (Pillow writes them inverted, as Photoshop does)
    import io
    import numpy as np
    from PIL import Image
    cmyk = np.random.default_rng(5).integers(0, 256, (48, 64, 4), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(cmyk, "CMYK").save(buf, "JPEG", quality=95)
    data = buf.getvalue()
    want = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    pp = da3lib.Lib(LIB).preprocessor("full")
    got = pp.decoded(data)
    pp.free()
    assert got.shape == want.shape
    assert int(np.abs(got.astype(int) - want.astype(int)).max()) <= 1


@pytest.mark.skipif(not have("PIL"), reason="Pillow not installed")
def test_a_ycck_jpeg_decodes_as_pillow_does():
    # YCCK (Adobe transform 2): TurboJPEG writes one from CMYK pixels;
    # Pillow cannot, so it only reads it back as the reference
    import ctypes
    import ctypes.util
    import io
    import numpy as np
    from PIL import Image
    name = ctypes.util.find_library("turbojpeg")
    if not name:
        pytest.skip("no libturbojpeg to write a YCCK JPEG")
    tj = ctypes.CDLL(name)
    tj.tjInitCompress.restype = ctypes.c_void_p
    handle = ctypes.c_void_p(tj.tjInitCompress())
    cmyk = np.ascontiguousarray(
        np.random.default_rng(6).integers(0, 256, (40, 56, 4), dtype=np.uint8))
    out, size = ctypes.POINTER(ctypes.c_ubyte)(), ctypes.c_ulong(0)
    tjpf_cmyk, tjsamp_444 = 11, 0
    rc = tj.tjCompress2(handle, cmyk.ctypes.data_as(ctypes.c_void_p), 56, 0, 40, tjpf_cmyk,
                        ctypes.byref(out), ctypes.byref(size), tjsamp_444, 95, 0)
    assert rc == 0
    data = ctypes.string_at(out, size.value)
    tj.tjFree(out)
    tj.tjDestroy(handle)
    im = Image.open(io.BytesIO(data))
    assert im.info.get("adobe_transform") == 2, "the file is YCCK"
    want = np.asarray(im.convert("RGB"))
    pp = da3lib.Lib(LIB).preprocessor("full")
    got = pp.decoded(data)
    pp.free()
    assert got.shape == want.shape
    assert int(np.abs(got.astype(int) - want.astype(int)).max()) <= 1
