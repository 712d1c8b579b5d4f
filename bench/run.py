"""Run every benchmark and write bench/results.md.

Each benchmark is a standalone script in this folder that prints one markdown
section, stating its figures as ratios to a baseline it measures in the same
run. This script adds the machine and the date, and keeps the sections in a
fixed order so results can be compared across runs.
"""

import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    "filings.py",
    "screening.py",
    "list_update.py",
    "access_check.py",
    "gateway.py",
    "posting.py",
    "batches.py",
    "intake.py",
    "simulator.py",
]


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB memory"
    return f"{model}, {os.cpu_count()} cores{memory}; Python {platform.python_version()}; {platform.platform()}"


def main() -> int:
    sections, failures = [], []
    for name in BENCHMARKS:
        script = HERE / name
        if not script.exists():
            continue
        print(f"running {name} ...", flush=True)
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, capture_output=True, text=True)
        if result.returncode != 0:
            failures.append(name)
            sections.append(f"## {name}\n\nFailed (exit {result.returncode}):\n\n```\n{result.stderr[-3000:]}\n```\n")
        else:
            sections.append(result.stdout.strip() + "\n")
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = f"# Benchmark results\n\nMeasured {now} on {machine()}.\n\n"
    (HERE / "results.md").write_text(header + "\n".join(sections))
    print(f"wrote {HERE / 'results.md'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
