"""Mixed line endings: files DuckDB reads as they are stay as they are; others get a normalized
copy that DuckDB reads with the ingest's options, bare CRs kept in their field's text."""

from __future__ import annotations

import re

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from semantic.builder.ingest.newlines import readable_copy

HEADER = b"id,name,clicks"
ROWS = [(b"1", b"alpha", b"10"), (b"2", b"beta", b"20"), (b"3", b"gamma", b"30")]
EXPECTED = [tuple(v.decode() for v in row) for row in ROWS]


def lines(*endings: bytes, rows=ROWS) -> bytes:
    """The header and rows, line i ending with endings[i]."""
    texts = [HEADER] + [b",".join(row) for row in rows]
    assert len(endings) == len(texts)
    return b"".join(text + end for text, end in zip(texts, endings, strict=True))


def read(path, columns=("id", "name", "clicks")):
    """Rows and structural rejects (line, error) as the loader's read_csv options give them."""
    con = duckdb.connect()
    spec = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in columns) + "}"
    rows = con.execute(
        f"SELECT * FROM read_csv($path, header = true, columns = {spec}, delim = ',', "
        f"quote = '\"', escape = '\"', store_rejects = true, auto_detect = false)",
        {"path": str(path)},
    ).fetchall()
    rejects = con.execute("SELECT line, error_type FROM reject_errors ORDER BY line").fetchall()
    return rows, [(line, str(kind)) for line, kind in rejects]


def copy_of(tmp_path, data: bytes, **kwargs):
    src = tmp_path / "src"
    work = tmp_path / "work"
    src.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    path = src / "insights.csv"
    path.write_bytes(data)
    return path, readable_copy(path, work, **kwargs)


def reference(data: bytes) -> bytes:
    """Whole-file normalization with no quotes in the data: line endings to LF, then every
    field holding a (bare) CR put in quotes."""
    normalized = re.sub(rb"\r\r?\n", b"\n", data)
    return b"\n".join(
        b",".join(b'"' + f + b'"' if b"\r" in f else f for f in line.split(b","))
        for line in normalized.split(b"\n")
    )


@pytest.mark.parametrize(
    "data",
    [
        lines(b"\n", b"\n", b"\n", b"\n"),
        lines(b"\r\n", b"\r\n", b"\r\n", b"\r\n"),
        lines(b"\r\n", b"\r\n", b"\r\n", b""),  # no line ending after the last row
        b'id,name,clicks\r\n1,"two\r\nlines",10\r\n',  # CRLF inside quotes too
        b'id,name,clicks\n1,"two\nlines",10\n',
    ],
    ids=["lf", "crlf", "crlf-unterminated", "crlf-quoted-crlf", "lf-quoted-lf"],
)
@pytest.mark.parametrize("chunk_size", [1, 2, 3, 8 * 1024 * 1024])
def test_uniform_files_are_read_as_they_are(tmp_path, data, chunk_size):
    path, readable = copy_of(tmp_path, data, chunk_size=chunk_size)
    assert readable == path
    assert list((tmp_path / "work").iterdir()) == []
    rows, rejects = read(readable)
    assert rejects == []
    assert rows[0][0] == "1" and all(not v.endswith("\r") for row in rows for v in row)


@pytest.mark.parametrize(
    "data",
    [
        lines(b"\r\n", b"\r\n", b"\n", b"\n"),  # LF rows appended to a CRLF file
        lines(b"\n", b"\r\n", b"\n", b"\r\n"),
        lines(b"\r\r\n", b"\r\r\n", b"\r\r\n", b"\r\r\n"),  # converted twice
        lines(b"\r\n", b"\r\r\n", b"\r\n", b"\r\r\n"),
        lines(b"\n", b"\r\r\n", b"\n", b""),
    ],
    ids=["crlf+lf", "alternating", "all-crcrlf", "some-crcrlf", "lf+crcrlf"],
)
def test_mixed_files_get_a_copy_duckdb_reads(tmp_path, data):
    path, readable = copy_of(tmp_path, data)
    # Why: with auto_detect off, DuckDB refuses the original as a whole.
    with pytest.raises(duckdb.InvalidInputException, match="invalid state"):
        read(path)
    assert readable == tmp_path / "work" / "insights.csv"
    assert path.read_bytes() == data
    assert b"\r" not in readable.read_bytes()
    assert readable.read_bytes().count(b"\n") == data.count(b"\n")
    assert read(readable) == (EXPECTED, [])


def test_line_numbers_stay_physical_in_the_copy(tmp_path):
    rows = [*ROWS[:2], (b"9", b"extra", b"1", b"2"), ROWS[2]]  # line 4 has a column too many
    data = lines(b"\r\n", b"\n", b"\r\r\n", b"\r\n", b"\n", rows=rows)
    _, readable = copy_of(tmp_path, data)
    assert read(readable) == (EXPECTED, [(4, "TOO MANY COLUMNS")])


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r\r\n"])
def test_bare_cr_in_unquoted_field_stays_in_its_value(tmp_path, ending):
    rows = [ROWS[0], (b"2", b"beta", b"12\r3"), ROWS[2]]
    mixed = lines(ending, b"\r\n", b"\n", ending, rows=rows)
    path, readable = copy_of(tmp_path, mixed)
    with pytest.raises(duckdb.InvalidInputException, match="invalid state"):
        read(path)
    got, rejects = read(readable)
    assert got == [EXPECTED[0], ("2", "beta", "12\r3"), EXPECTED[2]]
    assert rejects == []
    # The row checks then refuse that row for its count, as for any value that does not parse.
    assert duckdb.sql("SELECT TRY_CAST('12' || chr(13) || '3' AS BIGINT)").fetchall() == [(None,)]


def test_bare_cr_in_a_file_with_uniform_line_endings_gets_a_copy(tmp_path):
    # The last CR ends the file, not a line: it is text too (CR LF there would end the line).
    rows = [ROWS[0], (b"2", b"be\rta", b"20"), ROWS[1], (b"4", b"x", b"1\r")]
    data = lines(b"\n", b"\n", b"\n", b"\n", b"", rows=rows)
    path, readable = copy_of(tmp_path, data)
    assert readable != path
    got, rejects = read(readable)
    assert got == [EXPECTED[0], ("2", "be\rta", "20"), EXPECTED[1], ("4", "x", "1\r")]
    assert rejects == []


def test_bare_cr_before_a_line_ending_belongs_to_the_field(tmp_path):
    # CR CR CR LF: the last two end the line, the first is text (no line is added).
    data = lines(b"\r\n", b"\r\r\r\n", b"\r\n", b"\n")
    _, readable = copy_of(tmp_path, data)
    got, rejects = read(readable)
    assert got == [("1", "alpha", "10\r"), EXPECTED[1], EXPECTED[2]]
    assert rejects == []


def test_quotes_around_bare_crs_follow_duckdb_quoting(tmp_path):
    data = (
        b"id,name,clicks\r\n"
        b'1,"al\rpha",10\n'  # inside quotes: left as it is
        b'2, "be\rta",20\r\n'  # one space then a quote opens a quoted field too
        b'3,ga"m\rma,30\n'  # a quote inside an unquoted field is text: doubled in quotes
        b'4,"de""l\rta"" ",40\n'
        b'5,  "ep\rs",50\n'  # two spaces: not quoted for DuckDB, so the text is kept whole
    )
    path, readable = copy_of(tmp_path, data)
    got, rejects = read(readable)
    assert got == [
        ("1", "al\rpha", "10"),
        ("2", "be\rta", "20"),
        ("3", 'ga"m\rma', "30"),
        ("4", 'de"l\rta" ', "40"),
        ("5", '  "ep\rs"', "50"),
    ]
    assert rejects == []
    assert readable.read_bytes().count(b"\n") == data.count(b"\n")


def test_copy_never_overwrites_the_original(tmp_path):
    path = tmp_path / "insights.csv"
    path.write_bytes(lines(b"\r\n", b"\n", b"\n", b"\n"))
    with pytest.raises(ValueError, match="overwrite"):
        readable_copy(path, tmp_path)


TRICKY = (
    b"id,name,clicks\r\r\n1,a\r\r\r\n2,\r\r,\r\n\r\r\n3,x\r\ry\n\r\n4,\r,\r\r"
    b'\n5,"q\r\r\n"" \r",\r\r\r\r\n6, "\r",a"\r"\r'
)


@pytest.mark.parametrize("chunk_size", range(1, 9))
def test_chunk_boundaries_do_not_change_the_copy(tmp_path, chunk_size):
    whole = copy_of(tmp_path / "whole", TRICKY)[1].read_bytes()
    assert copy_of(tmp_path / "small", TRICKY, chunk_size=chunk_size)[1].read_bytes() == whole
    unquoted = TRICKY.replace(b'"', b"")
    small = copy_of(tmp_path / "plain", unquoted, chunk_size=chunk_size)[1].read_bytes()
    assert small == reference(unquoted)
    assert small.count(b"\n") == unquoted.count(b"\n")


def test_reference_quotes_only_fields_with_bare_crs():
    assert reference(b"a,b\r\r\nc\r,d\r\n\r") == b'a,b\n"c\r",d\n"\r"'


@settings(max_examples=300, deadline=None)
@given(data=st.binary().map(lambda b: bytes(b"a,\r\n"[x % 4] for x in b)), size=st.integers(1, 9))
def test_copy_matches_whole_file_reference(tmp_path_factory, data, size):
    tmp = tmp_path_factory.mktemp("prop")
    path, readable = copy_of(tmp, data, chunk_size=size)
    if readable == path:  # only LF endings, or only CRLF ones
        assert b"\r" not in data or data.count(b"\r") == data.count(b"\r\n") == data.count(b"\n")
    else:
        assert readable.read_bytes() == reference(data)


@settings(max_examples=300, deadline=None)
@given(data=st.binary().map(lambda b: bytes(b'a, "\r\n'[x % 6] for x in b)), size=st.integers(1, 9))
def test_copy_with_quotes_does_not_depend_on_chunks(tmp_path_factory, data, size):
    tmp = tmp_path_factory.mktemp("prop")
    whole = copy_of(tmp / "whole", data)[1].read_bytes()
    small = copy_of(tmp / "small", data, chunk_size=size)[1].read_bytes()
    assert small == whole
    assert small.count(b"\n") == data.count(b"\n")


_TEXT = st.text(alphabet="a\r", min_size=1, max_size=4)
_ROW = st.tuples(
    _TEXT, _TEXT.map(lambda s: s + "a"), st.sampled_from(["\n", "\r\n", "\r\r\n"])
)  # a CR last in a line would belong to its line ending: the last value ends in 'a'


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(_ROW, max_size=6), size=st.integers(1, 9))
def test_duckdb_reads_every_value_as_written(tmp_path_factory, rows, size):
    data = "id,name\r\n" + "".join(f"{a},{b}{end}" for a, b, end in rows)
    _, readable = copy_of(tmp_path_factory.mktemp("prop"), data.encode(), chunk_size=size)
    assert read(readable, columns=("id", "name")) == ([(a, b) for a, b, _ in rows], [])
