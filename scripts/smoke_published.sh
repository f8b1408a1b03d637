#!/usr/bin/env bash
# Publishes the CLI as a self-contained, trimmed single file (scripts/publish.sh) and runs it as a user without .NET
# would: trains a tiny network on a few hundred Fashion-MNIST images, kills a second run with SIGKILL after its first
# checkpoint and resumes it (the resumed model must equal the uninterrupted one bit for bit), evaluates the model,
# predicts two images (and with the zoo's fixtures: timm, Lightning, Keras, MatConvNet), converts the model to ONNX
# (checked by Debian's python3-onnx, and read back to predict the same), benchmarks it, with --json where there is one,
# runs a miniature of the paper's Table 6 study, Appendix B's features and transfer, and localisation (Appendix A) on a
# tiny constructed set (data, a box head from a classifier, eval, predict). Any error fails. A few minutes, most of it the publish.
# Usage: bash scripts/smoke_published.sh [DIR]   (DIR keeps the binary and the runs; a temporary folder by default)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
if (($# > 0)); then work=$1; else work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; fi
mkdir -p "$work"
fail() { echo "smoke test FAILED: $*" >&2; exit 1; }

started=$SECONDS
bash scripts/publish.sh cli "$work/bin"
cli=$work/bin/vggsharp
echo "published $cli: $(du -m "$cli" | cut -f1) MB in $((SECONDS - started)) s"

epochs=3
small=(--limit 512 --val-limit 256 --epochs "$epochs" --width 0.0625 --batch 64 --workers 1)
rm -rf "$work/straight" "$work/killed"
"$cli" train "${small[@]}" --out "$work/straight" > "$work/straight.log" 2>&1 || { cat "$work/straight.log" >&2; fail "train"; }
[[ $(wc -l < "$work/straight/metrics.jsonl") == "$epochs" ]] || fail "train wrote $(wc -l < "$work/straight/metrics.jsonl") metrics lines, not $epochs"

# The same run, killed without warning once its first epoch's checkpoint is on disk, then resumed.
"$cli" train "${small[@]}" --out "$work/killed" > "$work/killed.log" 2>&1 &
run=$!
until [[ -f $work/killed/checkpoint.safetensors ]] || ! kill -0 "$run" 2> /dev/null; do sleep 0.01; done
kill -KILL "$run" 2> /dev/null || true
wait "$run" 2> /dev/null || true
done_before=$(wc -l < "$work/killed/metrics.jsonl")
((done_before < epochs)) || fail "the second run finished before it could be killed"
"$cli" train --resume "$work/killed" > "$work/resumed.log" 2>&1 || { cat "$work/resumed.log" >&2; fail "train --resume"; }
grep -q "^Resuming" "$work/resumed.log" || fail "train --resume did not say where it resumed"
[[ $(wc -l < "$work/killed/metrics.jsonl") == "$epochs" ]] || fail "the resumed run did not complete its $epochs epochs"
cmp -s "$work/straight/model.safetensors" "$work/killed/model.safetensors" || fail "the resumed model differs from the uninterrupted one"
echo "killed after $done_before of $epochs epochs, resumed to the same model bit for bit"

model=$work/straight/model.safetensors
"$cli" eval -w "$model" --data fashion-mnist --limit 200 --json > "$work/eval.json" || fail "eval"
"$cli" predict -w "$model" tests/fixtures/images/synth/ct0_8bit_plain_*.png --json > "$work/predict.json" || fail "predict"
"$cli" convert "$model" "$work/model.onnx" > "$work/convert.log" || fail "convert"
# The files users download (tests/fixtures/zoo): timm's layout, a Lightning checkpoint, Keras's HDF5, MatConvNet's MAT-file.
for weights in timm_vgg11_bn.bin lightning_vgg16.ckpt keras_vgg16.h5 matconvnet_vgg16_compressed.mat; do
    "$cli" predict -w "tests/fixtures/zoo/$weights" --top 10 tests/fixtures/images/synth/ct0_8bit_plain_*.png > "$work/zoo.log" \
        || fail "predict with $weights"
done
grep -q "tench, Tinca tinca" "$work/zoo.log" || fail "predict did not name the MatConvNet model's classes"
# The export read back as weights: the same predictions as from the safetensors file.
"$cli" predict -w "$work/model.onnx" tests/fixtures/images/synth/ct0_8bit_plain_*.png --json > "$work/predict-onnx.json" || fail "predict from ONNX"
"$cli" bench -c A --width 0.0625 --head small --input 32 --channels 1 --classes 10 --batch 8 --warmup 1 --iterations 2 --json \
    > "$work/bench.json" || fail "bench"
# A miniature of the paper's Table 5 and 6 study (A, and D and E warm-started from it; dense, multi-crop, ensembles).
"$cli" experiment table6 --width 0.0625 --epochs 1 --limit 128 --val-limit 5 --batch 32 --seeds 1 --workers 1 --out "$work/study" \
    > "$work/study.log" 2>&1 || { cat "$work/study.log" >&2; fail "experiment"; }
[[ $(grep -c '^| D/\[256;512\]/256,384,512 + E/' "$work/study/table6.md") == 3 ]] || fail "experiment's report lacks Table 6's three rows"
# Appendix B: descriptors for NumPy, and liblinear's SVMs (P/Invoke from the trimmed file) with --json and the HTML report.
"$cli" features -w "$model" --data fashion-mnist --set val --class-subset 5-9 --scales 32 --out "$work/features" > "$work/features.log" || fail "features"
"$cli" transfer -w "$model" --train fashion-mnist --class-subset 5-9 --per-class 5 --splits 2 --scales 32 --json --report "$work/transfer.html" \
    > "$work/transfer.json" || fail "transfer"
# Localisation (Appendix A): a tiny constructed set of PNG + VOC XML, a box head from the classifier, eval and predict.
rm -rf "$work/boxes" "$work/box-classifier" "$work/box-pcr" "$work/drawn"
"$cli" localisation-data --out "$work/boxes" --canvas 32 --min-size 12 --max-size 24 --train-per-class 3 --val-per-class 1 > /dev/null || fail "localisation-data"
tiny=(--data "$work/boxes" --epochs 1 --width 0.0625 --batch 16 --workers 1 --scale-min 32 --scale-max 36)
"$cli" train "${tiny[@]}" --out "$work/box-classifier" > "$work/box-classifier.log" 2>&1 || { cat "$work/box-classifier.log" >&2; fail "train (classifier of the boxes' set)"; }
"$cli" train "${tiny[@]}" --task localisation --regression pcr --init-from "$work/box-classifier/model.safetensors" --out "$work/box-pcr" \
    > "$work/box-pcr.log" 2>&1 || { cat "$work/box-pcr.log" >&2; fail "train --task localisation"; }
"$cli" eval --task localisation -w "$work/box-pcr/model.safetensors" --classifier "$work/box-classifier/model.safetensors" --protocol dense \
    --data "$work/boxes" --json > "$work/localisation.json" || fail "eval --task localisation"
"$cli" predict --task localisation -w "$work/box-pcr/model.safetensors" --classifier "$work/box-classifier/model.safetensors" --draw "$work/drawn" \
    --json "$(find "$work/boxes/val" -name '*.png' | sort | head -n 1)" > "$work/boxes.json" || fail "predict --task localisation"
[[ -n $(find "$work/drawn" -name '*.boxes.png') ]] || fail "predict --draw wrote no image"

/usr/bin/python3 - "$work" << 'PYTHON' || fail "an output did not check"
import json, sys
import numpy
import onnx
work = sys.argv[1]
outputs = {}
for name in ("eval", "predict", "predict-onnx", "bench", "transfer", "localisation", "boxes"):
    with open(f"{work}/{name}.json") as f:
        outputs[name] = json.load(f)
assert outputs["predict"]["predictions"] == outputs["predict-onnx"]["predictions"], "predictions from the ONNX export differ"
onnx.checker.check_model(onnx.load(f"{work}/model.onnx"))
features, labels = numpy.load(f"{work}/features/features.npy"), numpy.load(f"{work}/features/labels.npy")
assert features.shape[0] == labels.shape[0] == 5000 and labels.dtype == numpy.int64, (features.shape, labels.shape, labels.dtype)
assert numpy.allclose(numpy.linalg.norm(features, axis=1), 1, atol=1e-5)
PYTHON
echo "smoke test of the published CLI passed in $((SECONDS - started)) s"
