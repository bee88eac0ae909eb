"""Give DuckDB a file whose line endings it can read.

Real exports mix line endings: CRLF files with rows appended as LF by another tool, lines ending
CR CR LF after a double conversion. With auto_detect off, DuckDB's strict CSV parser refuses
such a file as a whole ("state machine reached an invalid state"); it also refuses a bare CR
(one not ending a line) anywhere outside quotes, whatever `new_line` says. A file ending every
line with LF, or every line with CRLF, is read as it is. Any other file is copied once, in
streamed chunks, with each CR CR LF and CR LF made LF and each unquoted field holding a bare CR
put in quotes, so the CR stays in the field's text (and the row checks refuse that value)
instead of ending a line or the file. Lines keep their physical numbers: no line is added or
dropped. The copy needs no `new_line` option: DuckDB's default reads LF files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

_CHUNK_SIZE = 8 * 1024 * 1024
# An unquoted field is held back until its end is seen, in case a CR makes it need quotes; a
# longer one cannot fit in a line DuckDB reads (the loader's max_line_size) and passes as is.
_FIELD_LIMIT = 16_000_000

_LINE_END = re.compile(rb"\r\r?\n")
# Complete fields, each with its separator, that need no change. A field is quoted as DuckDB
# reads it: opened by '"' or one space and '"', '""' inside is a quote, spaces may follow.
_PLAIN_FIELDS = re.compile(rb'(?:(?: ?"(?:[^"]|"")*+" *+|(?! ?")[^,\n\r]*+)[,\n])*+')
_QUOTED_TEXT = re.compile(rb'(?:[^"]|"")*+')
_UNQUOTED_STOP = re.compile(rb"[,\n\r]")
_FIELD_END = re.compile(rb"[,\n]")

# Where the quoter stands after the bytes it has seen.
_FIELD, _UNQUOTED, _WRAPPING, _QUOTED, _PASS = range(5)


def readable_copy(path: Path, workdir: Path, *, chunk_size: int = _CHUNK_SIZE) -> Path:
    """Return `path` if its lines all end in LF or all in CRLF, else a readable copy in `workdir`.

    The copy (named like the original) has LF line endings and bare CRs inside quoted fields;
    DuckDB reads both kinds of file with its default `new_line`, so no option is needed."""
    if _uniform_endings(path, chunk_size):
        return path
    copy = workdir / path.name
    if copy.resolve() == path.resolve():
        raise ValueError(f"{path}: the copy would overwrite the original; use another workdir")
    with path.open("rb") as src, copy.open("wb") as dst:
        if not _copy_line_endings(src, dst, chunk_size):
            # Quoting needs the quote state from the file's start: begin again, a slower way.
            src.seek(0)
            dst.seek(0)
            dst.truncate()
            _copy_quoting_bare_crs(src, dst, chunk_size)
    return copy


def _chunks(handle: BinaryIO, chunk_size: int) -> Iterator[bytes]:
    while chunk := handle.read(chunk_size):
        yield chunk


def _copy_line_endings(src: BinaryIO, dst: BinaryIO, chunk_size: int) -> bool:
    """Copy with normalized line endings; stop and return False at the first bare CR."""
    for piece in _normalized(_chunks(src, chunk_size)):
        if b"\r" in piece:
            return False
        dst.write(piece)
    return True


def _copy_quoting_bare_crs(src: BinaryIO, dst: BinaryIO, chunk_size: int) -> None:
    quoter = _BareCrQuoter()
    for piece in _normalized(_chunks(src, chunk_size)):
        dst.write(quoter.feed(piece))
    dst.write(quoter.feed(b"", final=True))


def _uniform_endings(path: Path, chunk_size: int) -> bool:
    """True if the file has no CR, or every CR is followed by LF and every LF preceded by CR."""
    lf = cr = crlf = 0
    ends_in_cr = False
    with path.open("rb") as handle:
        for chunk in _chunks(handle, chunk_size):
            lf += chunk.count(b"\n")
            cr += chunk.count(b"\r")
            crlf += chunk.count(b"\r\n") + (ends_in_cr and chunk.startswith(b"\n"))
            ends_in_cr = chunk.endswith(b"\r")
            # An LF without CR, or a CR whose next byte is known and not LF, settles it.
            if cr and (lf > crlf or cr - ends_in_cr > crlf):
                return False
    return cr == 0 or cr == crlf == lf


def _normalized(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Yield the bytes with CR CR LF and CR LF made LF; other CRs stay.

    Up to two CRs at a chunk's end may start a line ending completed by the next chunk, so they
    are carried over; a third one back cannot be part of it."""
    carry = b""
    for chunk in chunks:
        data = carry + chunk
        keep = len(data) - (2 if data.endswith(b"\r\r") else data.endswith(b"\r"))
        carry = data[keep:]
        yield _LINE_END.sub(b"\n", data[:keep])
    yield carry


class _BareCrQuoter:
    """Rewrite LF-terminated CSV so each unquoted field holding a CR is quoted ('"' doubled).

    Fed the file in pieces; a byte whose meaning depends on the next one (a '"' inside quotes,
    a space at a field's start) waits for the next piece."""

    def __init__(self) -> None:
        self.state = _FIELD
        self.carry = b""
        self.held: list[bytes] = []  # the unquoted field so far, while it may still need quotes
        self.held_size = 0

    def feed(self, data: bytes, *, final: bool = False) -> bytes:
        buf, self.carry = self.carry + data, b""
        out: list[bytes] = []
        pos = 0
        while pos < len(buf):
            pos = self._step(buf, pos, out, final)
        if final:
            if self.state == _WRAPPING:
                out.append(b'"')
            out.extend(self.held)
        return b"".join(out)

    def _step(self, buf: bytes, pos: int, out: list[bytes], final: bool) -> int:
        """Consume bytes from `pos`, appending output to `out`; return the new position."""
        if self.state == _FIELD:
            return self._field_start(buf, pos, out, final)
        if self.state == _QUOTED:
            return self._quoted(buf, pos, out, final)
        if self.state == _UNQUOTED:
            return self._unquoted(buf, pos, out)
        return self._to_field_end(buf, pos, out)

    def _field_start(self, buf: bytes, pos: int, out: list[bytes], final: bool) -> int:
        end = _PLAIN_FIELDS.match(buf, pos).end()
        if end > pos:
            out.append(buf[pos:end])
            return end
        if pos == len(buf) - 1 and buf[pos] == 0x20 and not final:
            self.carry = b" "  # opens a quoted field if a '"' comes next
            return len(buf)
        opening = 2 if buf.startswith(b' "', pos) else int(buf.startswith(b'"', pos))
        self.state = _QUOTED if opening else _UNQUOTED
        out.append(buf[pos : pos + opening])
        return pos + opening

    def _quoted(self, buf: bytes, pos: int, out: list[bytes], final: bool) -> int:
        end = _QUOTED_TEXT.match(buf, pos).end()
        if end == len(buf) or (end + 1 == len(buf) and not final):
            # A '"' last in the piece may be the first of a '""' pair: decide next time.
            out.append(buf[pos:end])
            self.carry = buf[end:]
            return len(buf)
        out.append(buf[pos : end + 1])
        self.state = _PASS  # spaces, or text DuckDB refuses the row for, up to the separator
        return end + 1

    def _unquoted(self, buf: bytes, pos: int, out: list[bytes]) -> int:
        stop = _UNQUOTED_STOP.search(buf, pos)
        if stop is None:
            self.held.append(buf[pos:])
            self.held_size += len(buf) - pos
            if self.held_size > _FIELD_LIMIT:
                self._release(out, _PASS)
            return len(buf)
        self.held.append(buf[pos : stop.start()])
        if stop.group() == b"\r":
            # A CR outside quotes: quote the field so DuckDB keeps the CR as text.
            out.append(b'"' + b"".join(self.held).replace(b'"', b'""'))
            self.held, self.held_size = [], 0
            self.state = _WRAPPING
            return stop.start()
        self.held.append(stop.group())
        self._release(out, _FIELD)
        return stop.end()

    def _to_field_end(self, buf: bytes, pos: int, out: list[bytes]) -> int:
        """Pass the rest of the field (doubling '"' if it is being quoted) and its separator."""
        stop = _FIELD_END.search(buf, pos)
        if stop is None:
            text = buf[pos:]
            out.append(text.replace(b'"', b'""') if self.state == _WRAPPING else text)
            return len(buf)
        if self.state == _WRAPPING:
            out.append(buf[pos : stop.start()].replace(b'"', b'""') + b'"' + stop.group())
        else:
            out.append(buf[pos : stop.end()])
        self.state = _FIELD
        return stop.end()

    def _release(self, out: list[bytes], state: int) -> None:
        out.extend(self.held)
        self.held, self.held_size = [], 0
        self.state = state
