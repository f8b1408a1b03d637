#!/usr/bin/env bash
# The main job. Until training lands it summarises VGG-16 (configuration D): every layer's output shape,
# parameters, multiply-adds and activation memory, then the totals. Extra arguments go to "vggsharp info".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
source scripts/setup.sh
dotnet run --project src/VggSharp.Cli -c Release -- info --config D "$@"
