"""Per-chunk output buffers and ground-truth collection.

A chunk of persons is simulated into a :class:`ChunkSink`; :meth:`ChunkSink.render` sorts every
landing file's records by time and returns the text to append, so the main process only writes.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections import Counter, defaultdict
from typing import Any

from ingestion.generator.evidence import evidence_groups

try:  # orjson ships with dlt; output is byte-identical to the json fallback
    import orjson

    def dumps(obj: Any) -> str:
        """Serialize compactly with UTF-8 characters kept as is."""
        return orjson.dumps(obj).decode()

except ImportError:  # pragma: no cover - exercised only without orjson

    def dumps(obj: Any) -> str:
        """Serialize compactly with UTF-8 characters kept as is."""
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


RECORDS_HEADER = (
    "source_system",
    "source_table",
    "source_record_id",
    "person_id",
    "evidence_group",
)
IDENTIFIERS_HEADER = ("identifier_type", "identifier_value", "person_id")


class PersonTruth:
    """Ground truth of one person: which records and identifier values are theirs.

    Attributes:
        person_id: Ground-truth id.
        records: The person's source records.
        identifiers: Identifier values the person used, exactly as emitted.
        evidence: Record -> the evidence written on it (see :mod:`ingestion.generator.evidence`).
    """

    __slots__ = ("person_id", "records", "identifiers", "evidence")

    def __init__(self, person_id: str) -> None:
        """Start an empty collection for ``person_id``."""
        self.person_id = person_id
        self.records: set[tuple[str, str, str]] = set()
        self.identifiers: set[tuple[str, str]] = set()
        self.evidence: dict[tuple[str, str, str], set[tuple[str, str]]] = {}

    def record(self, system: str, table: str, record_id: str) -> None:
        """Note a source record belonging to the person."""
        self.records.add((system, table, record_id))
        self.evidence.setdefault((system, table, record_id), set())

    def note(self, record: tuple[str, str, str], kind: str, value: str | None) -> None:
        """Note evidence of ``kind`` written on ``record`` (empty values are ignored)."""
        if value:
            self.evidence.setdefault(record, set()).add((kind, value))

    def ident(self, kind: str, value: str | None) -> None:
        """Note an identifier value exactly as emitted (empty values are ignored)."""
        if value:
            self.identifiers.add((kind, value))


class ChunkSink:
    """Collects the records of one chunk of persons, grouped by landing file.

    Attributes:
        seed: Generator seed.
        chunk: Chunk number (used to seed batching of SendGrid events).
        counts: Summary counters.
    """

    def __init__(self, seed: int, chunk: int) -> None:
        """Create empty buffers for ``chunk``."""
        self.seed = seed
        self.chunk = chunk
        self.counts: Counter[str] = Counter()
        self._lines: defaultdict[str, list[tuple[int, str, str]]] = defaultdict(list)
        self._rows: defaultdict[str, list[tuple[tuple[Any, ...], list[str]]]] = defaultdict(list)
        self._sendgrid: defaultdict[str, list[tuple[int, str, dict[str, Any]]]] = defaultdict(list)
        self._records: list[tuple[str, str, str, str, str]] = []
        self._identifiers: list[tuple[str, str, str]] = []
        self._evidence: list[tuple[str, dict[tuple[str, str, str], set[tuple[str, str]]]]] = []

    def line(self, path: str, ms: int, tiebreak: str, text: str) -> None:
        """Buffer one line of a JSON-lines file, ordered by ``(ms, tiebreak)``."""
        self._lines[path].append((ms, tiebreak, text))

    def row(self, path: str, key: tuple[Any, ...], values: list[str]) -> None:
        """Buffer one CSV row, ordered by ``key``."""
        self._rows[path].append((key, values))

    def sendgrid_event(self, path: str, ms: int, event: dict[str, Any]) -> None:
        """Buffer a SendGrid event; events are batched into webhook POST bodies on render."""
        self._sendgrid[path].append((ms, event["sg_event_id"], event))
        self.counts["sendgrid_events"] += 1

    def add_truth(self, truth: PersonTruth) -> None:
        """Move one person's ground truth into the chunk's buffers."""
        pid = truth.person_id
        self._evidence.append((pid, truth.evidence))
        self._identifiers.extend((k, v, pid) for k, v in truth.identifiers)

    def render(self) -> tuple[list[tuple[str, bytes]], str, str]:
        """Sort and serialize everything buffered.

        Returns:
            ``(files, records_csv, identifiers_csv)`` where ``files`` is a path-sorted list of
            ``(relative path, UTF-8 bytes to append)`` and the CSV texts carry no header.
        """
        files: list[tuple[str, bytes]] = []
        for path in list(self._lines):  # pop as we go so buffers and text never coexist
            items = self._lines.pop(path)
            items.sort(key=lambda item: (item[0], item[1]))
            text = "".join(text + "\n" for _, _, text in items)
            files.append((path, text.encode()))
            self.counts[f"lines:{path.split('/', 1)[0]}"] += len(items)
        for path in list(self._rows):
            rows = self._rows.pop(path)
            rows.sort(key=lambda item: item[0])
            files.append((path, csv_text([values for _, values in rows]).encode()))
            self.counts[f"lines:{path.split('/', 1)[0]}"] += len(rows)
        for path in list(self._sendgrid):
            files.append((path, self._batches(path, self._sendgrid.pop(path)).encode()))
        files.sort(key=lambda item: item[0])
        groups = evidence_groups(self._evidence)
        self._evidence = []
        self._records = [(s, t, r, pid, group) for ((s, t, r), pid), group in groups.items()]
        self._records.sort()
        self._identifiers.sort()
        self.counts["truth_records"] += len(self._records)
        self.counts["truth_identifiers"] += len(self._identifiers)
        return files, csv_text(self._records), csv_text(self._identifiers)

    def _batches(self, path: str, events: list[tuple[int, str, dict[str, Any]]]) -> str:
        events.sort(key=lambda item: (item[0], item[1]))
        rng = random.Random(f"{self.seed}:sendgrid-batches:{self.chunk}:{path}")
        out: list[str] = []
        pos = 0
        while pos < len(events):
            size = rng.randint(1, 100) if rng.random() < 0.3 else rng.randint(60, 100)
            batch = dumps([event for _, _, event in events[pos : pos + size]])
            out.append(batch)
            self.counts["sendgrid_batches"] += 1
            if rng.random() < 0.004:  # the webhook POST was retried: exact re-delivery
                out.append(batch)
                self.counts["sendgrid_batches"] += 1
                self.counts["exact_duplicates"] += min(size, len(events) - pos)
            pos += size
        self.counts["lines:sendgrid"] += len(out)
        return "".join(text + "\n" for text in out)


def csv_text(rows: list[Any]) -> str:
    """Serialize rows as CSV (``\n`` line endings, minimal quoting)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue()


def csv_line(values: tuple[str, ...] | list[str]) -> str:
    """Serialize one CSV row (used for headers)."""
    return csv_text([values])
