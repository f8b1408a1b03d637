"""Turns scripts/localisation.sh's results.jsonl into docs/LOCALISATION.md and the README's localisation table."""
import json
import platform
import re
import sys

results_path, epochs, per_class, batch, doc_path, readme_path = sys.argv[1:7]
rows = [json.loads(line) for line in open(results_path) if line.strip()]
trained = {r["name"]: r["metrics"] for r in rows if r["kind"] == "train"}
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())


def pct(value):
    return "-" if value is None else f"{100 * value:.2f}%"


lines = [
    f"Constructed benchmark (not ILSVRC): `vggsharp localisation-data` canvases of 64x64 with one Fashion-MNIST item at 20-48 pixels",
    f"among 6 clutter pieces; {per_class} training and 50 validation canvases per class. Measured by",
    f"`EPOCHS={epochs} PER_CLASS={per_class} BATCH={batch} bash scripts/localisation.sh` ({epochs} epochs a run, batches of {batch}) on {cpu}, 2 cores shared. The classifier (D-BN width 0.25, 32x32 crops, S in [32, 40]) reached",
    f"{pct(trained['classifier']['val_top1_error'])} top-1 classification error on the validation canvases (centre crop).",
    "",
    "| regression | fine-tuned | protocol | scales Q | top-1 loc. error | top-5 loc. error | error, ground-truth class |",
    "|---|---|---|---|---|---|---|",
]
for r in rows:
    if r["kind"] != "eval":
        continue
    regression, tune = r["name"].split("-")
    e = r["result"]
    lines.append(f"| {regression.upper()} | {'all layers' if tune == 'all' else 'FC layers'} | {e['protocol']} | "
                 f"{','.join(map(str, e['scales']))} | {pct(e.get('top1_localisation_error'))} | {pct(e.get('top5_localisation_error'))} | "
                 f"{pct(e['ground_truth_class_error'])} |")
table = "\n".join(lines)
with open(doc_path, "w") as doc:
    doc.write("# Localisation (Appendix A) on a constructed benchmark\n\n" + table + "\n")
readme = open(readme_path).read()
begin, end = "<!-- localisation:begin -->", "<!-- localisation:end -->"
if begin not in readme:
    sys.exit(f"{readme_path} has no {begin} marker")
readme = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: begin + "\n" + table + "\n" + end, readme, flags=re.S)
open(readme_path, "w").write(readme)
