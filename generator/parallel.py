"""Run independent pieces of a build side by side, in forked processes.

A build computes and renders tables that do not depend on each other, on a machine with more
than one core. ``in_background`` starts a task in a forked child, which inherits everything
already loaded (nothing is pickled on the way in; the result is pickled on the way back), while
the build goes on; the result is the same, byte for byte, as a run in one process. With one core,
no ``fork`` or ``SALESPERF_JOBS=1`` the task runs in the build's own process when its result is
asked for.

The children never outlive the build: they are killed when it ends, fails or is interrupted,
and the kernel kills them if the build itself is killed (``PR_SET_PDEATHSIG``, Linux).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import re
import signal
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

from generator.errors import BuildError, SalesperfError, UsageError

T = TypeVar("T")

JOBS_VARIABLE = "SALESPERF_JOBS"
"""Environment variable: how many processes a build may run at once (a whole number 1–64; unset:
one per core)."""

MAX_JOBS = 64
"""The most processes a build runs at once."""

WHOLE_NUMBER = re.compile(r"[0-9]+")
"""ASCII digits only: ``str.isdigit`` and ``int`` also take ``²``, ``٣``, ``+5`` and ``1_0``."""

PR_SET_PDEATHSIG = 1
"""prctl(2) option: the signal a process gets when the thread that forked it ends (Linux)."""

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
"""The signals that stop a build cleanly; held back around fork() so that none is lost."""


def whole_number_setting(name: str, what: str) -> int | None:
    """The environment variable ``name`` as a whole number from 1 to MAX_JOBS, or None when unset;
    anything else is a usage error naming ``what`` it sets."""
    raw = os.environ.get(name, "")
    if not raw.strip():
        return None
    digits = raw.strip()
    if not WHOLE_NUMBER.fullmatch(digits) or not 1 <= int(digits) <= MAX_JOBS:
        raise UsageError(
            f"{name}={raw!r}: {what} must be a whole number from 1 to {MAX_JOBS} "
            "(unset it to use one per core)"
        )
    return int(digits)


def cores() -> int:
    """The cores this process may run on."""
    return (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    )


def jobs() -> int:
    """How many processes a build may run at once: ``SALESPERF_JOBS``, else one per core.

    Raises UsageError when ``SALESPERF_JOBS`` is set to anything but a whole number from 1 to 64."""
    requested = whole_number_setting(JOBS_VARIABLE, "the number of processes")
    return requested or cores()


def die_with_parent(parent: int) -> None:
    """In a child: the kernel kills it when the build process ends, however it ends (Linux)."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError, TypeError):  # not Linux: the build's `finally` still kills it
        return
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the build died before prctl took effect
        os._exit(1)


def _child(send: Connection, parent: int, task: Callable[[], Any], doing: str) -> None:
    """In a child: run ``task`` and send back ``(True, result)`` or ``(False, error to raise)``."""
    die_with_parent(parent)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the build's handler, inherited by fork
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the build's to handle: it kills us
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # blocked by the parent around fork
    try:
        outcome: tuple[bool, object] = (True, task())
    except SalesperfError as exc:
        outcome = (False, exc)
    except Exception as exc:  # any other failure still reaches the build, as one line
        outcome = (False, BuildError(f"{doing}: {type(exc).__name__}: {exc}"))
    try:
        try:
            send.send(outcome)
        except Exception as exc:  # a result that cannot be pickled: nothing was sent yet
            send.send(
                (
                    False,
                    BuildError(
                        f"{doing}: the worker's result cannot be sent back: "
                        f"{type(exc).__name__}: {exc}"
                    ),
                )
            )
    finally:
        send.close()


class Pending(Generic[T]):
    """A task started by ``in_background``: ``result()`` waits for it and returns its value."""

    def __init__(
        self,
        task: Callable[[], T],
        doing: str,
        child: multiprocessing.process.BaseProcess | None,
        receive: Connection | None,
    ) -> None:
        self._task, self._doing, self._child, self._receive = task, doing, child, receive

    def result(self) -> T:
        """The task's value (run here, now, when no child runs it); raises what the task raised, or a
        BuildError as ``in_background`` says, the same whether a child ran it or not."""
        if self._child is None or self._receive is None:
            try:
                return self._task()
            except SalesperfError:
                raise
            except Exception as exc:  # the one line a child's failure gives (see _child)
                raise BuildError(f"{self._doing}: {type(exc).__name__}: {exc}") from exc
        try:
            ok, value = self._receive.recv()
        except EOFError:
            self._child.join()
            raise BuildError(
                f"{self._doing}: worker process stopped (exit code {self._child.exitcode})"
            ) from None
        if not ok:
            raise value
        return value

    def stop(self) -> None:
        """Kill the child if it still runs (the task's result is no longer wanted)."""
        if self._child is None or self._receive is None:
            return
        self._receive.close()
        if self._child.is_alive():
            self._child.kill()
        self._child.join()


@contextmanager
def in_background(
    task: Callable[[], T], doing: str, *, fork: bool | None = None
) -> Iterator[Pending[T]]:
    """Start ``task`` in a forked child while this process goes on; ``result()`` collects it.

    The child inherits everything loaded so far: nothing is pickled but the result. With one job
    (``jobs()``) or no ``fork``, ``result()`` runs the task here instead; ``fork=True`` forks
    whatever ``jobs()`` says (the caller has decided, e.g. from SALESPERF_MKDOCS_JOBS). A task's
    SalesperfError is raised by ``result()`` as it is; any other exception, a result that cannot be
    pickled, or a child that dies without answering becomes a BuildError starting with ``doing``
    (e.g. "MkDocs build failed"). Leaving the block kills the child if it still runs.
    """
    if (
        not (jobs() > 1 if fork is None else fork)
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        yield Pending(task, doing, None, None)
        return
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child: multiprocessing.process.BaseProcess = context.Process(
        target=_child, name="salesperf-worker", daemon=True, args=(send, os.getpid(), task, doing)
    )
    with warnings.catch_warnings():
        # Python 3.12+ warns about fork() beside threads (pyarrow's idle pool): pyarrow resets its
        # pools in a forked child, and the child never touches the other threads' locks.
        warnings.filterwarnings("ignore", message=".*fork.*", category=DeprecationWarning)
        # A stop signal that arrived inside fork()'s own handlers would be lost there; held back
        # until the child is known, it stops the build where `finally` kills the child.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            child.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
    send.close()  # the child holds the only writing end: its death reads as end of file
    pending = Pending(task, doing, child, receive)
    try:
        yield pending
    finally:
        pending.stop()
