#!/usr/bin/python3
"""Writes scikit-learn's handwritten digits (1,797 8x8 grey images, 10 classes; Debian's python3-sklearn ships them as
sklearn/datasets/data/digits.csv.gz; a pip-installed scikit-learn has the same file) as a VggSharp image folder: OUT/train/<digit>/NNNN.png and OUT/val/<digit>/NNNN.png.

Each class's images are split in file order: the first TRAIN_SHARE of them go to train/ (the pool the Caltech protocol
draws N per class from), the rest to val/ (the test images). Pixel values 0..16 are scaled to 0..255.

    /usr/bin/python3 scripts/digits_to_folder.py OUT [--csv PATH]
"""
import argparse
import csv
import gzip
import importlib.util
import os

from PIL import Image

DEBIAN_CSV = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"


def default_csv():
    """The digits file of the scikit-learn this Python would import (found without importing it), else Debian's."""
    spec = importlib.util.find_spec("sklearn")
    if spec is not None and spec.submodule_search_locations:
        path = os.path.join(list(spec.submodule_search_locations)[0], "datasets", "data", "digits.csv.gz")
        if os.path.exists(path):
            return path
    return DEBIAN_CSV
TRAIN_SHARE = 0.6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--csv", default=None, help="the digits file [default: scikit-learn's]")
    args = parser.parse_args()
    args.csv = args.csv or default_csv()
    if not os.path.exists(args.csv):
        raise SystemExit(f"error: {args.csv} does not exist; install Debian's python3-sklearn or give --csv")
    with gzip.open(args.csv, "rt") as f:
        rows = [[int(float(v)) for v in row] for row in csv.reader(f) if row]
    by_class = {}
    for index, row in enumerate(rows):
        if len(row) != 65 or not 0 <= row[64] <= 9 or any(not 0 <= v <= 16 for v in row[:64]):
            raise SystemExit(f"error: {args.csv} row {index + 1} is not 64 pixels in 0..16 and a digit")
        by_class.setdefault(row[64], []).append((index, row[:64]))
    counts = {"train": 0, "val": 0}
    for digit, images in sorted(by_class.items()):
        cut = round(len(images) * TRAIN_SHARE)
        for position, (index, pixels) in enumerate(images):
            part = "train" if position < cut else "val"
            folder = os.path.join(args.out, part, str(digit))
            os.makedirs(folder, exist_ok=True)
            image = Image.new("L", (8, 8))
            image.putdata([round(v * 255 / 16) for v in pixels])
            image.save(os.path.join(folder, f"{index:04d}.png"))
            counts[part] += 1
    print(f"Wrote {counts['train']} training and {counts['val']} validation images of {len(by_class)} classes to {args.out}")


if __name__ == "__main__":
    main()
