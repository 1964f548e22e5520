"""Atomic output: write to a temporary name next to the target, then rename.

A reader (or a crashed run) never sees a half-written file or folder. Only regular files
(or nothing) are ever replaced: a target that is a symlink, FIFO, device or folder is
refused, so ``--junit /dev/stdout`` cannot swap a device node for a file (write ``-`` for
standard output instead). New files get the permissions the umask allows (as ``open`` would
give them), not the 0600 of a temporary file.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def permissions(folder: bool = False) -> int:
    """The mode a new file (or folder) gets under the current umask."""
    return (0o777 if folder else 0o666) & ~_umask()


def check_target(path: Path) -> None:
    """Refuse to replace anything but a regular file (a symlink, FIFO, device or folder)."""
    from zcf.errors import ExitCode, ZcfError

    if path.is_symlink():
        kind = "a symbolic link"
    elif not path.exists() or path.is_file():
        return
    elif path.is_dir():
        kind = "a folder"
    else:
        kind = "a device, FIFO or socket"
    raise ZcfError(f"{path} is {kind}; zcf only writes regular files there", ExitCode.USAGE,
                   hint="Give the path of a file to create or replace (for standard output, where offered, use -).")


def _prepare(path: Path) -> None:
    from zcf.errors import ExitCode, ZcfError

    check_target(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        raise ZcfError(f"cannot create the folder of {path}: a file is in the way", ExitCode.USAGE) from exc


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path next to ``path`` to write to; renamed onto ``path`` when the block succeeds."""
    _prepare(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, permissions())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def require_files(out: Path, names: list[str], step: str) -> None:
    """Raise a user error naming the command to run when an earlier step's outputs are missing."""
    from zcf.errors import ExitCode, ZcfError

    missing = [name for name in names if not (out / name).exists()]
    if missing:
        raise ZcfError(f"{out}: {', '.join(missing)} not found; run {step} {out} (or zcf run) first", ExitCode.INVALID)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    _prepare(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, permissions())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def to_json(document: Any) -> str:
    """Stable JSON text: UTF-8 (Chinese kept readable), two-space indent, newline at end."""
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def write_json_atomic(path: Path, document: Any) -> None:
    write_bytes_atomic(path, to_json(document).encode("utf-8"))


@contextmanager
def replace_dir(target: Path, remove: bool = False) -> Iterator[Path]:
    """Fill a fresh temporary folder, then swap it in for ``target``.

    With ``remove=True`` the target is deleted instead (nothing is swapped in).
    """
    from zcf.errors import ExitCode, ZcfError

    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise ZcfError(f"{target} is not a folder zcf wrote; move it away", ExitCode.USAGE)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    os.chmod(tmp, permissions(folder=True))
    try:
        yield tmp
        old = target.with_name(f".{target.name}.old")
        if old.exists():
            shutil.rmtree(old)
        if target.exists():
            target.rename(old)
        if remove:
            shutil.rmtree(tmp)
        else:
            tmp.rename(target)
        if old.exists():
            shutil.rmtree(old)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


FORMULA_TRIGGERS = r"^[=+\-@\t\r]"


def csv_safe(frame):
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe (OWASP ASVS 1.2.10).

    Only text columns are touched; numbers (including negative ones) stay numbers. The
    Parquet twin of a CSV keeps the exact text.
    """
    import pandas as pd

    changed = {}
    for column in frame.columns:
        if pd.api.types.is_string_dtype(frame[column]) or frame[column].dtype == object:
            values = frame[column]
            risky = values.astype("string").str.contains(FORMULA_TRIGGERS, regex=True).fillna(False).to_numpy(dtype=bool)
            if risky.any():
                values = values.astype(object).copy()
                values[risky] = "'" + values[risky].astype(str)
                changed[column] = values
    return frame.assign(**changed) if changed else frame


def write_csv_atomic(path: Path, frame) -> None:
    """A frame as CSV (UTF-8, header, floats as their shortest round-trip text), formula-safe."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    table = pa.Table.from_pandas(csv_safe(frame), preserve_index=False)
    with atomic_path(path) as tmp:
        pacsv.write_csv(table, str(tmp))


def write_parquet_atomic(path: Path, frame) -> None:
    """A frame as Parquet (zstd), without pandas metadata so files do not depend on the pandas version."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    with atomic_path(path) as tmp:
        pq.write_table(table, str(tmp), compression="zstd")
