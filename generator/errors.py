"""The library's own errors; only the CLI maps them to exit codes (1 data, 2 usage/config)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class SalesperfError(Exception):
    """Base class: a problem the user can fix, with one line per problem."""

    exit_code = 1

    def __init__(self, problems: str | list[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))

    def __reduce__(self) -> tuple[type, tuple[list[str]]]:
        return type(self), (self.problems,)  # pickled whole, e.g. from a MkDocs worker process


class ConfigError(SalesperfError):
    """The config file is missing, unreadable or invalid (exit 2)."""

    exit_code = 2


class DataError(SalesperfError):
    """A dataset is unusable: file missing or unreadable, required column absent (exit 1)."""

    exit_code = 1


class BuildError(SalesperfError):
    """Rendering or the MkDocs build failed; the previous site is left untouched (exit 1)."""

    exit_code = 1


class UsageError(SalesperfError):
    """A command-line option, an environment variable or a command's argument has a value salesperf
    cannot use, e.g. ``init --from`` a folder without exports (exit 2)."""

    exit_code = 2


class ContractError(SalesperfError):
    """A table that crosses a stage breaks its declared contract (columns, dtypes, ranges): a bug in
    salesperf, not in the data; reported with the table, column and failing values (exit 1)."""

    exit_code = 1


class InterruptedAfterPublishing(KeyboardInterrupt):
    """A Ctrl+C or SIGTERM that came once the new site was published: the site is whole and
    current; only tidying was cut short (the old site's files, which the next build removes, or
    the summary lines). Its argument is the signal's name, as for any interrupt."""


@contextmanager
def after_publishing() -> Iterator[None]:
    """Around what follows the swap of the new site into place: an interrupt there is an
    ``InterruptedAfterPublishing``, so the message says the new site is complete."""
    try:
        yield
    except InterruptedAfterPublishing:
        raise
    except KeyboardInterrupt as exc:
        raise InterruptedAfterPublishing(*exc.args) from None
