"""The statistics of the regression gate, standard library only.

mann_whitney(a, b): two-sided p-value of the Mann-Whitney U test; exact
(the rank-sum distribution by dynamic programming) when both samples have
at most 25 values and there are no ties, else the normal approximation with
tie and continuity corrections.
bootstrap_ratio(base, new): percentile confidence interval of
median(new) / median(base), resampling each side with replacement.
mde(base, new, alpha, power): the smallest relative change the test could
detect given the measured noise (robust spread: 1.4826 * MAD).
"""

import math
import random
import statistics
from statistics import NormalDist


def _ranks(values):
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    ties = []
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        if j > i:
            ties.append(j - i + 1)
        i = j + 1
    return ranks, ties


def _exact_cdf(n1, n2, u):
    """P(U <= u) for samples of n1 and n2 with no ties."""
    # count[k][s]: ways to pick k of the first m ranks with rank sum s
    total = n1 + n2
    max_s = sum(range(total - n1 + 1, total + 1))
    count = [[0] * (max_s + 1) for _ in range(n1 + 1)]
    count[0][0] = 1
    for r in range(1, total + 1):
        for k in range(min(r, n1), 0, -1):
            row, prev = count[k], count[k - 1]
            for s in range(max_s, r - 1, -1):
                row[s] += prev[s - r]
    ways = count[n1]
    base = n1 * (n1 + 1) // 2
    below = sum(w for s, w in enumerate(ways) if s - base <= u + 1e-9)
    return below / math.comb(total, n1)


def mann_whitney(a, b):
    n1, n2 = len(a), len(b)
    if n1 == 0 or n2 == 0:
        return 1.0
    ranks, ties = _ranks(list(a) + list(b))
    r1 = sum(ranks[:n1])
    u1 = r1 - n1 * (n1 + 1) / 2
    u2 = n1 * n2 - u1
    if not ties and n1 <= 25 and n2 <= 25:
        u = min(u1, u2)
        return min(1.0, 2 * _exact_cdf(n1, n2, u))
    n = n1 + n2
    tie = sum(t ** 3 - t for t in ties) / (n * (n - 1)) if n > 1 else 0
    var = n1 * n2 / 12 * ((n + 1) - tie)
    if var <= 0:
        return 1.0
    z = (abs(u1 - n1 * n2 / 2) - 0.5) / math.sqrt(var)
    return min(1.0, 2 * (1 - NormalDist().cdf(max(z, 0.0))))


def bootstrap_ratio(base, new, level=0.95, n=2000, seed=12345):
    rng = random.Random(seed)
    ratios = []
    for _ in range(n):
        b = statistics.median(rng.choices(base, k=len(base)))
        c = statistics.median(rng.choices(new, k=len(new)))
        if b > 0:
            ratios.append(c / b)
    if not ratios:
        return math.nan, math.nan
    ratios.sort()
    lo = ratios[int((1 - level) / 2 * (len(ratios) - 1))]
    hi = ratios[int((1 + level) / 2 * (len(ratios) - 1))]
    return lo, hi


def robust_sd(values):
    if len(values) < 2:
        return 0.0
    med = statistics.median(values)
    return 1.4826 * statistics.median(abs(x - med) for x in values)


def mde(base, new, alpha=0.05, power=0.8):
    mb = statistics.median(base)
    if mb <= 0:
        return math.inf
    z = NormalDist().inv_cdf(1 - alpha / 2) + NormalDist().inv_cdf(power)
    se = math.sqrt(robust_sd(base) ** 2 / len(base) + robust_sd(new) ** 2 / len(new))
    # the median's standard error is about 1.25 times the mean's
    return z * 1.2533 * se / mb


def wilcoxon_signed_rank(d):
    """Two-sided p of Wilcoxon's signed-rank test that the differences d are
    centred on 0 (zeros dropped). Exact (the distribution of the rank sum by
    counting) without ties up to 25 values; the normal approximation with a
    tie correction otherwise."""
    d = [x for x in d if x != 0 and x == x]
    n = len(d)
    if n == 0:
        return 1.0
    ranks, _ = _ranks([abs(x) for x in d])
    w_plus = sum(r for r, x in zip(ranks, d) if x > 0)
    tied = len(set(abs(x) for x in d)) < n
    total = n * (n + 1) // 2
    if not tied and n <= 25:
        counts = [1] + [0] * total  # ways to reach each sum with ranks 1..k
        for k in range(1, n + 1):
            for s in range(total, k - 1, -1):
                counts[s] += counts[s - k]
        w = min(w_plus, total - w_plus)
        p = 2 * sum(counts[: int(w) + 1]) / 2 ** n
        return min(1.0, p)
    mean = n * (n + 1) / 4
    ties = {}
    for x in d:
        ties[abs(x)] = ties.get(abs(x), 0) + 1
    var = n * (n + 1) * (2 * n + 1) / 24 - sum(t ** 3 - t for t in ties.values()) / 48
    if var <= 0:
        return 1.0
    z = (abs(w_plus - mean) - 0.5) / math.sqrt(var)
    return min(1.0, 2 * (1 - NormalDist().cdf(max(z, 0.0))))


def bootstrap_median(values, level=0.95, n=2000, seed=12345):
    """A bootstrap percentile interval of the median of values."""
    rng = random.Random(seed)
    meds = sorted(statistics.median(rng.choices(values, k=len(values))) for _ in range(n))
    return meds[int((1 - level) / 2 * (n - 1))], meds[int((1 + level) / 2 * (n - 1))]
