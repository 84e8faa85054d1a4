#!/usr/bin/env python3
"""tools/study_tables.py: the figures of README "How sure are these answers?" and of
docs/sensitivity.md, regenerated from one run of the shipped study.

    tools/study_tables.py [--osq BUILD/osq] [--threads T] [--out DIR] [--reuse]

runs, from the repository's root,

    osq sensitivity scenarios/withdrawal_uncertainty.cfg --threads T --out DIR/study --force --quiet
    osq compare scenarios/{baseline,us_out,ru_out,both_out}.cfg --threads T --out DIR/compare --force --quiet

(the study as shipped; the comparison at the scenarios' own 10,000 trials, whose Monte Carlo CIs the
README's table sets beside the spread), timing each (wall and CPU seconds, load average), then
rewrites every part of README.md and docs/sensitivity.md between the markers
"<!-- study_tables.py: PART -->" and "<!-- /study_tables.py: PART -->" and copies the tornado chart
the README shows into docs/img/. Everything else in those files is left as it is. The text around
the figures is written here, so that a sentence that says which inputs matter, or that a sign is
settled, is chosen from the figures rather than kept from an older run. bench/RESULTS.md's section
"A study's point against osq run" (bench/study.sh) gives the point's cost, quoted as it is.

--reuse rewrites the text from the outputs already in DIR (and DIR/timing.json) without running
anything. Defaults: --osq build/osq, --threads 2, --out out/study_tables. Exit 0, or 1 with a
message (an osq run failed, a file or marker is missing); warnings (an input whose shipped value
lies outside the range the study draws from) go to stderr and do not fail the run.
"""
import argparse
import csv
import json
import math
import os
import re
import resource
import shutil
import subprocess
import sys
import time

STUDY = "scenarios/withdrawal_uncertainty.cfg"
CELLS = ["baseline", "us_out", "ru_out", "both_out"]
CHART = "tornado_flights_us_out.png"   # the chart the README shows: the US withdrawal's loss of flights
NOT_RESOLVED = 2.0    # a sum of the total indices above which they measure mostly the trials' noise
DRIVER_MIN = 0.1      # ST at or above which an input is named as a driver
NEGLIGIBLE = 0.05     # indices below this are indistinguishable from 0 at 32 base rows (docs/sensitivity.md)

# Names for people: inputs by key, metrics by name ({party} where the party is part of the row's name).
INPUT_LABEL = {
    "geo.swath_half_km": "swath",
    "model.demand": "demand",
    "model.share_prob": "share_prob",
    "model.completion": "completion",
    "model.parties.US.completion": "US completion",
    "model.interest.nato_nato": "NATO→NATO interest",
    "model.interest.nato_other": "NATO→other interest",
    "model.interest.ruby_other": "RU-BY→other interest",
    "model.interest.other_nato": "other→NATO interest",
}
METRIC_LABEL = {
    "flights": "flights",
    "flights_over": "flights over {party}",
    "dyads": "dyads",
    "coverage_fixed": "coverage of the 2019 area",
    "coverage": "coverage {party}",
    "buildup_detect": "build-up seen {party}",
    "imagery_access": "imagery access {party} (km²)",
}


def die(msg):
    print(f"study_tables.py: {msg}", file=sys.stderr)
    sys.exit(1)


def warn(msg):
    print(f"study_tables.py: warning: {msg}", file=sys.stderr)


# ---- running ----

def run_timed(cmd):
    """Run cmd; its wall and CPU seconds (user + system of the child) and the load averages around it."""
    load_before = os.getloadavg()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    print("study_tables.py: " + " ".join(cmd), file=sys.stderr)
    rc = subprocess.call(cmd)
    wall = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if rc != 0:
        die(f"{cmd[1]} exited {rc}")
    return {"wall_s": wall, "cpu_s": (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime),
            "load_before": load_before[0], "load_after": os.getloadavg()[0]}


def run_all(osq, threads, out):
    # The tree's commit (osq --version's is the one at cmake's configure time); the files this
    # script rewrites do not count as changes.
    git = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, check=False)
    dirty = subprocess.run(["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no", "--", ".",
                            ":!README.md", ":!docs/sensitivity.md", f":!docs/img/{CHART}"],
                           capture_output=True, text=True, check=False).stdout.strip()
    commit = (git.stdout.strip() or "unknown") + (" plus uncommitted changes" if dirty else "")
    study = run_timed([osq, "sensitivity", STUDY, "--threads", str(threads), "--out", f"{out}/study", "--force", "--quiet"])
    compare = run_timed([osq, "compare"] + [f"scenarios/{c}.cfg" for c in CELLS] +
                        ["--threads", str(threads), "--out", f"{out}/compare", "--force", "--quiet"])
    timing = {"threads": threads, "commit": commit, "study": study, "compare": compare}
    with open(f"{out}/timing.json", "w") as f:
        json.dump(timing, f, indent=1)


# ---- reading ----

def read_csv(path):
    if not os.path.exists(path):
        die(f"{path} is missing (run without --reuse first)")
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def num(s):
    return float(s) if s not in ("", "nan", "NaN") else math.nan


def quantile_rank(p, n):
    """osq's rank for the p quantile of n sorted values (sim/engine/sensitivity.c quantile_rank)."""
    t = p * n
    r = round(t)
    if abs(t - r) <= 8.0 * sys.float_info.epsilon * t:
        t = r
    return min(max(math.ceil(t), 1), n)


def spread(values):
    v = sorted(x for x in values if not math.isnan(x))
    if not v:
        return math.nan, math.nan
    return v[quantile_rank(0.05, len(v)) - 1], v[quantile_rank(0.95, len(v)) - 1]


class Study:
    """A study's outputs as the tables need them."""

    def __init__(self, out):
        d = f"{out}/study"
        self.unc = {r["output"]: {k: num(v) if k != "output" else v for k, v in r.items()}
                    for r in read_csv(f"{d}/uncertainty.csv")}
        self.idx = {}
        for r in read_csv(f"{d}/sensitivity.csv"):
            self.idx.setdefault(r["output"], []).append(
                {"input": r["input"], **{k: num(r[k]) for k in ("S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi")}})
        pts = read_csv(f"{d}/points.csv")
        self.points = pts
        self.trials = int(max(u["trials"] for u in self.unc.values()))  # a point's trials (geography rows have fewer)
        self.central = pts[0]
        self.sample = [p for p in pts if p["kind"] in ("A", "B", "start", "step")]
        self.n_points = len(pts)
        self.inputs = [k for k in pts[0].keys() if k not in ("point", "row", "kind", "input") and k not in self.unc]
        self.what, self.ranges = self._read_md(f"{d}/sensitivity.md")
        geo = re.search(r"geography on about (\d+)", open(f"{d}/sensitivity.md").read())
        self.geo_trials = int(geo.group(1)) if geo else None
        timing_path = f"{out}/timing.json"
        if not os.path.exists(timing_path):
            die(f"{timing_path} is missing (run without --reuse first)")
        with open(timing_path) as f:
            self.timing = json.load(f)
        self.cmp = {}
        for r in read_csv(f"{out}/compare/compare.csv"):
            self.cmp[(r["scenario"], r["metric"], r["party"])] = {k: num(r[k]) for k in
                                                                   ("mean", "ci95_lo", "ci95_hi", "diff", "diff_ci95_lo", "diff_ci95_hi")}
        self._check()

    @staticmethod
    def _read_md(path):
        """Each output's definition ("flights ALL, us_out (2021) - baseline (2019)") and each
        input's range, from sensitivity.md."""
        what, ranges = {}, {}
        if not os.path.exists(path):
            die(f"{path} is missing (the study's output.formats must include md)")
        for line in open(path):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) >= 2 and cells[0].startswith("`") and cells[0].endswith("`"):
                name = cells[0].strip("`").replace("\\_", "_")
                text = cells[1].replace("\\_", "_")
                m = re.match(r"(\w+) (\S+), (\w+) \((\d+)\)(?: - (\w+) \((\d+)\))?$", text)
                if m and name not in what:
                    what[name] = dict(zip(("metric", "party", "scenario", "year", "minus", "minus_year"), m.groups()))
                r = (re.search(r"\\\[([-0-9.e]+), ([-0-9.e]+)\\\]", text) or
                     re.search(r"integers ([-0-9]+) to ([-0-9]+)", text))
                if r:
                    ranges[name] = (float(r.group(1)), float(r.group(2)))
        return what, ranges

    def _check(self):
        """The spread recomputed from points.csv must be uncertainty.csv's (the same sample points
        and quantile rule), or the ratios below would be taken over other points."""
        for name, u in self.unc.items():
            lo, hi = spread(num(p[name]) for p in self.sample)
            if not (same(lo, u["p05"]) and same(hi, u["p95"])):
                die(f"{name}: p05/p95 from points.csv ({lo}, {hi}) differ from uncertainty.csv ({u['p05']}, {u['p95']})")
        for key in self.inputs:
            v = num(self.central[key])
            lo, hi = self.ranges.get(key, (min(num(p[key]) for p in self.sample), max(num(p[key]) for p in self.sample)))
            if not lo <= v <= hi:
                warn(f"input {key}: the scenarios' value {v:g} lies outside the study's range [{lo:g}, {hi:g}]: "
                     f"the central point is not a point of the study's distribution; give the range a new reason "
                     f"(docs/model.md 5.1, {STUDY})")

    # what the tables show of an output
    def label(self, name):
        w = self.what.get(name)
        if not w:
            return f"`{name}`", ""
        row = METRIC_LABEL.get(w["metric"], w["metric"]).format(party=w["party"])
        if w["metric"] in ("flights", "dyads", "coverage_fixed") and w["party"] != "ALL":
            row += " " + w["party"]
        cell = w["scenario"] if not w["minus"] else f"{w['scenario']} − {w['minus']}"
        return row, cell

    def mc(self, name):
        """The 10,000-trial Monte Carlo CI of osq compare for the output's row, or None."""
        w = self.what.get(name)
        if not w:
            return None
        r = self.cmp.get((w["scenario"], w["metric"], w["party"]))
        if r is None:
            return None
        if not w["minus"]:
            return r["mean"], r["ci95_lo"], r["ci95_hi"]
        if w["minus"] != CELLS[0]:
            return None  # osq compare's differences are to the first scenario only
        return r["diff"], r["diff_ci95_lo"], r["diff_ci95_hi"]

    def ranked(self, name):
        return sorted((c for c in self.idx.get(name, []) if not math.isnan(c["ST"])), key=lambda c: -c["ST"])

    def st(self, name, key):
        for c in self.idx.get(name, []):
            if c["input"] == key:
                return c
        return None

    def resolved(self, name):
        """False when the total indices add up to more than NOT_RESOLVED. Without noise they add up
        to about 1 (more with interactions); the trials' noise between a row's points, where common
        random numbers do not cancel it, adds itself to every input's ST: with 18 inputs a sum above
        2 means more than 0.05 of noise in each index, as much as an index that means nothing
        (docs/sensitivity.md "Reading the results")."""
        st = [c["ST"] for c in self.idx.get(name, []) if not math.isnan(c["ST"])]
        return bool(st) and sum(st) <= NOT_RESOLVED

    def ratio_spread(self, num_name, den_name):
        return spread(num(p[num_name]) / num(p[den_name]) if num(p[den_name]) != 0 else math.nan for p in self.sample)



def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b or abs(a - b) <= 1e-12 * max(abs(a), abs(b))


# ---- formatting ----

def decimals(*xs):
    """Decimals for 3 significant digits of the largest of xs (0 for whole numbers of 100 or more)."""
    m = max((abs(x) for x in xs if not math.isnan(x)), default=0.0)
    if m == 0:
        return 0
    return max(0, 2 - math.floor(math.log10(m)))


def fmt(x, d):
    if math.isnan(x):
        return "n/a"
    s = f"{x:.{d}f}"
    return "0" if float(s) == 0 else s


def big(*xs):
    return max((abs(x) for x in xs if not math.isnan(x)), default=0.0) >= 1e5


def fmt_ci(m, lo, hi):
    if big(m, lo, hi):
        d = decimals(m / 1e6, lo / 1e6, hi / 1e6)
        d = max(d, 2)
        return f"{fmt(m / 1e6, d)} M [{fmt(lo / 1e6, d)} M, {fmt(hi / 1e6, d)} M]"
    d = decimals(m) if m != 0 else decimals(lo, hi)
    return f"{fmt(m, d)} [{fmt(lo, d)}, {fmt(hi, d)}]"


def fmt_range(lo, hi, unit=""):
    if big(lo, hi):
        return f"{fmt(lo / 1e6, 2)} M to {fmt(hi / 1e6, 2)} M"
    d = decimals(lo, hi)
    return f"{fmt(lo, d)}{unit} to {fmt(hi, d)}{unit}"


def pct(x):
    return f"{100 * x:.0f} %"


def fmt_st(c):
    return f"{c['ST']:.2f} [{c['ST_lo']:.2f}, {c['ST_hi']:.2f}]"


def input_label(key):
    if key in INPUT_LABEL:
        return INPUT_LABEL[key]
    m = re.match(r"treaty\.parties\.(\w+)\.passive_quota$", key)
    return f"{m.group(1)} passive quota" if m else f"`{key}`"


def minutes(s):
    m, sec = divmod(round(s), 60)
    return f"{m} min {sec} s" if m else f"{sec} s"


def commas(n):
    return f"{n:,}"


# ---- the parts ----

def drivers(s, name, limit=3):
    if not s.resolved(name):
        return "not resolved (noise: see below)"
    top = [c for c in s.ranked(name) if c["ST"] >= DRIVER_MIN][:limit]
    if not top:
        return "no input above 0.1"
    return "; ".join(f"{input_label(c['input'])} {fmt_st(c)}" for c in top)


def part_run(s):
    t = s.timing
    st, cmp = t["study"], t["compare"]
    trials = s.trials
    text = (
        f"The study (`{STUDY}`, {len(s.inputs)} inputs, each range's reason in docs/model.md §5.1) runs "
        f"{commas(s.n_points)} parameter points x {len(CELLS)} scenarios x {trials} trials, "
        f"{s.n_points * len(CELLS) * trials / 1e6:.2f} million scenario-trials: {minutes(st['wall_s'])} wall and "
        f"{st['cpu_s']:.0f} s of CPU on {t['threads']} threads of the shared 2-core development VM (load average "
        f"{st['load_before']:.1f} before, {st['load_after']:.1f} after; osq at commit {t['commit']}). It writes "
        "`uncertainty.csv`, `sensitivity.csv`, `points.csv`, `sensitivity.md`, `sensitivity.tex` and a tornado chart "
        f"per output in `out/withdrawal_uncertainty/`. {bench_point_cost()}")
    how = ("Every figure from here to the next section is written by `tools/study_tables.py`: it runs the study "
           f"as above, then `osq compare` of the four cells at their 10,000 trials for the Monte Carlo CIs "
           f"({minutes(cmp['wall_s'])} more), rewrites these paragraphs and the table (and the study's figures in "
           "docs/sensitivity.md) from their files, and copies the chart into docs/img/.")
    return wrap(text) + "\n\n" + wrap(how) + "\n"


def bench_point_cost():
    """The sentence on a point's cost, from bench/RESULTS.md's section by bench/study.sh."""
    try:
        text = open("bench/RESULTS.md").read()
    except OSError:
        return ""
    ins = re.search(r"^\| instructions \(callgrind[^|]*\| [\d,]+ \| [\d,]+ \| ([\d.]+)x \|", text, re.M)
    wall = re.search(r"^\| wall seconds \([^|]*\| [\d.]+ \| [\d.]+ \| ([\d.]+)x \|", text, re.M)
    when = re.search(r"Measured (\S+), commit (\S+?),", text)
    if not (ins and wall):
        warn("bench/RESULTS.md has no section by bench/study.sh: the point's cost is not quoted")
        return ""
    return (f"A point costs {float(ins.group(1)):.2f}x the instructions of `osq run` of the same trials and "
            f"{float(wall.group(1)):.2f}x its wall time (bench/RESULTS.md, bench/study.sh"
            + (f" at {when.group(2)}" if when else "") + "; the issue's bound is 1.15x).")


def part_table(s):
    rows = ["| row | cell | Monte Carlo 95 % CI (osq compare, 10,000 trials) | over the inputs: p05 to p95 "
            f"({len(s.sample)} points x {s.trials} trials) | what drives it: ST [95 % CI], "
            f"those above {DRIVER_MIN} |",
            "|---|---|---:|---:|---|"]
    for name, u in s.unc.items():
        row, cell = s.label(name)
        mc = s.mc(name)
        rows.append(f"| {row} | {cell} | {fmt_ci(*mc) if mc else 'n/a'} | {fmt_range(u['p05'], u['p95'])} | "
                    f"{drivers(s, name)} |")
    return "\n".join(rows) + "\n\n" + \
        "![What drives the flights the US withdrawal cost: total-effect Sobol indices with their 95 % CIs, " \
        f"first-order inside](docs/img/{CHART})\n"


def part_conclusions(s):
    out = [wrap("What a reader may conclude (p05 to p95 over the study's "
                f"{len(s.sample)} sample points unless said otherwise):"), ""]
    base = "flights_base"
    losses = [n for n in ("flights_us_out", "flights_ru_out", "flights_both_out") if n in s.unc]
    who = {"us_out": "the US leaving", "ru_out": "Russia leaving", "both_out": "both leaving"}

    def whom(n):
        return who.get(s.what[n]["scenario"], s.what[n]["scenario"]) if n in s.what else n

    # 1. the withdrawals' signs
    parts, settled = [], True
    for n in losses:
        u = s.unc[n]
        r_lo, r_hi = s.ratio_spread(n, base)
        least = max(num(p[n]) for p in s.points)
        settled &= u["p95"] < 0 and least < 0
        at = (f"at least {fmt(-least, decimals(least))} at every one of the {commas(s.n_points)} points" if least < 0
              else "a gain at some points")
        parts.append(f"{whom(n)} costs {fmt_range(-u['p95'], -u['p05'])} flights a year ({pct(-r_hi)} to "
                     f"{pct(-r_lo)} of the baseline's; {at})")
    if losses:
        lead = ("**Every withdrawal's sign and order of magnitude survive the inputs' uncertainty.**" if settled else
                "**Not every withdrawal's loss of flights survives the inputs' uncertainty.**")
        text = f"{lead} Over the inputs' ranges {'; '.join(parts)}."
        narrow = [(s.unc[n]["p95"] - s.unc[n]["p05"]) / (s.mc(n)[2] - s.mc(n)[1]) for n in losses if s.mc(n)]
        if narrow:
            text += (f" The 10,000-trial intervals are {min(narrow):.0f} to {max(narrow):.0f} times narrower than "
                     "that: quote the spread, not the Monte Carlo CI, as the answer's uncertainty.")
        out.append(bullet(text))

    # 2. coverage and the swath
    cov = [n for n in s.unc if s.what.get(n, {}).get("metric") in ("coverage", "coverage_fixed", "imagery_access")
           and s.resolved(n)]
    swath = "geo.swath_half_km"
    if cov and all(s.st(n, swath) for n in cov):
        levels = [n for n in cov if not s.what[n]["minus"]]
        diffs = [n for n in cov if s.what[n]["minus"]]
        first = all(s.ranked(n)[0]["input"] == swath for n in cov)
        others = {n: [c for c in s.ranked(n) if c["input"] != swath and c["ST"] >= DRIVER_MIN] for n in cov}
        alone = not any(others.values())

        def st_range(ns):
            v = [s.st(n, swath)["ST"] for n in ns]
            return f"{min(v):.2f} to {max(v):.2f}" if v else "n/a"
        text = ("**Coverage depends on the swath" + (", and on little else.**" if first and alone else
                                                      " first.**" if first else " among other inputs.**"))
        text += (f" The swath half-width's total index is {st_range(levels)} for every coverage and imagery level"
                 + (f" and {st_range(diffs)} for their differences" if diffs else "") + ".")
        shared = [n for n in cov if others[n]]
        if shared:
            text += " Other inputs above 0.1: " + "; ".join(
                f"{s.label(n)[0]} ({s.label(n)[1]}): " + ", ".join(f"{input_label(c['input'])} {c['ST']:.2f}"
                                                                  for c in others[n]) for n in shared) + "."
        if "coverage_fixed_base" in s.unc and "coverage_fixed_us_out" in s.unc:
            b, d = s.unc["coverage_fixed_base"], s.unc["coverage_fixed_us_out"]
            text += (f" The share of the 2019 treaty area imaged in a year lies anywhere from {pct(b['p05'])} to "
                     f"{pct(b['p95'])}, and what the US withdrawal cost of it from {100 * -d['p95']:.1f} to "
                     f"{100 * -d['p05']:.1f} points.")
            rel = [(n, s.ratio_spread(n, "coverage_fixed_base")) for n in ("coverage_fixed_us_out", "coverage_fixed_both_out")
                   if n in s.unc]
            text += " The *relative* losses move much less: " + ", ".join(
                f"{whom(n)} costs {pct(-hi)} to {pct(-lo)} of the area imaged" for n, (lo, hi) in rel) + \
                " (p05 to p95 of the ratio at each point)."
            lo, hi = rel[0][1]
            text += (f" A sentence about coverage should say \"about {pct(-(lo + hi) / 2)} less\", not "
                     f"\"{100 * -d['mean']:.0f} points less\", unless it names a swath.")
        out.append(bullet(text))

    # 3. what drives the flights' losses
    def top2(n):
        r = [c for c in s.ranked(n) if c["ST"] >= DRIVER_MIN][:2]
        return " and ".join(f"{input_label(c['input'])} (ST {c['ST']:.2f})" for c in r) or "no single input"
    if losses:
        out.append(bullet("**The flights' losses rest on how the remaining parties behave.** " +
                          "; ".join(f"{'The' if k == 0 else 'the'} loss from {whom(n)} is driven most by {top2(n)}"
                                    for k, n in enumerate(losses) if s.resolved(n)) +
                          ". No record after 2019 pins these inputs down."))

    # 4. signs not settled
    open_signs = [n for n in s.unc if s.what.get(n, {}).get("minus") and s.resolved(n)
                  and s.unc[n]["p05"] < 0 < s.unc[n]["p95"]]
    if open_signs:
        out.append(bullet(("**One sign is not settled**: " if len(open_signs) == 1 else "**Signs not settled**: ") +
                          "; ".join(f"{s.label(n)[0]}, {s.label(n)[1]}: {fmt_range(s.unc[n]['p05'], s.unc[n]['p95'])}"
                                    + (f", driven by {input_label(s.ranked(n)[0]['input'])} (ST "
                                       f"{s.ranked(n)[0]['ST']:.2f})" if s.ranked(n) else "")
                                    for n in open_signs) + ". A brief should not claim the sign of "
                          + ("this difference." if len(open_signs) == 1 else "these differences.")))
    else:
        out.append(bullet("**Every difference's sign is settled**: no difference of the study has its p05 and p95 "
                          "on opposite sides of zero."))

    # 5. what not to conclude
    noisy = [n for n in s.unc if not s.resolved(n)]
    text = "**What the reader may not conclude**: the order of inputs whose CIs overlap"
    r = s.ranked(base)[:3] if base in s.unc else []
    if len(r) >= 2 and r[1]["ST_hi"] >= r[0]["ST_lo"]:
        text += (f" ({', '.join(input_label(c['input']) for c in r)} drive the baseline's flights with ST "
                 f"{', '.join(format(c['ST'], '.2f') for c in r)}, their CIs overlapping)")
    text += f"; anything from indices below about {NEGLIGIBLE}"
    if noisy:
        ex = noisy[-1]
        u = s.unc[ex]
        geo = f" with geography" if int(u["trials"]) < s.trials else ""
        sums = ", ".join(f"{sum(c['ST'] for c in s.idx[n] if not math.isnan(c['ST'])):.1f}" for n in noisy)
        text += ("; anything about " + ", ".join(f"{s.label(n)[0]} ({s.label(n)[1]})" for n in noisy) +
                 f", whose total indices add up to {sums}: "
                 f"{'its' if len(noisy) == 1 else 'their'} points differ by the trials' noise more than by the inputs "
                 f"(for {s.label(ex)[0]}, {s.label(ex)[1]}, the central point's 95 % CI over its {int(u['trials'])} "
                 f"trials{geo}, {fmt_range(u['mc_ci95_lo'], u['mc_ci95_hi'])}, against the spread "
                 f"{fmt_range(u['p05'], u['p95'])}); run such outputs with more trials (`--trials 4000`)")
    text += (". And the study says nothing about inputs it does not vary (aircraft capacities, who is a party) or "
             "about ranges other than those of docs/model.md §5.1.")
    out.append(bullet(text))
    return "\n".join(out) + "\n"


def bullet(text):
    return wrap("- " + text, indent="  ")


def part_sizes(s):
    t = s.timing["study"]
    trials = s.trials
    n, u = "flights_us_out", s.unc.get("flights_us_out")
    text = (f"**Sample sizes.** The shipped study: N = {(len(s.sample)) // 2} base rows ({commas(s.n_points)} points for "
            f"{len(s.inputs)} inputs), {trials} trials a point"
            + (f" (geography on about {s.geo_trials})" if s.geo_trials is not None else "") + f", {len(CELLS)} scenarios: "
            f"{commas(s.n_points * len(CELLS) * trials)} scenario-trials, {minutes(t['wall_s'])} wall and {t['cpu_s']:.0f} s of "
            f"CPU on {s.timing['threads']} threads of the shared 2-core VM (load average {t['load_before']:.1f} before, "
            f"{t['load_after']:.1f} after; `tools/study_tables.py`).")
    if u:
        top = s.ranked(n)[0]
        text += (f" The trials: at {trials} a point the Monte Carlo CI of the central point (e.g. the US-out loss of "
                 f"flights, {fmt_ci(num(s.central[n]), u['mc_ci95_lo'], u['mc_ci95_hi'])}) is "
                 f"{u['mc_ci95_hi'] - u['mc_ci95_lo']:.1f} flights wide where the spread over the inputs is "
                 f"{u['p95'] - u['p05']:.1f} (p05 to p95, {fmt_range(u['p05'], u['p95'])}), so "
                 + ("most of the spread is the inputs'" if s.resolved(n) else "much of the spread is noise") +
                 f"; the bootstrap CIs of the largest indices are wide (ST of {input_label(top['input'])} on that loss "
                 f"{fmt_st(top)}) but they separate the inputs that matter from those that do not.")
    k = quantile_rank(0.05, len(s.sample))
    text += (f" With 2N = {len(s.sample)} sample points, p05 and p95 are the {ordinal(k)} smallest and the {ordinal(k)} "
             "largest value: read them to two digits, not more. Twice the base rows would double the time (about "
             f"{minutes(2 * t['wall_s'])} here).")
    return wrap(text) + "\n"


def part_reading(s):
    a, b = s.st("flights_base", "model.completion"), s.st("flights_us_out", "model.completion")
    if not (a and b):
        return "- A difference between two cells can have a smaller spread than either cell: inputs that move both\n  alike cancel in it.\n"
    return wrap("- A difference between two cells can have a smaller spread than either cell: inputs that move both "
                f"alike cancel in it (the global completion rate moves the baseline's flights, ST {a['ST']:.2f}, and "
                f"the US-out loss {'barely' if b['ST'] < NEGLIGIBLE else 'less'}, {b['ST']:.2g}).", indent="  ") + "\n"


def part_cost(s):
    sentence = bench_point_cost()
    return wrap("**A point's cost against osq run.** bench/RESULTS.md \"A study's point against osq run\" "
                "(`bench/study.sh`): the four cells over the same trials, in instructions (callgrind) and in "
                "interleaved wall time. A point does less per trial than a run (the outputs' records only: no "
                "histograms, dyad sums, verification digest) and a little more (every slot's value into a buffer, "
                "the paired differences, its own set-up). " + sentence) + "\n"


def ordinal(k):
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(k, f"{k}th")


def wrap(text, width=100, indent=""):
    words, lines, cur = text.split(" "), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = indent + w
        else:
            cur = f"{cur} {w}" if cur else w
    lines.append(cur)
    return "\n".join(lines)


# ---- rewriting ----

def replace_parts(path, parts):
    text = open(path).read()
    for name, body in parts.items():
        begin, end = f"<!-- study_tables.py: {name} -->\n", f"<!-- /study_tables.py: {name} -->"
        i, j = text.find(begin), text.find(end)
        if i < 0 or j < i:
            die(f"{path}: no part '{name}' (markers {begin.strip()} ... {end})")
        text = text[:i + len(begin)] + body + text[j:]
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--osq", default="build/osq")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default="out/study_tables")
    ap.add_argument("--reuse", action="store_true")
    a = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    osq = os.path.abspath(a.osq)
    os.chdir(root)
    if not a.reuse:
        if not os.access(osq, os.X_OK):
            die(f"no executable osq at {a.osq}")
        os.makedirs(a.out, exist_ok=True)
        run_all(osq, a.threads, a.out)
    s = Study(a.out)
    replace_parts("README.md", {"run": part_run(s), "table": part_table(s), "conclusions": part_conclusions(s)})
    replace_parts("docs/sensitivity.md", {"sizes": part_sizes(s), "reading": part_reading(s), "cost": part_cost(s)})
    shutil.copyfile(f"{a.out}/study/{CHART}", f"docs/img/{CHART}")
    print(f"study_tables.py: README.md, docs/sensitivity.md and docs/img/{CHART} rewritten from {a.out}/", file=sys.stderr)


if __name__ == "__main__":
    main()
