#!/usr/bin/env bash
# Publishes self-contained linux-x64 builds, for machines without .NET (the GPU test machine among them):
#   bash scripts/publish.sh cli DIR     the CLI as one trimmed file, DIR/vggsharp (about 17 MB)
# Trim analysis warnings are errors in every build, so a publish that succeeds has none.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
if (($# != 2)); then echo "usage: bash scripts/publish.sh cli DIR" >&2; exit 2; fi
what=$1 out=$2
case "$what" in
    cli)
        dotnet publish src/VggSharp.Cli -c Release -r linux-x64 --self-contained -nologo -v quiet \
            -p:PublishSingleFile=true -p:PublishTrimmed=true -p:DebugType=none -p:GenerateDocumentationFile=false -o "$out"
        ;;
    *) echo "publish.sh: unknown target $what (cli)" >&2; exit 2 ;;
esac
