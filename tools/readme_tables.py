#!/usr/bin/env python3
"""tools/readme_tables.py: the result tables of README.md, regenerated from runs of the shipped
scenarios with the shipped defaults (scenarios/fitted.cfg included).

    tools/readme_tables.py [--osq BUILD/osq] [--threads T] [--reuse]

runs, from the repository's root (each at the scenarios' own trials and seed),

    osq compare scenarios/{baseline,us_out,ru_out,both_out}.cfg --key --out out/compare --force
    osq compare scenarios/{both_out,us_returns,ru_returns,both_return}.cfg --key --out out/returns --force
    osq run scenarios/timeline.cfg --force --quiet
    osq run scenarios/timeline_return.cfg --force --quiet
    osq validate scenarios/timeline.cfg --out out/validation --force --quiet

and rewrites every part of README.md between "<!-- readme_tables.py: PART -->" and
"<!-- /readme_tables.py: PART -->" (PART: compare, returns, timeline, timeline_return,
validation), then copies the charts the README shows into docs/img/. The prose around the tables
quotes their figures and is written by hand: rerun this after any change to the model or its
defaults, then read the prose against the new tables. --reuse rewrites from the outputs already
there (and out/readme_tables/*.txt, the comparisons' printed tables) without running anything.
Exit 0, or 1 with a message (a run failed, a file or marker is missing).
"""
import argparse
import csv
import os
import re
import shutil
import subprocess
import sys

README = "README.md"
STASH = "out/readme_tables"


def fail(msg):
    print("readme_tables.py: " + msg, file=sys.stderr)
    sys.exit(1)


def run(cmd):
    print("readme_tables.py: " + " ".join(cmd), file=sys.stderr)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    if p.returncode != 0:
        fail("%s exited %d" % (" ".join(cmd), p.returncode))
    return p.stdout


def printed_table(text):
    """The markdown table osq compare prints (its header line to its last row)."""
    lines = [l for l in text.splitlines() if l.startswith("|")]
    if len(lines) < 3:
        fail("no table in osq compare's output")
    return "\n".join(lines)


def summary(path):
    rows = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            rows[(int(r["year"]), r["metric"], r["party"])] = float(r["mean"])
    return rows


def year_table(rows, years):
    out = ["| year | flights | over RUBY | over US | coverage, parties in force | coverage, RUBY | coverage, 2019 treaty area |",
           "|---:|---:|---:|---:|---:|---:|---:|"]

    def cell(y, metric, party, fmt):
        v = rows.get((y, metric, party))
        return "–" if v is None else fmt % v

    for y in years:
        out.append("| %d | %s | %s | %s | %s | %s | %s |" % (
            y, cell(y, "flights", "ALL", "%.1f"), cell(y, "flights_over", "RUBY", "%.1f"),
            cell(y, "flights_over", "US", "%.1f"), cell(y, "coverage", "ALL", "%.3f"),
            cell(y, "coverage", "RUBY", "%.3f"), cell(y, "coverage_fixed", "ALL", "%.3f")))
    return "\n".join(out)


def validation_table(md_path):
    """validation.md's table, as osq validate writes it."""
    with open(md_path) as f:
        lines = [l.rstrip("\n") for l in f if l.startswith("|")]
    if len(lines) < 3:
        fail("no table in " + md_path)
    return "\n".join(lines)


def replace_part(text, part, body):
    start, end = "<!-- readme_tables.py: %s -->" % part, "<!-- /readme_tables.py: %s -->" % part
    pat = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if not pat.search(text):
        fail("README.md has no part '%s' (markers %s ... %s)" % (part, start, end))
    return pat.sub(lambda _: start + "\n" + body + "\n" + end, text, count=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--osq", default="build/osq")
    ap.add_argument("--threads", type=int, default=0, help="OpenMP threads (default: osq's)")
    ap.add_argument("--reuse", action="store_true")
    a = ap.parse_args()
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    osq = os.path.abspath(a.osq)
    thr = ["--threads", str(a.threads)] if a.threads else []
    os.makedirs(STASH, exist_ok=True)
    tables = {}
    for part, cells, out in (("compare", ["baseline", "us_out", "ru_out", "both_out"], "out/compare"),
                             ("returns", ["both_out", "us_returns", "ru_returns", "both_return"], "out/returns")):
        stash = os.path.join(STASH, part + ".txt")
        if not a.reuse:
            text = run([osq, "compare"] + ["scenarios/%s.cfg" % c for c in cells] + ["--key", "--out", out, "--force"] + thr)
            with open(stash, "w") as f:
                f.write(text)
        elif not os.path.exists(stash):
            fail("--reuse: no " + stash)
        with open(stash) as f:
            tables[part] = printed_table(f.read())
    if not a.reuse:
        run([osq, "run", "scenarios/timeline.cfg", "--force", "--quiet"] + thr)
        run([osq, "run", "scenarios/timeline_return.cfg", "--force", "--quiet"] + thr)
        run([osq, "validate", "scenarios/timeline.cfg", "--out", "out/validation", "--force", "--quiet"] + thr)
    tl = summary("out/timeline/summary.csv")
    tables["timeline"] = year_table(tl, range(2002, 2026))
    tr = summary("out/timeline_return/summary.csv")
    tables["timeline_return"] = year_table(tr, [2019, 2025, 2026, 2027, 2028, 2029, 2030])
    tables["validation"] = validation_table("out/validation/validation.md")
    with open(README) as f:
        text = f.read()
    for part, body in tables.items():
        text = replace_part(text, part, body)
    with open(README + ".tmp", "w") as f:
        f.write(text)
    os.replace(README + ".tmp", README)
    for src, dst in (("out/timeline/timeline_flights.png", "docs/img/timeline_flights.png"),
                     ("out/timeline/timeline_coverage.png", "docs/img/timeline_coverage.png"),
                     ("out/timeline_return/timeline_flights.png", "docs/img/timeline_return_flights.png"),
                     ("out/validation/validation.png", "docs/img/validation.png")):
        if not os.path.exists(src):
            fail("no " + src)
        shutil.copyfile(src, dst)
    print("readme_tables.py: README.md parts %s rewritten; charts copied to docs/img/" % ", ".join(tables),
          file=sys.stderr)


if __name__ == "__main__":
    main()
