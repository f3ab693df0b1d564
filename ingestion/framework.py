"""Vectorised landing-file loader shared by every source.

A source declares where its files live, how to read them (CSV or JSON), one SQL statement that
validates and types every record (the *classify* step) and one SQL projection per raw table.
The framework does the rest, the same way for every source:

1. list the landing files not yet recorded in the dataset's ``landing_files`` table;
2. read a batch of files into an in-memory DuckDB table ``records`` (one row per record, with
   ``landing_file``, ``record_number`` and ``raw_record``), so that a malformed line becomes a
   record with a ``parse_error`` instead of failing the file;
3. run the source's classify SQL, which adds ``target_table``, ``reject_reason``, ``dedup_key``
   and ``version`` to every record;
4. split good and bad records in SQL (never row by row in Python), de-duplicate good records on
   their key within the batch, and project each raw table;
5. hand Arrow tables to dlt with parquet loader files: raw tables, ``quarantine`` and
   ``landing_files`` go in one load package.

Every record ends in exactly one place: loaded, quarantined (with its reason and raw text) or
de-duplicated (an exact re-delivery, or an older version of a key superseded in the same batch),
and the counts are checked to add up per file.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

Strategy = Literal["upsert", "insert-only"]

# Files are loaded in batches of at most this many bytes to bound memory at 1M customers.
DEFAULT_BATCH_BYTES = int(os.environ.get("MAILMART_LOAD_BATCH_BYTES", 256 * 1024 * 1024))


@dataclass(frozen=True)
class Table:
    """A raw table written by a source.

    Attributes:
        name: Table name inside the raw dataset.
        primary_key: Column (or columns) identifying a row; dlt merges on it.
        strategy: ``upsert`` replaces a row with the same key (records that change),
            ``insert-only`` keeps the first row seen for a key (events).
        sql: Projection producing the table's rows, reading from the temporary view
            ``accepted`` (good, de-duplicated records). ``{extra_columns}`` is replaced by the
            CSV's extra columns (``, "col" ...``) when the source keeps them.
        is_root: True when each row of the table is one landing record; False for child rows
            derived from a root record (order lines of an order).
        replace_by: For child tables, the parent key column: when a parent is loaded again,
            all its stored child rows are replaced (dlt ``delete-insert`` on this merge key),
            so a line removed from an order does not linger.
        dedup_column: Stored column holding the record's ``dedup_key`` when it is not the
            primary key (SES: one row per recipient, de-duplicated per record).
        time_column: Stored event-time column of an insert-only table, with ``time_sql``
            (the same time as an expression over the classified records). The check for keys
            already stored then reads only stored rows within the batch's time range: a
            re-delivery carries the event's own timestamp. Without it every batch scans all
            stored keys, which grows with the table (measured at 1M customers: up to 2.6 s
            per table per batch against 10M stored Segment messages).
        time_sql: See ``time_column``.
    """

    name: str
    primary_key: str | tuple[str, ...]
    strategy: Strategy
    sql: str
    is_root: bool = True
    replace_by: str | None = None
    dedup_column: str | None = None
    time_column: str | None = None
    time_sql: str | None = None


@dataclass(frozen=True)
class Source:
    """A source system: its landing folder, reader, validation SQL and raw tables.

    Attributes:
        name: Short system name; the raw dataset is ``raw_<name>``.
        folder: Folder under ``LANDING_DIR``.
        kind: ``csv`` (header row, all values read as text) or ``json`` (JSON lines, a JSON
            array, or lines that are JSON arrays of records).
        classify_sql: SQL over ``records`` returning every input row with ``target_table``,
            ``reject_reason`` (null when good), ``dedup_key`` and ``version`` added.
        tables: Raw tables, root tables first.
        keep: Which record wins when a key repeats in a batch: ``latest`` (highest
            ``version``, then last in file order) or ``first`` (first in file order).
        csv_columns: Documented CSV header; missing columns are read as empty.
        csv_required: Columns that must be present in a CSV header, else the file is rejected.
        keep_extra_columns: Pass CSV columns outside ``csv_columns`` through as text.
        patterns: Glob patterns of files to read, recursively under ``folder``.
        version_column: Column of the first (root) table holding ``version``. A record older
            than the stored row with the same key is not loaded (counted as de-duplicated),
            so an export that arrives late cannot overwrite newer data.
    """

    name: str
    folder: str
    kind: Literal["csv", "json"]
    classify_sql: str
    tables: tuple[Table, ...]
    keep: Literal["latest", "first"] = "latest"
    csv_columns: tuple[str, ...] = ()
    csv_required: tuple[str, ...] = ()
    keep_extra_columns: bool = False
    patterns: tuple[str, ...] = field(default=("*.json", "*.jsonl", "*.ndjson"))
    version_column: str | None = None

    @property
    def dataset(self) -> str:
        return f"raw_{self.name}"


@dataclass
class TableResult:
    """Rows written to one raw table in a run."""

    loaded: int = 0
    quarantined: int = 0
    deduplicated: int = 0


@dataclass
class SourceResult:
    """What one source's load did."""

    source: str
    files_seen: int = 0
    files_loaded: int = 0
    files_skipped: int = 0
    rows_in: int = 0
    tables: dict[str, TableResult] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def rows_quarantined(self) -> int:
        return sum(t.quarantined for t in self.tables.values())


@dataclass(frozen=True)
class LandingFile:
    path: Path
    relative: str
    size: int
    mtime_ns: int


# --------------------------------------------------------------------------------------------
# discovery


def discover(source: Source, landing_dir: Path) -> list[LandingFile]:
    """List the source's landing files in path order."""
    root = landing_dir / source.folder
    if not root.is_dir():
        return []
    found: dict[Path, None] = {}
    for pattern in source.patterns:
        for path in root.rglob(pattern):
            if path.is_file() and not path.name.startswith("."):
                found[path] = None
    files = []
    for path in sorted(found):
        stat = path.stat()
        files.append(
            LandingFile(
                path=path,
                relative=path.relative_to(landing_dir).as_posix(),
                size=stat.st_size,
                mtime_ns=stat.st_mtime_ns,
            )
        )
    return files


def already_loaded(con: duckdb.DuckDBPyConnection, dataset: str) -> set[tuple[str, int, int]]:
    """Fingerprints (path, size, mtime) of files recorded in ``<dataset>.landing_files``."""
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = ? and table_name = 'landing_files'",
        [dataset],
    ).fetchall()[0][0]
    if not exists:
        return set()
    rows = con.execute(
        f"select landing_file, file_size, file_mtime_ns from {dataset}.landing_files"
    ).fetchall()
    return {(r[0], int(r[1]), int(r[2])) for r in rows}


def batches(files: Sequence[LandingFile], max_bytes: int) -> Iterator[list[LandingFile]]:
    """Group files into batches of at most ``max_bytes`` (a bigger file is its own batch)."""
    batch: list[LandingFile] = []
    size = 0
    for f in files:
        if batch and size + f.size > max_bytes:
            yield batch
            batch, size = [], 0
        batch.append(f)
        size += f.size
    if batch:
        yield batch


# --------------------------------------------------------------------------------------------
# reading


# Arrow string views address their text with 32-bit offsets: a file is cut into pieces below
# this size (at line breaks), each viewed in its own buffer.
VIEW_PIECE_BYTES = 2**31 - 1


def _string_views(data: memoryview, starts: np.ndarray, lengths: np.ndarray) -> pa.Array:
    """Arrow ``string_view`` array of the byte ranges ``[start, start + length)`` of ``data``.

    No text is copied: each 16-byte view holds the length, then for a string of more than
    12 bytes its first 4 bytes, buffer 0 and its offset; a shorter string is held inline.
    DuckDB reads this layout natively (it is its own string layout).
    """
    n = len(starts)
    text = np.frombuffer(data, np.uint8)
    view = np.zeros((n, 16), np.uint8)
    words = view.view(np.int32)
    words[:, 0] = lengths
    long_rows = np.flatnonzero(lengths > 12)
    if len(long_rows):
        view[long_rows, 4:8] = text[starts[long_rows, None] + np.arange(4)]
        words[long_rows, 3] = starts[long_rows]
    short_rows = np.flatnonzero(lengths <= 12)
    if len(short_rows):
        inside = np.arange(12) < lengths[short_rows, None]
        positions = np.where(inside, starts[short_rows, None] + np.arange(12), 0)
        view[short_rows, 4:16] = np.where(inside, text[positions] if len(text) else 0, 0)
    return pa.Array.from_buffers(
        pa.string_view(), n, [None, pa.py_buffer(view), pa.py_buffer(data)]
    )


def _json_lines(con: duckdb.DuckDBPyConnection, f: LandingFile) -> pa.Table:
    """Split one JSON landing file into lines: ``landing_file``, ``line_number``, ``line``.

    A file that is one JSON document spanning several lines (a pretty-printed array, as the
    vendors' documentation samples are) is returned as a single line. Blank lines are kept
    here and dropped in SQL. The lines are Arrow string views into the file's bytes: no copy
    and no Python object per line. Measured on 253 MB of Segment files: 1.25 s with
    ``bytes.decode`` and Arrow's ``split_pattern``, 0.35 s this way. DuckDB's
    ``string_split`` + ``unnest`` on a large file was quadratic (354 s for a 400 MB file).
    """
    raw = f.path.read_bytes()
    try:
        # validates UTF-8 without copying
        pa.Array.from_buffers(
            pa.large_binary(),
            1,
            [None, pa.py_buffer(np.array([0, len(raw)], np.int64)), pa.py_buffer(raw)],
        ).cast(pa.large_string())
    except pa.ArrowInvalid:
        # not UTF-8: decode with replacement characters (the bad record is then quarantined)
        raw = raw.decode("utf-8", errors="replace").encode("utf-8")
    single = False
    if raw.lstrip()[:1] == b"[" and b"\n" in raw.strip():
        # JSON lines of arrays (webhook POST bodies) have a valid first line; a pretty-printed
        # array has not, and then the whole file is one document
        first = raw.lstrip().split(b"\n", 1)[0].decode("utf-8")
        single = not con.execute("select json_valid(?)", [first]).fetchall()[0][0] and bool(
            con.execute("select json_valid(?)", [raw.decode("utf-8")]).fetchall()[0][0]
        )
    if single:
        breaks = np.zeros(0, np.int64)
    else:
        breaks = np.flatnonzero(np.frombuffer(raw, np.uint8) == ord("\n")).astype(np.int64)
    starts = np.concatenate([np.zeros(1, np.int64), breaks + 1])
    stops = np.append(breaks, np.int64(len(raw)))
    if len(raw) and stops[-1] == starts[-1] and not single:
        # the file ends with a line break: no line after it
        starts, stops = starts[:-1], stops[:-1]
    pieces = []
    first_row = 0
    data = memoryview(raw)
    while first_row < len(starts):
        base = int(starts[first_row])
        last_row = int(np.searchsorted(stops, base + VIEW_PIECE_BYTES, side="right"))
        last_row = max(last_row, first_row + 1)
        if stops[last_row - 1] - base > VIEW_PIECE_BYTES:
            msg = f"{f.relative}: a line of more than {VIEW_PIECE_BYTES:,} bytes"
            raise ValueError(msg)
        piece = slice(first_row, last_row)
        end = int(stops[last_row - 1])
        pieces.append(
            _string_views(data[base:end], starts[piece] - base, stops[piece] - starts[piece])
        )
        first_row = last_row
    n = len(starts)
    return pa.table(
        {
            "landing_file": pa.repeat(pa.scalar(f.relative, pa.string()), n),
            "line_number": pa.array(np.arange(1, n + 1, dtype=np.int64)),
            "line": pa.chunked_array(pieces, pa.string_view()),
        }
    )


def _records_view(con: duckdb.DuckDBPyConnection, rename: bool = True) -> None:
    """Expose ``records`` with ``record``: the JSON text, or null when it did not parse, so
    extraction never raises. A view, so the text is not copied."""
    if rename:
        con.execute("alter table records rename to records_base")
    con.execute(
        "create temp view records as select *, "
        "case when parse_error is null then raw_record end as record from records_base"
    )


def read_json_records(con: duckdb.DuckDBPyConnection, files: Sequence[LandingFile]) -> None:
    """Create ``records`` from JSON landing files, one row per record.

    A file may be one JSON document (an array of records or one record), or JSON lines where
    each line is a record or an array of records (a webhook POST body). A line that is not
    valid JSON becomes one record with ``parse_error`` set; the other lines still load.
    Records are numbered from 1 in file order (the elements of an array line in turn).
    """
    pieces = [_json_lines(con, f) for f in files]
    data = (
        pa.concat_tables(pieces)
        if pieces
        else pa.table(
            {
                "landing_file": pa.array([], pa.string()),
                "line_number": pa.array([], pa.int64()),
                "line": pa.array([], pa.string_view()),
            }
        )
    )
    con.register("json_lines", data)
    # One parse per line, which validates it and counts an array's elements: ``try`` turns
    # the error of a line that is not JSON into null. Blank lines are dropped (JSON allows
    # the CR of a CRLF line end); only invalid lines pay for that test.
    shape = con.sql(
        """
        select
            size,
            case
                when size is null then false
                when starts_with(line, '{') then false
                when starts_with(line, '[') then true
                else ltrim(line)[1] = '['
            end as is_array,
            -- a case, not ``and``: DuckDB evaluates both sides of ``and`` on every row
            case
                when size is null
                    then trim(line, chr(32) || chr(9) || chr(10) || chr(11) || chr(12) || chr(13))
                    = ''
                else false
            end as is_blank
        from (select line::varchar as line, try(json_array_length(line::varchar)) as size
            from json_lines)
        """
    ).to_arrow_table()
    con.unregister("json_lines")
    # Record numbers: a running sum of records per line within each file, in numpy (a window
    # over the lines in SQL sorted them with their text: 1.1 s per 268 MB batch).
    is_array = shape["is_array"].to_numpy(zero_copy_only=False)
    is_blank = shape["is_blank"].to_numpy(zero_copy_only=False)
    sizes = np.where(is_array, shape["size"].fill_null(0).to_numpy(), 1)
    sizes = np.where(is_blank, 0, sizes).astype(np.int64)
    total = np.cumsum(sizes) - sizes
    file_first_row = np.repeat(
        np.cumsum([0] + [t.num_rows for t in pieces])[:-1].astype(np.int64),
        [t.num_rows for t in pieces],
    )
    offsets = total - total[file_first_row] if len(total) else total
    lines = (
        data.append_column("is_valid", pc.is_valid(shape["size"]))
        .append_column("is_array", shape["is_array"])
        .append_column("is_blank", shape["is_blank"])
        .append_column("record_offset", pa.array(offsets, pa.int64()))
    )
    del shape
    con.register("lines_with_shape", lines)
    # one copy of the text
    con.execute(
        """
        create or replace temp table lines as
        select
            landing_file,
            line_number,
            line::varchar as line,
            is_valid,
            is_array,
            record_offset
        from lines_with_shape
        where not is_blank
        """
    )
    con.unregister("lines_with_shape")
    # A line holding an array is a batch (a webhook POST): one record per element.
    # Select-list unnest of a list column: a lateral unnest ... with ordinality over the line
    # was measured here at 3.2 s and 7 GB for 125 MB of SendGrid batches.
    # With array lines the records are materialised: DuckDB evaluated the unnesting view
    # far slower inside the classify statement (SendGrid, 265 MB: 3.3 s against 0.7 s to
    # materialise plus 1.6 s to classify the table). Without arrays, the view is faster.
    has_arrays = bool(pc.any(pc.and_(lines["is_valid"], lines["is_array"])).as_py())
    kind = "table" if has_arrays else "view"
    con.execute(
        f"""
        create or replace temp {kind} records_base as
        select
            landing_file,
            record_offset + element_number as record_number,
            raw_record,
            parse_error
        from (
            select
                landing_file,
                record_offset,
                unnest(range(1, len(element_list) + 1)) as element_number,
                unnest(element_list) as raw_record,
                null::varchar as parse_error
            from (
                select
                    landing_file,
                    record_offset,
                    json_extract(line, '$[*]')::varchar[] as element_list
                from lines
                where is_valid and is_array
            )
        )
        union all
        select
            landing_file,
            record_offset + 1,
            line,
            case when not is_valid then 'invalid JSON on line ' || line_number end
        from lines
        where not (is_valid and is_array)
        """
    )
    _records_view(con, rename=False)


def _read_csv_file(
    f: LandingFile, source: Source
) -> tuple[pa.Table | None, list[dict[str, object]], str | None]:
    """Read one CSV file as text columns.

    Returns:
        The table (or None), the rows pyarrow could not split into the header's columns, and
        a file-level error (missing required header columns, unreadable file).
    """
    bad_rows: list[dict[str, object]] = []

    def on_invalid(row: pa_csv.InvalidRow) -> str:
        bad_rows.append(
            {
                "record_number": row.number,
                "raw_record": row.text,
                "reason": (
                    f"wrong number of fields: expected {row.expected_columns}, "
                    f"got {row.actual_columns}"
                ),
            }
        )
        return "skip"

    with open(f.path, encoding="utf-8-sig", errors="replace") as fh:
        header_line = fh.readline()
    header = [h.strip() for h in next(iter(_csv_header(header_line)), [])]
    if not header or header == [""]:
        return None, bad_rows, "empty file or missing header row"
    missing = [c for c in source.csv_required if c not in header]
    if missing:
        return None, bad_rows, "header is missing required column(s): " + ", ".join(missing)
    try:
        table = pa_csv.read_csv(
            f.path,
            read_options=pa_csv.ReadOptions(column_names=header, skip_rows=1, use_threads=False),
            parse_options=pa_csv.ParseOptions(
                newlines_in_values=True, invalid_row_handler=on_invalid
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={h: pa.string() for h in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        return None, bad_rows, f"unreadable CSV: {exc}"
    return table, bad_rows, None


def _csv_header(line: str) -> Iterator[list[str]]:
    import csv

    return csv.reader([line])


def read_csv_records(
    con: duckdb.DuckDBPyConnection, files: Sequence[LandingFile], source: Source
) -> list[str]:
    """Create ``records`` from CSV files; returns the extra (undocumented) column names kept."""
    known = list(source.csv_columns)
    extras: list[str] = []
    frames: list[pa.Table] = []
    errors: list[dict[str, object]] = []
    for f in files:
        table, bad_rows, file_error = _read_csv_file(f, source)
        for bad in bad_rows:
            errors.append({"landing_file": f.relative, **bad})
        if file_error:
            errors.append(
                {
                    "landing_file": f.relative,
                    "record_number": 0,
                    "raw_record": f.path.read_text(errors="replace")[:10000],
                    "reason": file_error,
                }
            )
            continue
        assert table is not None
        # Empty strings are missing values, as in every CRM export we have seen.
        cols = {}
        for name in table.column_names:
            col = table[name]
            cols[name] = pc.if_else(pc.equal(pc.utf8_trim_whitespace(col), ""), None, col)
        for name in known:
            if name not in cols:
                cols[name] = pa.nulls(table.num_rows, pa.string())
        if source.keep_extra_columns:
            for name in table.column_names:
                if name not in known and name not in extras:
                    extras.append(name)
        n = table.num_rows
        frame = pa.table(
            {
                "landing_file": pa.array([f.relative] * n, pa.string()),
                # data rows are numbered from 1; the header is not a record
                "record_number": pa.array(range(1, n + 1), pa.int64()),
                **cols,
            }
        )
        frames.append(frame)
    columns = ["landing_file", "record_number", *known, *extras]
    if frames:
        aligned = []
        for frame in frames:
            aligned.append(
                pa.table(
                    {
                        c: frame[c]
                        if c in frame.column_names
                        else pa.nulls(frame.num_rows, pa.string())
                        for c in columns
                    }
                )
            )
        data = pa.concat_tables(aligned)
    else:
        data = pa.table(
            {
                "landing_file": pa.array([], pa.string()),
                "record_number": pa.array([], pa.int64()),
                **{c: pa.array([], pa.string()) for c in [*known, *extras]},
            }
        )
    con.register("csv_rows", data)
    quoted = ", ".join(f'"{c}"' for c in [*known, *extras])
    con.execute(
        f"""
        create or replace temp table records as
        select
            landing_file,
            record_number,
            -- built only for quarantined rows (see _project): most rows never need it
            null::varchar as raw_record,
            null::varchar as parse_error,
            {quoted}
        from csv_rows
        """
    )
    con.unregister("csv_rows")
    if errors:
        con.register(
            "csv_errors",
            pa.Table.from_pylist(
                errors,
                schema=pa.schema(
                    [
                        ("landing_file", pa.string()),
                        ("record_number", pa.int64()),
                        ("raw_record", pa.string()),
                        ("reason", pa.string()),
                    ]
                ),
            ),
        )
        nulls = ", ".join(f'null::varchar as "{c}"' for c in [*known, *extras])
        con.execute(
            f"""
            insert into records
            select landing_file, coalesce(record_number, -1), raw_record, reason, {nulls}
            from csv_errors
            """
        )
        con.unregister("csv_errors")
    _records_view(con)
    return extras


# --------------------------------------------------------------------------------------------
# classify, split, project


def _mark_known(con: duckdb.DuckDBPyConnection, source: Source, check_stored: bool) -> None:
    """Turn records the warehouse already holds, or holds a newer version of, into
    de-duplicated ones, so they are neither loaded nor lost from the counts.

    - Insert-only tables (events): a key already stored is a re-delivery. Filtering here lets
      dlt *append* instead of running a MERGE (measured: 3.6 s instead of 6.8 s for 421k
      Segment messages), with the same result.
    - Tables with a ``version_column`` (records that change): a record older than the stored
      row is a late export and must not overwrite it.
    """
    if not check_stored:
        return
    checks = []
    for table in source.tables:
        if table.strategy == "insert-only" and table.replace_by is None:
            checks.append((table, table.dedup_column or table.primary_key, None))
    if source.version_column:
        root = source.tables[0]
        checks.append((root, root.dedup_column or root.primary_key, source.version_column))
    if not checks:
        return
    # ``con`` is a cursor of the warehouse itself: stored tables are read directly
    stored_tables = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = ?",
            [source.dataset],
        ).fetchall()
    }
    for table, key, version_column in checks:
        if table.name not in stored_tables or not isinstance(key, str):
            continue
        newer = (
            f"and ranked.version is not null and stored.{version_column} > ranked.version"
            if version_column
            else ""
        )
        window, parameters = "", []
        if table.time_column and table.time_sql and not version_column:
            low, high = con.execute(
                f"select min({table.time_sql}), max({table.time_sql}) from ranked "
                f"where outcome = 'loaded' and target_table = ?",
                [table.name],
            ).fetchall()[0]
            if low is None:
                continue  # nothing to check
            # DuckDB skips the stored row groups outside the range (zone maps)
            window = f"and stored.{table.time_column} between ? and ?"
            parameters = [low, high]
        con.execute(
            f"""
            update ranked set outcome = 'deduplicated'
            where outcome = 'loaded'
                and target_table = '{table.name}'
                and exists (
                    select 1
                    from {source.dataset}.{table.name} as stored
                    where stored.{key} = ranked.dedup_key {newer} {window}
                )
            """,
            parameters,
        )


def _classify(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    """Classify every record and decide its outcome within the batch (table ``ranked``).

    Needs nothing from the warehouse, so it can run while the previous batch is still being
    written by dlt.
    """
    order = (
        "version desc nulls last, landing_file desc, record_number desc"
        if source.keep == "latest"
        else "landing_file, record_number"
    )
    # One materialisation of the (wide) records. Ranking every record by key with a window
    # would sort the whole batch with its text; re-deliveries are rare (about 0.2%), so only
    # the keys that repeat are ranked, on a narrow projection (measured here: 1.6 s instead
    # of 3.6 s for 268 MB of Segment messages).
    con.execute(
        f"""
        create or replace temp table ranked as
        select
            * exclude (record),
            case when reject_reason is not null then 'quarantined' else 'loaded' end as outcome
        from ({source.classify_sql}) as classified
        """
    )
    con.execute(
        f"""
        update ranked set outcome = 'deduplicated'
        where rowid in (
            with

            repeated as (
                select target_table, dedup_key
                from ranked
                where outcome = 'loaded'
                group by all
                having count(*) > 1
            ),

            candidates as (
                select
                    ranked.rowid as row_id,
                    row_number() over (
                        partition by ranked.target_table, ranked.dedup_key order by {order}
                    ) as position
                from ranked
                inner join repeated
                    on ranked.target_table is not distinct from repeated.target_table
                    and ranked.dedup_key is not distinct from repeated.dedup_key
                where ranked.outcome = 'loaded'
            )

            select row_id from candidates where position > 1
        )
        """
    )
    # the reading step's tables or views are not needed any more
    con.execute("drop view records")
    kinds = dict(
        con.execute(
            "select table_name, table_type from information_schema.tables "
            "where table_catalog = 'temp'"
        ).fetchall()
    )
    for name in ("records_base", "lines"):
        if name in kinds:
            kind = "view" if kinds[name] == "VIEW" else "table"
            con.execute(f"drop {kind} {name}")


def _project(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    extras: list[str],
    check_stored: bool = False,
) -> tuple[dict[str, pa.Table], pa.Table, pa.Table, dict[str, tuple[int, int]]]:
    """Check classified records against the warehouse, then project the raw tables.

    Returns:
        Raw tables by name, the quarantine table, per-file counts, and per target table the
        (quarantined, de-duplicated) counts.
    """
    if source.kind == "csv":
        pairs = ", ".join(f'"{c}" := "{c}"' for c in [*source.csv_columns, *extras])
        raw_record_sql = f"coalesce(raw_record, to_json(struct_pack({pairs}))::varchar)"
    else:
        raw_record_sql = "raw_record"
    _mark_known(con, source, check_stored)
    con.execute(
        "create or replace temp view accepted as "
        "select *, raw_record as record from ranked where outcome = 'loaded'"
    )
    extra_sql = "".join(f', "{c}"' for c in extras)
    tables: dict[str, pa.Table] = {}
    for table in source.tables:
        sql = table.sql.replace("{extra_columns}", extra_sql)
        tables[table.name] = con.sql(sql).to_arrow_table()
    quarantine = con.sql(
        f"""
        select
            md5(landing_file || ':' || record_number || ':' || coalesce(target_table, ''))
                as quarantine_id,
            '{source.name}' as source_name,
            target_table,
            landing_file,
            record_number,
            reject_reason as reason,
            {raw_record_sql} as raw_record,
            now()::timestamptz as quarantined_at
        from ranked
        where outcome = 'quarantined'
        order by landing_file, record_number
        """
    ).to_arrow_table()
    counts = con.sql(
        """
        select
            landing_file,
            count(*) as rows_in,
            count(*) filter (where outcome = 'loaded') as rows_loaded,
            count(*) filter (where outcome = 'quarantined') as rows_quarantined,
            count(*) filter (where outcome = 'deduplicated') as rows_deduplicated
        from ranked
        group by landing_file
        """
    ).to_arrow_table()
    per_table = con.execute(
        """
        select
            coalesce(target_table, '(unroutable)') as target_table,
            count(*) filter (where outcome = 'quarantined') as quarantined,
            count(*) filter (where outcome = 'deduplicated') as deduplicated
        from ranked
        group by all
        """
    ).fetchall()
    return tables, quarantine, counts, {r[0]: (int(r[1]), int(r[2])) for r in per_table}


# --------------------------------------------------------------------------------------------
# dlt


def _write_hints(table: Table, lake: bool = False) -> dict[str, object]:
    """dlt hints that write a batch of ``table``.

    - Insert-only tables are appended: their keys were checked against the warehouse
      (``_mark_known``), so no merge is needed.
    - Everything else replaces stored rows by key (see ``_replace_on``): root tables on their
      primary key, child tables on their parent key (all lines of a re-loaded order).
    - In a lake (Parquet files, no row deletes) every table is appended; a replaced table is
      read through a view that keeps each key's rows of its latest load (``replace_key``).
    """
    if lake or (table.strategy == "insert-only" and not table.replace_by):
        return {"primary_key": table.primary_key, "write_disposition": "append"}
    return _replace_on(table.replace_by or table.primary_key)


def replace_key(table: Table) -> str | None:
    """The column whose rows a new load replaces, or None for an insert-only table.

    The Spark target's source views (macro ``lake_source_views``) keep, per value of this
    column, the rows of the latest load: what ``_replace_on`` does in DuckDB.
    """
    if table.strategy == "insert-only" and not table.replace_by:
        return None
    key = table.replace_by or table.primary_key
    return key if isinstance(key, str) else None


def _replace_on(key: str | tuple[str, ...]) -> dict[str, object]:
    """Delete the stored rows whose ``key`` is in the batch, then insert the batch.

    The same result as an upsert, because a batch holds one row per key (de-duplicated in
    ``_classify``, older versions dropped in ``_mark_known``). Measured at 1M customers:
    dlt's MERGE took 10.6 s per batch of 150k orders, and a delete-insert on the primary key
    *or* the parent key (dlt's condition when both are set) was a nested-loop join taking
    53 s per batch of line items; a delete on one key is a hash join.
    """
    return {
        "merge_key": key,
        "write_disposition": {"disposition": "merge", "strategy": "delete-insert"},
    }


def _lake_append(key: str) -> dict[str, object]:
    """In a lake, ``quarantine`` and ``landing_files`` are appended (read by the latest load)."""
    return {"primary_key": key, "write_disposition": "append"}


def _lake_views(con: duckdb.DuckDBPyConnection, lake: Path, dataset: str) -> None:
    """Views ``<dataset>.<table>`` over the lake's Parquet files, for the checks against what is
    stored (``already_loaded``, ``_mark_known``), which read every stored version of a key.
    Re-run before each batch's checks: a table's folder appears with its first load.
    """
    con.execute(f"create schema if not exists {dataset}")
    root = lake / dataset
    if not root.is_dir():
        return
    for folder in sorted(root.iterdir()):
        if folder.name.startswith("_") or not any(folder.glob("*.parquet")):
            continue
        files = (folder / "*.parquet").as_posix().replace("'", "''")
        con.execute(
            f"create or replace view {dataset}.{folder.name} as "
            f"select * from read_parquet('{files}', union_by_name = true)"
        )


def write_lake_tables(lake: Path, source: Source) -> Path:
    """Write ``lake/_tables/<dataset>.json``: the dataset's tables that have files, with the
    column a new load replaces rows by, one JSON object per line.

    The spark target's on-run-start hook (macro ``lake_source_tables``) reads these files to
    declare every raw table over its folder, so the replace keys live only in the source
    definitions. Rewritten whole after every load of the source.
    """
    import json

    root = lake / source.dataset
    keys = {table.name: replace_key(table) for table in source.tables}
    keys |= {"quarantine": "quarantine_id", "landing_files": "landing_file"}
    lines = []
    for name, key in sorted(keys.items()):
        folder = root / name
        if folder.is_dir() and any(folder.glob("*.parquet")):
            lines.append(
                {
                    "dataset": source.dataset,
                    "table_name": name,
                    "replace_key": key,
                    "file_format": "parquet",
                    "location": folder.resolve().as_uri(),
                }
            )
    loads = root / "_dlt_loads"
    if loads.is_dir() and any(loads.glob("*.jsonl")):
        lines.append(
            {
                "dataset": source.dataset,
                "table_name": "_dlt_loads",
                "replace_key": None,
                "file_format": "json",
                "location": loads.resolve().as_uri(),
            }
        )
    out = lake / "_tables" / f"{source.dataset}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return out


def _pipeline(
    source: Source,
    warehouse: duckdb.DuckDBPyConnection,
    pipelines_dir: str,
    lake: Path | None = None,
):  # noqa: ANN202
    """The dlt pipeline of one source load, reused for every batch.

    The warehouse is the only state: the landing_files table says what was read, so a fresh
    pipelines dir per load cannot disagree with the warehouse it loads into. One pipeline per
    load, not per batch: creating one (and restoring its state from the warehouse) cost about
    0.5 s per batch, 70 s over the 140 batches of 1M customers.

    With ``lake``, dlt's filesystem destination writes Parquet files under
    ``lake/<dataset>/<table>/`` instead (the Spark target's raw data).
    """
    import dlt

    # Raw rows carry the dlt load id, so later models can process what a load added.
    os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID", "true")
    os.environ.setdefault("RUNTIME__LOG_LEVEL", "ERROR")
    # dlt merges through a `<dataset>_staging` copy of each batch; empty it after the load so
    # the warehouse holds one copy of the data.
    os.environ.setdefault("LOAD__TRUNCATE_STAGING_DATASET", "true")
    destination = (
        dlt.destinations.filesystem(bucket_url=lake.resolve().as_uri())
        if lake is not None
        else dlt.destinations.duckdb(credentials=warehouse)
    )
    return dlt.pipeline(
        pipeline_name=f"mailmart_{source.name}",
        destination=destination,
        dataset_name=source.dataset,
        pipelines_dir=pipelines_dir,
    )


def _run_dlt(
    source: Source,
    pipeline,  # noqa: ANN001 (dlt.Pipeline, imported lazily)
    tables: dict[str, pa.Table],
    quarantine: pa.Table,
    manifest: pa.Table,
    lake: bool = False,
) -> None:
    import dlt

    replace_on = _lake_append if lake else _replace_on

    resources = []
    for table in source.tables:
        data = tables[table.name]
        if data.num_rows == 0:
            continue
        resources.append(
            dlt.resource(
                data,
                name=table.name,
                table_name=table.name,
                **_write_hints(table, lake),
            )
        )
    if quarantine.num_rows:
        resources.append(
            dlt.resource(
                quarantine,
                name="quarantine",
                table_name="quarantine",
                **replace_on("quarantine_id"),
            )
        )
    resources.append(
        dlt.resource(
            manifest,
            name="landing_files",
            table_name="landing_files",
            **replace_on("landing_file"),
        )
    )
    pipeline.run(resources, loader_file_format="parquet")


# --------------------------------------------------------------------------------------------
# entry point


def load_source(
    source: Source,
    landing_dir: Path,
    warehouse: Path,
    batch_bytes: int = DEFAULT_BATCH_BYTES,
    log: Callable[[str], None] = print,
    lake: Path | None = None,
) -> SourceResult:
    """Load the source's new landing files into ``raw_<name>`` in the warehouse.

    Args:
        source: The source definition.
        landing_dir: Root of the landing folders.
        warehouse: DuckDB file to load into (unused with ``lake``).
        batch_bytes: Upper bound of file bytes read per dlt load.
        log: Where progress lines go.
        lake: Write Parquet files under this folder instead (the Spark target's raw data);
            the checks against stored rows read those files.

    Returns:
        Counts per table; ``rows_in`` equals loaded + quarantined + de-duplicated records.
    """
    started = time.perf_counter()
    result = SourceResult(source=source.name)
    files = discover(source, landing_dir)
    result.files_seen = len(files)
    if not files:
        log(f"[{source.name}] no files under {landing_dir / source.folder}: skipped")
        return result
    if lake is not None:
        lake.mkdir(parents=True, exist_ok=True)
    else:
        warehouse.parent.mkdir(parents=True, exist_ok=True)
    # One DuckDB instance for the whole load: this thread reads and classifies in cursors of
    # it (temporary tables), checks keys against the stored tables directly, and dlt writes
    # through it. dlt given a path opened and closed the file 11 times per batch, and every
    # close checkpointed: 1.4 s per batch against a 20 GB warehouse.
    # Raw tables are mostly JSON text; DuckDB's default string compression made the insert
    # single-core bound, zstd halved it and shrank the tables 2.5 times (see decisions.md).
    # A lake load works in an in-memory DuckDB that reads the lake's files.
    wh = duckdb.connect(
        ":memory:" if lake is not None else str(warehouse),
        config={"force_compression": "zstd"},
    )
    try:
        wh.execute("set TimeZone = 'UTC'")
        if lake is not None:
            _lake_views(wh, lake, source.dataset)
        done = already_loaded(wh, source.dataset)
        new = [f for f in files if (f.relative, f.size, f.mtime_ns) not in done]
        result.files_skipped = len(files) - len(new)
        if not new:
            log(f"[{source.name}] {len(files)} file(s), all loaded before: nothing to do")
            return result
        _load_batches(source, new, wh, batch_bytes, result, started, log, lake)
    finally:
        wh.close()
        if lake is not None:
            write_lake_tables(lake, source)
    result.seconds = time.perf_counter() - started
    return result


def _load_batches(
    source: Source,
    new: list[LandingFile],
    wh: duckdb.DuckDBPyConnection,
    batch_bytes: int,
    result: SourceResult,
    started: float,
    log: Callable[[str], None],
    lake: Path | None = None,
) -> None:
    progress = _Progress(source, result, len(new), sum(f.size for f in new), started, log)
    # Batch N is written by dlt on a worker thread while batch N+1 is read and classified
    # here: DuckDB and pyarrow release the GIL, so both cores work. Checking against the
    # stored tables (_mark_known) waits for the previous write, so keys loaded by batch N are
    # seen by batch N+1.
    with (
        tempfile.TemporaryDirectory(prefix="mailmart-dlt-") as pipelines_dir,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="mailmart-dlt") as writer,
    ):
        pipeline = _pipeline(source, wh, pipelines_dir, lake)
        pending: Future[_Written] | None = None
        for batch in batches(new, batch_bytes):
            con = wh.cursor()
            try:
                con.execute("set TimeZone = 'UTC'")
                clock = time.perf_counter()
                if source.kind == "json":
                    read_json_records(con, batch)
                    extras: list[str] = []
                else:
                    extras = read_csv_records(con, batch, source)
                _classify(con, source)
                read_seconds = time.perf_counter() - clock
                if pending is not None:
                    progress.done(pending.result())
                    pending = None
                clock = time.perf_counter()
                if lake is not None:
                    _lake_views(con, lake, source.dataset)
                tables, quarantine, counts, per_table = _project(con, source, extras, True)
                project_seconds = time.perf_counter() - clock
            finally:
                con.close()
            manifest = _manifest(batch, counts)
            _check_counts(counts, source)
            pending = writer.submit(
                _write,
                source,
                pipeline,
                batch,
                tables,
                quarantine,
                manifest,
                counts,
                per_table,
                (read_seconds, project_seconds),
                lake is not None,
            )
            del tables, quarantine, manifest
        if pending is not None:
            progress.done(pending.result())


@dataclass
class _Written:
    """One batch written by dlt, with what the progress line reports."""

    batch: list[LandingFile]
    rows_in: int
    loaded: dict[str, int]
    per_table: dict[str, tuple[int, int]]
    transform_seconds: tuple[float, float]
    write_seconds: float


def _write(
    source: Source,
    pipeline,  # noqa: ANN001 (dlt.Pipeline, imported lazily)
    batch: list[LandingFile],
    tables: dict[str, pa.Table],
    quarantine: pa.Table,
    manifest: pa.Table,
    counts: pa.Table,
    per_table: dict[str, tuple[int, int]],
    transform_seconds: tuple[float, float],
    lake: bool = False,
) -> _Written:
    clock = time.perf_counter()
    _run_dlt(source, pipeline, tables, quarantine, manifest, lake)
    return _Written(
        batch=batch,
        rows_in=int(pc.sum(counts["rows_in"]).as_py() or 0),
        loaded={name: t.num_rows for name, t in tables.items()},
        per_table=per_table,
        transform_seconds=transform_seconds,
        write_seconds=time.perf_counter() - clock,
    )


@dataclass
class _Progress:
    """Adds written batches to the result and prints a progress line for long loads."""

    source: Source
    result: SourceResult
    files_total: int
    bytes_total: int
    started: float
    log: Callable[[str], None]
    bytes_done: int = 0

    def done(self, written: _Written) -> None:
        result = self.result
        result.files_loaded += len(written.batch)
        result.rows_in += written.rows_in
        for table in self.source.tables:
            tr = result.tables.setdefault(table.name, TableResult())
            tr.loaded += written.loaded.get(table.name, 0)
            q, d = written.per_table.get(table.name, (0, 0))
            tr.quarantined += q
            tr.deduplicated += d
        if "(unroutable)" in written.per_table:
            tr = result.tables.setdefault("(unroutable)", TableResult())
            tr.quarantined += written.per_table["(unroutable)"][0]
        self.bytes_done += sum(f.size for f in written.batch)
        if self.files_total > len(written.batch):
            self.log(
                f"[{self.source.name}] {result.files_loaded}/{self.files_total} files, "
                f"{self.bytes_done / self.bytes_total:.0%} of {self.bytes_total / 1e6:,.1f} MB, "
                f"{result.rows_in:,} records, {time.perf_counter() - self.started:,.1f} s "
                f"(last batch: read {written.transform_seconds[0]:.1f} s, "
                f"check and project {written.transform_seconds[1]:.1f} s, "
                f"dlt {written.write_seconds:.1f} s)"
            )


def _manifest(batch: Sequence[LandingFile], counts: pa.Table) -> pa.Table:
    by_file = {row["landing_file"]: row for row in counts.to_pylist()}
    now = pa.scalar(time.time_ns() // 1000, pa.timestamp("us", tz="UTC"))
    rows = []
    for f in batch:
        c = by_file.get(f.relative, {})
        rows.append(
            {
                "landing_file": f.relative,
                "file_size": f.size,
                "file_mtime_ns": f.mtime_ns,
                "rows_in": int(c.get("rows_in", 0)),
                "rows_loaded": int(c.get("rows_loaded", 0)),
                "rows_quarantined": int(c.get("rows_quarantined", 0)),
                "rows_deduplicated": int(c.get("rows_deduplicated", 0)),
                "read_at": now.as_py(),
            }
        )
    return pa.Table.from_pylist(
        rows,
        schema=pa.schema(
            [
                ("landing_file", pa.string()),
                ("file_size", pa.int64()),
                ("file_mtime_ns", pa.int64()),
                ("rows_in", pa.int64()),
                ("rows_loaded", pa.int64()),
                ("rows_quarantined", pa.int64()),
                ("rows_deduplicated", pa.int64()),
                ("read_at", pa.timestamp("us", tz="UTC")),
            ]
        ),
    )


def _check_counts(counts: pa.Table, source: Source) -> None:
    for row in counts.to_pylist():
        total = row["rows_loaded"] + row["rows_quarantined"] + row["rows_deduplicated"]
        if total != row["rows_in"]:
            raise RuntimeError(
                f"[{source.name}] {row['landing_file']}: {row['rows_in']} records in but "
                f"{total} accounted for; refusing to load"
            )


def describe(result: SourceResult) -> str:
    """One line per table: rows loaded and quarantined."""
    lines = []
    for name, t in result.tables.items():
        qualified = f"raw_{result.source}.{name}"
        lines.append(
            f"  {qualified:<36} loaded {t.loaded:>10,}  "
            f"quarantined {t.quarantined:>7,}  deduplicated {t.deduplicated:>7,}"
        )
    return "\n".join(lines)
