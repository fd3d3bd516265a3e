#!/usr/bin/env python3
"""Is the Taobao CTR label learnable? Independent reference predictors for QUALITY.md.

Re-implements, without the project's code, the label rule and features of OfflineAttribution
(first pv of (user,item) = exposure; a later pv or a buy within 30 min = click; a buy = conversion;
a buy up to 24 h after the window = correction; decayed user/item/category exposure, click,
purchase counts and a Beta-smoothed CTR, half-life 1 h, prior 1/20, read when the window closes),
splits as QualityRunner does (last 15% of samples by closing time), and reports positive rates,
censoring, unseen ids, and the held-out AUC of simple predictors and of a logistic regression on
the 12 activity features (squashed with sign(x)*log1p|x| as SampleEncoder does).

Needs numpy and scipy. Usage: python3 experiments/quality-report/learnability.py [CSV]
"""
import bisect
import collections
import csv
import math
import sys

import numpy as np
from scipy.optimize import minimize
from scipy.stats import rankdata

CSV = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/taobao_userbehavior_timesorted_96k.csv"
WINDOW, HORIZON, HALF_LIFE, PRIOR_C, PRIOR_E, HOLD_OUT = 30 * 60_000, 24 * 3_600_000, 3_600_000.0, 1.0, 20.0, 0.15
NAMES = [f"{e}.{k}" for e in ("user", "item", "cat") for k in ("exposures", "clicks", "buys", "ctr")]


def load(path):
    rows = []
    with open(path) as f:
        for ln, r in enumerate(csv.reader(f), 1):
            rows.append((ln, r[0], r[1], r[2], r[3], int(r[4]) * 1000))
    return rows


def attribute(rows):
    kind, seen = {}, set()
    for ln, u, i, _, b, _ in rows:  # the reader maps in file order
        if b == "pv":
            kind[ln] = "exposure" if (u, i) not in seen else "click"
            seen.add((u, i))
        else:
            kind[ln] = b
    open_, samples = {}, []
    for ln, u, i, c, b, t in sorted(rows, key=lambda r: (r[5], "tb-%d" % r[0])):
        k = kind[ln]
        if k == "exposure":
            open_[(u, i)] = dict(ln=ln, u=u, i=i, c=c, t=t, click=False, conv=False, late=None)
            continue
        w = open_.get((u, i))
        if w is None:
            continue
        inside = w["t"] <= t <= w["t"] + WINDOW
        if k == "click" and inside:
            w["click"] = True
        if k == "buy":
            if inside:
                w["click"] = w["conv"] = True
            elif t <= w["t"] + WINDOW + HORIZON and w["late"] is None:
                w["late"] = t
    for w in open_.values():
        samples.append(dict(w, closed=w["t"] + WINDOW, corr=False, sid="tb-%d" % w["ln"]))
        if w["late"] is not None and not w["conv"]:
            samples.append(dict(w, closed=w["late"], corr=True, click=True, conv=True, sid="tb-%d#correction" % w["ln"]))
    samples.sort(key=lambda s: (s["closed"], s["sid"]))
    return samples


class Counts:
    def __init__(self):
        self.e = self.c = self.p = 0.0
        self.ref = None

    def at(self, t):
        d = 1.0 if self.ref is None or t <= self.ref else 2 ** (-(t - self.ref) / HALF_LIFE)
        e, c, p = self.e * d, self.c * d, self.p * d
        return [e, c, p, (c + PRIOR_C) / (e + PRIOR_E)]

    def add(self, t, click, buy):
        if self.ref is None:
            self.ref = t
        f = 1.0
        if t > self.ref:
            d = 2 ** (-(t - self.ref) / HALF_LIFE)
            self.e, self.c, self.p, self.ref = self.e * d, self.c * d, self.p * d, t
        else:
            f = 2 ** (-(self.ref - t) / HALF_LIFE)
        self.e += f
        self.c += f if click else 0
        self.p += f if buy else 0


def features(samples):
    maps = [collections.defaultdict(Counts) for _ in range(3)]
    out = []
    for s in samples:
        row = []
        for m, key in zip(maps, (s["u"], s["i"], s["c"])):
            row += m[key].at(s["closed"])
            if not s["corr"]:
                m[key].add(s["closed"], s["click"], s["conv"])
        out.append(row)
    return np.array(out)


def auc(y, score):
    y = np.asarray(y, bool)
    r = rankdata(score)
    n1, n0 = y.sum(), len(y) - y.sum()
    return (r[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)


def se(a, n1, n0):  # Hanley & McNeil (1982)
    q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
    return math.sqrt((a * (1 - a) + (n1 - 1) * (q1 - a * a) + (n0 - 1) * (q2 - a * a)) / (n1 * n0))


def logistic(x, y, l2=1e-2):
    m, sd = x.mean(0), x.std(0) + 1e-9
    a = np.c_[np.ones(len(x)), (x - m) / sd]

    def f(w):
        p = 1 / (1 + np.exp(-(a @ w)))
        loss = -np.mean(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12)) + l2 * np.sum(w[1:] ** 2)
        return loss, a.T @ (p - y) / len(y) + 2 * l2 * np.r_[0, w[1:]]

    w = minimize(f, np.zeros(a.shape[1]), jac=True, method="L-BFGS-B").x
    return lambda xs: np.c_[np.ones(len(xs)), (xs - m) / sd] @ w


def main():
    rows = load(CSV)
    samples = attribute(rows)
    f = features(samples)
    x = np.sign(f) * np.log1p(np.abs(f))
    y = np.array([s["click"] for s in samples])
    z = np.array([s["click"] and s["conv"] for s in samples])
    t0, end = min(r[5] for r in rows), max(r[5] for r in rows)
    closed = np.array([s["closed"] for s in samples])
    n = len(samples)
    cut = int(math.floor(n * (1 - HOLD_OUT)))
    complete = np.where(closed <= end)[0]
    k = int(math.floor(len(complete) * (1 - HOLD_OUT)))
    print(f"{len(rows):,} events -> {n:,} samples ({sum(s['corr'] for s in samples)} corrections); "
          f"{n - len(complete):,} windows close after the last event ({(end - t0) / 60000:.1f} min of data)")
    splits = {
        "shipped prefix": np.arange(cut), "shipped tail": np.arange(cut, n),
        "complete prefix": complete[:k], "complete tail": complete[k:],
    }
    print("\n## Splits")
    print("| split | samples | clicks | CTR | click+buy | CTCVR | window still open at data end | tail users unseen in prefix | tail items unseen |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, ix in splits.items():
        unseen_u = unseen_i = ""
        if "tail" in name:
            pre = splits[name.replace("tail", "prefix")]
            pu, pi = {samples[j]["u"] for j in pre}, {samples[j]["i"] for j in pre}
            unseen_u = f"{np.mean([samples[j]['u'] not in pu for j in ix]):.1%}"
            unseen_i = f"{np.mean([samples[j]['i'] not in pi for j in ix]):.1%}"
        print(f"| {name} | {len(ix):,} | {y[ix].sum():,} | {y[ix].mean():.2%} | {z[ix].sum()} | {z[ix].mean():.3%} "
              f"| {np.mean(closed[ix] > end):.1%} | {unseen_u} | {unseen_i} |")

    print("\n## CTR by exposure time")
    et = np.array([(s["t"] - t0) / 60000 for s in samples])
    print("| exposure minute | samples | CTR |\n|---|---|---|")
    for b in range(0, 120, 10):
        m = (et >= b) & (et < b + 10)
        if m.sum():
            print(f"| {b}–{b + 10} | {m.sum():,} | {y[m].mean():.2%} |")

    # Raw-event predictors known at exposure time (not in the model's features).
    by_user, pv_by_item = collections.defaultdict(list), collections.defaultdict(list)
    for _, u, i, _, b, t in sorted(rows, key=lambda r: r[5]):
        by_user[u].append(t)
        if b == "pv":
            pv_by_item[i].append(t)
    extra = {
        "user's prior events (all types, raw)": [bisect.bisect_left(by_user[s["u"]], s["t"]) for s in samples],
        "item's prior views (all users, raw)": [bisect.bisect_left(pv_by_item[s["i"]], s["t"]) for s in samples],
        "earlier exposure time (censoring proxy)": list(-et),
        "ORACLE: user's events in the next 30 min": [
            bisect.bisect_right(by_user[s["u"]], s["t"] + WINDOW) - bisect.bisect_right(by_user[s["u"]], s["t"]) for s in samples],
    }
    print("\n## Held-out CTR AUC of reference predictors (trained on the prefix where there is training)")
    print("| predictor | " + " | ".join(splits) + " |\n|---|" + "---|" * len(splits))
    for j, name in enumerate(NAMES):
        print(f"| {name} (model feature) | " + " | ".join(f"{auc(y[ix], x[ix, j]):.3f}" for ix in splits.values()) + " |")
    for name, v in extra.items():
        v = np.array(v, float)
        print(f"| {name} | " + " | ".join(f"{auc(y[ix], v[ix]):.3f}" for ix in splits.values()) + " |")
    for label, lab in (("CTR", y), ("CTCVR", z)):
        cells = []
        for pre, tail in (("shipped prefix", "shipped tail"), ("complete prefix", "complete tail")):
            p, h = splits[pre], splits[tail]
            model = logistic(x[p], lab[p].astype(float))
            a = auc(lab[h], model(x[h]))
            cells.append(f"in-sample {auc(lab[p], model(x[p])):.3f}, tail **{a:.3f} ± {se(a, lab[h].sum(), (~lab[h]).sum()):.3f}** ({lab[h].sum()} positives)")
        print(f"| logistic regression, 12 activity features, {label} | " + " | ".join([cells[0], "", cells[1], ""]) + " |")

    print("\n## Forward chaining on complete windows: logistic regression trained on all earlier blocks")
    print("| block | test samples | clicks | CTR AUC ± 1 s.e. |\n|---|---|---|---|")
    blocks = np.array_split(complete, 6)
    for b in range(1, 6):
        p, h = np.concatenate(blocks[:b]), blocks[b]
        a = auc(y[h], logistic(x[p], y[p].astype(float))(x[h]))
        print(f"| {b} | {len(h):,} | {y[h].sum()} | {a:.3f} ± {se(a, y[h].sum(), (~y[h]).sum()):.3f} |")

    nxt = np.array(extra["ORACLE: user's events in the next 30 min"])
    print(f"\n{np.mean(nxt == 0):.1%} of exposures have no later event by the same user within 30 min "
          f"(CTR {y[nxt == 0].mean():.3%}); the rest have CTR {y[nxt > 0].mean():.2%}.")
    first = {}
    for ln, u, i, _, b, t in rows:
        if b == "pv" and (u, i) not in first:
            first[(u, i)] = t
    buys = [(u, i, t) for _, u, i, _, b, t in rows if b == "buy"]
    nopv = sum(1 for u, i, t in buys if (u, i) not in first or first[(u, i)] > t)
    print(f"{len(buys):,} buy events; {nopv:,} ({nopv / len(buys):.1%}) have no earlier pv of the pair in the slice; "
          f"{z.sum()} samples carry a conversion.")

    # The features are read when the window closes: they include the labels of earlier windows that
    # closed during this one (up to 30 min after the exposure). Reading them at exposure time from
    # the windows closed by then is stricter (it also loses the last 30 min of prior exposures).
    maps = [collections.defaultdict(Counts) for _ in range(3)]
    order = sorted([(s["t"], 1, j) for j, s in enumerate(samples)]
                   + [(s["closed"], 0, j) for j, s in enumerate(samples) if not s["corr"]])
    at_exposure = np.zeros_like(f)
    for t, kind, j in order:
        s = samples[j]
        for m, key, o in zip(maps, (s["u"], s["i"], s["c"]), (0, 4, 8)):
            if kind == 1:
                at_exposure[j, o:o + 4] = m[key].at(t)
            else:
                m[key].add(t, s["click"], s["conv"])
    xe = np.sign(at_exposure) * np.log1p(np.abs(at_exposure))
    p, h = splits["complete prefix"], splits["complete tail"]
    print(f"Complete tail, logistic regression CTR AUC: features read at window close (as the job does) "
          f"{auc(y[h], logistic(x[p], y[p].astype(float))(x[h])):.3f}; read at exposure time from windows closed by then "
          f"{auc(y[h], logistic(xe[p], y[p].astype(float))(xe[h])):.3f}.")


if __name__ == "__main__":
    main()
