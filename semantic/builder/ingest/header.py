"""Checks that make a file unusable as a whole, done before any row is read."""

from __future__ import annotations

import csv
import difflib
import io
from pathlib import Path

from semantic.builder.ingest.contract import SourceFile
from semantic.errors import UnusableInputError

_SNIFF_BYTES = 64 * 1024


def read_header(path: Path, source: SourceFile) -> tuple[list[str], list[str]]:
    """Return (column names as they stand in the file, normalized) and warnings.

    Refuses a missing, empty or binary file and a header that lacks a required column.
    """
    if not path.is_file():
        raise UnusableInputError(f"{path}: file not found (every export needs {source.name})")
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if not head.strip(b"\xef\xbb\xbf \t\r\n"):
        raise UnusableInputError(f"{path}: file is empty; expected a header row and data")
    if b"\x00" in head:
        raise UnusableInputError(
            f"{path}: file looks binary (NUL bytes), not a UTF-8 CSV export; re-export it as CSV"
        )
    first_line = head.split(b"\n", 1)[0]
    try:
        text = first_line.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnusableInputError(
            f"{path}: line 1: header is not UTF-8 text (byte {exc.start}); re-export as UTF-8"
        ) from None
    names = [name.strip().lower() for name in next(csv.reader(io.StringIO(text)), [])]
    seen = set()
    for name in names:
        if name and name in seen:
            raise UnusableInputError(f"{path}: line 1: column {name!r} appears twice in the header")
        seen.add(name)
    for column in source.columns:
        if column.name not in names:
            close = difflib.get_close_matches(column.name, names, n=1, cutoff=0.5)
            hint = f" (is {close[0]!r} that column renamed?)" if close else ""
            raise UnusableInputError(
                f"{path}: line 1: required column {column.name!r} is missing{hint}; "
                f"found columns: {', '.join(names) or 'none'}"
            )
    expected = {c.name for c in source.columns}
    warnings = [
        f"{source.name}: ignoring extra column {name!r}" for name in names if name not in expected
    ]
    return names, warnings
