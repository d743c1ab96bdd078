#!/usr/bin/env python3
"""Aggregates the runs of examples/transfer/run.sh into a Markdown table (mean +- sample std over seeds).

Usage: python3 examples/transfer/table.py OUT_DIR   (prints the table; writes OUT_DIR/results.csv)
Standard library only.
"""
import csv
import glob
import json
import os
import re
import statistics
import sys

LOSSES = ["cross-entropy", "cam-loss"]


def final(run_dir):
    with open(os.path.join(run_dir, "run.json")) as f:
        return json.load(f)["provenance"]["final_metrics"]


def main(out):
    rows = []  # (experiment, metric, loss, seed, value)
    pattern = re.compile(r"(.+)-(cross-entropy|cam-loss)-s(\d+)$")
    for d in sorted(glob.glob(os.path.join(out, "*-s*"))):
        m = pattern.match(os.path.basename(d))
        if not m or not os.path.isfile(os.path.join(d, "model.zip")):
            continue
        kind, loss, seed = m.group(1), m.group(2), int(m.group(3))
        metrics = final(d)
        rows.append((kind, "test accuracy", loss, seed, metrics["test_accuracy"]))
        if metrics.get("test_caam_pointing") is not None:
            rows.append((kind, "CAAM pointing", loss, seed, metrics["test_caam_pointing"]))
    for f in sorted(glob.glob(os.path.join(out, "fewshot-*-s*.json"))):
        m = re.match(r"fewshot-(cross-entropy|cam-loss)-s(\d+)\.json$", os.path.basename(f))
        if not m:
            continue
        with open(f) as fh:
            data = json.load(fh)
        for r in data["results"]:
            kind = "few-shot %d-way %d-shot (%s)" % (r["ways"], r["shots"], r["classifier"])
            rows.append((kind, "episode accuracy", m.group(1), int(m.group(2)), r["mean_accuracy"]))
    with open(os.path.join(out, "results.csv"), "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["experiment", "metric", "source_loss", "seed", "value"])
        w.writerows(rows)

    def cell(values):
        if not values:
            return "—"
        if len(values) == 1:
            return "%.2f %% (1 seed)" % (100 * values[0])
        return "%.2f ± %.2f %%" % (100 * statistics.mean(values), 100 * statistics.stdev(values))

    keys = []
    for kind, metric, _, _, _ in rows:
        if (kind, metric) not in keys:
            keys.append((kind, metric))
    # sources first, then the Fashion-MNIST 0-4 -> 5-9 experiments, then the shapes <-> Fashion-MNIST ones
    order = ["fmnist-source", "few-shot", "fmnist-linear-probe", "fmnist-finetune", "shapes-source",
             "fmnist-from-shapes", "shapes-from-fmnist"]
    keys.sort(key=lambda k: next((i for i, p in enumerate(order) if k[0].startswith(p)), len(order)))
    print("| experiment | metric | source: cross-entropy | source: CAM-loss | seeds |")
    print("|---|---|---|---|---|")
    for kind, metric in keys:
        by_loss = {
            loss: [v for k, mt, l, _, v in rows if k == kind and mt == metric and l == loss] for loss in LOSSES
        }
        seeds = sorted({s for k, mt, _, s, _ in rows if k == kind and mt == metric})
        print("| %s | %s | %s | %s | %s |" % (
            kind, metric, cell(by_loss["cross-entropy"]), cell(by_loss["cam-loss"]),
            ", ".join(str(s) for s in seeds)))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: table.py OUT_DIR")
    main(sys.argv[1])
