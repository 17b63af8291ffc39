"""baseline_impls.py - what a user could pick instead of da3bench's kernels,
each written as that library's documentation would have it, for
baselines.py to time side by side with ours.

Every factory returns a callable or raises Missing (the package is not
installed: the caller says so and goes on without it).

Attention, O = softmax(Q Kᵀ / sqrt(D)) V on [B, H, N, D] float32:
  torch_sdpa   torch.nn.functional.scaled_dot_product_attention: PyTorch's
               fused CPU kernel (blocked, online softmax) for float32
  ort_mha      onnxruntime's com.microsoft MultiHeadAttention (its fused CPU
               kernel) on [B, N, H*D] through IO binding
  torch_eager  the seed's "after" line, softmax(matmul(q, kᵀ) * scale), then
               matmul with v: PyTorch eager
  torch_eager_before  the seed's "before" lines: the same three operators as
               separate statements (its "fused softmax" claim, in PyTorch)
  numpy        the same three operations in numpy (its bundled BLAS)

Preprocessing, JPEG bytes -> DA3's [3, H, W] float32 tensor (upper bound 504,
sides to multiples of 14, ImageNet normalization), sizes from da3's own
geometry so every output has the same shape:
  upstream     DA3's input processor: PIL decode, OpenCV INTER_AREA resizes
               (uint8 between them), ToTensor-style /255 and Normalize (torch
               when installed, else numpy)
  pillow       Pillow decode + BOX (area) resizes, numpy normalization
  pillow_draft the same with Image.draft: libjpeg's DCT scaling, as da3's dct
  opencv       cv2.imdecode + INTER_AREA resizes + normalization to CHW
  opencv_reduced  cv2.IMREAD_REDUCED_COLOR_2 (DCT scaling at 1/2), the same
"""

import io

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


class Missing(Exception):
    pass


def _need(module):
    try:
        return __import__(module)
    except ImportError as e:
        raise Missing(f"{module} not installed") from e


def _pil_image():
    _need("PIL")
    from PIL import Image
    return Image


# attention -------------------------------------------------------------

def attention(name, q, k, v, threads):
    """q, k, v: numpy [B, H, N, D] float32. Returns call() -> numpy output."""
    if name in ("torch_sdpa", "torch_eager", "torch_eager_before"):
        torch = _need("torch")
        torch.set_num_threads(threads)
        tq, tk, tv = (torch.from_numpy(x) for x in (q, k, v))  # shared memory
        scale = 1.0 / q.shape[-1] ** 0.5
        if name == "torch_sdpa":
            fn = torch.nn.functional.scaled_dot_product_attention

            def call():
                with torch.inference_mode():
                    return fn(tq, tk, tv).numpy()
        elif name == "torch_eager":
            softmax = torch.nn.functional.softmax

            def call():
                with torch.inference_mode():
                    attn = softmax(torch.matmul(tq, tk.transpose(-2, -1)) * scale, dim=-1)
                    return torch.matmul(attn, tv).numpy()
        else:
            softmax = torch.nn.functional.softmax

            def call():
                with torch.inference_mode():
                    attn = torch.matmul(tq, tk.transpose(-2, -1))
                    attn = attn * scale
                    attn = softmax(attn, dim=-1)
                    return torch.matmul(attn, tv).numpy()
        return call
    if name == "ort_mha":
        return _ort_mha(q, k, v, threads)
    if name == "numpy":
        np = _need("numpy")
        scale = 1.0 / q.shape[-1] ** 0.5

        def call():
            s = np.matmul(q, np.swapaxes(k, -1, -2))
            s *= scale
            s -= s.max(axis=-1, keepdims=True)
            np.exp(s, out=s)
            s /= s.sum(axis=-1, keepdims=True)
            return np.matmul(s, v)
        return call
    raise ValueError(name)


def _ort_mha(q, k, v, threads):
    """onnxruntime's com.microsoft MultiHeadAttention, its fused CPU path,
    on its own layout [B, N, H*D] (converted once, outside the timing),
    through IO binding: inputs and output bound once, no copy per call."""
    np = _need("numpy")
    ort = _need("onnxruntime")
    onnx = _need("onnx")
    from onnx import TensorProto, helper
    b, h, n, d = q.shape
    shape = [b, n, h * d]
    node = helper.make_node("MultiHeadAttention", ["query", "key", "value"], ["out"],
                            domain="com.microsoft", num_heads=h)
    graph = helper.make_graph(
        [node], "mha", [helper.make_tensor_value_info(x, TensorProto.FLOAT, shape)
                        for x in ("query", "key", "value")],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, shape)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid("com.microsoft", 1)])
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(model.SerializeToString(), opts,
                                providers=["CPUExecutionProvider"])
    flat = [np.ascontiguousarray(x.transpose(0, 2, 1, 3).reshape(shape)) for x in (q, k, v)]
    out = np.empty(shape, np.float32)
    bind = sess.io_binding()
    for name, x in zip(("query", "key", "value"), flat):
        bind.bind_cpu_input(name, x)
    bind.bind_output("out", "cpu", 0, np.float32, shape, out.ctypes.data)

    def call():
        sess.run_with_iobinding(bind)
        return out.reshape(b, n, h, d).transpose(0, 2, 1, 3)  # a view: no copy
    call.keep = (flat, out)  # the bound buffers live as long as the call
    return call


ATTENTION = ("torch_sdpa", "ort_mha", "torch_eager", "torch_eager_before", "numpy")


def attention_bf16(name, q, k, v, threads):
    """PyTorch's SDPA on bf16 tensors (q, k, v: float32 holding bf16 values,
    so the conversion is exact); the bf16 output returned as float32."""
    if name != "torch_sdpa_bf16":
        raise ValueError(f"unknown bf16 baseline {name}")
    torch = _need("torch")
    torch.set_num_threads(threads)
    tq, tk, tv = (torch.from_numpy(x).to(torch.bfloat16) for x in (q, k, v))
    fn = torch.nn.functional.scaled_dot_product_attention

    def call():
        with torch.inference_mode():
            return fn(tq, tk, tv).float().numpy()
    return call

# preprocessing ---------------------------------------------------------


def _normalizer(np):
    """uint8 HxWx3 RGB -> float32 3xHxW, (x/255 - mean) / std, in two passes."""
    scale = np.array([1 / (255 * s) for s in STD], np.float32).reshape(3, 1, 1)
    bias = np.array([m / s for m, s in zip(MEAN, STD)], np.float32).reshape(3, 1, 1)

    def norm(rgb):
        out = rgb.transpose(2, 0, 1).astype(np.float32)
        out *= scale
        out -= bias
        return out
    return norm


def _cv_interp(cv2, cubic):
    return cv2.INTER_CUBIC if cubic else cv2.INTER_AREA


def preprocess(name, geometry):
    """geometry(jpeg) -> da3's geometry (rs_w, rs_h, out_w, out_h).
    Returns call(jpeg bytes) -> numpy [3, H, W] float32."""
    np = _need("numpy")
    norm = _normalizer(np)
    if name == "upstream":
        Image = _pil_image()
        cv2 = _need("cv2")
        cv2.setNumThreads(1)
        try:
            torch = __import__("torch")
            torch.set_num_threads(1)
        except ImportError:
            torch = None
        if torch is not None:
            mean = torch.tensor(MEAN).view(3, 1, 1)
            std = torch.tensor(STD).view(3, 1, 1)

        def call(jpeg):
            g = geometry(jpeg)
            img = np.asarray(Image.open(io.BytesIO(jpeg)).convert("RGB"))
            img = cv2.resize(img, (g.rs_w, g.rs_h), interpolation=_cv_interp(cv2, g.first_cubic))
            if (g.out_w, g.out_h) != (g.rs_w, g.rs_h):
                img = cv2.resize(img, (g.out_w, g.out_h),
                                 interpolation=_cv_interp(cv2, g.second_cubic))
            if torch is None:
                return norm(img)
            t = torch.from_numpy(img).permute(2, 0, 1).float().div(255)
            return ((t - mean) / std).numpy()
        return call
    if name in ("pillow", "pillow_draft"):
        Image = _pil_image()
        draft = name == "pillow_draft"

        def call(jpeg):
            g = geometry(jpeg)
            im = Image.open(io.BytesIO(jpeg))
            if draft:
                im.draft("RGB", (g.rs_w, g.rs_h))
            first = Image.BICUBIC if g.first_cubic else Image.BOX
            im = im.convert("RGB").resize((g.rs_w, g.rs_h), first)
            if (g.out_w, g.out_h) != (g.rs_w, g.rs_h):
                im = im.resize((g.out_w, g.out_h), Image.BICUBIC if g.second_cubic else Image.BOX)
            return norm(np.asarray(im))
        return call
    if name in ("opencv", "opencv_reduced"):
        cv2 = _need("cv2")
        cv2.setNumThreads(1)
        flag = cv2.IMREAD_REDUCED_COLOR_2 if name == "opencv_reduced" else cv2.IMREAD_COLOR
        # BGR in, so the per-channel constants are reversed
        scale = np.array([1 / (255 * s) for s in STD[::-1]], np.float32)
        bias = np.array([m / s for m, s in zip(MEAN[::-1], STD[::-1])], np.float32)

        def call(jpeg):
            g = geometry(jpeg)
            img = cv2.imdecode(np.frombuffer(jpeg, np.uint8), flag)
            img = cv2.resize(img, (g.rs_w, g.rs_h), interpolation=_cv_interp(cv2, g.first_cubic))
            if (g.out_w, g.out_h) != (g.rs_w, g.rs_h):
                img = cv2.resize(img, (g.out_w, g.out_h),
                                 interpolation=_cv_interp(cv2, g.second_cubic))
            f = img.astype(np.float32)
            f *= scale
            f -= bias
            return np.ascontiguousarray(f.transpose(2, 0, 1)[::-1])
        return call
    raise ValueError(name)


PREPROCESS = ("upstream", "pillow", "pillow_draft", "opencv", "opencv_reduced")
