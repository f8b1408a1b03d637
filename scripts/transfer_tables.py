#!/usr/bin/python3
"""Turns scripts/transfer_bench.sh's results.jsonl into the transfer tables: writes them as a Markdown page and, when
a README is named, puts them between its "<!-- transfer:begin -->" and "<!-- transfer:end -->" lines.

    /usr/bin/python3 scripts/transfer_tables.py RESULTS.jsonl MACHINE RECIPE PAGE.md [README.md]

RECIPE says how the from-scratch and fine-tuned runs trained (the script's settings).

Fashion-MNIST's test set has 1000 images per class, so a from-scratch or fine-tuned model's accuracy (1 - top-1
error, from vggsharp eval) is its mean class recall, the measure the SVMs are scored by.
"""
import json
import statistics
import sys
from collections import defaultdict


def cell(values):
    if not values:
        return "n/a"
    mean = statistics.mean(values) * 100
    spread = statistics.stdev(values) * 100 if len(values) > 1 else 0.0
    return f"{mean:.1f} ± {spread:.1f}"


def main():
    if len(sys.argv) not in (5, 6):
        raise SystemExit(__doc__)
    results_path, machine, recipe, page = sys.argv[1:5]
    readme = sys.argv[5] if len(sys.argv) == 6 else None
    svm = {}
    trained = defaultdict(list)
    with open(results_path) as f:
        for line in f:
            record = json.loads(line)
            key = (record["data"], record["n"])
            if record["kind"] == "svm":
                splits = [s["mean_class_recall"] for s in record["result"]["splits"]]
                svm[key] = (splits, record["result"]["map_eleven_point"], record["result"]["feature_dimension"])
            else:
                trained[(record["kind"],) + key].append(1 - record["result"]["top1_error"])
    sizes = sorted({n for _, n in svm})
    lines = ["Fashion-MNIST classes 5-9 learnt from N images per class, with the network trained on classes 0-4 "
             "(mean class recall in %, mean ± standard deviation over the random splits):", "",
             "| N per class | linear SVMs on its descriptors | trained from scratch | fine-tuned from it |",
             "| ---: | ---: | ---: | ---: |"]
    for n in sizes:
        if ("fashion-5-9", n) in svm:
            lines.append(f"| {n} | {cell(svm[('fashion-5-9', n)][0])} | {cell(trained[('scratch', 'fashion-5-9', n)])} "
                         f"| {cell(trained[('finetune', 'fashion-5-9', n)])} |")
    lines += ["", "scikit-learn's 8x8 handwritten digits (another domain), linear SVMs on the same network's descriptors:", "",
              "| N per class | mean class recall (%) | mAP, VOC-2007 11-point (%) |", "| ---: | ---: | ---: |"]
    for n in sizes:
        if ("digits", n) in svm:
            splits, map11, _ = svm[("digits", n)]
            lines.append(f"| {n} | {cell(splits)} | {map11 * 100:.1f} |")
    dims = sorted({d for _, _, d in svm.values()})
    lines += ["", f"Descriptors: fc7 of the dense network at its three test scales, stacked ({', '.join(map(str, dims))} values), "
              "with flips, L2-normalised; C by 5-fold cross-validation on the training images. Trained from scratch, and "
              f"fine-tuned (all layers, learning rate 0.002): {recipe}, scored on all 5000 test images of classes 5-9 "
              "with the centre crop. "
              f"Produced by `bash scripts/transfer_bench.sh` on {machine}."]
    table = "\n".join(lines) + "\n"
    with open(page, "w") as f:
        f.write("# Transfer experiments (the paper's Appendix B)\n\n" + table)
    if readme:
        with open(readme) as f:
            text = f.read()
        begin, end = "<!-- transfer:begin -->\n", "<!-- transfer:end -->"
        if begin not in text or end not in text:
            raise SystemExit(f"{readme} has no transfer markers")
        head, rest = text.split(begin, 1)
        tail = rest.split(end, 1)[1]
        with open(readme, "w") as f:
            f.write(head + begin + table + end + tail)
    print(f"wrote {page}" + (f" and the transfer table of {readme}" if readme else ""))


if __name__ == "__main__":
    main()
