"""Progress of a build's long stages: a bar (counted stages) or a moving bar with the elapsed time
(stages that cannot count) on a terminal, drawn by click's progress bar; nothing at all in CI or
when the output is not a terminal."""

from __future__ import annotations

import itertools
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

import click

Advance = Callable[..., None]
"""``advance(steps=1, item=None)``: ``steps`` more units of a counted stage are done; ``item`` names
the one in hand (a dataset, a file)."""


def _nothing(steps: int = 1, item: str | None = None) -> None:
    """The ``advance`` of a silent stage."""


class Progress:
    """How a build reports its long stages; this base class reports nothing (CI, tests, libraries)."""

    @contextmanager
    def stage(self, label: str, total: int | None = None) -> Iterator[Advance]:
        """A stage of ``total`` units (``None``: it cannot count); yields its ``advance``."""
        yield _nothing

    def note(self, message: str) -> None:
        """A one-line remark between stages (e.g. pages reused)."""


QUIET = Progress()
"""The silent progress: what a build reports when nobody watches."""

TICK_SECONDS = 0.2
"""How often a stage that cannot count redraws its moving bar and elapsed time."""

_DRAWING = threading.Lock()
"""Held while a bar is drawn. Held across fork() too (the MkDocs stage forks its workers while the
bar ticks): a child never starts with the terminal stream's buffer locked by a half-drawn bar."""

if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_DRAWING.acquire, after_in_parent=_DRAWING.release, after_in_child=_DRAWING.release
    )


class TerminalProgress(Progress):
    """Progress bars on a terminal (``file``, standard error by default), drawn by click."""

    def __init__(self, file: TextIO | None = None) -> None:
        self.file = file if file is not None else sys.stderr

    @contextmanager
    def stage(self, label: str, total: int | None = None) -> Iterator[Advance]:
        started = time.monotonic()
        current: list[str | None] = [None]

        def info(_item: Any) -> str:
            elapsed = f"{time.monotonic() - started:.0f} s"
            return f"{current[0]}  {elapsed}" if current[0] else elapsed

        bar: Any = click.progressbar(
            None
            if total is not None
            else itertools.count(),  # an endless iterable: no length to show
            length=total,
            label=f"  {label}",
            file=self.file,
            item_show_func=info,
            width=24,
            show_eta=False,
            show_pos=total is not None,
            show_percent=total is not None,
        )
        lock = _DRAWING

        def advance(steps: int = 1, item: str | None = None) -> None:
            with lock:
                current[0] = item if item is not None else current[0]
                bar.update(steps)

        stop = threading.Event()

        # a stage that cannot count still shows that it is alive, and for how long
        def tick() -> None:
            while not stop.wait(TICK_SECONDS):
                with lock:
                    bar.update(0 if total is not None else 1)

        ticker = threading.Thread(target=tick, name=f"progress: {label}", daemon=True)
        with bar:
            ticker.start()
            try:
                yield advance
            finally:
                stop.set()
                ticker.join()
                with lock:
                    bar.finished = True
                    current[0] = None
                    bar.render_progress()

    def note(self, message: str) -> None:
        click.echo(f"  {message}", file=self.file)


def on_terminal(stream: TextIO | None = None) -> bool:
    """Someone watches ``stream`` (standard error by default): it is a terminal and this is not CI."""
    stream = stream if stream is not None else sys.stderr
    return stream.isatty() and os.environ.get("CI", "").lower() not in ("1", "true", "yes")


def for_terminal(stream: TextIO | None = None) -> Progress:
    """Bars on ``stream`` when someone watches it, else the silent progress."""
    return TerminalProgress(stream) if on_terminal(stream) else QUIET
