"""Check that a change left the site byte-identical: build the same inputs at two revisions.

    python bench/identical.py --base v0.9.0                       # the bundled example
    python bench/identical.py --base HEAD~3 --reps 1000 --deals 1000000 --years 4

Each revision is checked out in a temporary git worktree and builds the same config into its own
folder with the same ``SOURCE_DATE_EPOCH``, in a fresh process (``python -m generator build``
from that checkout). Every file of the two sites is compared byte for byte, apart from the
search index (``search/search_index.json``), which a change may trim on purpose. Prints the files
that differ and exits 1 if any do.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import company  # noqa: E402

EXEMPT = {"search/search_index.json"}
"""Files a change may alter on purpose: the search index (what is indexed is a product choice)."""

EPOCH = "1700000000"


def build_at(checkout: Path, config: Path, out: Path) -> float:
    """Seconds to build ``config`` into ``out`` with the code of ``checkout``, in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "SOURCE_DATE_EPOCH": EPOCH, "NO_MKDOCS_2_WARNING": "1"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "generator", "build", "-c", str(config), "--out", str(out), "--force"],
                          cwd=checkout, env=env, capture_output=True, text=True)
    if done.returncode:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        sys.exit(f"the build at {checkout} failed (exit {done.returncode}): {last}")
    return time.perf_counter() - started


def differences(left: Path, right: Path) -> tuple[list[str], list[str], list[str]]:
    """Files only in ``left``, only in ``right``, and in both with different bytes (EXEMPT aside)."""
    def files(root: Path) -> set[str]:
        return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} - EXEMPT

    a, b = files(left), files(right)
    changed = sorted(name for name in a & b if not filecmp.cmp(left / name, right / name, shallow=False))
    return sorted(a - b), sorted(b - a), changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the revision to compare with (a tag, branch or commit)")
    parser.add_argument("--head", default=None, help="the revision to check (default: this checkout as it is)")
    parser.add_argument("--reps", type=int, default=0, help="a generated company of this many reps (0: the example)")
    parser.add_argument("--deals", type=int, default=200_000)
    parser.add_argument("--years", type=int, default=4)
    args = parser.parse_args()
    config = (company(ROOT / "bench" / "out", args.reps, args.deals, args.years) if args.reps
              else ROOT / "config" / "example.yaml")
    with tempfile.TemporaryDirectory(prefix="salesperf-identical-") as scratch:
        work = Path(scratch)
        checkouts = {}
        for label, revision in (("base", args.base), ("head", args.head)):
            if revision is None:
                checkouts[label] = ROOT
                continue
            added = subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(work / label), revision],
                                   capture_output=True, text=True)
            if added.returncode:
                sys.exit(f"--{label} {revision}: not a revision of this repository ({added.stderr.strip().splitlines()[-1]})")
            checkouts[label] = work / label
        try:
            seconds = {label: build_at(checkout, config.resolve(), work / "sites" / label)
                       for label, checkout in checkouts.items()}
            only_base, only_head, changed = differences(work / "sites" / "base", work / "sites" / "head")
            total = sum(1 for p in (work / "sites" / "head").rglob("*") if p.is_file())
        finally:
            for checkout in checkouts.values():
                if checkout != ROOT:
                    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(checkout)],
                                   check=False, capture_output=True)
                    shutil.rmtree(checkout, ignore_errors=True)
    print(f"{config}: base {args.base} built in {seconds['base']:.1f} s, head {args.head or 'this checkout'} "
          f"in {seconds['head']:.1f} s; {total:,} files")
    for label, names in (("only in base", only_base), ("only in head", only_head), ("different bytes", changed)):
        if names:
            print(f"{label}: {len(names)}: " + ", ".join(names[:20]) + (" …" if len(names) > 20 else ""))
    if only_base or only_head or changed:
        sys.exit(1)
    print("byte-identical (apart from search/search_index.json)")


if __name__ == "__main__":
    main()
