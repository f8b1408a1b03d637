#!/usr/bin/env bash
# Builds the whole solution (library, CLI, tests, benchmarks) in Release, then runs the test suite,
# printing each test and the pass/fail summary.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
source scripts/setup.sh
# Building the solution first also keeps the CLI and the benchmarks compiling (warnings are errors).
dotnet build VggSharp.sln -c Release -nologo
dotnet test tests/VggSharp.Tests -c Release --no-build --logger "console;verbosity=normal"
# The kernels and layers again with AVX-512 and then AVX2 turned off: the Vector256 and Vector128 paths, which this
# machine would otherwise never take, are checked against the reference kernels too.
for narrower in DOTNET_EnableAVX512=0 DOTNET_EnableAVX2=0; do
    echo "Kernel and layer tests with $narrower:"
    env "$narrower" dotnet test tests/VggSharp.Tests -c Release --no-build --filter "FullyQualifiedName~Kernels|FullyQualifiedName~Layers" --logger "console;verbosity=minimal"
done
