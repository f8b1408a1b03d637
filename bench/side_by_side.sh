#!/usr/bin/env bash
# VggSharp against PyTorch on this machine, the same work in one go: VGG-16 inference at 224 (batch 1 and 8), the
# VGG-16 and VGG-11 training steps at 224 (batch 8), and one Fashion-MNIST epoch of the main job's network. Installs
# Debian's python3-torch and python3-torchvision if missing, builds VggSharp in Release, and prints images/s for both,
# the ratio and VggSharp's GFLOP/s as a share of the machine's FMA peak. About 10 minutes on 2 cores (two rounds).
# Run it on a quiet machine: PyTorch's OpenMP threads slow down badly when another process takes a core.
# Usage: bash bench/side_by_side.sh [--readme] [side_by_side.py options: --rounds N, --only CASE..., --threads N, --out DIR]
#   --readme  also writes the table into README.md between the performance markers
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SETUP_EXTRA_PACKAGES="python3-torch python3-torchvision" source scripts/setup.sh
readme=()
if [[ "${1:-}" == "--readme" ]]; then
    readme=(--readme README.md)
    shift
fi
dotnet build src/VggSharp.Cli -c Release -nologo -v quiet
# Debian's Python, which has the torch package (another python3 may come first on PATH).
/usr/bin/python3 bench/side_by_side.py --vggsharp "dotnet src/VggSharp.Cli/bin/Release/net10.0/vggsharp.dll" "${readme[@]}" "$@"
