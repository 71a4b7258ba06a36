"""Atomic publishing: the output path holds a whole site at every instant, the old one or the new one.

The new site is built beside the old one (same folder, so same file system) and swapped in only when
the whole build succeeded. On Linux the swap is one ``renameat2(RENAME_EXCHANGE)``: the two folders
trade places in a single step. Where the file system or the OS cannot exchange, the old site is
renamed aside and the new one renamed in; a build killed between those two renames leaves no site
for an instant, and the next build puts the old one back first (``recover``).

Names beside an output folder ``site``: ``.site.new-PID`` (the site being built; after an exchange,
the old site on its way out) and ``.site.old-PID`` (the old site, set aside by the fallback swap).
Builds into one output folder take a lock, so whatever such folder the next build finds was left
by a build that was killed.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.errors import BuildError, ConfigError, after_publishing

try:
    import fcntl
except ImportError:  # Windows: builds into one folder are not serialised
    fcntl = None  # type: ignore[assignment]

MARKER = ".salesperf-site"
"""A file in every published site, so salesperf never replaces a folder it did not build."""

AT_FDCWD = -100
RENAME_EXCHANGE = 2

KILL_AT = "SALESPERF_TEST_KILL_AT"
"""Test hook: the build kills itself (SIGKILL) when it reaches the publishing step of this name."""

NO_EXCHANGE = "SALESPERF_TEST_NO_EXCHANGE"
"""Test hook: publish with the fallback swap, as on a file system without RENAME_EXCHANGE."""


def _step(name: str) -> None:
    """A publishing step; the kill tests stop the build here, to find a whole site afterwards."""
    if os.environ.get(KILL_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def staging_dir(out: Path) -> Path:
    """Where a new site is built: beside ``out``, on the same file system, so the swap is a rename."""
    return out.parent / f".{out.name}.new-{os.getpid()}"


def _aside_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.old-{os.getpid()}"


def lock_path(out: Path) -> Path:
    """The lock file of builds into ``out`` (in the build folder beside it)."""
    return out.parent / ".salesperf-build" / f"{out.name}.lock"


@contextmanager
def publishing_lock(out: Path) -> Iterator[None]:
    """Hold the lock of ``out`` for a whole build; a second build into the same folder stops at once."""
    path = lock_path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise BuildError(
                    f"{out}: another salesperf build is publishing into this folder (lock {path}); "
                    "run again when it has finished"
                ) from None
        yield


def leftovers(out: Path) -> list[Path]:
    """Folders beside ``out`` left by interrupted builds (only meaningful while holding the lock)."""
    pattern = re.compile(re.escape(f".{out.name}.") + r"(new|old)-\d+")
    try:
        entries = list(os.scandir(out.parent))
    except FileNotFoundError:
        return []
    return sorted(
        Path(e.path)
        for e in entries
        if pattern.fullmatch(e.name) and e.is_dir(follow_symlinks=False)
    )


def _discard(path: Path, step: str) -> None:
    """Delete a folder that left (or never entered) the output path. The marker goes first, so a
    half-deleted folder is never taken for a whole site."""
    (path / MARKER).unlink(missing_ok=True)
    _step(step)
    shutil.rmtree(path, ignore_errors=True)


def recover(out: Path) -> str | None:
    """Restore or remove what killed builds left beside ``out``; return one line saying what was done.

    The output path is missing only when a fallback swap was killed between its two renames: the
    old site, set aside whole, goes back. Every other leftover is a half-built or replaced site.
    """
    found = leftovers(out)
    if not found:
        return None
    restored = None
    if not os.path.lexists(out):
        whole = [
            p
            for p in found
            if p.name.rpartition("-")[0].endswith(".old") and (p / MARKER).is_file()
        ]
        if whole:
            restored = max(whole, key=lambda p: (p / MARKER).stat().st_mtime_ns)
            os.rename(restored, out)
    removed = [p for p in found if p != restored]
    for path in removed:
        _discard(path, "recovering")
    names = ", ".join(p.name for p in removed)
    if restored is not None:
        line = (
            f"{out}: restored the previous site from {restored.name}, left by an interrupted build"
        )
        return line + (f"; removed {names}" if removed else "")
    return f"{out}: removed what an interrupted build left beside it ({names})"


def check_target(out: Path) -> None:
    """Refuse to replace an existing folder that is not a salesperf site."""
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise ConfigError(
            f"{out}: exists and is not a site built by salesperf (no {MARKER} file); "
            "choose another --out or remove it"
        )


def _libc_renameat2() -> object | None:
    if os.environ.get(NO_EXCHANGE):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError, TypeError):  # not glibc/musl ≥ 1.2 (macOS, Windows)
        return None
    function.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    function.restype = ctypes.c_int
    return function


def exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step; False when the OS or the file system cannot."""
    renameat2 = _libc_renameat2()
    if renameat2 is None:
        return False
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:  # type: ignore[operator]
        return True
    code = ctypes.get_errno()
    # Not supported by this kernel or file system (overlayfs may answer EXDEV): fall back.
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


@contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl+C or SIGTERM during the swap takes effect after it, so a swap is never left half done."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _swap(staged: Path, out: Path) -> Path | None:
    """Put ``staged`` at ``out``; return where the replaced site now is (to be deleted), if any."""
    if not os.path.lexists(out):
        os.rename(staged, out)  # first publish: nothing to replace
        return None
    if exchange(staged, out):
        return staged  # the two folders traded places: the old site is at the staging path
    # Fallback: between these two renames the output path is missing; `recover` puts it back.
    aside = _aside_dir(out)
    os.rename(out, aside)
    try:
        _step("set-aside")
        os.rename(staged, out)
    except BaseException:
        os.rename(aside, out)
        raise
    return aside


def publish(staged: Path, out: Path) -> None:
    """Swap ``staged`` in as ``out``; on any failure the previous ``out`` stays published."""
    (staged / MARKER).write_text("built by salesperf\n", encoding="utf-8")
    _step("staged")
    with _signals_held():
        replaced = _swap(staged, out)
    _step("swapped")
    if replaced is not None:
        with after_publishing():
            _discard(replaced, "discarding")
