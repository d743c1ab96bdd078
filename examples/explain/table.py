#!/usr/bin/env python3
"""The README's explain table from examples/explain/run.sh's output (python3, standard library only).

Usage: examples/explain/table.py OUT_DIR [SEED...]
Prints, per seed, each model's accuracy and mean confidence on the explained images, then one markdown table:
per CAM method and loss, the mean (± sample standard deviation over the seeds given) of every metric that
explain.json's summary holds.
"""
import json
import statistics
import sys
from pathlib import Path

METRICS = [
    ("deletion_auc", "deletion AUC ↓", "{:.3f}"),
    ("insertion_auc", "insertion AUC ↑", "{:.3f}"),
    ("average_drop", "avg drop % ↓", "{:.2f}"),
    ("increase_in_confidence", "increase % ↑", "{:.1f}"),
    ("pointing", "pointing ↑", "{:.3f}"),
    ("energy", "energy ↑", "{:.3f}"),
    ("iou", "IoU ↑", "{:.3f}"),
]
LOSSES = ["cross-entropy", "cam-loss"]


def main():
    out = Path(sys.argv[1])
    seeds = sys.argv[2:] or [p.name.rsplit("-seed", 1)[1] for p in sorted(out.glob("explain-cam-loss-seed*"))]
    data = {}
    for seed in seeds:
        for loss in LOSSES:
            j = json.loads((out / f"explain-{loss}-seed{seed}" / "explain.json").read_text())
            images = j["images"]
            acc = sum(i["predicted"] == i["label"] for i in images) / len(images)
            conf = sum(i["confidence"] for i in images) / len(images)
            print(f"seed {seed} {loss}: accuracy {acc:.3f}, mean confidence {conf:.3f} on {len(images)} images")
            data[(seed, loss)] = j["summary"]
    methods = list(data[(seeds[0], LOSSES[0])].keys())
    print()
    print("| method | loss | " + " | ".join(m[1] for m in METRICS) + " |")
    print("|---|---|" + "---|" * len(METRICS))
    for method in methods:
        for loss in LOSSES:
            cells = []
            for key, _, fmt in METRICS:
                values = [data[(s, loss)][method][key] for s in seeds if key in data[(s, loss)][method]]
                if not values:
                    cells.append("–")
                elif len(values) == 1:
                    cells.append(fmt.format(values[0]))
                else:
                    cells.append(fmt.format(statistics.mean(values)) + " ± " + fmt.format(statistics.stdev(values)))
            print(f"| {method} | {loss} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
