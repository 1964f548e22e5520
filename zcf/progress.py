"""Progress bars on standard error for work that takes a while: rows read, lines calculated,
pages rendered, sheets and lines written.

The API is a task at a time, as a context manager that yields a function to call with
how much was done::

    with progress.task("Reading energy.csv", "正在读取 energy.csv", total=rows) as advance:
        for chunk in chunks:
            advance(len(chunk))

``NO_PROGRESS`` (the default everywhere) does nothing, so a library caller passes
nothing and pays nothing. A live :class:`Progress` draws one rich display with a row per
open task (nested tasks show under the one that opened them) and clears it when the
outermost task ends. :func:`for_environment` chooses: bars only when standard error is
a terminal and ``--quiet`` was not given; ``--json`` output on standard output is never
touched. rich is imported when the first bar is drawn, so ``zcf --help`` stays fast.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Callable, Iterator

if TYPE_CHECKING:
    from zcf.env import Environment

Advance = Callable[..., None]


def _ignore(amount: float = 1, **_: object) -> None:
    return None


class NoProgress:
    """Progress that shows nothing (not a terminal, ``--quiet``, or a library call)."""

    enabled = False

    @contextmanager
    def task(self, en: str, zh: str, total: float | None = None) -> Iterator[Advance]:
        yield _ignore


NO_PROGRESS = NoProgress()


class Progress(NoProgress):
    """Bars on ``stream`` (standard error), their words in ``lang``."""

    enabled = True

    def __init__(self, stream, lang: str = "en", color: bool | None = None) -> None:
        self.stream, self.lang, self.color = stream, lang, color
        self._display = None
        self._open = 0

    def _start(self):
        from rich.console import Console
        from rich.progress import BarColumn, Progress as Display, SpinnerColumn, TextColumn, TimeElapsedColumn

        console = Console(file=self.stream, force_terminal=True, no_color=self.color is False, highlight=False)
        self._display = Display(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                TextColumn("{task.fields[counts]}"), TimeElapsedColumn(), console=console,
                                transient=True, refresh_per_second=8)
        self._display.start()

    @contextmanager
    def task(self, en: str, zh: str, total: float | None = None) -> Iterator[Advance]:
        if self._display is None:
            self._start()
        display = self._display
        indent = "  " * self._open
        task_id = display.add_task(indent + (zh if self.lang == "zh" else en), total=total, counts=_counts(0, total))
        self._open += 1

        state = {"done": 0.0, "total": total}

        def advance(amount: float = 1, *, total: float | None = None, completed: float | None = None) -> None:
            if total is not None:
                state["total"] = total
            state["done"] = completed if completed is not None else state["done"] + amount
            display.update(task_id, total=state["total"], completed=state["done"],
                           counts=_counts(state["done"], state["total"]))

        try:
            yield advance
        finally:
            self._open -= 1
            display.remove_task(task_id)
            if self._open == 0:
                display.stop()
                self._display = None


def _counts(done: float, total: float | None) -> str:
    return f"{done:,.0f}" if total is None else f"{done:,.0f}/{total:,.0f}"


def is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def for_environment(env: Environment) -> NoProgress:
    """Bars when standard error is a terminal (``env.progress`` None) or forced on (True); none when
    ``env.progress`` is False (``--quiet``) or standard error is a file or pipe."""
    wanted = env.progress if env.progress is not None else is_terminal(env.stderr)
    return Progress(env.stderr, env.lang, env.color) if wanted else NO_PROGRESS
