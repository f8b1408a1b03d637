"""Writes the GPU check's Markdown (docs/GPU.md's form) from what scripts/gpu_check.sh's stages left; a missing
piece is said to be missing. Usage: gpu_report.py --out GPU.md --gpu gpu.txt --tests tests.xml --bench performance.md
--main-job metrics.jsonl --main-job-seconds FILE --stage NAME=STATUS ..."""
import argparse
import datetime
import json
import os
import xml.etree.ElementTree as ElementTree


def read(path):
    return open(path).read().strip() if path and os.path.isfile(path) else None


def tests_section(path):
    if not path or not os.path.isfile(path):
        return "No test results (see check.log)."
    try:
        assemblies = ElementTree.parse(path).getroot().findall("assembly")
    except ElementTree.ParseError as e:
        return f"The test results could not be read: {e}."
    counts = {key: sum(int(a.get(key, 0)) for a in assemblies) for key in ("total", "passed", "failed", "skipped", "errors")}
    lines = [f"{counts['total']} GPU tests: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped"
             + (f", {counts['errors']} errors" if counts["errors"] else "") + "."]
    for test in (t for a in assemblies for t in a.iter("test") if t.get("result") != "Pass"):
        reason = test.findtext("reason") or test.findtext("failure/message") or ""
        lines.append(f"- {test.get('result')}: {test.get('name')}: {' '.join(reason.split())[:300]}")
    return "\n".join(lines)


def main_job_section(path, seconds_path):
    if not path or not os.path.isfile(path):
        return "Not run (no .gpu/fashion-mnist, or it failed: see check.log)."
    epochs = [json.loads(line) for line in open(path) if line.strip()]
    if not epochs:
        return "No epoch completed."
    last = epochs[-1]
    seconds = read(seconds_path)
    lines = [f"{len(epochs)} epochs, validation top-1 accuracy {100 * (1 - last['val_top1_error']):.2f}% "
             f"(top-5 error {100 * last['val_top5_error']:.2f}%)"
             + (f", {seconds} s end to end (data loading included)." if seconds else "."), "",
             "| epoch | train loss | val top-1 error | lr | images/s | seconds |", "|---|---|---|---|---|---|"]
    lines += [f"| {e['epoch']} | {e['train_loss']:.4f} | {100 * e['val_top1_error']:.2f}% | {e['lr']:g} | "
              f"{e['images_per_second']:,.0f} | {e['seconds']:.1f} |" for e in epochs]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    parser.add_argument("--gpu")
    parser.add_argument("--tests")
    parser.add_argument("--bench")
    parser.add_argument("--main-job")
    parser.add_argument("--main-job-seconds")
    parser.add_argument("--stage", action="append", default=[], help="NAME=STATUS, in the order the stages ran")
    args = parser.parse_args()
    stages = [s.split("=", 1) for s in args.stage]
    text = "\n".join([
        f"# GPU check, {datetime.date.today().isoformat()}", "",
        f"GPU: {read(args.gpu) or 'none found (no nvidia-smi, or it failed)'}.", "",
        "| stage | how it ended |", "|---|---|", *[f"| {name} | {state} |" for name, state in stages], "",
        "## GPU tests", "", tests_section(args.tests), "",
        "## VggSharp and PyTorch side by side", "", read(args.bench) or "No measurements (see check.log).", "",
        "## The main job on the GPU", "", main_job_section(args.main_job, args.main_job_seconds), "",
    ])
    with open(args.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
