#!/usr/bin/env bash
# Reproduces the README's localisation table (the paper's Appendix A on a constructed benchmark): writes the cluttered
# Fashion-MNIST localisation set, trains a classifier on it, then four box regressors started from that classifier
# (SCR and PCR, fine-tuning all layers or only the fully-connected ones), and tests each by the centre crop and densely
# with greedy merging. Writes docs/LOCALISATION.md and copies its table into the README between the localisation
# markers. Usage: bash scripts/localisation.sh [RUNS_DIR]   (EPOCHS=N, PER_CLASS=N and BATCH=N change the runs)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
runs="${1:-runs/localisation}"
epochs="${EPOCHS:-10}"
per_class="${PER_CLASS:-200}"
batch="${BATCH:-32}"
mkdir -p "$runs"
dotnet build src/VggSharp.Cli -c Release -nologo -v quiet
vgg() { dotnet src/VggSharp.Cli/bin/Release/net10.0/vggsharp.dll "$@"; }
results="$runs/results.jsonl"
: > "$results"
data="$runs/data"
[[ -d "$data/train" ]] || vgg localisation-data --out "$data" --canvas 64 --min-size 20 --max-size 48 --clutter 6 \
    --train-per-class "$per_class" --val-per-class 50 --seed 1

# Trains unless the run already finished (so an interrupted script picks up where it stopped).
train() {
    local name="$1"; shift
    if [[ ! -f "$runs/$name/model.safetensors" ]]; then
        rm -rf "$runs/$name"
        vgg train --out "$runs/$name" --data "$data" --epochs "$epochs" --batch "$batch" --anneal-epochs 2 --scale-min 32 --scale-max 40 "$@" | tail -n 3
    fi
    echo "{\"kind\":\"train\",\"name\":\"$name\",\"metrics\":$(tail -n 1 "$runs/$name/metrics.jsonl")}" >> "$results"
}
evaluate() {
    local name="$1" protocol="$2"
    local json
    json=$(vgg eval --task localisation -w "$runs/$name/model.safetensors" --classifier "$runs/classifier/model.safetensors" \
        --protocol "$protocol" --data "$data" --json | tr -d '\n')
    echo "{\"kind\":\"eval\",\"name\":\"$name\",\"result\":$json}" >> "$results"
}

train classifier --config D-BN --width 0.25 --input 32 --lr 0.02
for regression in scr pcr; do
    for tune in all fc; do
        train "$regression-$tune" --task localisation --regression "$regression" --fine-tune "$tune" \
            --init-from "$runs/classifier/model.safetensors" --lr 0.01
        evaluate "$regression-$tune" center
        evaluate "$regression-$tune" dense
    done
done

python3 scripts/localisation_table.py "$results" "$epochs" "$per_class" "$batch" docs/LOCALISATION.md README.md
echo "Wrote docs/LOCALISATION.md and the README's localisation table."
