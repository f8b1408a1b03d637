#!/usr/bin/env bash
# The GPU check, one script for the GPU test machine (no .NET, no network; PyTorch at /opt/torch/.venv): prints the
# GPU, runs VggSharp's GPU tests (test classes named *Cuda*), measures VggSharp against PyTorch side by side on the
# GPU (bench/side_by_side.py --suite gpu: VGG-16 training at 224 in fp32/tf32/bf16, inference, the main job's network)
# and, when .gpu/fashion-mnist is there, runs the main job with --device cuda. Every stage has its own time limit and
# a failing stage does not stop the others. Writes to $OUT (runs/gpu-check by default):
#   GPU.md        the tables, as docs/GPU.md has them        bench.json   the side-by-side results, raw
#   tests.xml     the GPU tests' xunit results                main-job.jsonl  the main job's metrics, per epoch
#   check.log     everything the stages printed
# Prepare .gpu/ on a machine with .NET first: bash scripts/gpu_prepare.sh [--data].
# Settings (environment): DEVICE (cuda; cuda:N), PYTHON (/opt/torch/.venv/bin/python, else python3), GPU_DIR (.gpu),
# TESTS_SECONDS (120), BENCH_SECONDS (210), MEASURE_SECONDS (100, one measurement), MAIN_JOB_SECONDS (90), RESUME_SECONDS (120),
# CASES (side-by-side cases to run, space-separated names from bench/side_by_side.py's GPU suite; all by default),
# PRECISIONS (which of fp32 tf32 bf16 to run of them; all by default), PROFILE (a case and precision, e.g.
# "vgg16-train-b256 tf32": both sides' time per layer or kernel for it, in profile-*.txt; none by default),
# TINY=1 (every bench case shrunk: checks this script on a CPU, with DEVICE=cpu).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=${OUT:-runs/gpu-check}
DEVICE=${DEVICE:-cuda}
GPU_DIR=${GPU_DIR:-.gpu}
PYTHON=${PYTHON:-/opt/torch/.venv/bin/python}
[[ -x $PYTHON ]] || PYTHON=$(command -v python3)
mkdir -p "$OUT"
exec > >(tee "$OUT/check.log") 2>&1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
declare -A status

# stage NAME SECONDS FUNCTION: runs one of the functions below in its own bash under its own time limit (timeout stops
# the whole process group: the function's children too) and records how it ended.
stage() {
    local name=$1 limit=$2 function=$3
    echo
    echo "=== $name (limit ${limit} s) ==="
    local started=$SECONDS
    timeout --kill-after=10 "$limit" bash -o pipefail -c "$function"
    local rc=$?
    local took=$((SECONDS - started))
    case $rc in
        0) status[$name]="done in $took s" ;;
        124 | 137) status[$name]="stopped at its limit of $limit s" ;;
        *) status[$name]="failed (exit $rc) after $took s" ;;
    esac
    echo "=== $name: ${status[$name]} ==="
}

unpack() {
    local archive
    for archive in vggsharp tests; do
        [[ -f $GPU_DIR/$archive.tar.xz ]] || { echo "$GPU_DIR/$archive.tar.xz is missing: run scripts/gpu_prepare.sh first"; return 1; }
    done
    mkdir -p "$work/cli" "$work/tests"
    # tar with xz where it is there, else Python's tarfile (which reads .xz itself).
    tar -xJf "$GPU_DIR/vggsharp.tar.xz" -C "$work/cli" 2> /dev/null || "$PYTHON" -m tarfile -e "$GPU_DIR/vggsharp.tar.xz" "$work/cli" || return 1
    tar -xJf "$GPU_DIR/tests.tar.xz" -C "$work/tests" 2> /dev/null || "$PYTHON" -m tarfile -e "$GPU_DIR/tests.tar.xz" "$work/tests" || return 1
    "$work/cli/vggsharp" --version
}

show_gpu() {
    if ! command -v nvidia-smi > /dev/null; then
        echo "no nvidia-smi here: no NVIDIA driver, so no GPU; the GPU stages will fail or skip and say so"
        return 1
    fi
    nvidia-smi
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$work/gpu.txt"
}

gpu_tests() {
    # Each Cuda test class skips its tests, by name, when it finds no usable GPU.
    "$work/tests/VggSharp.Tests" -class '*Cuda*' -noColor -noLogo -reporter verbose -xml "$OUT/tests.xml"
}

side_by_side() {
    local tiny=()
    [[ ${TINY:-} == 1 ]] && tiny=(--tiny)
    local only=()
    [[ -n ${CASES:-} ]] && only=(--only $CASES)
    [[ -n ${PRECISIONS:-} ]] && only+=(--precisions $PRECISIONS)
    "$PYTHON" bench/side_by_side.py --vggsharp "$work/cli/vggsharp" --suite gpu --device "$DEVICE" --rounds 1 \
        --timeout "${MEASURE_SECONDS:-100}" --out "$work/bench" --command "bash scripts/gpu_check.sh" "${tiny[@]}" "${only[@]}"
}

# Where the time of one case goes on each side: VggSharp's per-layer breakdown (bench, synchronised per layer) and
# PyTorch's CUDA kernels by total time (torch.profiler), to compare layer by layer.
profile() {
    read -r name precision <<< "$PROFILE"
    local tiny=()
    [[ ${TINY:-} == 1 ]] && tiny=(--tiny)
    "$PYTHON" bench/side_by_side.py --profile "$name" --precision "$precision" --device "$DEVICE" "${tiny[@]}" > "$OUT/profile-pytorch.txt" 2>&1
    head -50 "$OUT/profile-pytorch.txt"
    "$PYTHON" bench/side_by_side.py --vggsharp "$work/cli/vggsharp" --print-command "$name" --precision "$precision" --device "$DEVICE" \
        "${tiny[@]}" > "$work/profile-command"
    bash -c "$(cat "$work/profile-command")" > "$OUT/profile-vggsharp.txt" 2>&1
    cat "$OUT/profile-vggsharp.txt"
}

# A run killed with SIGKILL after its first checkpoint and resumed with --deterministic must end with the bits of an
# uninterrupted one; a GPU checkpoint must resume on the CPU, and a GPU-trained model evaluate on both devices alike.
resume() {
    if [[ ! -d $GPU_DIR/fashion-mnist ]]; then
        echo "no $GPU_DIR/fashion-mnist: the resume check is not run"
        return 0
    fi
    local cli=$work/cli/vggsharp run
    local small=(--data "fashion-mnist:$GPU_DIR/fashion-mnist" --limit 30000 --val-limit 2000 --epochs 2 --seed 3)
    "$cli" train "${small[@]}" --device "$DEVICE" --deterministic --out "$work/straight" > "$work/straight.log" 2>&1 || { cat "$work/straight.log"; return 1; }
    for target in "$DEVICE --deterministic" cpu; do
        rm -rf "$work/killed"
        "$cli" train "${small[@]}" --device "$DEVICE" --deterministic --out "$work/killed" > "$work/killed.log" 2>&1 &
        run=$!
        until [[ -f $work/killed/checkpoint.safetensors ]] || ! kill -0 "$run" 2> /dev/null; do sleep 0.01; done
        kill -KILL "$run" 2> /dev/null
        wait "$run" 2> /dev/null
        [[ -f $work/killed/model.safetensors ]] && { echo "the run finished before it could be killed"; return 1; }
        "$cli" train --resume "$work/killed" --device $target > "$work/resumed.log" 2>&1 || { cat "$work/resumed.log"; return 1; }
        if cmp -s "$work/straight/model.safetensors" "$work/killed/model.safetensors"; then
            echo "killed on $DEVICE after epoch 1, resumed on $target: the same model bit for bit"
        else
            echo "killed on $DEVICE after epoch 1, resumed on $target: the model differs from the uninterrupted run's"
            [[ $target != cpu ]] && return 1
        fi
    done
    for device in "$DEVICE" cpu; do
        echo "eval on $device:"
        "$cli" eval --weights "$work/straight/model.safetensors" --data "fashion-mnist:$GPU_DIR/fashion-mnist" --limit 2000 --device "$device" 2>&1 | tail -3
    done
}

main_job() {
    if [[ ! -d $GPU_DIR/fashion-mnist ]]; then
        echo "no $GPU_DIR/fashion-mnist (scripts/gpu_prepare.sh --data): the main job is not run"
        return 0
    fi
    local started=$SECONDS
    "$work/cli/vggsharp" train --device "$DEVICE" --data "fashion-mnist:$GPU_DIR/fashion-mnist" --out "$work/main-job" || return 1
    echo "main job: $((SECONDS - started)) s end to end"
    echo "$((SECONDS - started))" > "$work/main-job-seconds"
}

export -f unpack show_gpu gpu_tests side_by_side profile main_job resume
export OUT DEVICE GPU_DIR PYTHON work CASES PRECISIONS PROFILE
stage unpack 60 unpack
stage gpu 30 show_gpu
if [[ -x $work/tests/VggSharp.Tests ]]; then stage tests "${TESTS_SECONDS:-120}" gpu_tests; else status[tests]="not run: nothing unpacked"; fi
if [[ -x $work/cli/vggsharp ]]; then
    if [[ -n ${PROFILE:-} ]]; then stage profile "${PROFILE_SECONDS:-90}" profile; else status[profile]="not asked for"; fi
    stage side-by-side "${BENCH_SECONDS:-210}" side_by_side
    stage main-job "${MAIN_JOB_SECONDS:-90}" main_job
    stage resume "${RESUME_SECONDS:-120}" resume
else
    status[side-by-side]="not run: nothing unpacked"
    status[profile]="not run: nothing unpacked"
    status[main-job]="not run: nothing unpacked"
    status[resume]="not run: nothing unpacked"
fi

# Whatever the stages left, written up.
[[ -f $work/bench/results.json ]] && cp "$work/bench/results.json" "$OUT/bench.json"
[[ -f $work/main-job/metrics.jsonl ]] && cp "$work/main-job/metrics.jsonl" "$OUT/main-job.jsonl"
"$PYTHON" scripts/gpu_report.py --out "$OUT/GPU.md" --gpu "$work/gpu.txt" --tests "$OUT/tests.xml" \
    --bench "$work/bench/performance.md" --main-job "$work/main-job/metrics.jsonl" --main-job-seconds "$work/main-job-seconds" \
    --stage "unpack=${status[unpack]}" --stage "gpu=${status[gpu]}" --stage "tests=${status[tests]}" \
    --stage "side-by-side=${status[side-by-side]}" --stage "main-job=${status[main-job]}" --stage "resume=${status[resume]}"
echo
cat "$OUT/GPU.md"
# Exit status: whether every stage ended well (the results above come back either way).
for state in "${status[@]}"; do [[ $state == done* ]] || exit 1; done
