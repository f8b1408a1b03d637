#!/usr/bin/env bash
# Publishes the CLI as a self-contained, trimmed single file (scripts/publish.sh) and runs it as a user without .NET
# would: trains a tiny network on a few hundred Fashion-MNIST images, kills a second run with SIGKILL after its first
# checkpoint and resumes it (the resumed model must equal the uninterrupted one bit for bit), evaluates the model,
# predicts two images, converts the model to ONNX (checked by Debian's python3-onnx) and benchmarks it, with --json
# where there is one; then localisation on a tiny constructed set (data, a box head from a classifier, eval, predict). Any error fails. About a minute, most of it the publish.
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
"$cli" bench -c A --width 0.0625 --head small --input 32 --channels 1 --classes 10 --batch 8 --warmup 1 --iterations 2 --json \
    > "$work/bench.json" || fail "bench"
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
import onnx
work = sys.argv[1]
for name in ("eval", "predict", "bench", "localisation", "boxes"):
    with open(f"{work}/{name}.json") as f:
        json.load(f)
onnx.checker.check_model(onnx.load(f"{work}/model.onnx"))
PYTHON
echo "smoke test of the published CLI passed in $((SECONDS - started)) s"
