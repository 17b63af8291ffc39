"""The gate's sequential decision over paired rounds (scripts/gate.py).

The unit is the round: base and head run back to back (in a random order
drawn each round) or at once (duet), and each benchmark contributes one
paired value a round, d = log(fastest head time / fastest base time)
over that round's repetitions (or of the medians, --stat median). Slow drift (a neighbour starting, the clock
changing) hits both sides of a round alike and cancels in d; repetitions
inside one process are not independent of each other, rounds are.

When base and head are the same program, the random order makes d
symmetric about 0 whatever the noise, so Wilcoxon's signed-rank
distribution is exact for it, and the interval of the centre of d that it
gives (Hodges-Lehmann: order statistics of the Walsh averages) covers the
true change at its level for any symmetric noise. From that interval, at
the corrected level:

  regression    the interval lies above 0 (a significant slowdown) and
                reaches +threshold: a slowdown that large is consistent
                with the data
  improvement   the same, faster
  unchanged     the interval lies inside (-threshold, +threshold): the two
                one-sided tests of equivalence (TOST), not the absence of
                significance
  inconclusive  anything else: the gate runs more rounds

Error control, family-wise over benchmarks and looks: the gate looks at
rounds on a geometric schedule (each look ~20% more rounds than the last,
from the first round at which the interval can be finite to --max-rounds,
K looks), and every interval is at level 1 - alpha / (m K) for m
benchmarks. By the union bound the probability that any interval of any
look misses the true change, and so of any false regression or false
"unchanged", is at most alpha. A verdict, once reached, is kept, and that
benchmark leaves the later rounds (so the rounds that remain are spent on
what is still unsettled).
"""

import math
import statistics
from functools import lru_cache
from statistics import NormalDist

GROWTH = 1.2


@lru_cache(maxsize=None)
def _signed_rank_cdf(n):
    """P(T+ <= t) for t = 0..n(n+1)/2, T+ the signed-rank sum of n values."""
    total = n * (n + 1) // 2
    counts = [1] + [0] * total
    for k in range(1, n + 1):
        for s in range(total, k - 1, -1):
            counts[s] += counts[s - k]
    out, run, all_ = [], 0, 2 ** n
    for c in counts:
        run += c
        out.append(run / all_)
    return out


def _rank_bound(n, a):
    """The largest k with P(T+ <= k - 1) <= a / 2 (0: no finite interval)."""
    if n <= 0:
        return 0
    if n <= 80:
        cdf = _signed_rank_cdf(n)
        k = 0
        while k < len(cdf) and cdf[k] <= a / 2:
            k += 1
        return k
    mean = n * (n + 1) / 4
    sd = math.sqrt(n * (n + 1) * (2 * n + 1) / 24)
    return max(0, int(math.floor(mean - NormalDist().inv_cdf(1 - a / 2) * sd + 0.5)))


def hodges_lehmann(d, a):
    """(estimate, lo, hi) of the centre of d: the median of the Walsh
    averages and the distribution-free interval at level 1 - a
    (-inf, +inf when n is too small for that level)."""
    n = len(d)
    if n == 0:
        return math.nan, -math.inf, math.inf
    w = sorted((d[i] + d[j]) / 2 for i in range(n) for j in range(i, n))
    est = statistics.median(w)
    k = _rank_bound(n, a)
    if k < 1:
        return est, -math.inf, math.inf
    return est, w[k - 1], w[len(w) - k]


def min_rounds_for(a):
    """The fewest rounds for which the interval at level 1 - a is finite."""
    return max(1, math.ceil(math.log2(2 / a) - 1e-12))


def schedule(first, last):
    """Rounds at which the gate looks: first, then ~GROWTH times more each."""
    looks, r = [], first
    while r <= last:
        looks.append(r)
        r = max(r + 1, math.ceil(r * GROWTH))
    return looks


def plan(alpha, m, min_rounds, max_rounds):
    """(looks, a): the rounds to look at and each interval's level 1 - a,
    a = alpha / (m K) with K looks; [] when no look fits in max_rounds."""
    k = 1
    while True:
        a = alpha / (max(1, m) * k)
        looks = schedule(max(min_rounds, min_rounds_for(a)), max_rounds)
        if len(looks) <= k:
            return looks, a
        k = len(looks)


def decide(d, threshold, a):
    """The verdict of one benchmark from its paired log-ratios d."""
    est, lo, hi = hodges_lehmann(d, a)
    up, down = math.log1p(threshold), math.log1p(-threshold) if threshold < 1 else -math.inf
    row = {"change": math.expm1(est) if est == est else math.nan, "lo": math.exp(lo),
           "hi": math.exp(hi), "rounds": len(d)}
    if not math.isfinite(lo) or not math.isfinite(hi):
        row["verdict"], row["why"] = "inconclusive", "too few rounds for the corrected level"
    elif lo > 0 and hi >= up:
        row["verdict"], row["why"] = "regression", "slower; the interval reaches the threshold"
    elif hi < 0 and lo <= down:
        row["verdict"], row["why"] = "improvement", "faster; the interval reaches the threshold"
    elif down < lo and hi < up:
        row["verdict"], row["why"] = "unchanged", "the interval lies within the threshold"
    else:
        row["verdict"], row["why"] = "inconclusive", "the interval still spans the threshold"
    return row


def rounds_to_settle(d, threshold, a):
    """About how many rounds in all would settle a benchmark whose interval
    is still open: the interval's half-width shrinks as 1 / sqrt(rounds),
    and it settles once that half-width is below the larger of the
    estimate's distance to the threshold (unchanged) and to 0 (a change:
    its interval reaches the threshold already when it lies past the
    estimate), which is at least half the threshold. None while the
    interval is not finite."""
    est, lo, hi = hodges_lehmann(d, a)
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return None
    up = math.log1p(threshold)
    target = max(up - abs(est), abs(est))
    return max(len(d) + 1, math.ceil(len(d) * ((hi - lo) / 2 / target) ** 2))


def log_ratio(base, head, stat="min"):
    """One round's paired value, or None without a valid time on a side:
    the log of the ratio of the two sides' fastest repetitions (stat min:
    interference only ever adds time, and the fastest of repetitions spread
    over the process is the least disturbed; Chen and Revels, "Robust
    benchmarking in noisy environments", 2016) or of their medians."""
    b = [x for x in base if x > 0 and math.isfinite(x)]
    h = [x for x in head if x > 0 and math.isfinite(x)]
    if not b or not h:
        return None
    pick = min if stat == "min" else statistics.median
    return math.log(pick(h) / pick(b))
