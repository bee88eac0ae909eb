"""CSV output: the four files' headers and Arrow schemas, numpy -> Arrow conversions, and a
block-wise writer that goes through ``<name>.part`` and renames on success."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

FILES = ("campaigns.csv", "campaign_leads.csv", "insights.csv", "lead_status_changes.csv")
HEADERS = {
    "campaigns.csv": "id,daily_budget,start_time,stop_time,user_id,project_name",
    "campaign_leads.csv": "id,campaign_id,name,email,phone,lead_status,added_date",
    "insights.csv": "ad_set_id,campaign_id,reach,spend,clicks,impressions,created_at",
    "lead_status_changes.csv": "lead_id,status,created_at",
}
SCHEMAS = {
    "campaigns.csv": pa.schema([("id", pa.int64()), ("daily_budget", pa.int64()),
                                ("start_time", pa.string()), ("stop_time", pa.string()),
                                ("user_id", pa.int64()), ("project_name", pa.string())]),
    "campaign_leads.csv": pa.schema([("id", pa.int64()), ("campaign_id", pa.int64()),
                                     ("name", pa.string()), ("email", pa.string()),
                                     ("phone", pa.string()), ("lead_status", pa.string()),
                                     ("added_date", pa.string())]),
    "insights.csv": pa.schema([("ad_set_id", pa.int64()), ("campaign_id", pa.int64()),
                               ("reach", pa.int64()), ("spend", pa.decimal128(18, 2)),
                               ("clicks", pa.int64()), ("impressions", pa.int64()),
                               ("created_at", pa.string())]),
    "lead_status_changes.csv": pa.schema([("lead_id", pa.int64()), ("status", pa.string()),
                                          ("created_at", pa.timestamp("s"))]),
}
# text fields and timestamps are double-quoted in these two exports, nothing is in the others
QUOTED = {"campaigns.csv", "campaign_leads.csv"}


def ts_array(seconds: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(seconds, dtype="datetime64[s]"))


def cents_array(cents: np.ndarray) -> pa.Array:
    """int64 cents -> decimal128(18, 2) without going through Python objects."""
    cents = np.ascontiguousarray(cents, dtype=np.int64)
    limbs = np.empty((len(cents), 2), dtype=np.int64)
    limbs[:, 0] = cents
    limbs[:, 1] = cents >> 63
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(cents), [None, pa.py_buffer(limbs)])


class CsvOut:
    """One CSV file: our own header line, then Arrow tables appended block by block.
    Written to ``<name>.part`` and renamed by ``commit()``, so a failed run leaves no half file."""

    def __init__(self, path: Path, header: str, schema: pa.Schema, quote_text: bool):
        self.path = path
        self.part = path.with_name(path.name + ".part")
        self.sink = pa.OSFile(str(self.part), "wb")
        self.sink.write((header + "\n").encode())
        opts = pacsv.WriteOptions(include_header=False, batch_size=65536,
                                  quoting_style="needed" if quote_text else "none")
        self.writer = pacsv.CSVWriter(self.sink, schema, write_options=opts)
        self.schema = schema
        self.rows = 0

    def write(self, columns: dict) -> None:
        table = pa.table(columns, schema=self.schema)
        self.writer.write_table(table)
        self.rows += table.num_rows

    def close(self) -> None:
        if not self.sink.closed:
            self.writer.close()
            self.sink.close()

    def commit(self) -> None:
        self.close()
        self.part.replace(self.path)

    def discard(self) -> None:
        try:
            self.close()
        finally:
            self.part.unlink(missing_ok=True)


def open_csv(out: Path, name: str) -> CsvOut:
    """A writer for one of the four files in ``out``, with its header, schema and quoting."""
    return CsvOut(out / name, HEADERS[name], SCHEMAS[name], quote_text=name in QUOTED)
