"""The ``salesperf`` command's entry point: a stop signal ends it in one line, even while it loads.

Loading salesperf (pandas, MkDocs, Babel, …) takes about a second. A Ctrl+C or SIGTERM (CI
cancelling a job) that arrived meanwhile used to end the command with a traceback, or silently with
exit code 143. Once Python has started and called ``main`` (about 25 ms in; before that, Python's
own start-up handles signals), such an interrupt ends the command as it does later on: one line,
exit 1, nothing written. The command line (``generator.cli``) uses the same handler and wording.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType

from generator.errors import InterruptedAfterPublishing


def stop_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    """Signal handler: SIGTERM stops the command like Ctrl+C (a KeyboardInterrupt naming the signal)."""
    raise KeyboardInterrupt(signal.Signals(signum).name)


def interrupted(exc: KeyboardInterrupt, when: str) -> str:
    """The one line an interrupt ends the command with, e.g. ``error: interrupted (SIGTERM);
    stopped before it finished`` (Ctrl+C raises a KeyboardInterrupt that names no signal: SIGINT);
    once the new site is published (``InterruptedAfterPublishing``), it says that instead."""
    name = exc.args[0] if exc.args else "SIGINT"
    if isinstance(exc, InterruptedAfterPublishing):
        return (
            f"error: interrupted ({name}) after the new site was published: the site is complete; "
            "the next build tidies what was left"
        )
    return f"error: interrupted ({name}); stopped {when}"


def main() -> None:
    """Load the command line (``generator.cli``) and run it, SIGTERM stopping it like Ctrl+C."""
    previous = signal.signal(signal.SIGTERM, stop_on_sigterm)
    try:
        try:
            from generator.cli import main as command
        except KeyboardInterrupt as exc:
            print(interrupted(exc, "before it started"), file=sys.stderr)
            sys.exit(1)
        try:
            command()
        except KeyboardInterrupt as exc:  # in the instant before or after click runs the command
            print(interrupted(exc, "before it finished"), file=sys.stderr)
            sys.exit(1)
    finally:
        signal.signal(signal.SIGTERM, previous)
