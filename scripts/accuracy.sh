#!/usr/bin/env bash
# Reproduces the README's accuracy tables: trains the main job and a longer recipe on Fashion-MNIST, evaluates the
# paper's test protocols (section 3.2) and an ensemble, and writes docs/ACCURACY.md, then copies its tables into the
# README between the accuracy markers. Takes about an hour on 2 cores. Usage: bash scripts/accuracy.sh [RUNS_DIR]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
runs="${1:-runs/accuracy}"
mkdir -p "$runs"
dotnet build src/VggSharp.Cli -c Release -nologo -v quiet
vgg() { dotnet src/VggSharp.Cli/bin/Release/net10.0/vggsharp.dll "$@"; }
results="$runs/results.jsonl"
: > "$results"

# Trains unless the run already finished (so an interrupted script picks up where it stopped).
train() {
    local name="$1"; shift
    if [[ ! -f "$runs/$name/model.safetensors" ]]; then
        rm -rf "$runs/$name"
        vgg train --out "$runs/$name" "$@" | tail -n 3
    fi
}
evaluate() {
    local label="$1"; shift
    local json
    json=$(vgg eval --data fashion-mnist --json "$@" | tr -d '\n')
    echo "{\"kind\":\"eval\",\"label\":\"$label\",\"result\":$json}" >> "$results"
}

train main                                                     # the main job: vggsharp train with no options
# The longer recipe: twice the width, up to 20 epochs, and a learning rate divided only after two epochs without a
# gain of 0.2 points.
train long --width 0.5 --epochs 20 --patience 2 --min-improvement 0.002 --seed 2

# The whole test set with the single centre crop; the protocols on its first 2000 images, since multi-crop at
# three scales runs 150 crops per image.
for run in main long; do
    evaluate "$run" -w "$runs/$run/model.safetensors" --protocol center --scales 34
done
for protocol in center dense multicrop dense+multicrop; do
    evaluate "long" -w "$runs/long/model.safetensors" --protocol "$protocol" --scales 34 --limit 2000
    evaluate "long" -w "$runs/long/model.safetensors" --protocol "$protocol" --scales 32,34,36 --limit 2000
done
# One model against the ensemble of both, on the same images.
evaluate "main" -w "$runs/main/model.safetensors" --protocol center --scales 34 --limit 2000
evaluate "main" -w "$runs/main/model.safetensors" --protocol dense+multicrop --scales 32,34,36 --limit 2000
evaluate "main+long" -w "$runs/main/model.safetensors" -w "$runs/long/model.safetensors" --protocol center --scales 34 --limit 2000
evaluate "main+long" -w "$runs/main/model.safetensors" -w "$runs/long/model.safetensors" --protocol dense+multicrop --scales 32,34,36 --limit 2000

python3 scripts/accuracy_tables.py "$results" "$runs" docs/ACCURACY.md README.md
echo "Wrote docs/ACCURACY.md and the README's accuracy section."
