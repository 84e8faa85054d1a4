#!/usr/bin/env python3
"""tools/agree.py: do two result directories agree in distribution?

Two runs of the same scenario with different random streams (two seeds of osq, or osq and another
implementation of docs/model.md) can only agree within Monte Carlo noise. For every row that both
summary.csv files hold (metric, party, and the year where a file holds several) this prints how
far apart the means are in standard errors, z = (mean_a - mean_b) / sqrt(se_a^2 + se_b^2),
and for the dyads of dyads.csv (mean_flights) the same with sd / sqrt(n) where a file gives the
dyad's sd.
A row whose mean is the same constant in both (se 0), or undefined (NaN) in both, is counted as
agreeing; a row with fewer than 30 values (its n) in either file is left out and counted.

    tools/agree.py [--trials-a N] [--trials-b N] [--limit Z] DIR_A DIR_B

--trials-a/-b: the trial counts, needed for the dyads' standard errors (dyads.csv has no n);
without them the dyads are left out. By chance alone about 4.6 % of independent rows are beyond
|z| = 2 and 0.27 % beyond 3; the tool prints how many it found beside those figures. The rows are
not independent (a year without a plan moves every count at once), so those counts vary more than
the figures say; the test is the limit. Exit status 0 when no row is beyond --limit (default 4),
1 otherwise, 2 on bad input.

What it can judge: the quota model's rows (flights, over, by, dyads, plans). Two seeds of a run
with geography differ beyond their standard errors in the rows of the run's world of sites
(coverage, sites_observed, buildup_detect): the sites are drawn once from the seed
(docs/geography.md), and a run's standard errors hold the trials' noise only. (Two seeds of
scenarios/timeline.cfg, 2,000 trials: 0 of the quota rows beyond 4, 108 of 797 coverage rows.)
"""
import argparse
import csv
import math
import os
import sys

MIN_N = 30  # rows with fewer values (n) in either file are left out: the z of a few is no test


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def keyed(rows, names, value):
    """{(the named fields[, year]): value(row)}: the year is part of the key only where the file
    holds several years, so that one year of osq (which writes it) meets a file without it."""
    several = len({r.get("year", "") for r in rows}) > 1
    return {tuple(r[k] for k in names) + ((r["year"],) if several else ()): value(r) for r in rows}


def summary_rows(d):
    """(metric, party[, year]) -> (mean, se, n)"""
    return keyed(read(os.path.join(d, "summary.csv")), ("metric", "party"),
                 lambda r: (float(r["mean"]), float(r["se"]), int(r["n"])))


def dyad_rows(d):
    """(observer, observed[, year]) -> (mean_flights, sd or None)"""
    path = os.path.join(d, "dyads.csv")
    if not os.path.exists(path):
        return {}
    sd = lambda r: float(r["sd"]) if r.get("sd") not in (None, "") else None
    return keyed(read(path), ("observer", "observed"), lambda r: (float(r["mean_flights"]), sd(r)))


def z_of(ma, sa, mb, sb):
    if math.isnan(ma) or math.isnan(mb):  # undefined (no trial had it): agree only if in both
        return 0.0 if math.isnan(ma) and math.isnan(mb) else math.inf
    se = math.hypot(sa, sb)
    if se == 0.0:
        return 0.0 if ma == mb else math.inf
    return (ma - mb) / se


def report(label, zs, limit):
    n = len(zs)
    over2 = sum(1 for z in zs if abs(z[0]) > 2)
    over3 = sum(1 for z in zs if abs(z[0]) > 3)
    worst = sorted(zs, key=lambda z: -abs(z[0]))[:5]
    print(f"{label}: {n} rows; |z| > 2: {over2} (about {0.0455 * n:.1f} if independent); "
          f"|z| > 3: {over3} (about {0.0027 * n:.1f} if independent); beyond {limit:g}: "
          f"{sum(1 for z in zs if abs(z[0]) > limit)}")
    for z, name, ma, mb in worst:
        print(f"  {name:<32} {ma:14.6g} {mb:14.6g}  z = {z:+.2f}")
    return sum(1 for z in zs if abs(z[0]) > limit)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir_a")
    ap.add_argument("dir_b")
    ap.add_argument("--trials-a", type=int)
    ap.add_argument("--trials-b", type=int)
    ap.add_argument("--limit", type=float, default=4.0)
    a = ap.parse_args()
    try:
        sa, sb = summary_rows(a.dir_a), summary_rows(a.dir_b)
        da, db = dyad_rows(a.dir_a), dyad_rows(a.dir_b)
    except (OSError, KeyError, ValueError) as e:
        print(f"agree.py: error: {e}", file=sys.stderr)
        return 2
    zs, few = [], 0
    common = sorted(set(sa) & set(sb))
    for k in common:
        (ma, ea, na), (mb, eb, nb) = sa[k], sb[k]
        if min(na, nb) < MIN_N:  # a mean of a handful of values: its standard error means little
            few += 1
            continue
        zs.append((z_of(ma, ea, mb, eb), "/".join(k), ma, mb))
    if not common:
        print("agree.py: error: the two summaries have no row in common", file=sys.stderr)
        return 2
    if few:
        print(f"summary.csv: {few} rows left out: fewer than {MIN_N} values in a file (n column)")
    bad = report("summary.csv", zs, a.limit)
    if a.trials_a and a.trials_b and (da or db):
        dz = []
        # A dyad missing from one file had no flight in any of its trials there: mean 0.
        for k in sorted(set(da) | set(db)):
            (ma, sda), (mb, sdb) = da.get(k, (0.0, None)), db.get(k, (0.0, None))
            sd = sda if sda is not None else sdb
            if sd is None:
                continue
            z = z_of(ma, sd / math.sqrt(a.trials_a), mb, sd / math.sqrt(a.trials_b))
            dz.append((z, "/".join(k), ma, mb))
        if dz:
            label = "dyads.csv (mean_flights; the sd of the file that gives one)"
            bad += report(label, dz, a.limit)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
