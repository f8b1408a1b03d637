#!/usr/bin/env bash
# Publishes self-contained linux-x64 builds, for machines without .NET (the GPU test machine among them):
#   bash scripts/publish.sh cli DIR     the CLI as one trimmed file, DIR/vggsharp (about 17 MB)
#   bash scripts/publish.sh tests DIR   the xunit.v3 test executable, DIR/VggSharp.Tests, with its fixtures (DIR/fixtures):
#                                       run e.g. DIR/VggSharp.Tests -class '*Cuda*'. Only the framework is trimmed
#                                       (xunit finds the tests by reflection); dotnet test's own runner is left out.
# Trim analysis warnings are errors in every build, so a publish that succeeds has none.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
if (($# != 2)); then echo "usage: bash scripts/publish.sh cli|tests DIR" >&2; exit 2; fi
what=$1 out=$2
case "$what" in
    cli)
        dotnet publish src/VggSharp.Cli -c Release -r linux-x64 --self-contained -nologo -v quiet \
            -p:PublishSingleFile=true -p:PublishTrimmed=true -p:DebugType=none -p:GenerateDocumentationFile=false -o "$out"
        ;;
    tests)
        # The framework's own trim warnings about the test assemblies' reflection are expected: those are kept whole.
        dotnet publish tests/VggSharp.Tests -c Release -r linux-x64 --self-contained -nologo -v quiet \
            -p:PublishTrimmed=true -p:TrimMode=partial -p:SuppressTrimAnalysisWarnings=true -p:DebugType=none -o "$out"
        ;;
    *) echo "publish.sh: unknown target $what (cli or tests)" >&2; exit 2 ;;
esac
