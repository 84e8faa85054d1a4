#!/usr/bin/env python3
"""tools/same_numbers.py: golden.sh --compare's companion for a change of how numbers are printed.

Two trees of result files (tools/golden.sh OSQ DIR, before and after) are compared field by field:
every CSV field and every JSON value that is a number must be the same double, bit for bit (NaN
with NaN), and everything else the same text. The run environment of run.json and compare.json
(wall_seconds, setup_seconds, created, threads, ranks) is skipped, as golden.sh does. Files that
are neither CSV nor JSON (Markdown, LaTeX, pictures) are listed as byte-identical or not.

    tools/same_numbers.py [--skip KEY]... DIR_BEFORE DIR_AFTER

--skip KEY leaves out a JSON key as well (e.g. scenario_hash, when a scenario file's comments
changed between the two trees). Exit status 0 when every CSV and JSON file holds the same doubles and text, 1 otherwise.
"""
import csv
import json
import math
import os
import struct
import sys

SKIP_KEYS = {"wall_seconds", "setup_seconds", "created", "threads", "ranks"}


def bits(x):
    return struct.pack("<d", x)


def same_number(a, b):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return bits(a) == bits(b)


def as_float(s):
    try:
        return float(s)
    except ValueError:
        return None


def compare_csv(pa, pb, stats):
    with open(pa, newline="") as fa, open(pb, newline="") as fb:
        ra, rb = list(csv.reader(fa)), list(csv.reader(fb))
    if len(ra) != len(rb):
        return [f"{len(ra)} rows against {len(rb)}"]
    bad = []
    for i, (x, y) in enumerate(zip(ra, rb)):
        if len(x) != len(y):
            bad.append(f"row {i}: {len(x)} fields against {len(y)}")
            continue
        for j, (u, v) in enumerate(zip(x, y)):
            fu, fv = as_float(u), as_float(v)
            if fu is not None and fv is not None:
                stats["numbers"] += 1
                if u != v:
                    stats["shorter"] += 1
                    stats["chars_before"] += len(u)
                    stats["chars_after"] += len(v)
                if not same_number(fu, fv):
                    bad.append(f"row {i} field {j}: {u} against {v}")
            else:
                stats["text"] += 1
                if u != v:
                    bad.append(f"row {i} field {j}: '{u}' against '{v}'")
    return bad


def compare_json(a, b, path, stats, bad):
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) - SKIP_KEYS != set(b) - SKIP_KEYS:
            bad.append(f"{path}: keys differ")
            return
        for k in a:
            if k not in SKIP_KEYS:
                compare_json(a[k], b[k], f"{path}.{k}", stats, bad)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            bad.append(f"{path}: {len(a)} items against {len(b)}")
            return
        for i, (x, y) in enumerate(zip(a, b)):
            compare_json(x, y, f"{path}[{i}]", stats, bad)
    elif isinstance(a, bool) or isinstance(b, bool) or a is None or b is None or isinstance(a, str):
        stats["text"] += 1
        if a != b or type(a) is not type(b):
            bad.append(f"{path}: {a!r} against {b!r}")
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)):
        stats["numbers"] += 1
        if type(a) is not type(b):
            bad.append(f"{path}: {type(a).__name__} {a!r} against {type(b).__name__} {b!r}")
        elif not same_number(float(a), float(b)):
            bad.append(f"{path}: {a!r} against {b!r}")
    else:
        bad.append(f"{path}: {a!r} against {b!r}")


def main():
    args = sys.argv[1:]
    while len(args) >= 2 and args[0] == "--skip":
        SKIP_KEYS.add(args[1])
        args = args[2:]
    if len(args) != 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print("usage: tools/same_numbers.py [--skip KEY]... DIR_BEFORE DIR_AFTER", file=sys.stderr)
        return 2
    da, db = args
    stats = {"numbers": 0, "text": 0, "shorter": 0, "chars_before": 0, "chars_after": 0}
    failed, counted, other_same, other_diff = 0, 0, [], []
    for root, _, files in os.walk(da):
        for name in sorted(files):
            pa = os.path.join(root, name)
            rel = os.path.relpath(pa, da)
            pb = os.path.join(db, rel)
            if name.endswith(".stable") or name.endswith(".log"):
                continue
            if not os.path.exists(pb):
                print(f"only in {da}: {rel}")
                failed += 1
                continue
            if name.endswith(".csv"):
                bad = compare_csv(pa, pb, stats)
            elif name.endswith(".json"):
                bad = []
                with open(pa) as fa, open(pb) as fb:
                    compare_json(json.load(fa), json.load(fb), rel, stats, bad)
            else:
                with open(pa, "rb") as fa, open(pb, "rb") as fb:
                    (other_same if fa.read() == fb.read() else other_diff).append(rel)
                continue
            counted += 1
            if bad:
                failed += 1
                print(f"DIFFERS {rel}: " + "; ".join(bad[:5]) + (f" (and {len(bad) - 5} more)" if len(bad) > 5 else ""))
    print(f"{counted} CSV and JSON files: {stats['numbers']} numbers, each the same double; "
          f"{stats['text']} other fields, each the same text" if failed == 0 else f"{failed} files differ")
    if stats["shorter"]:
        print(f"{stats['shorter']} numbers written differently: {stats['chars_before']} characters before, "
              f"{stats['chars_after']} after")
    print(f"other files: {len(other_same)} byte-identical, {len(other_diff)} differ"
          + (": " + ", ".join(sorted(set(os.path.basename(f) for f in other_diff))) if other_diff else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
