#!/usr/bin/env python3
"""bench/micro: the table of recoup_micro_ir's callgrind dumps.

usage: instructions.py RUNS DUMP... (the cg.out.N files of one callgrind run of recoup_micro_ir
with RUNS runs per figure). Prints instructions per run of each figure and the ratios of static
and plugin to the floor (floor_hmac + floor_parse)."""
import re
import sys


def main():
    runs = int(sys.argv[1])
    rows = {}
    for path in sorted(sys.argv[2:], key=lambda p: int(p.rsplit('.', 1)[1]) if p.rsplit('.', 1)[1].isdigit() else 0):
        text = open(path, encoding='utf-8', errors='replace').read()
        label = re.search(r'Client Request: (\S+)', text)
        total = re.search(r'^(?:summary|totals): (\d+)', text, re.M)
        if not label or not total:
            continue
        key, figure = label.group(1).rsplit('/', 1)
        rows.setdefault(key, {})[figure] = int(total.group(1)) / runs
    print(f"{'delivery':58} {'hmac':>8} {'parse':>8} {'static':>8} {'plugin':>8} {'st/fl':>6} {'pl/fl':>6}")
    for key, r in rows.items():
        floor = r['floor_hmac'] + r['floor_parse']
        plugin = r.get('plugin')
        print(f"{key:58} {r['floor_hmac']:8.0f} {r['floor_parse']:8.0f} {r['static']:8.0f} "
              f"{plugin or 0:8.0f} {r['static'] / floor:6.2f} {(plugin or 0) / floor:6.2f}")


if __name__ == '__main__':
    main()
