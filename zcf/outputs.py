"""The output folder: zcf's own, one run at a time, and consistent.

* **Ownership.** zcf writes only into a folder that is new, empty, or marked as its own (the
  marker file ``.zcf-output`` names the zcf version that made it). Anything else is refused;
  ``--force`` takes over a folder that holds none of the names zcf writes. zcf never deletes
  a file it did not write. An output folder, and anything under a folder marked as zcf
  output, is never read as input (:func:`is_output`).
* **One run at a time.** :func:`lock` holds ``.zcf-lock`` (pid, host, start time) for the
  whole command; a second run fails at once; a lock whose process is gone is taken over.
* **Consistent or refused.** Each step records the SHA-256 of what it read and wrote: the
  manifest lists the dataset files, results.json the manifest and the lines files, checks.json
  results.json. A later step refuses files that do not belong to one run
  (:func:`verify_dataset`, :func:`verify_results`, :func:`verify_checks`), and every step first
  removes what lies downstream of it (:func:`clear_downstream`), so no stale report survives
  an invalid or interrupted run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from zcf import __version__
from zcf.errors import ExitCode, ZcfError

MARKER = ".zcf-output"
LOCK = ".zcf-lock"
# What each step writes, in pipeline order; a step clears what the later steps wrote.
STEP_OUTPUTS = {
    "ingest": ("dataset", "manifest.json"),
    "calc": ("lines.csv", "lines.parquet", "results.json"),
    "check": ("checks.json",),
    "report": ("report.pdf", "report.xlsx", "charts"),
}
ZCF_NAMES = frozenset(name for names in STEP_OUTPUTS.values() for name in names) | {MARKER, LOCK}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# --- ownership ------------------------------------------------------------------------------


def is_marked(folder: Path) -> bool:
    return (folder / MARKER).is_file()


def claim(out: Path, force: bool = False) -> None:
    """Make ``out`` a zcf output folder, or refuse (see the module docstring)."""
    if out.exists() and not out.is_dir():
        raise ZcfError(f"{out} is a file, not a folder; -o names the output folder", ExitCode.USAGE)
    if out.is_dir() and not is_marked(out):
        present = sorted(p.name for p in out.iterdir())
        clashes = [name for name in present if name in ZCF_NAMES]
        if present and not force:
            raise ZcfError(
                f"{out} is not empty and was not written by zcf ({', '.join(present[:5])}"
                f"{', …' if len(present) > 5 else ''}); zcf only writes into a new or empty folder or one of its own",
                ExitCode.USAGE,
                hint="Choose another -o folder, or add --force to write zcf's files beside the others there.",
            )
        if clashes:
            raise ZcfError(
                f"{out} holds {', '.join(clashes)}, which zcf did not write and would replace; "
                "move them away or choose another -o folder",
                ExitCode.USAGE,
            )
    try:
        out.mkdir(parents=True, exist_ok=True)
        if not is_marked(out):
            (out / MARKER).write_text(json.dumps({"zcf_version": __version__}) + "\n", encoding="utf-8")
    except OSError as exc:
        raise ZcfError(f"cannot write to {out}: {exc.strerror or exc}", ExitCode.INVALID,
                       hint="Check that the folder is writable, or choose another -o folder.") from exc


def require_own(out: Path, step: str) -> None:
    """``out`` must be a folder zcf wrote (for the steps that read an earlier step's outputs)."""
    if not out.is_dir():
        raise ZcfError(f"{out}: no such folder; run zcf ingest (or zcf run) with -o {out} first", ExitCode.INVALID)
    if not is_marked(out):
        raise ZcfError(f"{out} was not written by zcf (no {MARKER} marker); run zcf ingest (or zcf run) -o {out} "
                       f"before zcf {step}", ExitCode.INVALID)


def is_output(path: Path, extra: list[Path]) -> Path | None:
    """The zcf output folder ``path`` lies in (one of ``extra``, or any marked folder above it), else None."""
    resolved = path.resolve()
    for folder in extra:
        try:
            resolved.relative_to(folder.resolve())
            return folder
        except ValueError:
            pass
    for parent in resolved.parents:
        if is_marked(parent):
            return parent
    return None


def clear_downstream(out: Path, step: str) -> None:
    """Remove what the steps after ``step`` wrote in ``out`` (a zcf folder: every such name is zcf's)."""
    if not is_marked(out):
        return
    order = list(STEP_OUTPUTS)
    for later in order[order.index(step) + 1:]:
        for name in STEP_OUTPUTS[later]:
            target = out / name
            if target.is_symlink() or target.is_file():
                target.unlink()
            elif target.is_dir():
                shutil.rmtree(target)


# --- one run at a time ----------------------------------------------------------------------


def _holder(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def lock(out: Path) -> Iterator[None]:
    """Hold ``out/.zcf-lock`` while a command works in ``out``."""
    path = out / LOCK
    me = {"pid": os.getpid(), "host": socket.gethostname(),
          "started": dt.datetime.now(tz=dt.timezone.utc).isoformat(timespec="seconds")}
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _holder(path)
            stale = holder.get("host") == me["host"] and isinstance(holder.get("pid"), int) and not _alive(holder["pid"])
            if stale or not holder:
                path.unlink(missing_ok=True)
                continue
            raise ZcfError(
                f"{out} is in use by another zcf run (pid {holder.get('pid')} on {holder.get('host')}, started "
                f"{holder.get('started')}); wait for it to finish", ExitCode.INVALID,
                hint=f"If no zcf is running there, remove {path}.",
            ) from None
        except OSError as exc:
            raise ZcfError(f"cannot write to {out}: {exc.strerror or exc}", ExitCode.INVALID) from exc
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(json.dumps(me) + "\n")
        break
    try:
        yield
    finally:
        if _holder(path).get("pid") == me["pid"]:
            path.unlink(missing_ok=True)


@contextmanager
def session(out: Path, step: str, force: bool = False) -> Iterator[None]:
    """Claim (ingest, run) or require (calc, check, report) ``out``, and hold its lock meanwhile."""
    if step in ("ingest", "run"):
        claim(out, force)
    else:
        require_own(out, step)
    with lock(out):
        yield


# --- consistent or refused ------------------------------------------------------------------


def _broken(out: Path, what: str, fix: str) -> ZcfError:
    return ZcfError(f"{out}: {what}; the folder's files do not belong to one run", ExitCode.INVALID,
                    hint=f"Run {fix} again (or zcf run) to write them together.")


def read_record(out: Path, name: str, fix: str) -> dict[str, Any]:
    """A JSON record of a run (manifest.json, results.json, checks.json); one that cannot be read as JSON
    (edited, cut off) is a clear error naming the file and the step to run again, not a traceback."""
    import json

    path = out / name
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise _broken(out, f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno})", fix) from None
    except UnicodeDecodeError:
        raise _broken(out, f"{name} is not UTF-8 text", fix) from None
    if not isinstance(document, dict):
        raise _broken(out, f"{name} does not hold a JSON object", fix)
    return document


def dataset_hashes(dataset: Path) -> dict[str, str]:
    return {p.name: sha256_file(p) for p in sorted(dataset.glob("*.parquet"))}


def verify_dataset(out: Path, manifest: dict[str, Any]) -> None:
    """The dataset files are exactly the ones the manifest lists (not a partial ingest, not edited)."""
    recorded = manifest.get("dataset_sha256")
    if recorded is None or dataset_hashes(out / "dataset") != recorded:
        raise _broken(out, "dataset/ does not match manifest.json (an interrupted or edited ingest)", "zcf ingest")


def run_record(out: Path, names: tuple[str, ...]) -> dict[str, str]:
    """SHA-256 of files in ``out`` (for the record a step writes last)."""
    return {name: sha256_file(out / name) for name in names}


def verify_results(out: Path, results: dict[str, Any]) -> None:
    """results.json comes from this manifest and these lines files."""
    recorded = results.get("run") or {}
    inputs = recorded.get("inputs_sha256") or {}
    for name in ("manifest.json", "lines.csv", "lines.parquet"):
        if not (out / name).is_file() or inputs.get(name) != sha256_file(out / name):
            raise _broken(out, f"results.json was not calculated from this {name}", "zcf calc")


def verify_checks(out: Path, checks: dict[str, Any]) -> None:
    """checks.json was made from this results.json."""
    recorded = (checks.get("run") or {}).get("inputs_sha256") or {}
    if recorded.get("results.json") != sha256_file(out / "results.json"):
        raise _broken(out, "checks.json was not made from this results.json", "zcf check")
