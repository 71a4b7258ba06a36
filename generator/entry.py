"""The ``salesperf`` command's entry point: it stops cleanly from its first instant.

Loading salesperf (pandas, MkDocs, Altair's neighbours) takes about a second. A Ctrl+C or SIGTERM
(CI cancelling a job) that arrives meanwhile would otherwise end the command with a traceback, or
silently with exit code 143; here it ends as an interrupt does later on: one line, exit 1, and
nothing written.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def main() -> None:
    """Load the command line (``generator.cli``) and run it, SIGTERM stopping it like Ctrl+C."""
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        try:
            from generator.cli import main as command
        except KeyboardInterrupt as exc:
            reason = exc.args[0] if exc.args else "SIGINT"
            print(f"error: interrupted ({reason}); stopped before it started", file=sys.stderr)
            sys.exit(1)
        command()
    finally:
        signal.signal(signal.SIGTERM, previous)
