#!/usr/bin/env bash
# Reproduces the paper's experiments (Tables 3 to 6) with `vggsharp experiment`: Table 4's study (which includes Table
# 3's rows), then Table 6's (which includes Table 5's) on the first 2000 validation images (multi-crop at three scales
# takes 150 crops of each image), in one directory, so that their common networks are trained once. Interrupted, it continues where it stopped when run again. With --readme, copies the two Markdown reports into
# the README between the experiments markers. Further arguments go to every `vggsharp experiment` (e.g. --device cuda
# --width 1 --input 224 --head paper --data /path/to/imagenet).
# Usage: bash scripts/experiments.sh [--readme] [--out DIR] [vggsharp experiment options...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
readme=false
out=runs/experiments
args=()
while (($# > 0)); do
    case $1 in
        --readme) readme=true ;;
        --out) out=$2; shift ;;
        *) args+=("$1") ;;
    esac
    shift
done
dotnet build src/VggSharp.Cli -c Release -nologo -v quiet
cli=(dotnet src/VggSharp.Cli/bin/Release/net10.0/vggsharp.dll)
"${cli[@]}" experiment table4 --out "$out" "${args[@]}"
"${cli[@]}" experiment table6 --eval-limit 2000 --out "$out" "${args[@]}"
if $readme; then
    /usr/bin/python3 - "$out/table4.md" "$out/table6.md" README.md << 'PYTHON'
import sys
*reports, readme = sys.argv[1:]
body = "\n".join(open(r, encoding="utf-8").read().strip() + "\n" for r in reports)
text = open(readme, encoding="utf-8").read()
begin, end = "<!-- experiments:begin -->\n", "<!-- experiments:end -->"
start, stop = text.index(begin) + len(begin), text.index(end)
open(readme, "w", encoding="utf-8").write(text[:start] + body + text[stop:])
PYTHON
    echo "Wrote the README's experiments section from $out/table4.md and $out/table6.md."
fi
