#!/usr/bin/env bash
# The main job: trains VGG-16 with batch norm (configuration D-BN, a quarter of the paper's width) on Fashion-MNIST
# with the paper's recipe adapted to 28x28 images, evaluates it and writes the run directory (runs/fashion-mnist by
# default: model.safetensors, checkpoint.safetensors, metrics.jsonl, report.html). Extra arguments go to
# "vggsharp train" (e.g. --out DIR, --epochs N, or --resume DIR to continue a stopped run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
source scripts/setup.sh
dotnet build src/VggSharp.Cli -c Release -nologo -v quiet
dotnet src/VggSharp.Cli/bin/Release/net10.0/vggsharp.dll train "$@"
