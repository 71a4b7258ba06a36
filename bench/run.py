"""Benchmark a full salesperf build on a generated company, against MkDocs' own floor.

    python bench/run.py --reps 1000 --deals 1000000 --years 4 --runs 3

Generates the company once (Parquet, canonical columns) under bench/out/, then for each run:
a full build from a clean folder in a fresh process (time and peak memory per stage), a bare
``mkdocs build`` over the same generated pages, the theme floor (a bare ``mkdocs build`` of as many
pages at the same paths, same nav, theme and plugins, each page holding only its title), and a
rebuild with unchanged exports. Prints medians; the ratios are total build time ÷ each floor,
measured in the same run. The chart bundle comes from the shared cache folder, as in any build after
the machine's first (``generator.publish.vega``: about 2 s of CPU, once per vl-convert and Vega-Lite
version).

A timed step never follows the deletion of many files: the previous run's output is moved aside
(``_set_aside``) and deleted once all runs are over, and a benchmark that starts less than a
minute after one ended (or finds a trash folder left by an interrupted one) waits first. On ext4
without a journal, as on the benchmark machine, creating files right after many were deleted is
several times slower: the
kernel's inode allocator (``recently_deleted()`` in fs/ext4/ialloc.c) steps over every inode freed
in the last minute, or the last six while its inode-table block is unwritten. Deleting the last
run's files made the next build's write stage 1.3–2.7 s of system time instead of about 0.5 s. A
build from a clean folder, a CI clone's, has no such deletion before it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.sample import generate, write_config  # noqa: E402

BUILD = """
import json, sys, time
from generator.build import build
start = time.perf_counter()
result = build(sys.argv[1], sys.argv[2])
print(json.dumps({"wall": time.perf_counter() - start, "pages": result.pages, "reused": result.reused,
                  "stages": [[t.stage, t.seconds, t.peak_mb] for t in result.timings]}))
"""


RECENT_S = 61
"""Seconds after which ext4 reuses a freed inode whose inode-table block is written (see above)."""


def _set_aside(path: Path, trash: Path) -> None:
    """Move ``path`` (if it exists) into ``trash``, to be deleted once all runs are over (see above)."""
    if path.exists():
        trash.mkdir(parents=True, exist_ok=True)
        path.rename(trash / f"{len(list(trash.iterdir()))}-{path.name}")


def _note_deletion(marker: Path) -> None:
    """Write every deleted inode back (then only the one-minute window applies) and note when."""
    os.sync()
    marker.write_text(f"{time.time()}\n", encoding="utf-8")


def _wait_after_deletion(marker: Path) -> None:
    """Wait until RECENT_S have passed since the last noted deletion (none noted: no wait)."""
    try:
        left = float(marker.read_text(encoding="utf-8")) + RECENT_S - time.time()
    except (OSError, ValueError):
        return
    if left > 0:
        print(f"waiting {left:.0f} s: files were deleted less than a minute ago", flush=True)
        time.sleep(left)


def company(out: Path, reps: int, deals: int, years: int) -> Path:
    """The generated company's config (generated once per size)."""
    folder = out / f"reps{reps}-deals{deals}-years{years}"
    config = folder / "salesperf.yaml"
    if not config.exists():
        started = time.perf_counter()
        generate(folder / "data", reps=reps, deals=deals, years=years, fmt="parquet")
        write_config(config, folder / "data", fmt="parquet")
        print(f"generated {reps:,} reps / {deals:,} deals in {time.perf_counter() - started:.1f} s", flush=True)
    return config


def _tree(root: int) -> list[int]:
    """``root`` and every live process descending from it (Linux /proc)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            parents[int(entry)] = int(fields[1])
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sorted(tree)


def _pss_mb(pids: list[int]) -> float:
    """The processes' proportional set size in MB: memory two processes share (a forked worker's
    inherited pages) is counted once between them, so the sum is what the build holds in RAM."""
    total_kb = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kb += int(line.split()[1])
                    break
        except OSError:
            continue
    return total_kb / 1024


def run_build(config: Path, site: Path) -> dict:
    """One build in a fresh Python process (the wall time includes its imports), with the peak memory
    of the build and its worker processes together, sampled every 0.2 s."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", BUILD, str(config), str(site)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    peak = 0.0
    while True:
        peak = max(peak, _pss_mb(_tree(process.pid)))
        try:
            process.wait(timeout=0.2)  # ends at once when the build does: no sleep in the wall time
            break
        except subprocess.TimeoutExpired:
            continue
    out, err = process.communicate()
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, "build", out, err)
    report = json.loads(out.strip().splitlines()[-1])
    report["process"] = time.perf_counter() - started
    report["peak_pss_mb"] = peak
    return report


def run_floor(site: Path, scratch: Path, trash: Path) -> float:
    """A bare ``mkdocs build`` over the pages salesperf generated, with the same mkdocs.yml."""
    work = site.parent / ".salesperf-build" / site.name
    manifest = json.loads((work / "manifest.json").read_text(encoding="utf-8"))
    return _bare_mkdocs(site.parent / "mkdocs-floor.yml", scratch, trash, docs_dir=str(work / "docs"),
                        nav=manifest["nav"])


def _bare_mkdocs(config: Path, scratch: Path, trash: Path, **settings: object) -> float:
    """Seconds of a plain ``mkdocs build`` in a fresh process: the project's mkdocs.yml with ``settings``."""
    values = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    values.update(site_dir=str(scratch), **settings)
    config.write_text(yaml.safe_dump(values, sort_keys=False), encoding="utf-8")
    _set_aside(scratch, trash)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config)], check=True,
                   capture_output=True, env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"})
    return time.perf_counter() - started


def _title(page: Path) -> str:
    """A generated page's title: its front matter's ``title``, else its first heading, else its path."""
    text = page.read_text(encoding="utf-8")
    match = re.search(r'^title:\s*"?(.*?)"?\s*$', text.split("\n---", 1)[0], re.M) if text.startswith("---") else None
    if match is None:
        match = re.search(r"^#\s+(.+)$", text, re.M)
    return match.group(1) if match else page.stem


def run_theme_floor(site: Path, scratch: Path, trash: Path) -> float:
    """The theme's own floor: a bare ``mkdocs build`` of as many pages, at the same paths, with the same
    nav, theme and plugins, each page holding only its title."""
    work = site.parent / ".salesperf-build" / site.name
    manifest = json.loads((work / "manifest.json").read_text(encoding="utf-8"))
    docs = work.parent / "theme-floor-docs"
    _set_aside(docs, trash)
    for page in (work / "docs").rglob("*.md"):
        target = docs / page.relative_to(work / "docs")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"# {_title(page)}\n", encoding="utf-8")
    return _bare_mkdocs(site.parent / "mkdocs-theme-floor.yml", scratch, trash, docs_dir=str(docs), nav=manifest["nav"],
                        extra_javascript=[], extra_css=[])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    config = company(args.out, args.reps, args.deals, args.years)
    site = config.parent / "site"
    builds, floors, themes, rebuilds = [], [], [], []
    trash, deleted_at = args.out / "trash", args.out / "trash-deleted-at"
    if trash.exists():  # left by an interrupted run
        shutil.rmtree(trash, ignore_errors=True)
        _note_deletion(deleted_at)
    _wait_after_deletion(deleted_at)
    try:
        for run in range(args.runs):
            _set_aside(site, trash)
            _set_aside(config.parent / ".salesperf-build" / "site" / "docs", trash)
            (config.parent / ".salesperf-build" / "site" / "manifest.json").unlink(missing_ok=True)
            builds.append(run_build(config, site))
            floors.append(run_floor(site, config.parent / "floor-site", trash))
            themes.append(run_theme_floor(site, config.parent / "theme-floor-site", trash))
            rebuilds.append(run_build(config, site))
            print(f"run {run + 1}: build {builds[-1]['process']:.1f} s, mkdocs over our pages {floors[-1]:.1f} s, "
                  f"theme floor {themes[-1]:.1f} s, unchanged rebuild {rebuilds[-1]['process']:.1f} s", flush=True)
    finally:
        shutil.rmtree(trash, ignore_errors=True)
        _note_deletion(deleted_at)
    stages = [name for name, _s, _m in builds[0]["stages"]]
    print(f"\n{args.reps:,} reps, {args.deals:,} deals, {args.years} years: {builds[0]['pages']:,} pages, "
          f"median of {args.runs} run(s)\n")
    print("| stage | seconds | peak memory by its end (MB; the build's own + its largest worker's, an upper bound) |"
          "\n|---|---:|---:|")
    for index, name in enumerate(stages):
        seconds = statistics.median(b["stages"][index][1] for b in builds)
        peak = statistics.median(b["stages"][index][2] for b in builds)
        print(f"| {name} | {seconds:.2f} | {peak:,.0f} |")
    total = statistics.median(b["process"] for b in builds)
    floor = statistics.median(floors)
    theme = statistics.median(themes)
    ratios = [b["process"] / f for b, f in zip(builds, floors, strict=True)]
    theme_ratios = [b["process"] / f for b, f in zip(builds, themes, strict=True)]
    print(f"| **full build (process wall time)** | **{total:.2f}** | |")
    print(f"| bare `mkdocs build`, same generated pages | {floor:.2f} | |")
    print(f"| theme floor: bare `mkdocs build`, same pages holding only their title | {theme:.2f} | |")
    print(f"| unchanged rebuild | {statistics.median(r['process'] for r in rebuilds):.2f} | |")
    print(f"\npeak memory of the build and its worker processes together (proportional set size, sampled "
          f"every 0.2 s; median of runs): {statistics.median(b['peak_pss_mb'] for b in builds):,.0f} MB")
    print(f"\nbuild ÷ bare MkDocs over the same pages (per run, median): {statistics.median(ratios):.2f}")
    print(f"build ÷ theme floor (per run, median): {statistics.median(theme_ratios):.2f}")
    results = {"reps": args.reps, "deals": args.deals, "years": args.years, "pages": builds[0]["pages"],
               "builds": builds, "floors": floors, "theme_floors": themes, "rebuilds": rebuilds}
    (config.parent / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
