#!/usr/bin/env bash
# Shared set-up for run.sh and test.sh (sourced by both): installs the Debian/Ubuntu packages the build needs,
# skipping those already present, and checks for the .NET 10 SDK. Safe to run any number of times.
set -euo pipefail

# System packages needed beyond the .NET 10 SDK, by Debian package name: libturbojpeg0 for JPEG decoding
# (VggSharp.Data.JpegDecoder loads libturbojpeg.so.0), dataset-fashion-mnist for the IDX tests, which read the real
# test set, python3-onnx (with python3-numpy) for the ONNX export tests, which check exported files with ONNX's
# checker and an independent NumPy evaluator (tests/fixtures/onnx_reference.py), openmpi-bin and libopenmpi3 for
# data-parallel training under mpirun (VggSharp.Distributed loads libmpi.so.40 only when mpirun started the process;
# the tests run mpirun -np 2), liblinear4 for the transfer experiments' linear SVMs (VggSharp.Transfer loads
# liblinear.so.4). The image tests' PNG and JPEG files are copied into tests/fixtures, so python3-skimage
# is not needed. A script that needs more (bench/side_by_side.sh: python3-torch) names them in SETUP_EXTRA_PACKAGES.
SYSTEM_PACKAGES=(libturbojpeg0 dataset-fashion-mnist python3-onnx openmpi-bin libopenmpi3 liblinear4 ${SETUP_EXTRA_PACKAGES:-})

missing_packages=()
for package in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing_packages+=("$package")
done
if ((${#missing_packages[@]} > 0)); then
    sudo_if_needed=()
    if ((EUID != 0)); then sudo_if_needed=(sudo); fi
    echo "setup: installing ${missing_packages[*]}" >&2
    "${sudo_if_needed[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo_if_needed[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing_packages[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null 2>&1 || ! dotnet --list-sdks | grep -q '^10\.'; then
    echo "setup: the .NET 10 SDK is required (https://dotnet.microsoft.com/download/dotnet/10.0)." >&2
    exit 1
fi

# Quiet, non-interactive dotnet: no first-run banner or telemetry notice in logs.
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
