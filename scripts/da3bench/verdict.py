"""The gate's verdict on one benchmark, and the correction across many.

Shared by compare.py (two result files) and gate.py (adaptive runs).

Verdicts (times):
  regression    significant after the correction across benchmarks, slower,
                and the 95% interval of the ratio of medians reaches the
                threshold: a slowdown that large is consistent with the data
  improvement   the same, faster
  unchanged     not significant, the measured change is within the
                threshold, and the test could have seen a change of the
                threshold's size (minimum detectable effect at the corrected
                level <= the threshold); or significant but the whole
                interval lies within +-threshold (real, too small to matter)
  inconclusive  fewer than MIN_REPS repetitions on a side; or too few for
                the smallest attainable p-value to pass the corrected level;
                or not significant while the change measured reaches the
                threshold or the noise hides changes of that size: it never
                reads as a pass
Instruction counts are deterministic: the change itself against the
threshold, regression / improvement / unchanged.

Many benchmarks: the p-values are adjusted with Holm's step-down method,
which bounds the probability of even one false regression in the whole
comparison (the family-wise error rate) by alpha, for any dependence between
the benchmarks. Benjamini-Hochberg would bound only the expected fraction of
false verdicts among the flagged ones, which lets a comparison of many
benchmarks fail on noise far more often than alpha: a merge gate needs the
former.

A change in spread is reported beside the verdict (the ratio of robust
standard deviations with a bootstrap 95% interval), never mixed into it.
"""

import math
import random
import statistics
from statistics import NormalDist

from .stats import bootstrap_ratio, mann_whitney, mde, robust_sd

MIN_REPS = 5
VERDICTS = ("regression", "improvement", "unchanged", "inconclusive")


def holm(pvalues):
    """Holm-adjusted p-values, same order as given (NaN stays NaN)."""
    idx = [i for i, p in enumerate(pvalues) if p == p]
    idx.sort(key=lambda i: pvalues[i])
    m, out, run = len(idx), list(pvalues), 0.0
    for rank, i in enumerate(idx):
        run = max(run, min(1.0, (m - rank) * pvalues[i]))
        out[i] = run
    return out


def spread_ratio(base, new, level=0.95, n=1000, seed=54321):
    """new's robust SD over base's, and a bootstrap interval of that ratio."""
    sb, sn = robust_sd(base), robust_sd(new)
    if sb <= 0 or len(base) < MIN_REPS or len(new) < MIN_REPS:
        return math.nan, math.nan, math.nan
    rng = random.Random(seed)
    rs = []
    for _ in range(n):
        b = robust_sd(rng.choices(base, k=len(base)))
        c = robust_sd(rng.choices(new, k=len(new)))
        if b > 0:
            rs.append(c / b)
    rs.sort()
    if not rs:
        return sn / sb, math.nan, math.nan
    return (sn / sb, rs[int((1 - level) / 2 * (len(rs) - 1))],
            rs[int((1 + level) / 2 * (len(rs) - 1))])


def test(base, new, alpha=0.05):
    """The statistics of one benchmark, before any correction."""
    row = {"base": statistics.median(base), "new": statistics.median(new),
           "n": (len(base), len(new))}
    row["change"] = row["new"] / row["base"] - 1 if row["base"] > 0 else math.nan
    row["spread"] = spread_ratio(base, new)
    if len(base) < MIN_REPS or len(new) < MIN_REPS:
        row.update(p=math.nan, lo=math.nan, hi=math.nan, mde=math.nan)
        return row
    row["p"] = mann_whitney(base, new)
    row["min_p"] = 2 / math.comb(len(base) + len(new), len(base))  # full separation
    row["lo"], row["hi"] = bootstrap_ratio(base, new)
    row["mde"] = mde(base, new, alpha)
    return row


def decide(row, threshold, alpha, p_adj, m=1):
    """Sets row['verdict'] and row['why'] from the p-value adjusted over m tests."""
    row["p_adj"] = p_adj
    if not p_adj == p_adj:  # too few repetitions
        row["verdict"], row["why"] = "inconclusive", f"fewer than {MIN_REPS} repetitions"
    elif p_adj >= alpha and m * row.get("min_p", 0.0) >= alpha:
        row["verdict"], row["why"] = "inconclusive", "too few repetitions to reach significance"
    elif p_adj < alpha and row["change"] > 0 and row["hi"] - 1 >= threshold:
        row["verdict"], row["why"] = "regression", "significant; interval reaches the threshold"
    elif p_adj < alpha and row["change"] < 0 and 1 - row["lo"] >= threshold:
        row["verdict"], row["why"] = "improvement", "significant; interval reaches the threshold"
    elif p_adj < alpha:
        row["verdict"], row["why"] = "unchanged", "significant but within the threshold"
    elif row["mde"] <= threshold and abs(row["change"]) < threshold:
        row["verdict"], row["why"] = "unchanged", "no change the test could have seen"
    else:
        row["verdict"], row["why"] = "inconclusive", "the noise hides a threshold-sized change"
    return row


def judge_all(pairs, threshold, alpha):
    """pairs: name -> (base values, new values). name -> row, corrected;
    the minimum detectable effects at the strictest corrected level."""
    m = max(1, len(pairs))
    rows = {n: test(b, c, alpha / m) for n, (b, c) in pairs.items()}
    names = list(rows)
    adj = holm([rows[n]["p"] for n in names])
    for n, p in zip(names, adj):
        decide(rows[n], threshold, alpha, p, m)
    return rows


def judge_counts(base, new, threshold):
    """Instruction counts: no test, the change itself."""
    b, n = statistics.median(base), statistics.median(new)
    change = n / b - 1 if b > 0 else math.nan
    verdict = ("regression" if change > threshold else "improvement" if change < -threshold
               else "unchanged")
    return {"base": b, "new": n, "n": (len(base), len(new)), "change": change, "p": math.nan,
            "p_adj": math.nan, "lo": math.nan, "hi": math.nan, "mde": 0.0, "verdict": verdict,
            "why": "deterministic counts", "spread": (math.nan, math.nan, math.nan)}


def exit_code(rows, inconclusive_fails=True):
    """0 no regression, 1 a regression, 3 inconclusive (when that fails)."""
    vs = [r["verdict"] for r in rows.values()]
    if "regression" in vs:
        return 1
    if "inconclusive" in vs and inconclusive_fails:
        return 3
    return 0


def test_paired(base, new, alpha=0.05):
    """Duet runs: repetition i of each side ran at the same moment, so the
    test is on the paired log-ratios log(new_i / base_i): Wilcoxon's
    signed-rank test, a bootstrap interval of their median (as a ratio), and
    the minimum detectable effect from their spread."""
    from .stats import bootstrap_median, wilcoxon_signed_rank  # noqa: E402
    pairs = [(b, c) for b, c in zip(base, new) if b > 0 and c > 0]
    d = [math.log(c / b) for b, c in pairs]
    row = {"base": statistics.median(base), "new": statistics.median(new), "n": (len(d), len(d)),
           "spread": (math.nan, math.nan, math.nan)}
    if len(d) < MIN_REPS:
        row.update(change=math.nan, p=math.nan, lo=math.nan, hi=math.nan, mde=math.nan)
        return row
    med = statistics.median(d)
    row["change"] = math.exp(med) - 1
    row["p"] = wilcoxon_signed_rank(d)
    row["min_p"] = 2 / 2 ** len(d)
    lo, hi = bootstrap_median(d)
    row["lo"], row["hi"] = math.exp(lo), math.exp(hi)
    z = NormalDist().inv_cdf(1 - alpha / 2) + NormalDist().inv_cdf(0.8)
    row["mde"] = math.exp(z * 1.2533 * robust_sd(d) / math.sqrt(len(d))) - 1
    return row


def judge_all_paired(pairs, threshold, alpha):
    """pairs: name -> (base values, new values) paired by index."""
    m = max(1, len(pairs))
    rows = {n: test_paired(b, c, alpha / m) for n, (b, c) in pairs.items()}
    names = list(rows)
    adj = holm([rows[n]["p"] for n in names])
    for n, p in zip(names, adj):
        decide(rows[n], threshold, alpha, p, m)
    return rows
