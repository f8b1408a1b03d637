"""VggSharp against PyTorch on the same machine, the same work, in one go (run by bench/side_by_side.sh on the CPU,
by scripts/gpu_check.sh on a GPU).

Each case runs in VggSharp (`vggsharp bench --json`) and in PyTorch (this file with --torch, in its own process),
A then B in the first round, B then A in the next, so slow drifts of a shared machine fall on both sides. Each
measurement is the median of several timed iterations after warm-up; over rounds, the median of the medians.
Both sides: the same architecture (checked by parameter count), batch, input and step: forward, softmax
cross-entropy, backward, SGD with momentum 0.9 and weight decay 5e-4 on weights only (training mode, dropout on),
or forward in evaluation mode without gradients (inference). Inputs are random: data loading is not timed.

The GPU suite (--suite gpu --device cuda) runs each case in the precisions it lists, both sides alike: fp32 (TF32
off), tf32 (TF32 on for cuDNN and matmuls) and bf16 (autocast to bfloat16, channels-last, TF32 on for what stays in
fp32). PyTorch runs with torch.backends.cudnn.benchmark on and synchronises the device around each timed step. A
measurement that fails or times out is reported as such and the run goes on; results are written after every case.

Usage: side_by_side.py --vggsharp 'dotnet path/vggsharp.dll' [--rounds 2] [--only NAME ...] [--out DIR] [--readme README.md]
       side_by_side.py --vggsharp path/vggsharp --suite gpu --device cuda --rounds 1 --out DIR
       side_by_side.py --torch CASE [--device D --precision P] --warmup N --iterations N   (one PyTorch measurement, as JSON)
       side_by_side.py --profile CASE [--device D --precision P]   (PyTorch's kernels for the case, by total time)
       side_by_side.py --vggsharp path/vggsharp --print-command CASE [--device D --precision P]   (its vggsharp bench command)
       --tiny shrinks every case (width 1/16, 32x32, batch 4) to check the script itself on a CPU in seconds.
"""
import argparse
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import time

FASHION_MNIST_IMAGES = 60000


class Case:
    def __init__(self, name, title, config, torchvision_name, mode, batch, input_size, warmup, iterations, target,
                 channels=3, classes=1000, width=1.0, head="paper", precisions=("fp32",)):
        self.name, self.title, self.config, self.torchvision_name = name, title, config, torchvision_name
        self.mode, self.batch, self.input_size, self.warmup, self.iterations = mode, batch, input_size, warmup, iterations
        self.target, self.channels, self.classes, self.width, self.head = target, channels, classes, width, head
        self.precisions = precisions

    def tiny(self):
        """The same case on VGG-16's layer plan at width 1/16, 32x32, batch 4: checks the script, measures nothing."""
        config = "D-BN" if self.config.endswith("-BN") else "D"
        return Case(self.name, self.title + " [tiny]", config, None, self.mode, 4, 32, 1, 2, self.target,
                    channels=self.channels, classes=10, width=0.0625, head="small", precisions=self.precisions)

    def model_args(self):
        return ["--config", self.config, "--input", str(self.input_size), "--channels", str(self.channels),
                "--classes", str(self.classes), "--width", str(self.width), "--head", self.head]


# target: the goal for VggSharp's images/s over PyTorch's (and never below 1 anywhere).
CASES = [
    Case("vgg16-infer-b1", "VGG-16 inference, 224, batch 1", "D", "vgg16", "infer", 1, 224, 3, 15, 1.0),
    Case("vgg16-infer-b8", "VGG-16 inference, 224, batch 8", "D", "vgg16", "infer", 8, 224, 2, 7, 2.0),
    Case("vgg16-train-b8", "VGG-16 training step, 224, batch 8", "D", "vgg16", "train", 8, 224, 2, 5, 1.5),
    Case("vgg11-train-b8", "VGG-11 training step, 224, batch 8", "A", "vgg11", "train", 8, 224, 2, 5, 1.0),
    Case("fashion-mnist-epoch", "Fashion-MNIST epoch: VGG-16-BN x0.25, 32, batch 128", "D-BN", None, "train", 128, 32, 5, 30, 1.0,
         channels=1, classes=10, width=0.25, head="small"),
]
# The GPU suite: issue 12's cases (images/s over PyTorch's on the same GPU) in the precisions its goal names.
GPU_CASES = [
    Case("vgg16-train-b64", "VGG-16 training step, 224, batch 64", "D", "vgg16", "train", 64, 224, 5, 20, 0.9,
         precisions=("fp32", "tf32", "bf16")),
    Case("vgg16-train-b256", "VGG-16 training step, 224, batch 256", "D", "vgg16", "train", 256, 224, 3, 10, 0.9,
         precisions=("fp32", "tf32", "bf16")),
    Case("vgg16-infer-b64", "VGG-16 inference, 224, batch 64", "D", "vgg16", "infer", 64, 224, 5, 20, 1.0,
         precisions=("fp32", "tf32", "bf16")),
    Case("vgg16-infer-b256", "VGG-16 inference, 224, batch 256", "D", "vgg16", "infer", 256, 224, 3, 10, 1.0, precisions=("tf32", "bf16")),
    Case("fashion-mnist-b128", "main job's network (D-BN x0.25, 32, 1 channel), training, batch 128", "D-BN", None, "train", 128, 32,
         10, 50, 0.9, channels=1, classes=10, width=0.25, head="small", precisions=("fp32", "tf32", "bf16")),
    Case("fashion-mnist-b1024", "main job's network (D-BN x0.25, 32, 1 channel), training, batch 1024", "D-BN", None, "train", 1024,
         32, 5, 20, 0.9, channels=1, classes=10, width=0.25, head="small", precisions=("tf32", "bf16")),
]
SUITES = {"cpu": CASES, "gpu": GPU_CASES}
BY_NAME = {c.name: c for c in CASES + GPU_CASES}


# ---------------------------------------------------------------------------------------------------- PyTorch side
def torch_model(case):
    import torch.nn as nn
    import torchvision

    if case.torchvision_name is not None:
        return getattr(torchvision.models, case.torchvision_name)(num_classes=case.classes)
    # The main job's network (and the tiny cases): torchvision's make_layers for configuration D (with batch norm for
    # D-BN), every width scaled as VggSharp scales it (rounded half away from zero), and VggSharp's small head on the
    # final map (no adaptive pooling, which would blow a 1x1 map up to 7x7).
    plan = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]
    layers, channels = [], case.channels
    for item in plan:
        if item == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        out = max(1, int(item * case.width + 0.5))
        norm = [nn.BatchNorm2d(out)] if case.config.endswith("-BN") else []
        layers += [nn.Conv2d(channels, out, kernel_size=3, padding=1), *norm, nn.ReLU(inplace=True)]
        channels = out
    size = case.input_size // 32
    hidden = 512
    return nn.Sequential(*layers, nn.Flatten(),
                         nn.Linear(channels * size * size, hidden), nn.ReLU(True), nn.Dropout(0.5),
                         nn.Linear(hidden, hidden), nn.ReLU(True), nn.Dropout(0.5),
                         nn.Linear(hidden, case.classes))


def torch_step(case, threads, device_name="cpu", precision="fp32"):
    """One PyTorch training step or inference of the case as a function, with the function that waits for the device."""
    import torch
    import torch.nn as nn

    torch.set_num_threads(threads)
    torch.manual_seed(1)
    device = torch.device(device_name)
    # fp32 is strict; tf32 lets cuDNN and cuBLAS use TF32 tensor cores; bf16 autocasts on top of it, channels-last.
    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = precision != "fp32"
    torch.backends.cudnn.allow_tf32 = precision != "fp32"
    layout = torch.channels_last if precision == "bf16" else torch.contiguous_format
    model = torch_model(case).to(device, memory_format=layout)
    parameters = sum(p.numel() for p in model.parameters())
    images = (torch.rand(case.batch, case.channels, case.input_size, case.input_size) * 2 - 1).to(device, memory_format=layout)
    labels = (torch.arange(case.batch) % case.classes).to(device)

    def autocast():
        return torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=precision == "bf16")

    def synchronize():
        if device.type == "cuda":
            torch.cuda.synchronize(device)
    if case.mode == "train":
        model.train()
        # Weight decay on the weights of convolutions and linear layers only, as VggSharp's SgdOptimizer does.
        decayed = [p for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear)) for p in [m.weight]]
        ids = {id(p) for p in decayed}
        others = [p for p in model.parameters() if id(p) not in ids]
        optimizer = torch.optim.SGD([{"params": decayed, "weight_decay": 5e-4}, {"params": others, "weight_decay": 0.0}],
                                    lr=0.001, momentum=0.9)
        criterion = nn.CrossEntropyLoss()

        def step():
            optimizer.zero_grad()
            with autocast():
                loss = criterion(model(images), labels)
            loss.backward()
            optimizer.step()
    else:
        model.eval()

        def step():
            with torch.no_grad(), autocast():
                model(images)
    return step, synchronize, parameters, device


def measure_torch(case, warmup, iterations, threads, device_name="cpu", precision="fp32"):
    import torch
    step, synchronize, parameters, device = torch_step(case, threads, device_name, precision)
    for _ in range(warmup):
        step()
    synchronize()
    seconds = []
    for _ in range(iterations):
        start = time.perf_counter()
        step()
        synchronize()
        seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    return {"case": case.name, "device": str(device), "precision": precision, "parameters": parameters,
            "threads": torch.get_num_threads(), "seconds": seconds, "median_seconds": median,
            "images_per_second": case.batch / median}


# ----------------------------------------------------------------------------------------------------- the driver
class MeasurementError(Exception):
    """A side that failed, timed out or printed no JSON: reported in the results, and the run goes on."""


def run_json(command, timeout):
    try:
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise MeasurementError(f"{shlex.join(command)} took more than {timeout} s") from None
    except OSError as e:
        raise MeasurementError(f"{shlex.join(command)} could not start: {e}") from None
    if result.returncode != 0:
        last = " | ".join(result.stderr.strip().splitlines()[-3:]) or "no message"
        raise MeasurementError(f"{shlex.join(command)} failed ({result.returncode}): {last}")
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        raise MeasurementError(f"{shlex.join(command)} printed no JSON: {result.stdout[-200:]!r}") from None


def vggsharp_command(vggsharp, case, precision, args, json_output=True):
    device = ["--device", args.device, "--precision", precision] if args.device else []
    return (vggsharp + ["bench", "--mode", case.mode, "--batch", str(case.batch), "--warmup", str(case.warmup),
                        "--iterations", str(case.iterations), "--threads", str(args.threads)] + (["--json"] if json_output else [])
            + device + case.model_args())


def measure_vggsharp(vggsharp, case, precision, args):
    return run_json(vggsharp_command(vggsharp, case, precision, args), args.timeout)


def profile_torch(case, args):
    """PyTorch's CUDA kernels (or CPU operators) for a few iterations of the case, by total time."""
    import torch
    from torch.profiler import ProfilerActivity, profile
    step, synchronize, _, device = torch_step(case, args.threads, args.device or "cpu", args.precision)
    for _ in range(case.warmup):
        step()
    synchronize()
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device.type == "cuda" else [])
    with profile(activities=activities) as prof:
        for _ in range(3):
            step()
        synchronize()
    sort = "cuda_time_total" if device.type == "cuda" else "cpu_time_total"
    print(f"PyTorch {torch.__version__}, {case.title}, {args.precision}, 3 iterations:")
    print(prof.key_averages().table(sort_by=sort, row_limit=40, max_name_column_width=70))


def measure_pytorch(case, precision, args):
    device = ["--device", args.device, "--precision", precision] if args.device else []
    tiny = ["--tiny"] if args.tiny else []
    return run_json([sys.executable, os.path.abspath(__file__), "--torch", case.name, "--warmup", str(case.warmup),
                     "--iterations", str(case.iterations), "--threads", str(args.threads)] + device + tiny, args.timeout)


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def versions(device):
    import torch
    import torchvision

    found = re.search(r"(?:MKL-DNN|oneDNN) v([0-9.]+)", torch.__config__.show())
    try:
        dotnet = subprocess.run(["dotnet", "--version"], stdout=subprocess.PIPE, text=True).stdout.strip()
    except OSError:
        dotnet = "none (a self-contained build)"
    found_versions = {"torch": torch.__version__, "torchvision": torchvision.__version__,
                      "onednn": found.group(1) if found else "unknown", "dotnet": dotnet}
    if device and device.startswith("cuda"):
        usable = torch.cuda.is_available()
        found_versions.update({"cuda": torch.version.cuda, "cudnn": torch.backends.cudnn.version() if usable else None,
                               "gpu": torch.cuda.get_device_name(torch.device(device)) if usable else "no usable GPU"})
    return found_versions


def ratio_text(ratio, target):
    verdict = "met" if ratio >= target else "not met"
    return f"{ratio:.2f}x", f"{target:g}x: {verdict}"


def figure(value, digits=2):
    return "failed" if value is None else f"{value:,.{digits}f}"


def table(results, peak):
    header = ("| case | VggSharp img/s | PyTorch img/s | ratio | goal | VggSharp GFLOP/s (% of peak) | PyTorch GFLOP/s (% of peak) |\n"
              "|---|---|---|---|---|---|---|")
    rows = []
    for r in results:
        case, vgg, torch = BY_NAME[r["case"]], r["vggsharp_images_per_second"], r["pytorch_images_per_second"]
        if vgg is None or torch is None or peak is None:
            rows.append(f"| {r['title']} | {figure(vgg)} | {figure(torch)} | | {case.target:g}x | | |")
            continue
        ratio, goal = ratio_text(vgg / torch, case.target)
        flops = r["flops_per_iteration"]
        g_vgg, g_torch = flops * vgg / case.batch / 1e9, flops * torch / case.batch / 1e9
        rows.append(f"| {r['title']} | {vgg:.2f} | {torch:.2f} | {ratio} | {goal} | "
                    f"{g_vgg:.1f} ({100 * g_vgg / peak:.1f}%) | {g_torch:.1f} ({100 * g_torch / peak:.1f}%) |")
    return header + "\n" + "\n".join(rows)


def gpu_table(results):
    header = "| work | precision | VggSharp img/s | PyTorch img/s | ratio | goal |\n|---|---|---|---|---|---|"
    rows = []
    for r in results:
        vgg, torch, target = r["vggsharp_images_per_second"], r["pytorch_images_per_second"], BY_NAME[r["case"]].target
        ratio, goal = ratio_text(vgg / torch, target) if vgg is not None and torch is not None else ("", f"{target:g}x")
        rows.append(f"| {r['title']} | {r['precision']} | {figure(vgg, 0)} | {figure(torch, 0)} | {ratio} | {goal} |")
    return header + "\n" + "\n".join(rows)


def errors_text(results):
    errors = [f"- {r['title']}, {r['precision']}: {e}" for r in results for e in r["errors"]]
    return "\n\nFailures:\n\n" + "\n".join(errors) if errors else ""


def section(results, machine, command):
    rounds = f"Median of {machine['rounds']} round{'s' if machine['rounds'] != 1 else ''}, each the median of several timed iterations after warm-up"
    if machine["suite"] == "gpu":
        return (f"Measured by `{command}` on {machine.get('gpu', 'an unknown GPU')} (CUDA {machine.get('cuda')}, cuDNN "
                f"{machine.get('cudnn')}), {machine['cores']} cores of {machine['cpu']}; PyTorch {machine['torch']} with "
                f"cudnn.benchmark on; VggSharp self-contained (.NET: {machine['dotnet']}). {rounds}; ratio = VggSharp's "
                "images/s over PyTorch's. fp32: TF32 off; tf32: TF32 on; bf16: autocast to bfloat16, channels-last, TF32 "
                "on for the rest.\n\n" + gpu_table(results) + errors_text(results) + "\n")
    peak = machine["peak"]
    peak_text = "FMA peak unknown" if peak is None else (
        f"FMA peak {peak['single_thread_gflops']:.0f} GFLOP/s on one thread, {peak['all_threads_gflops']:.0f} on "
        f"{peak['threads']}, Vector{peak['vector_bits']}")
    lines = [f"Measured by `{command}` on {machine['cores']} cores, {machine['cpu']} ({peak_text}); .NET {machine['dotnet']}; "
             f"PyTorch {machine['torch']} (torchvision {machine['torchvision']}, oneDNN {machine['onednn']}) with "
             f"torch.set_num_threads({machine['threads']}). {rounds}; ratio = VggSharp's images/s over PyTorch's.", "",
             table(results, None if peak is None else peak["all_threads_gflops"]) + errors_text(results)]
    epoch = next((r for r in results if r["case"] == "fashion-mnist-epoch"), None)
    if epoch is not None and epoch["vggsharp_images_per_second"] and epoch["pytorch_images_per_second"]:
        case = BY_NAME["fashion-mnist-epoch"]
        lines += ["", f"One Fashion-MNIST epoch of the main job's training steps ({FASHION_MNIST_IMAGES:,} images at batch "
                      f"{case.batch}; timed over {case.iterations} steps and scaled, data loading not included): "
                      f"VggSharp {FASHION_MNIST_IMAGES / epoch['vggsharp_images_per_second']:.0f} s, "
                      f"PyTorch {FASHION_MNIST_IMAGES / epoch['pytorch_images_per_second']:.0f} s."]
    return "\n".join(lines) + "\n"


def write_between_markers(path, text):
    begin, end = "<!-- performance:begin -->", "<!-- performance:end -->"
    content = open(path).read()
    if begin not in content or end not in content:
        sys.exit(f"side_by_side: {path} has no {begin} ... {end} markers")
    head, rest = content.split(begin, 1)
    _, tail = rest.split(end, 1)
    temporary = path + ".tmp"
    with open(temporary, "w") as f:
        f.write(head + begin + "\n" + text + end + tail)
    os.replace(temporary, path)


def summarise(measured, vggsharp, args):
    """The rows measured so far: medians over rounds, each network checked to be the same on both sides."""
    results = []
    for (case, precision), runs in measured.items():
        vgg_runs, torch_runs, errors = runs["vggsharp"], runs["pytorch"], list(runs["errors"])
        if not vgg_runs and not torch_runs and not errors:
            continue
        if vgg_runs and torch_runs and "parameters" not in runs:
            # Both sides must run the same network: VggSharp counts its parameters with `vggsharp info`.
            try:
                runs["parameters"] = run_json(vggsharp + ["info", "--json"] + case.model_args(), args.timeout)["parameters"]
            except MeasurementError as e:
                runs["parameters"], runs["errors"] = None, runs["errors"] + [str(e)]
                errors.append(str(e))
            if runs["parameters"] is not None and runs["parameters"] != torch_runs[0]["parameters"]:
                runs["errors"].append(f"VggSharp has {runs['parameters']} parameters, PyTorch {torch_runs[0]['parameters']}: not the same network")
                errors = list(runs["errors"])
        same = not any("not the same network" in e for e in errors)
        results.append({
            "case": case.name, "title": case.title, "precision": precision, "mode": case.mode, "batch": case.batch,
            "input": case.input_size, "parameters": runs.get("parameters"),
            "flops_per_iteration": vgg_runs[0]["flops_per_iteration"] if vgg_runs else None,
            "vggsharp_images_per_second": statistics.median(r["images_per_second"] for r in vgg_runs) if vgg_runs and same else None,
            "pytorch_images_per_second": statistics.median(r["images_per_second"] for r in torch_runs) if torch_runs and same else None,
            "errors": errors, "vggsharp_runs": vgg_runs, "pytorch_runs": torch_runs,
        })
    return results


def write_results(results, machine, args):
    text = section(results, machine, args.command)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"machine": machine, "results": results}, f, indent=2)
    with open(os.path.join(args.out, "performance.md"), "w") as f:
        f.write(text)
    return text


def drive(args):
    vggsharp = shlex.split(args.vggsharp)
    cases = [c for c in SUITES[args.suite] if not args.only or c.name in args.only]
    if args.tiny:
        cases = [c.tiny() for c in cases]
    os.makedirs(args.out, exist_ok=True)
    load = os.getloadavg()[0]
    if load > 0.5 * os.cpu_count():
        print(f"side_by_side: warning: load average {load:.1f} on {os.cpu_count()} cores; other processes will distort the timings",
              file=sys.stderr, flush=True)
    machine = {"suite": args.suite, "device": args.device or "cpu", "cores": os.cpu_count(), "cpu": cpu_name(),
               "threads": args.threads, "rounds": args.rounds, "load_average_at_start": load, **versions(args.device)}
    measured = {(c, p): {"vggsharp": [], "pytorch": [], "errors": []} for c in cases for p in c.precisions
                if not args.precisions or p in args.precisions}
    for round_index in range(args.rounds):
        for (case, precision), runs in measured.items():
            sides = ["vggsharp", "pytorch"] if round_index % 2 == 0 else ["pytorch", "vggsharp"]
            for side in sides:
                start = time.perf_counter()
                try:
                    result = measure_vggsharp(vggsharp, case, precision, args) if side == "vggsharp" else measure_pytorch(case, precision, args)
                except MeasurementError as e:
                    runs["errors"].append(f"{side}: {e}")
                    print(f"round {round_index + 1}/{args.rounds}  {case.title:55s} {precision:4s} {side:9s} FAILED: {e}", flush=True)
                    continue
                runs[side].append(result)
                print(f"round {round_index + 1}/{args.rounds}  {case.title:55s} {precision:4s} {side:9s} {result['images_per_second']:9.2f} images/s"
                      f"  ({time.perf_counter() - start:.0f} s)", flush=True)
            # Written after every case, so a run stopped by its time limit keeps what it measured.
            results = summarise(measured, vggsharp, args)
            peaks = [r["peak"] for row in results for r in row["vggsharp_runs"] if r.get("peak")]
            # The peak is a limit: the best probe of the run.
            machine["peak"] = None if not peaks else {**max(peaks, key=lambda p: p["all_threads_gflops"]),
                                                      "single_thread_gflops": max(p["single_thread_gflops"] for p in peaks)}
            text = write_results(results, machine, args)
    print()
    print(text)
    failed = any(r["errors"] for r in results)
    if args.readme and not failed:
        write_between_markers(args.readme, text)
        print(f"Wrote the performance section of {args.readme}.")
    if failed:
        sys.exit("side_by_side: some measurements failed (listed above)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vggsharp", help="the command that runs vggsharp, e.g. 'dotnet src/VggSharp.Cli/bin/Release/net10.0/vggsharp.dll'")
    parser.add_argument("--torch", choices=sorted(BY_NAME), help="measure one case in PyTorch and print JSON")
    parser.add_argument("--warmup", type=int, default=2, help="with --torch: untimed iterations")
    parser.add_argument("--iterations", type=int, default=5, help="with --torch: timed iterations")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="threads on both sides (default: every core)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of every case, alternating which side goes first")
    parser.add_argument("--suite", choices=sorted(SUITES), default="cpu", help="the CPU cases (default) or the GPU cases")
    parser.add_argument("--device", help="cpu, cuda or cuda:N, passed to both sides (vggsharp bench --device); default: neither is told")
    parser.add_argument("--precision", choices=("fp32", "tf32", "bf16"), default="fp32", help="with --torch: the precision")
    parser.add_argument("--tiny", action="store_true", help="every case shrunk (width 1/16, 32x32, batch 4): checks the script only")
    parser.add_argument("--timeout", type=int, default=600, help="seconds one measurement may take before it counts as failed")
    parser.add_argument("--profile", choices=sorted(BY_NAME), help="profile one case in PyTorch (torch.profiler) and print its kernels by time")
    parser.add_argument("--print-command", choices=sorted(BY_NAME), help="print the vggsharp bench command of a case (text output: per layer)")
    parser.add_argument("--only", nargs="+", choices=sorted(BY_NAME), help="run only these cases")
    parser.add_argument("--precisions", nargs="+", choices=("fp32", "tf32", "bf16"), help="run only these precisions of the cases")
    parser.add_argument("--out", default="runs/side-by-side", help="where results.json and performance.md go")
    parser.add_argument("--readme", help="also write the table into this file between the performance markers")
    parser.add_argument("--command", default="bash bench/side_by_side.sh", help="the command named in the section")
    args = parser.parse_args()
    if args.threads < 1 or args.rounds < 1 or args.warmup < 0 or args.iterations < 1 or args.timeout < 1:
        parser.error("threads, rounds, iterations and the timeout must be at least 1, warm-up at least 0")
    if args.profile:
        profile_torch(BY_NAME[args.profile].tiny() if args.tiny else BY_NAME[args.profile], args)
    elif args.print_command:
        if not args.vggsharp:
            parser.error("--print-command needs --vggsharp")
        case = BY_NAME[args.print_command].tiny() if args.tiny else BY_NAME[args.print_command]
        print(shlex.join(vggsharp_command(shlex.split(args.vggsharp), case, args.precision, args, json_output=False)))
    elif args.torch:
        case = BY_NAME[args.torch].tiny() if args.tiny else BY_NAME[args.torch]
        print(json.dumps(measure_torch(case, args.warmup, args.iterations, args.threads, args.device or "cpu", args.precision)))
    elif args.vggsharp:
        drive(args)
    else:
        parser.error("give --vggsharp (run every case) or --torch CASE (one PyTorch measurement)")


if __name__ == "__main__":
    main()
