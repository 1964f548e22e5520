"""Atomic output: write to a temporary name next to the target, then rename.

A reader (or a crashed run) never sees a half-written file or folder.
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


def write_bytes_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
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
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
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
