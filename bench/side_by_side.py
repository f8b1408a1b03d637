"""VggSharp against PyTorch on the same machine, the same work, in one go (run by bench/side_by_side.sh).

Each case runs in VggSharp (`vggsharp bench --json`) and in PyTorch (this file with --torch, in its own process),
A then B in the first round, B then A in the next, so slow drifts of a shared machine fall on both sides. Each
measurement is the median of several timed iterations after warm-up; over rounds, the median of the medians.
Both sides: the same architecture (checked by parameter count), batch, input and step: forward, softmax
cross-entropy, backward, SGD with momentum 0.9 and weight decay 5e-4 on weights only (training mode, dropout on),
or forward in evaluation mode without gradients (inference). Inputs are random: data loading is not timed.

Usage: side_by_side.py --vggsharp 'dotnet path/vggsharp.dll' [--rounds 2] [--only NAME ...] [--out DIR] [--readme README.md]
       side_by_side.py --torch CASE --warmup N --iterations N   (one PyTorch measurement, printed as JSON)
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
                 channels=3, classes=1000, width=1.0, head="paper"):
        self.name, self.title, self.config, self.torchvision_name = name, title, config, torchvision_name
        self.mode, self.batch, self.input_size, self.warmup, self.iterations = mode, batch, input_size, warmup, iterations
        self.target, self.channels, self.classes, self.width, self.head = target, channels, classes, width, head

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
BY_NAME = {c.name: c for c in CASES}


# ---------------------------------------------------------------------------------------------------- PyTorch side
def torch_model(case):
    import torch.nn as nn
    import torchvision

    if case.torchvision_name is not None:
        return getattr(torchvision.models, case.torchvision_name)(num_classes=case.classes)
    # The main job's network: torchvision's make_layers for configuration D with batch norm, every width scaled as
    # VggSharp scales it (rounded half away from zero), a one-channel input, and VggSharp's small head on the final
    # 1x1 map (no adaptive pooling, which would blow the 1x1 map up to 7x7).
    plan = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]
    layers, channels = [], case.channels
    for item in plan:
        if item == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        out = max(1, int(item * case.width + 0.5))
        layers += [nn.Conv2d(channels, out, kernel_size=3, padding=1), nn.BatchNorm2d(out), nn.ReLU(inplace=True)]
        channels = out
    size = case.input_size // 32
    hidden = 512
    return nn.Sequential(*layers, nn.Flatten(),
                         nn.Linear(channels * size * size, hidden), nn.ReLU(True), nn.Dropout(0.5),
                         nn.Linear(hidden, hidden), nn.ReLU(True), nn.Dropout(0.5),
                         nn.Linear(hidden, case.classes))


def measure_torch(case, warmup, iterations, threads):
    import torch
    import torch.nn as nn

    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = torch_model(case)
    parameters = sum(p.numel() for p in model.parameters())
    images = torch.rand(case.batch, case.channels, case.input_size, case.input_size) * 2 - 1
    labels = torch.arange(case.batch) % case.classes
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
            loss = criterion(model(images), labels)
            loss.backward()
            optimizer.step()
    else:
        model.eval()

        def step():
            with torch.no_grad():
                model(images)

    for _ in range(warmup):
        step()
    seconds = []
    for _ in range(iterations):
        start = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    return {"case": case.name, "parameters": parameters, "threads": torch.get_num_threads(), "seconds": seconds,
            "median_seconds": median, "images_per_second": case.batch / median}


# ----------------------------------------------------------------------------------------------------- the driver
def run_json(command):
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        sys.exit(f"side_by_side: {shlex.join(command)} failed ({result.returncode}):\n{result.stderr}")
    return json.loads(result.stdout)


def measure_vggsharp(vggsharp, case, threads):
    return run_json(vggsharp + ["bench", "--mode", case.mode, "--batch", str(case.batch), "--warmup", str(case.warmup),
                                "--iterations", str(case.iterations), "--threads", str(threads), "--json"] + case.model_args())


def measure_pytorch(case, threads):
    return run_json([sys.executable, os.path.abspath(__file__), "--torch", case.name, "--warmup", str(case.warmup),
                     "--iterations", str(case.iterations), "--threads", str(threads)])


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def versions():
    import torch
    import torchvision

    found = re.search(r"(?:MKL-DNN|oneDNN) v([0-9.]+)", torch.__config__.show())
    onednn = found.group(1) if found else "unknown"
    dotnet = subprocess.run(["dotnet", "--version"], stdout=subprocess.PIPE, text=True).stdout.strip()
    return {"torch": torch.__version__, "torchvision": torchvision.__version__, "onednn": onednn, "dotnet": dotnet}


def ratio_text(ratio, target):
    verdict = "met" if ratio >= target else "not met"
    return f"{ratio:.2f}x", f"{target:g}x: {verdict}"


def table(results, peak):
    header = ("| case | VggSharp img/s | PyTorch img/s | ratio | goal | VggSharp GFLOP/s (% of peak) | PyTorch GFLOP/s (% of peak) |\n"
              "|---|---|---|---|---|---|---|")
    rows = []
    for r in results:
        case, vgg, torch = BY_NAME[r["case"]], r["vggsharp_images_per_second"], r["pytorch_images_per_second"]
        ratio, goal = ratio_text(vgg / torch, case.target)
        flops = r["flops_per_iteration"]
        g_vgg, g_torch = flops * vgg / case.batch / 1e9, flops * torch / case.batch / 1e9
        rows.append(f"| {case.title} | {vgg:.2f} | {torch:.2f} | {ratio} | {goal} | "
                    f"{g_vgg:.1f} ({100 * g_vgg / peak:.1f}%) | {g_torch:.1f} ({100 * g_torch / peak:.1f}%) |")
    return header + "\n" + "\n".join(rows)


def section(results, machine, command):
    peak = machine["peak"]
    lines = [f"Measured by `{command}` on {machine['cores']} cores, {machine['cpu']} "
             f"(FMA peak {peak['single_thread_gflops']:.0f} GFLOP/s on one thread, {peak['all_threads_gflops']:.0f} on "
             f"{peak['threads']}, Vector{peak['vector_bits']}); .NET {machine['dotnet']}; PyTorch {machine['torch']} "
             f"(torchvision {machine['torchvision']}, oneDNN {machine['onednn']}) with torch.set_num_threads({machine['threads']}). "
             f"Median of {machine['rounds']} round{'s' if machine['rounds'] != 1 else ''}, each the median of several timed iterations after warm-up; "
             "ratio = VggSharp's images/s over PyTorch's.", "",
             table(results, peak["all_threads_gflops"])]
    epoch = next((r for r in results if r["case"] == "fashion-mnist-epoch"), None)
    if epoch is not None:
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


def drive(args):
    vggsharp = shlex.split(args.vggsharp)
    cases = [BY_NAME[n] for n in args.only] if args.only else CASES
    threads = args.threads
    os.makedirs(args.out, exist_ok=True)
    load = os.getloadavg()[0]
    if load > 0.5 * os.cpu_count():
        print(f"side_by_side: warning: load average {load:.1f} on {os.cpu_count()} cores; other processes will distort the timings",
              file=sys.stderr, flush=True)
    measured = {c.name: {"vggsharp": [], "pytorch": []} for c in cases}
    for round_index in range(args.rounds):
        for case in cases:
            sides = ["vggsharp", "pytorch"] if round_index % 2 == 0 else ["pytorch", "vggsharp"]
            for side in sides:
                start = time.perf_counter()
                result = measure_vggsharp(vggsharp, case, threads) if side == "vggsharp" else measure_pytorch(case, threads)
                measured[case.name][side].append(result)
                print(f"round {round_index + 1}/{args.rounds}  {case.title:55s} {side:9s} {result['images_per_second']:9.2f} images/s"
                      f"  ({time.perf_counter() - start:.0f} s)", flush=True)

    results, peaks = [], []
    for case in cases:
        vgg_runs, torch_runs = measured[case.name]["vggsharp"], measured[case.name]["pytorch"]
        # Both sides must run the same network: VggSharp counts its parameters with `vggsharp info`.
        info = run_json(vggsharp + ["info", "--json"] + case.model_args())
        if info["parameters"] != torch_runs[0]["parameters"]:
            sys.exit(f"side_by_side: {case.name}: VggSharp has {info['parameters']} parameters, PyTorch {torch_runs[0]['parameters']}")
        peaks += [r["peak"] for r in vgg_runs]
        results.append({
            "case": case.name, "title": case.title, "mode": case.mode, "batch": case.batch, "input": case.input_size,
            "parameters": info["parameters"], "flops_per_iteration": vgg_runs[0]["flops_per_iteration"],
            "vggsharp_images_per_second": statistics.median(r["images_per_second"] for r in vgg_runs),
            "pytorch_images_per_second": statistics.median(r["images_per_second"] for r in torch_runs),
            "vggsharp_runs": vgg_runs, "pytorch_runs": torch_runs,
        })
    # The peak is a limit: the best probe of the run.
    peak = max(peaks, key=lambda p: p["all_threads_gflops"])
    peak = {**peak, "single_thread_gflops": max(p["single_thread_gflops"] for p in peaks)}
    machine = {"cores": os.cpu_count(), "cpu": cpu_name(), "threads": threads, "rounds": args.rounds, "peak": peak,
               "load_average_at_start": load, **versions()}
    text = section(results, machine, args.command)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"machine": machine, "results": results}, f, indent=2)
    with open(os.path.join(args.out, "performance.md"), "w") as f:
        f.write(text)
    print()
    print(text)
    if args.readme:
        write_between_markers(args.readme, text)
        print(f"Wrote the performance section of {args.readme}.")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vggsharp", help="the command that runs vggsharp, e.g. 'dotnet src/VggSharp.Cli/bin/Release/net10.0/vggsharp.dll'")
    parser.add_argument("--torch", choices=sorted(BY_NAME), help="measure one case in PyTorch and print JSON")
    parser.add_argument("--warmup", type=int, default=2, help="with --torch: untimed iterations")
    parser.add_argument("--iterations", type=int, default=5, help="with --torch: timed iterations")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="threads on both sides (default: every core)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of every case, alternating which side goes first")
    parser.add_argument("--only", nargs="+", choices=sorted(BY_NAME), help="run only these cases")
    parser.add_argument("--out", default="runs/side-by-side", help="where results.json and performance.md go")
    parser.add_argument("--readme", help="also write the table into this file between the performance markers")
    parser.add_argument("--command", default="bash bench/side_by_side.sh", help="the command named in the section")
    args = parser.parse_args()
    if args.threads < 1 or args.rounds < 1 or args.warmup < 0 or args.iterations < 1:
        parser.error("threads, rounds and iterations must be at least 1, warm-up at least 0")
    if args.torch:
        print(json.dumps(measure_torch(BY_NAME[args.torch], args.warmup, args.iterations, args.threads)))
    elif args.vggsharp:
        drive(args)
    else:
        parser.error("give --vggsharp (run every case) or --torch CASE (one PyTorch measurement)")


if __name__ == "__main__":
    main()
