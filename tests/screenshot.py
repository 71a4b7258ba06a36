"""Regenerate the README's screenshot: the bundled example's overview at 1,440 × 900, light mode.

    python -m tests.screenshot            # builds the example into a temporary folder first
    python -m tests.screenshot --site site  # or uses a site already built

Uses the browser tests' Chromium (``tests/browser.py``); writes ``screenshot.png`` at the top of
the repository.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--site", type=Path, default=None, help="a built site (default: build the example)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "screenshot.png")
    args = parser.parse_args()
    from tests.browser import launch, serve

    with tempfile.TemporaryDirectory() as scratch:
        site = args.site
        if site is None:
            from generator.build import build

            site = build(ROOT / "config" / "example.yaml", Path(scratch) / "site").out
        with serve(site) as served, launch() as chromium:
            context = chromium.new_context(
                viewport={"width": 1440, "height": 900}, color_scheme="light"
            )
            page = context.new_page()
            page.goto(served.url("/"))
            page.wait_for_selector("div.sp-chart svg")
            page.wait_for_timeout(300)  # the last chart's transition
            page.screenshot(path=str(args.out))
            context.close()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
