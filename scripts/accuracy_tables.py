"""Turns scripts/accuracy.sh's results.jsonl into docs/ACCURACY.md and the README's accuracy section."""
import json
import os
import platform
import sys

results_path, runs, doc_path, readme_path = sys.argv[1:5]
def objects(text):
    """The JSON objects of a file, one per line or spread over several."""
    decoder, position, found = json.JSONDecoder(), 0, []
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position == len(text):
            return found
        value, position = decoder.raw_decode(text, position)
        found.append(value)


rows = objects(open(results_path).read())
evals = [r for r in rows if r["kind"] == "eval"]


def epochs_of(name):
    return [json.loads(l) for l in open(os.path.join(runs, name, "metrics.jsonl")) if l.strip()]


def network(name):
    """The configuration and width, from the model file's own metadata."""
    with open(os.path.join(runs, name, "model.safetensors"), "rb") as f:
        size = int.from_bytes(f.read(8), "little")
        metadata = json.loads(f.read(size))["__metadata__"]
    return f"{metadata['vggsharp.configuration']} width {metadata['vggsharp.width_multiplier']}"


def cpu():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


lines = ["| run | network | epochs | training time | images/s | val top-1 error | val top-5 error |",
         "|---|---|---|---|---|---|---|"]
for name in ("main", "long"):
    if not os.path.exists(os.path.join(runs, name, "model.safetensors")):
        continue
    epochs = epochs_of(name)
    # Time as the run measured it (each epoch's training and validation), so a run that was resumed counts once.
    seconds = round(sum(e["seconds"] for e in epochs))
    images_per_second = sorted(e["images_per_second"] for e in epochs)[len(epochs) // 2]
    last = epochs[-1]
    lines.append(f"| {name} | {network(name)} | {len(epochs)} | {seconds // 60} min {seconds % 60} s | "
                 f"{images_per_second:.0f} | {100 * last['val_top1_error']:.2f}% | {100 * last['val_top5_error']:.2f}% |")
training_table = "\n".join(lines)

lines = ["| model(s) | protocol | scales Q | images | top-1 error | top-5 error |", "|---|---|---|---|---|---|"]
for r in evals:
    e = r["result"]
    lines.append(f"| {r['label']} | {e['protocol']} | {','.join(str(q) for q in e['scales'])} | {e['images']} | "
                 f"{100 * e['top1_error']:.2f}% | {100 * e['top5_error']:.2f}% |")
protocol_table = "\n".join(lines)

machine = f"{os.cpu_count()} cores, {cpu()}"
section = (f"Fashion-MNIST test set (10,000 images), measured by `bash scripts/accuracy.sh` on {machine}.\n\n"
           f"Training (validated after each epoch on the test set, single centre crop; images/s is the median epoch's):\n\n{training_table}\n\n"
           f"Test protocols (section 3.2; main+long is an ensemble of the two models, softmax posteriors averaged):\n\n{protocol_table}\n")
with open(doc_path, "w") as f:
    f.write("# Accuracy\n\n" + section)

begin, end = "<!-- accuracy:begin -->", "<!-- accuracy:end -->"
readme = open(readme_path).read()
if begin in readme and end in readme:
    head, rest = readme.split(begin, 1)
    _, tail = rest.split(end, 1)
    open(readme_path, "w").write(head + begin + "\n" + section + end + tail)
