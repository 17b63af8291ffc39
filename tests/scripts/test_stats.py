"""scripts/da3bench/stats.py (standard library only, so the gate runs anywhere)
checked against scipy.stats on the same samples: exact and asymptotic
cases, ties included. Holm against its definition on a worked case."""
import random

import pytest

from da3bench import stats
from da3bench import verdict

scipy_stats = pytest.importorskip("scipy.stats", reason="python3-scipy not installed")


def samples(seed, n1, n2, ties):
    rng = random.Random(seed)
    draw = (lambda: float(rng.randint(0, 6))) if ties else (lambda: rng.lognormvariate(0, 0.1))
    return [draw() for _ in range(n1)], [draw() * 1.05 for _ in range(n2)]


@pytest.mark.parametrize("n1,n2", [(3, 4), (5, 5), (8, 6), (12, 12), (25, 25)])
def test_mann_whitney_exact_matches_scipy(n1, n2):
    for seed in range(5):
        a, b = samples(seed, n1, n2, ties=False)
        want = scipy_stats.mannwhitneyu(a, b, alternative="two-sided", method="exact").pvalue
        assert stats.mann_whitney(a, b) == pytest.approx(want, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("n1,n2,ties", [(30, 30, False), (40, 26, False), (10, 10, True),
                                        (30, 35, True)])
def test_mann_whitney_asymptotic_matches_scipy(n1, n2, ties):
    for seed in range(5):
        a, b = samples(seed, n1, n2, ties)
        want = scipy_stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic",
                                        use_continuity=True).pvalue
        assert stats.mann_whitney(a, b) == pytest.approx(want, rel=1e-9, abs=1e-12)


def wilcoxon_scipy(d, method):
    try:
        return scipy_stats.wilcoxon(d, zero_method="wilcox", correction=True,
                                    alternative="two-sided", method=method).pvalue
    except TypeError:  # scipy before 1.9 named it mode
        return scipy_stats.wilcoxon(d, zero_method="wilcox", correction=True,
                                    alternative="two-sided", mode=method).pvalue


@pytest.mark.parametrize("n", [4, 7, 12, 20, 25])
def test_wilcoxon_exact_matches_scipy(n):
    for seed in range(5):
        rng = random.Random(seed)
        d = [rng.gauss(0.02, 0.05) for _ in range(n)]
        assert stats.wilcoxon_signed_rank(d) == pytest.approx(wilcoxon_scipy(d, "exact"),
                                                              rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("n,ties", [(30, False), (60, False), (15, True), (40, True)])
def test_wilcoxon_asymptotic_matches_scipy(n, ties):
    for seed in range(5):
        rng = random.Random(seed)
        d = [float(rng.randint(-3, 5)) if ties else rng.gauss(0.02, 0.05) for _ in range(n)]
        d = [x for x in d if x != 0]  # zero_method wilcox: both drop zeros
        assert stats.wilcoxon_signed_rank(d) == pytest.approx(wilcoxon_scipy(d, "approx"),
                                                              rel=1e-9, abs=1e-12)


def test_bootstrap_median_interval_agrees_with_scipy():
    # different resampling streams: the intervals agree within their own
    # Monte Carlo error, not to the digit
    rng = random.Random(3)
    x = [rng.lognormvariate(0, 0.2) for _ in range(40)]
    lo, hi = stats.bootstrap_median(x, level=0.95, n=4000)
    import numpy as np
    ci = scipy_stats.bootstrap((np.array(x),), np.median, confidence_level=0.95,
                               n_resamples=4000, method="percentile",
                               random_state=np.random.default_rng(1)).confidence_interval
    width = ci.high - ci.low
    assert abs(lo - ci.low) < 0.15 * width and abs(hi - ci.high) < 0.15 * width


def test_bootstrap_ratio_interval_agrees_with_scipy():
    # the gate's interval of the ratio of medians: each side resampled on
    # its own, the percentile interval of median(new) / median(base); scipy's
    # two-sample bootstrap of the same statistic, a different stream
    import numpy as np
    rng = random.Random(5)
    base = [rng.lognormvariate(0, 0.05) for _ in range(30)]
    new = [1.04 * rng.lognormvariate(0, 0.05) for _ in range(30)]
    lo, hi = stats.bootstrap_ratio(base, new, level=0.95, n=4000)
    ci = scipy_stats.bootstrap((np.array(base), np.array(new)),
                               lambda b, c: np.median(c) / np.median(b), vectorized=False,
                               paired=False, confidence_level=0.95, n_resamples=4000,
                               method="percentile",
                               random_state=np.random.default_rng(2)).confidence_interval
    width = ci.high - ci.low
    # they agree within 1.5% of the width here; 5% fails an end off by 1%
    assert abs(lo - ci.low) < 0.05 * width and abs(hi - ci.high) < 0.05 * width, (lo, hi, ci)


def test_holm_by_its_definition():
    # p sorted: 0.01, 0.02, 0.03, 0.5 with m = 4 -> 0.04, 0.06, 0.06 (monotone), 0.5
    got = verdict.holm([0.03, 0.5, 0.01, 0.02, float("nan")])
    want = [0.06, 0.5, 0.04, 0.06]
    assert got[:4] == pytest.approx(want) and got[4] != got[4]
