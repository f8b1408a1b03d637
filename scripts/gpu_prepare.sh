#!/usr/bin/env bash
# Prepares .gpu/ (ignored by git) for scripts/gpu_check.sh on the GPU machine, which has no .NET and no network:
#   .gpu/vggsharp.tar.xz   the CLI, self-contained, trimmed, one file (about 17 MB, 5 MB compressed)
#   .gpu/tests.tar.xz      the xunit.v3 test executable with its fixtures, self-contained
#   .gpu/fashion-mnist/    with --data: Fashion-MNIST's four .gz files (30 MB), for the main job on the GPU
# The machine takes 64 MiB in all per call (the work tree included): the sizes are printed and checked.
# Usage: bash scripts/gpu_prepare.sh [--data]
# Then, with the device tool: run(command="bash scripts/gpu_check.sh", carry=[".gpu"], timeout_s=480)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
with_data=false
case "${1:-}" in
    --data) with_data=true ;;
    "") ;;
    *) echo "usage: bash scripts/gpu_prepare.sh [--data]" >&2; exit 2 ;;
esac
fashion_mnist=/usr/share/datasets/fashion-mnist
limit_mib=64

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bash scripts/publish.sh cli "$work/cli"
bash scripts/publish.sh tests "$work/tests"
rm -rf .gpu
mkdir -p .gpu
tar -C "$work/cli" -cf - vggsharp | xz -T0 -9 > .gpu/vggsharp.tar.xz
tar -C "$work/tests" -cf - . | xz -T0 -9 > .gpu/tests.tar.xz
if $with_data; then
    mkdir -p .gpu/fashion-mnist
    cp "$fashion_mnist"/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz .gpu/fashion-mnist/
fi

mib() { du -sm --apparent-size "$1" | cut -f1; }
echo "published: CLI $(mib "$work/cli/vggsharp") MiB, tests $(mib "$work/tests") MiB (uncompressed)"
for file in .gpu/*.tar.xz; do echo "  $file: $(mib "$file") MiB"; done
if $with_data; then echo "  .gpu/fashion-mnist: $(mib .gpu/fashion-mnist) MiB"; fi
# What travels: the work tree git would copy (tracked and unignored files) and .gpu/.
tree_mib=$(git ls-files -co --exclude-standard -z | du -cm --apparent-size --files0-from=- 2> /dev/null | tail -1 | cut -f1)
total=$((tree_mib + $(mib .gpu)))
echo "to carry: .gpu $(mib .gpu) MiB + work tree $tree_mib MiB = $total MiB (limit $limit_mib MiB)"
if ((total > limit_mib)); then echo "gpu_prepare: over the $limit_mib MiB limit; leave out --data or shrink the payload" >&2; exit 1; fi
