#!/usr/bin/env bash
# Builds everything in Release and runs the test suite, printing each test and the pass/fail summary.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
source scripts/setup.sh
dotnet test tests/VggSharp.Tests -c Release --logger "console;verbosity=normal"
