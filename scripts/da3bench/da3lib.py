"""da3lib.py - the kernels of libda3.so (the build's kernels/libda3.so),
called through ctypes: the very code the suites time, for scripts that run
it side by side with other libraries in one process (baselines.py).

Only what those scripts need: the CPU set-up and measured peak, attention,
and DA3's preprocessing of one JPEG. Arrays are numpy float32, contiguous.
"""

import ctypes
import os

# the C enums (kernels/attention/attention.h, kernels/preprocess/preprocess.h)
ATTN_IMPLS = {"naive": 0, "fused": 1, "flash": 2, "blas": 3}
PP_DECODES = {"full": 0, "dct": 1}


class Shape(ctypes.Structure):
    _fields_ = [("b", ctypes.c_int), ("h", ctypes.c_int), ("n", ctypes.c_int), ("d", ctypes.c_int)]


class PPParams(ctypes.Structure):
    _fields_ = [("res", ctypes.c_int), ("method", ctypes.c_int), ("decode", ctypes.c_int)]


class PPGeom(ctypes.Structure):
    _fields_ = [(name, ctypes.c_int) for name in (
        "src_w", "src_h", "dec_w", "dec_h", "scale_num", "scale_den", "rs_w", "rs_h",
        "out_w", "out_h", "crop_x", "crop_y", "first_cubic", "second_cubic",
        "planar", "subsamp", "cw", "ch")]


class Da3Error(RuntimeError):
    pass


def default_path():
    here = os.path.dirname(os.path.abspath(__file__))
    build = os.environ.get("BUILD_DIR", os.path.join(here, "..", "..", "build"))
    return os.path.join(build, "kernels", "libda3.so")


ISA_AVX2, ISA_AVX512 = 1, 2  # da3_isa (kernels/cpu/cpu.h)


class Lib:
    def __init__(self, path=None):
        path = path or default_path()
        if not os.path.exists(path):
            raise Da3Error(f"{path}: no such library (build first: meson compile -C build)")
        self.path = path
        c = self.c = ctypes.CDLL(path)
        vp, sz, i, d = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_double
        sig = {
            "da3_cpu_init": (i, []),
            "da3_cpu_error": (ctypes.c_char_p, []),
            "da3_cpu_count": (i, []),
            "da3_cpu_isa": (i, []),
            "da3_isa_name": (ctypes.c_char_p, [i]),
            "da3_cpu_peak_gflops": (d, [i, d, i]),
            "da3_cpu_model": (None, [ctypes.c_char_p, sz]),
            "da3_cpu_mem_budget": (sz, []),
            "da3_cpu_has": (i, [i]),
            "da3_blas_core": (ctypes.c_char_p, []),
            "da3_blas_core_for": (ctypes.c_char_p, [ctypes.c_char_p, i, i]),
            "da3_attn_check_shape": (i, [ctypes.POINTER(Shape)]),
            "da3_attn_workspace_bytes": (sz, [i, ctypes.POINTER(Shape), i]),
            "da3_attn_run": (i, [i, ctypes.POINTER(Shape), vp, vp, vp, vp, vp, sz, i]),
            "da3_strerror": (ctypes.c_char_p, [i]),
            "da3_attn_max_err": (d, [ctypes.POINTER(Shape), vp, vp, vp, vp, i]),
            "da3_cpu_bf16_missing": (ctypes.c_char_p, []),
            "da3_cpu_bf16_peak_gflops": (d, [i, d, i]),
            "da3_attn_bf16_workspace_bytes": (sz, [ctypes.POINTER(Shape), i]),
            "da3_attn_run_bf16": (i, [ctypes.POINTER(Shape), vp, vp, vp, vp, vp, sz, i]),
            "da3_bf16_round": (None, [vp, vp, sz]),
            "da3_attn_bf16_tolerance": (d, [vp, sz]),
            "da3_pp_new": (vp, []),
            "da3_pp_free": (None, [vp]),
            "da3_pp_error": (ctypes.c_char_p, [vp]),
            "da3_pp_probe": (i, [vp, ctypes.c_char_p, sz, ctypes.POINTER(PPParams),
                                 ctypes.POINTER(PPGeom)]),
            "da3_pp_run": (i, [vp, ctypes.c_char_p, sz, ctypes.POINTER(PPParams), vp, sz,
                               ctypes.POINTER(PPGeom)]),
            "da3_pp_decode_only": (ctypes.POINTER(ctypes.c_uint8),
                                   [vp, ctypes.c_char_p, sz, ctypes.POINTER(i),
                                    ctypes.POINTER(i)]),
        }
        for name, (res, args) in sig.items():
            f = getattr(c, name)
            f.restype, f.argtypes = res, args
        if c.da3_cpu_init() != 0:
            raise Da3Error(c.da3_cpu_error().decode())

    def isa(self):
        return self.c.da3_isa_name(self.c.da3_cpu_isa()).decode()

    def cpu_model(self):
        buf = ctypes.create_string_buffer(256)
        self.c.da3_cpu_model(buf, len(buf))
        return buf.value.decode(errors="replace")

    def blas_core(self):
        """The kernels OpenBLAS chose for this CPU (its core name)."""
        return self.c.da3_blas_core().decode()

    def blas_core_fix(self):
        """The OPENBLAS_CORETYPE this CPU needs where OpenBLAS fell back to
        its generic kernels (kernels/cpu/blas.h), else None."""
        want = self.c.da3_blas_core_for(self.c.da3_blas_core(), self.c.da3_cpu_has(ISA_AVX512),
                                        self.c.da3_cpu_has(ISA_AVX2))
        return want.decode() if want else None

    def cores(self):
        return self.c.da3_cpu_count()

    def mem_budget(self):
        """Bytes a run may allocate (half the memory, or less under ulimit -v)."""
        return self.c.da3_cpu_mem_budget()

    def peak_gflops(self, threads, seconds=0.2, trials=5):
        return self.c.da3_cpu_peak_gflops(threads, seconds, trials)

    # attention ---------------------------------------------------------
    def attention(self, impl, q, k, v, threads):
        """A callable running `impl` on q, k, v ([B, H, N, D] float32) into
        one output array, with its workspace allocated once (as the suite
        does); call() returns that array."""
        import numpy as np

        shape = Shape(*q.shape)
        code = ATTN_IMPLS[impl]
        ws = np.empty(max(1, self.c.da3_attn_workspace_bytes(code, shape, threads)), np.uint8)
        out = np.empty_like(q)
        return self._runner(self.c.da3_attn_run, (code, shape), q, k, v, out, ws, threads, impl)

    def _runner(self, fn, head, q, k, v, out, ws, threads, what):
        """call() -> out, running fn(*head, q, k, v, out, ws, bytes, threads);
        the arrays kept alive as long as the callable."""
        args = head + (q.ctypes.data, k.ctypes.data, v.ctypes.data, out.ctypes.data,
                       ws.ctypes.data, ws.nbytes, threads)

        def call():
            rc = fn(*args)
            if rc != 0:
                raise Da3Error(f"da3 {what}: {self.c.da3_strerror(rc).decode()}")
            return out

        call.keep = (ws, q, k, v)
        return call

    # bf16 --------------------------------------------------------------
    def bf16_missing(self):
        """None where the bf16 unit runs, else why not."""
        why = self.c.da3_cpu_bf16_missing()
        return why.decode() if why else None

    def bf16_peak_gflops(self, threads, seconds=0.05, trials=3):
        return self.c.da3_cpu_bf16_peak_gflops(threads, seconds, trials)

    def bf16_round(self, x):
        """float32 array -> uint16 array of bf16 bits (round to nearest even)."""
        import numpy as np

        x = np.ascontiguousarray(x, np.float32)
        y = np.empty(x.shape, np.uint16)
        self.c.da3_bf16_round(x.ctypes.data, y.ctypes.data, x.size)
        return y

    def bf16_tolerance(self, vb):
        return self.c.da3_attn_bf16_tolerance(vb.ctypes.data, vb.size)

    def attention_bf16(self, qb, kb, vb, threads):
        """As attention(), for bf16 bits (uint16 [B, H, N, D]); fp32 output."""
        import numpy as np

        shape = Shape(*qb.shape)
        ws = np.empty(max(1, self.c.da3_attn_bf16_workspace_bytes(shape, threads)), np.uint8)
        out = np.empty(qb.shape, np.float32)
        return self._runner(self.c.da3_attn_run_bf16, (shape,), qb, kb, vb, out, ws, threads,
                            "flash_bf16")

    def attn_check(self, b, h, n, d):
        """None if the kernels take this shape, else why not."""
        rc = self.c.da3_attn_check_shape(Shape(b, h, n, d))
        return self.c.da3_strerror(rc).decode() if rc else None

    def attn_max_err(self, q, k, v, o, rows):
        """Largest |o - reference| (float64 reference on `rows` rows a head)."""
        return self.c.da3_attn_max_err(Shape(*q.shape), q.ctypes.data, k.ctypes.data,
                                       v.ctypes.data, o.ctypes.data, rows)

    # preprocessing -----------------------------------------------------
    def preprocessor(self, decode, res=504):
        """A callable turning JPEG bytes into DA3's [3, H, W] float32 tensor
        (upper_bound_resize), with one context reused from image to image."""
        import numpy as np

        pp = self.c.da3_pp_new()
        if not pp:
            raise Da3Error("da3_pp_new: out of memory")
        params = PPParams(res, 0, PP_DECODES[decode])
        geom = PPGeom()
        c = self.c

        def call(jpeg):
            if c.da3_pp_probe(pp, jpeg, len(jpeg), params, geom) != 0:
                raise Da3Error(c.da3_pp_error(pp).decode())
            out = np.empty((3, geom.out_h, geom.out_w), np.float32)
            if c.da3_pp_run(pp, jpeg, len(jpeg), params, out.ctypes.data, out.size, geom) != 0:
                raise Da3Error(c.da3_pp_error(pp).decode())
            return out

        def geometry(jpeg):
            """da3's geometry for this JPEG (one struct, overwritten by the next call)."""
            if c.da3_pp_probe(pp, jpeg, len(jpeg), params, geom) != 0:
                raise Da3Error(c.da3_pp_error(pp).decode())
            return geom

        def decoded(jpeg):
            """The decoded RGB (height, width, 3) uint8 before any resize."""
            w, h = ctypes.c_int(), ctypes.c_int()
            px = c.da3_pp_decode_only(pp, jpeg, len(jpeg), ctypes.byref(w), ctypes.byref(h))
            if not px:
                raise Da3Error(c.da3_pp_error(pp).decode())
            return np.ctypeslib.as_array(px, (h.value, w.value, 3)).copy()

        call.geometry = geometry
        call.decoded = decoded
        call.free = lambda: c.da3_pp_free(pp)
        return call
