"""Turns scripts/distributed_bench.sh's runs into the README's distributed-training figures (standard library only)."""
import array
import json
import math
import os
import statistics
import struct
import sys

runs, repeats, readme_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]


def epoch(run):
    with open(os.path.join(runs, run, "metrics.jsonl")) as f:
        return json.loads(f.readline())


def weights(run):
    """The float tensors ending in "weight" of a run's model.safetensors."""
    with open(os.path.join(runs, run, "model.safetensors"), "rb") as f:
        data = f.read()
    length = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + length])
    found = {}
    for key, entry in header.items():
        if key == "__metadata__" or entry["dtype"] != "F32" or not key.endswith("weight"):
            continue
        start, end = entry["data_offsets"]
        values = array.array("f")
        values.frombytes(data[8 + length + start:8 + length + end])
        found[key] = values
    return found


def difference(a, b):
    """||a - b|| / ||a|| over all weight tensors together."""
    first, second = weights(a), weights(b)
    num = sum((x - y) ** 2 for key in first for x, y in zip(first[key], second[key]))
    den = sum(x * x for values in first.values() for x in values)
    return math.sqrt(num / den)


def cpu():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown CPU"


def load_averages():
    with open(os.path.join(runs, "loadavg")) as f:
        return [float(line.split()[0]) for line in f if line.strip()]


def milliseconds(metrics, key, step):
    values = [m.get(key) for m in metrics]
    if values[0] is None:
        return "-"
    value = statistics.median(values)
    return f"{value * 1000:.0f} ms ({value / step:.0%})"


modes = [("1 process", "one"), ("2 ranks (mpirun -np 2)", "two"), ("2 ranks, one gradient bucket", "one-bucket")]
base = statistics.median(epoch(f"one-{i}")["images_per_second"] for i in range(repeats))
loads = load_averages()
lines = [
    f"Measured by `bash scripts/distributed_bench.sh` on one machine with {os.cpu_count()} cores ({cpu()}), shared with other "
    f"jobs while it ran (1-minute load average {min(loads):.0f} to {max(loads):.0f}); medians of {repeats} interleaved runs "
    "of one epoch of 5120 images with the main job's network and batch of 128:",
    "",
    "| run | images/s | vs 1 process | step time | communication per step (rank 0) | of which batch-norm statistics |",
    "|---|---|---|---|---|---|",
]
for label, prefix in modes:
    metrics = [epoch(f"{prefix}-{i}") for i in range(repeats)]
    rate = statistics.median(m["images_per_second"] for m in metrics)
    step = 128 / rate
    lines.append(f"| {label} | {rate:.0f} | {rate / base:.2f}x | {step * 1000:.0f} ms | "
                 f"{milliseconds(metrics, 'communication_seconds_per_step', step)} | {milliseconds(metrics, 'batch_norm_seconds_per_step', step)} |")
lines += [
    "",
    "Weights of two ranks against one process with the same batch, and, for scale, two one-process runs whose only",
    "difference is the learning rate moved by one float step, and one process with micro-batches of 64 (what two ranks",
    "would compute without synchronised batch norm); relative difference of all weight tensors:",
    "",
    "| steps | 2 ranks vs 1 process | lr + 1 ulp vs lr | no synchronised batch norm vs 1 process |",
    "|---|---|---|---|",
]
for steps in (1, 5, 40):
    one = "one-0" if steps == 40 else f"one-steps-{steps}"
    two = "two-0" if steps == 40 else f"two-steps-{steps}"
    control = f"{difference(one, f'unsynchronised-steps-{steps}'):.1e}" if steps == 40 else "-"
    lines.append(f"| {steps} | {difference(one, two):.1e} | {difference(one, f'ulp-steps-{steps}'):.1e} | {control} |")

with open(readme_path) as f:
    readme = f.read()
begin, end = "<!-- distributed:begin -->", "<!-- distributed:end -->"
if begin not in readme or end not in readme:
    sys.exit(f"{readme_path} has no {begin} ... {end} section")
head, rest = readme.split(begin, 1)
_, tail = rest.split(end, 1)
with open(readme_path, "w") as f:
    f.write(head + begin + "\n" + "\n".join(lines) + "\n" + end + tail)
print("\n".join(lines))
