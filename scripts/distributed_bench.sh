#!/usr/bin/env bash
# Measures data-parallel training on this machine and writes the README's distributed-training figures (between the
# distributed markers). Throughput: the main job's network and batch (VGG-16-BN at width 0.25, batches of 128) for one
# epoch of 5120 Fashion-MNIST images, in one process, under mpirun -np 2, and under mpirun -np 2 with a single gradient
# bucket (summed only after backward), REPEATS times (default 3) interleaved; medians of images/s and of rank 0's
# communication time per step. Equivalence: the weights after 1, 5 and 40 steps of two ranks against one process, next
# to two one-process runs whose only difference is the learning rate moved by one float step (what rounding does to
# this training), and to one process with micro-batches of 64 (two ranks without synchronised batch norm).
# Usage: bash scripts/distributed_bench.sh [RUNS_DIR]   (about 10 minutes on 2 shared cores)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
runs="${1:-runs/distributed}"
repeats="${REPEATS:-3}"
rm -rf "$runs"
mkdir -p "$runs"
dotnet build src/VggSharp.Cli -c Release -nologo -v quiet
cli=src/VggSharp.Cli/bin/Release/net10.0/vggsharp.dll
as_root=()
if ((EUID == 0)); then as_root=(--allow-run-as-root); fi
one() { dotnet "$cli" train --val-limit 500 --epochs 1 "$@" > /dev/null; }
two() { mpirun "${as_root[@]}" -np 2 dotnet "$cli" train --val-limit 500 --epochs 1 "$@" > /dev/null; }

for ((i = 0; i < repeats; i++)); do
    echo "throughput, round $((i + 1)) of $repeats"
    cat /proc/loadavg >> "$runs/loadavg"
    one --limit 5120 --out "$runs/one-$i"
    two --limit 5120 --out "$runs/two-$i"
    two --limit 5120 --bucket-mb 64 --out "$runs/one-bucket-$i"
done
cat /proc/loadavg >> "$runs/loadavg"
for steps in 1 5; do
    echo "equivalence after $steps steps"
    one --limit $((steps * 128)) --out "$runs/one-steps-$steps"
    two --limit $((steps * 128)) --out "$runs/two-steps-$steps"
    one --limit $((steps * 128)) --lr 0.020000001415610313 --out "$runs/ulp-steps-$steps"
done
echo "equivalence after 40 steps"
one --limit 5120 --lr 0.020000001415610313 --out "$runs/ulp-steps-40"
one --limit 5120 --micro-batch 64 --out "$runs/unsynchronised-steps-40"

python3 scripts/distributed_tables.py "$runs" "$repeats" README.md
echo "Wrote the README's distributed-training figures."
