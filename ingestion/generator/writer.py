"""Main-process file output: landing files (append per chunk), ground truth and manifest."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from ingestion.generator.catalog import CATALOG_HEADER
from ingestion.generator.crm import CRM_HEADER
from ingestion.generator.extras import ERASURE_HEADER
from ingestion.generator.sink import IDENTIFIERS_HEADER, RECORDS_HEADER, csv_line

HEADERS: dict[str, tuple[str, ...]] = {
    "crm_contacts": CRM_HEADER,
    "catalog": CATALOG_HEADER,
    "erasure_requests": ERASURE_HEADER,
}
MANIFEST = "landing_manifest.csv"


class LandingWriter:
    """Appends chunk output to landing files; the first write of a run truncates the file.

    Attributes:
        root: Landing directory.
        written: Relative paths written in this run, in first-write order.
    """

    def __init__(self, root: Path) -> None:
        """Write below ``root``."""
        self.root = root
        self.written: list[str] = []
        self._seen: set[str] = set()
        self._dirs: set[str] = set()

    def append(self, relpath: str, data: bytes) -> None:
        """Append UTF-8 ``data`` to ``relpath`` (writing the CSV header on first touch).

        Raw ``os`` calls keep the per-file cost low: a chunk touches thousands of hourly files.
        """
        path = os.path.join(self.root, relpath)
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
        if relpath not in self._seen:
            self._seen.add(relpath)
            self.written.append(relpath)
            folder = os.path.dirname(path)
            if folder not in self._dirs:
                os.makedirs(folder, exist_ok=True)
                self._dirs.add(folder)
            flags |= os.O_TRUNC
            header = HEADERS.get(relpath.split("/", 1)[0])
            if header:
                data = csv_line(header).encode() + data
        fd = os.open(path, flags, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)


def remove_previous_output(landing_dir: Path, truth_dir: Path) -> int:
    """Delete the landing files listed in the previous run's manifest.

    Only files recorded by an earlier run of the generator are removed, so data a user placed
    in the landing folders is left alone.

    Returns:
        Number of files removed.
    """
    manifest = truth_dir / MANIFEST
    if not manifest.is_file():
        return 0
    root = landing_dir.resolve()
    removed = 0
    parents: set[Path] = set()
    with open(manifest, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            target = (landing_dir / row["path"]).resolve()
            if root in target.parents and target.is_file():
                target.unlink()
                removed += 1
                parents.update(p for p in target.parents if root in p.parents)
    for folder in sorted(parents, key=lambda p: len(p.parts), reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return removed


class TruthWriter:
    """Writes ``records.csv`` and ``identifiers.csv`` under the truth directory."""

    def __init__(self, truth_dir: Path) -> None:
        """Create both files with their headers."""
        truth_dir.mkdir(parents=True, exist_ok=True)
        self.records = truth_dir / "records.csv"
        self.identifiers = truth_dir / "identifiers.csv"
        self.records.write_text(csv_line(RECORDS_HEADER), encoding="utf-8")
        self.identifiers.write_text(csv_line(IDENTIFIERS_HEADER), encoding="utf-8")

    def append(self, records: str, identifiers: str) -> None:
        """Append one chunk's rows."""
        with open(self.records, "a", encoding="utf-8", newline="") as handle:
            handle.write(records)
        with open(self.identifiers, "a", encoding="utf-8", newline="") as handle:
            handle.write(identifiers)


def write_manifest(landing_dir: Path, truth_dir: Path, paths: list[str]) -> tuple[int, int]:
    """Record the files written (path and size) and return ``(files, bytes)``."""
    total = 0
    rows = []
    for relpath in sorted(paths):
        size = (landing_dir / relpath).stat().st_size
        total += size
        rows.append((relpath, str(size)))
    with open(truth_dir / MANIFEST, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("path", "bytes"))
        writer.writerows(rows)
    return len(rows), total
