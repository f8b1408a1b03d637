#!/usr/bin/env bash
# Builds the whole solution (library, CLI, tests, benchmarks) in Release, then runs the test suite,
# printing each test and the pass/fail summary.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
source scripts/setup.sh
# Building the solution first also keeps the CLI and the benchmarks compiling (warnings are errors).
dotnet build VggSharp.sln -c Release -nologo
dotnet test tests/VggSharp.Tests -c Release --no-build --logger "console;verbosity=normal"
