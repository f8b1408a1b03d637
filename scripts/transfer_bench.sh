#!/usr/bin/env bash
# The transfer experiments of the paper's Appendix B on data this machine has, written as RUNS_DIR/TRANSFER.md and
# the README's transfer tables:
#   1. Split by classes, as Yosinski et al. (2014) split ImageNet: the main job's recipe trained on Fashion-MNIST's
#      classes 0-4 only, then classes 5-9 learnt from N = 5, 10, 30, 100 images per class over 5 random splits
#      (vggsharp transfer --per-class N --splits 5: linear SVMs on its fc7 descriptors), against the same network
#      trained from scratch on the same images (train --per-class N --split k) and fine-tuned from the classes-0-4
#      model on them (train --init-from, a tenth of the learning rate).
#   2. Another domain: scikit-learn's 8x8 handwritten digits (Debian's python3-sklearn; scripts/digits_to_folder.py
#      writes them as an image folder), the same N and splits, SVMs on the classes-0-4 model's descriptors.
# The from-scratch and fine-tuned runs (30 epochs, batches of 16) pick their learning-rate steps on 500 of the test
# images (train validates on the test set, as the main job does); the SVMs choose C by cross-validation on their
# training images alone.
# Usage: bash scripts/transfer_bench.sh [RUNS_DIR]       (about an hour on 2 cores; a finished step is not redone)
#   VGGSHARP=path/to/vggsharp   a published CLI instead of building one here (scripts/setup.sh is then not run: the
#                               caller provides liblinear.so.4 and the data, as on the GPU machine)
#   DEVICE=cuda                 train and describe on a GPU (--device)
#   FASHION_MNIST=fashion-mnist:DIR   Fashion-MNIST's IDX files elsewhere than Debian's folder
#   PYTHON=python3              a Python with Pillow (digits) and the standard library (tables) [/usr/bin/python3]
#   TRANSFER_SCALE=small        a check of the script in minutes: N = 5, 10, 2 splits, short runs; writes only
#                               RUNS_DIR/TRANSFER.md, never the README
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs="${1:-runs/transfer}"
scale="${TRANSFER_SCALE:-full}"
device=(--device "${DEVICE:-cpu}")
fashion="${FASHION_MNIST:-fashion-mnist}"
python="${PYTHON:-/usr/bin/python3}"
mkdir -p "$runs/json"
if [[ -n ${VGGSHARP:-} ]]; then
    vgg() { "$VGGSHARP" "$@"; }
else
    SETUP_EXTRA_PACKAGES="python3-sklearn python3-pil" source scripts/setup.sh
    dotnet build src/VggSharp.Cli -c Release -nologo -v quiet
    vgg() { dotnet src/VggSharp.Cli/bin/Release/net10.0/vggsharp.dll "$@"; }
fi

case "$scale" in
    full)
        sizes=(5 10 30 100) splits=5
        base=()                                                        # the main job's recipe
        few=(--epochs 30 --batch 16 --val-limit 500)
        recipe="the main job's recipe for 30 epochs of batches of 16, its learning-rate steps chosen on 500 test images"
        ;;
    small)
        sizes=(5 10) splits=2
        base=(--per-class 300 --epochs 2 --val-limit 500)
        few=(--epochs 3 --batch 16 --val-limit 200)
        recipe="3 epochs of batches of 16, learning-rate steps chosen on 200 test images"
        ;;
    *) echo "TRANSFER_SCALE must be full or small, got $scale" >&2; exit 2 ;;
esac
# measure NAME COMMAND...: runs a command that prints one JSON object into json/NAME.json, unless it ran before.
measure() {
    local name="$1"; shift
    [[ -f "$runs/json/$name.json" ]] && return
    "$@" > "$runs/json/$name.json.partial"
    mv "$runs/json/$name.json.partial" "$runs/json/$name.json"
}

# Trains unless the run already finished (so an interrupted script picks up where it stopped).
train() {
    local name="$1"; shift
    if [[ ! -f "$runs/$name/model.safetensors" ]]; then
        rm -rf "$runs/$name"
        vgg train "${device[@]}" --data "$fashion" --out "$runs/$name" "$@" | tail -n 1
    fi
}

train base --class-subset 0-4 "${base[@]}"
model="$runs/base/model.safetensors"

for n in "${sizes[@]}"; do
    measure "svm-fashion-5-9-n$n" vgg transfer "${device[@]}" -w "$model" --train "$fashion" --class-subset 5-9 --per-class "$n" --splits "$splits" \
        --aggregate stack --json --report "$runs/fashion-5-9-n$n.html"
    for ((k = 0; k < splits; k++)); do
        subset=(--class-subset 5-9 --per-class "$n" --split "$k" "${few[@]}")
        train "scratch-n$n-s$k" "${subset[@]}"
        train "finetune-n$n-s$k" "${subset[@]}" --init-from "$model" --lr 0.002
        for kind in scratch finetune; do
            measure "$kind-fashion-5-9-n$n-s$k" vgg eval "${device[@]}" -w "$runs/$kind-n$n-s$k/model.safetensors" --data "$fashion" --class-subset 5-9 --json
        done
    done
done

digits="$runs/digits"
[[ -d $digits/train ]] || "$python" scripts/digits_to_folder.py "$digits"
for n in "${sizes[@]}"; do
    measure "svm-digits-n$n" vgg transfer "${device[@]}" -w "$model" --train "$digits" --per-class "$n" --splits "$splits" --aggregate stack --json \
        --report "$runs/digits-n$n.html"
done

# One line per measurement, in the order above: {"kind", "data", "n", "split", "result"}.
results="$runs/results.jsonl"
: > "$results"
for n in "${sizes[@]}"; do
    echo "{\"kind\":\"svm\",\"data\":\"fashion-5-9\",\"n\":$n,\"split\":-1,\"result\":$(tr -d '\n' < "$runs/json/svm-fashion-5-9-n$n.json")}" >> "$results"
    for ((k = 0; k < splits; k++)); do
        for kind in scratch finetune; do
            echo "{\"kind\":\"$kind\",\"data\":\"fashion-5-9\",\"n\":$n,\"split\":$k,\"result\":$(tr -d '\n' < "$runs/json/$kind-fashion-5-9-n$n-s$k.json")}" >> "$results"
        done
    done
done
for n in "${sizes[@]}"; do
    echo "{\"kind\":\"svm\",\"data\":\"digits\",\"n\":$n,\"split\":-1,\"result\":$(tr -d '\n' < "$runs/json/svm-digits-n$n.json")}" >> "$results"
done

machine="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores${DEVICE:+, --device $DEVICE}"
if [[ $scale == full ]]; then
    "$python" scripts/transfer_tables.py "$results" "$machine" "$recipe" "$runs/TRANSFER.md" README.md
else
    "$python" scripts/transfer_tables.py "$results" "$machine (TRANSFER_SCALE=small)" "$recipe" "$runs/TRANSFER.md"
fi
