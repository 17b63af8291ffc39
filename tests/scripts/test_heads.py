"""heads.py: the FLOP estimates of what the measured image leaves out."""
import json
import os

import pytest

from conftest import ROOT
from da3bench import heads


def test_the_backbone_count_is_the_block_suites_own():
    # the C suite's GFLOPS times its time per block is its own flop count
    doc = json.load(open(os.path.join(ROOT, "tests", "data", "block-sample.json")))
    b = next(b for b in doc["benchmarks"] if b.get("run_type") == "iteration"
             and b["name"].startswith("block/flash/C:384/H:6/B:1/N:1442"))
    assert b["time_unit"] == "ms"
    assert b["GFLOPS"] * b["real_time"] / 1000 == pytest.approx(
        heads.backbone_flops(384, 1, tokens=1442), rel=0.01)


def test_the_dpt_head_of_vit_l_by_hand():
    # DA3-Large at 504x280 (20 x 36 patches), summed term by term by hand
    p, f = 720, 256
    proj = 2 * p * 2048 * (256 + 512 + 1024 + 1024)
    resize = 2 * p * 256 * 256 * 16 + 2 * p * 512 * 512 * 4 + 2 * 180 * 1024 * 1024 * 9
    rn = 2 * 9 * f * (11520 * 256 + 2880 * 512 + 720 * 1024 + 180 * 1024)
    c3, c1 = 2 * 9 * f * f, 2 * f * f
    fusion = (2 * c3 * 180 + c1 * 720) + (4 * c3 * 720 + c1 * 2880) + \
        (4 * c3 * 2880 + c1 * 11520) + (4 * c3 * 11520 + c1 * 46080)
    out = 2 * 9 * 46080 * f * 128 + 2 * 9 * 141120 * 128 * 32 + 2 * 141120 * 32 * 2
    assert heads.dpt_flops(1024) == pytest.approx((proj + resize + rn + fusion + out) * 1e-9)
    assert heads.dpt_flops(999) is None


def test_the_head_is_about_a_third_of_each_backbone():
    for width, depth in ((384, 12), (768, 12), (1024, 24), (1536, 40)):
        share = heads.dpt_flops(width) / heads.backbone_flops(width, depth)
        assert 0.25 < share < 0.35, (width, share)
