"""Incremental runs equal a full rebuild: three batches, late events, identity merges.

The sample is loaded in three batches with a `dbt build` after each. The third batch also
brings files that arrive late: one day inside the lookback window and one day far outside it.
A copy of the warehouse is then rebuilt with `--full-refresh`, and every mart must be
identical row for row (`except all`, both ways).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import run_dbt

from ingestion.framework import load_source
from ingestion.generator import generate
from ingestion.sources import SOURCES

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
HOUR = re.compile(r"T(\d{2})")
# landing folders whose files are held back and delivered late (events, email, orders)
LATE_SYSTEMS = ("segment", "sendgrid", "ses", "shop_orders")
# marts that keep one row set per run (never rebuilt, `full_refresh=false`): the full
# refresh's own run must report what the incremental run reported
RUN_HISTORY_MARTS = {
    "data_quality_checks": ("measured_at", "invocation_id"),
    "identity_kpis": ("measured_at", "invocation_id"),
}
# run-over-run measures: the full refresh's previous run is the third incremental run
RUN_OVER_RUN_CHECKS = ("customers_change_share",)


def _file_date(landing: Path, path: Path) -> str | None:
    match = DATE.search(str(path.relative_to(landing)))
    return match.group(0) if match else None


def _batches(landing: Path, work: Path) -> tuple[list[Path], dict[str, str]]:
    """Split ``landing`` into three cumulative landing folders by file date, with late files.

    Event files held back from earlier batches arrive with the third: the first half of
    batch 2's last day (12 to 24 hours older than the newest event batch 2 brought: inside
    the 24-hour lookback) and a whole early day of batch 1 (weeks outside it). Returns the
    three folders and the two late days.
    """
    files = sorted(p for p in landing.rglob("*") if p.is_file() and not p.name.startswith("."))
    dates = sorted({d for p in files if (d := _file_date(landing, p))})
    first_cut, second_cut = dates[len(dates) // 3], dates[2 * len(dates) // 3]
    late = {"inside_lookback": dates[dates.index(second_cut) - 1], "outside_lookback": dates[3]}

    def is_late(relative: Path, day: str) -> bool:
        if relative.parts[0] not in LATE_SYSTEMS:
            return False
        if day == late["outside_lookback"]:
            return True
        hour = HOUR.search(relative.name)
        return day == late["inside_lookback"] and hour is not None and int(hour.group(1)) < 12

    folders = []
    for batch in range(3):
        folder = work / f"landing_{batch + 1}"
        for path in files:
            relative = path.relative_to(landing)
            day = _file_date(landing, path) or dates[0]
            if batch == 0:
                included = day < first_cut and not is_late(relative, day)
            elif batch == 1:
                included = day < second_cut and not is_late(relative, day)
            else:
                included = True
            if included:
                (folder / relative).parent.mkdir(parents=True, exist_ok=True)
                # same file, same mtime: the loader sees batch 2's copy of a batch 1 file as
                # already loaded
                shutil.copy2(path, folder / relative)
        folders.append(folder)
    return folders, late


def _marts(con: duckdb.DuckDBPyConnection, database: str) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            """
            select table_name from information_schema.tables
            where table_catalog = ? and table_schema = 'marts'
            order by table_name
            """,
            [database],
        ).fetchall()
    ]


def _columns(
    con: duckdb.DuckDBPyConnection,
    table: str,
    excluded: tuple[str, ...] = (),
    catalog: str = "incremental",
    schema: str = "marts",
) -> str:
    names = [
        row[0]
        for row in con.execute(
            """
            select column_name from information_schema.columns
            where table_catalog = ? and table_schema = ? and table_name = ?
            order by ordinal_position
            """,
            [catalog, schema, table],
        ).fetchall()
    ]
    return ", ".join(f'"{name}"' for name in names if name not in excluded)


def _differences(con: duckdb.DuckDBPyConnection, left: str, right: str) -> int:
    [(count,)] = con.execute(f"select count(*) from (({left}) except all ({right}))").fetchall()
    return count


@pytest.fixture(scope="module")
def incremental_and_rebuilt(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("incremental")
    landing = root / "landing"
    generate(customers=300, seed=11, landing_dir=landing, truth_dir=root / "truth", days=30)
    folders, late = _batches(landing, root)

    warehouse = root / "incremental.duckdb"
    merges_per_build = []
    event_rows = []
    for folder in folders:
        for source in SOURCES.values():
            load_source(source, folder, warehouse, log=lambda _: None)
        result = run_dbt(["build"], warehouse, root)
        assert result.returncode == 0, result.stdout[-4000:]
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            [(merges,)] = con.execute(
                """
                select count(*) from marts.customer_id_history
                where change_type = 'merge' and invocation_id = (
                    select max_by(invocation_id, changed_at) from marts.customer_id_history
                )
                """
            ).fetchall()
            merges_per_build.append(merges)
            event_rows.append(
                con.execute(
                    "select count(*), count(distinct message_id)"
                    " from events.int_segment_tracks_extracted"
                ).fetchone()
            )
        finally:
            con.close()

    rebuilt = root / "rebuilt.duckdb"
    shutil.copy(warehouse, rebuilt)
    result = run_dbt(["build", "--full-refresh"], rebuilt, root)
    assert result.returncode == 0, result.stdout[-4000:]
    return {
        "incremental": warehouse,
        "rebuilt": rebuilt,
        "late": late,
        "merges_per_build": merges_per_build,
        "event_rows": event_rows,
    }


@pytest.fixture
def both(incremental_and_rebuilt):
    con = duckdb.connect()
    con.execute(f"attach '{incremental_and_rebuilt['incremental']}' as incremental (read_only)")
    con.execute(f"attach '{incremental_and_rebuilt['rebuilt']}' as rebuilt (read_only)")
    yield con
    con.close()


def test_late_events_were_loaded_in_the_last_batch(incremental_and_rebuilt, both):
    """The scenario is real: late files, inside and outside the lookback, reached raw last."""
    for name, day in incremental_and_rebuilt["late"].items():
        [(in_last_load, in_raw)] = both.execute(
            """
            select
                count(case when _dlt_load_id = (
                    select max(_dlt_load_id) from incremental.raw_segment.tracks
                ) then 1 end),
                count(*)
            from incremental.raw_segment.tracks
            where _landing_file like ?
            """,
            [f"%{day}%"],
        ).fetchall()
        assert in_last_load > 0, f"no late Segment events from {day} ({name}) in the last load"
        [(kept,)] = both.execute(
            """
            select count(*) from incremental.events.int_segment_tracks_extracted
            where landing_file like ?
            """,
            [f"%{day}%"],
        ).fetchall()
        assert kept == in_raw, f"late events from {day} ({name}) were dropped"


def test_incremental_runs_never_duplicate_events(incremental_and_rebuilt):
    for rows, distinct in incremental_and_rebuilt["event_rows"]:
        assert rows == distinct
    rows = [rows for rows, _ in incremental_and_rebuilt["event_rows"]]
    assert rows == sorted(rows) and rows[0] < rows[-1]


def test_identity_merged_customers_between_runs(incremental_and_rebuilt):
    """Later batches merged customers that earlier runs kept apart: history had to move."""
    assert sum(incremental_and_rebuilt["merges_per_build"][1:]) > 0


def test_every_mart_equals_a_full_rebuild(both):
    marts = _marts(both, "incremental")
    assert set(marts) == set(_marts(both, "rebuilt"))
    assert {"customers", "customer_features", "segment_memberships", "email_audiences"} <= set(
        marts
    )
    differing = {}
    for table in marts:
        if table in RUN_HISTORY_MARTS:
            continue
        columns = _columns(both, table)
        left = f"select {columns} from incremental.marts.{table}"
        right = f"select {columns} from rebuilt.marts.{table}"
        [(rows,)] = both.execute(f"select count(*) from incremental.marts.{table}").fetchall()
        missing, extra = _differences(both, left, right), _differences(both, right, left)
        if missing or extra or rows == 0:
            differing[table] = (rows, missing, extra)
    assert not differing, f"(rows, only incremental, only rebuilt) per mart: {differing}"


@pytest.mark.parametrize("table", ["int_customer_web_aggregated", "int_customer_email_aggregated"])
def test_feature_tables_kept_by_customer_equal_a_full_rebuild(both, table):
    """Every column of the feature tables that recompute only changed customers, not only the
    ones the marts show, equals a full rebuild's, after runs that recomputed only some
    customers (doc `customer_increments`)."""
    columns = _columns(both, table, catalog="rebuilt", schema="features")
    left = f"select {columns} from incremental.features.{table}"
    right = f"select {columns} from rebuilt.features.{table}"
    [(rows,)] = both.execute(f"select count(*) from ({right})").fetchall()
    [(touched,)] = both.execute(
        f"select count(*) from incremental.features.{table}_touched"
    ).fetchall()
    assert rows > 0
    assert touched > 0
    assert (_differences(both, left, right), _differences(both, right, left)) == (0, 0)


@pytest.mark.parametrize("table", sorted(RUN_HISTORY_MARTS))
def test_run_history_marts_report_the_same_last_run(both, table):
    """History marts keep every run; the rebuild's own run reports what the last run did."""
    run_columns = RUN_HISTORY_MARTS[table]
    columns = _columns(both, table, run_columns)
    skip = ", ".join(f"'{check}'" for check in RUN_OVER_RUN_CHECKS)
    not_run_over_run = f"check_name not in ({skip})" if table == "data_quality_checks" else "true"

    def last_run(database: str) -> str:
        return f"""
            select {columns} from {database}.marts.{table}
            where invocation_id = (
                select max_by(invocation_id, measured_at) from {database}.marts.{table}
            ) and {not_run_over_run}
        """

    [(rows,)] = both.execute(f"select count(*) from ({last_run('rebuilt')})").fetchall()
    assert rows > 0
    assert _differences(both, last_run("incremental"), last_run("rebuilt")) == 0
    assert _differences(both, last_run("rebuilt"), last_run("incremental")) == 0
    # and the runs before it are untouched
    previous = f"select {columns} from {{db}}.marts.{table}"
    assert _differences(both, previous.format(db="incremental"), previous.format(db="rebuilt")) == 0


def test_observations_kept_by_record_equal_a_full_rebuild(both):
    """The last batch's run recomputed the observations of some records only (those with rows
    in its loads, and those with a phone whose country was assumed), and every observation
    equals the full rebuild's (doc `observed_increments`)."""
    table = "int_identifiers_observed"
    [(touched, records, assumed)] = both.execute(
        f"""
        select
            (select count(*) from incremental.identity.{table}_touched),
            (select count(distinct (source_system, source_table, source_record_id))
                from rebuilt.identity.{table}),
            (select count(*) from rebuilt.identity.{table} where is_phone_country_assumed)
        """
    ).fetchall()
    assert 0 < touched < records, (touched, records)
    assert assumed > 0
    columns = _columns(both, table, ("written_at",), catalog="rebuilt", schema="identity")
    left = f"select {columns} from incremental.identity.{table}"
    right = f"select {columns} from rebuilt.identity.{table}"
    assert (_differences(both, left, right), _differences(both, right, left)) == (0, 0)


def _new_crm_load(warehouse: Path, load_id: str, contact_id: str, phone: str) -> None:
    """A dlt load of one CRM contact (a copy of another) with a German phone. dlt merges
    contacts on their id, so the load replaces the contact's earlier row."""
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("delete from raw_crm.contacts where contact_id = ?", [contact_id])
        con.execute(
            """
            insert into raw_crm.contacts
            select * replace (
                ? as contact_id, ? as phone, 'DE' as country, ? as email,
                null as merged_into_contact_id, false as is_deleted, ? as _dlt_load_id
            )
            from raw_crm.contacts
            where contact_id <> ?
            order by contact_id
            limit 1
            """,
            [contact_id, phone, f"{contact_id}@assumed-phone.example", load_id, contact_id],
        )
        con.execute(
            "insert into raw_crm._dlt_loads (load_id, schema_name, status, inserted_at)"
            " select ?, schema_name, 0, now() from raw_crm._dlt_loads limit 1",
            [load_id],
        )
    finally:
        con.close()


def _observed_phone(warehouse: Path, contact_id: str) -> list[tuple[str, bool]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            """
            select identifier_value, is_phone_country_assumed
            from identity.int_identifiers_observed
            where source_system = 'crm' and source_record_id = ? and identifier_type = 'phone'
            """,
            [contact_id],
        ).fetchall()
    finally:
        con.close()


def test_an_assumed_phone_takes_a_known_number_from_a_new_load(incremental_and_rebuilt, tmp_path):
    """A contact's phone written without a country code (the default, 44, assumed) takes the
    one known number with its national number. A contact in a new load brings such a number:
    the next run resolves the kept contact's phone to it, recomputing only the records with an
    assumed phone of that national number; a later load that changes the new contact's number
    takes it away again. Each time the observations equal a full rebuild's (doc
    `observed_increments`)."""
    warehouse = tmp_path / "assumed.duckdb"
    shutil.copy(incremental_and_rebuilt["incremental"], warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        # an assumed phone no known number shares its national number with (a superset test:
        # no known phone ends with its digits)
        [(contact_id, assumed, assumed_records)] = con.execute(
            """
            with assumed as (
                select source_record_id, identifier_value
                from identity.int_identifiers_observed
                where is_phone_country_assumed
                    and identifier_type = 'phone'
                    and source_system = 'crm'
                    and identifier_value like '44%'
            )
            select
                min(source_record_id),
                min_by(identifier_value, source_record_id),
                (select count(distinct (source_system, source_table, source_record_id))
                    from identity.int_identifiers_observed where is_phone_country_assumed)
            from assumed
            where not exists (
                select 1 from identity.int_identifiers_observed as known
                where known.identifier_type = 'phone'
                    and not known.is_phone_country_assumed
                    and known.identifier_value like '%' || substr(assumed.identifier_value, 3)
            )
            """
        ).fetchall()
    finally:
        con.close()
    assert contact_id is not None and assumed_records > 1
    national_number = assumed[2:]
    assert _observed_phone(warehouse, contact_id) == [(assumed, True)]

    def run_and_compare(step: str) -> int:
        result = run_dbt(["run", "-s", "int_identifiers_observed"], warehouse, tmp_path)
        assert result.returncode == 0, result.stdout[-4000:]
        rebuilt = tmp_path / f"assumed_rebuilt_{step}.duckdb"
        shutil.copy(warehouse, rebuilt)
        result = run_dbt(
            ["run", "-s", "int_identifiers_observed", "--full-refresh"], rebuilt, tmp_path
        )
        assert result.returncode == 0, result.stdout[-4000:]
        con = duckdb.connect()
        try:
            con.execute(f"attach '{warehouse}' as incremental (read_only)")
            con.execute(f"attach '{rebuilt}' as rebuilt (read_only)")
            table = "int_identifiers_observed"
            columns = _columns(con, table, ("written_at",), catalog="rebuilt", schema="identity")
            left = f"select {columns} from incremental.identity.{table}"
            right = f"select {columns} from rebuilt.identity.{table}"
            assert (_differences(con, left, right), _differences(con, right, left)) == (0, 0)
            [(touched_assumed,)] = con.execute(
                f"""
                select count(*) from incremental.identity.{table}_touched as touched
                where exists (
                    select 1 from incremental.identity.{table} as kept
                    where kept.is_phone_country_assumed
                        and kept.source_system = touched.touched_system
                        and kept.source_table = touched.touched_table
                        and kept.source_record_id = touched.touched_record_id
                )
                """
            ).fetchall()
        finally:
            con.close()
        return touched_assumed

    _new_crm_load(warehouse, "9999999999.000001", "assumed-phone-1", f"0{national_number}")
    touched_assumed = run_and_compare("known")
    assert _observed_phone(warehouse, contact_id) == [(f"49{national_number}", True)]
    assert 0 < touched_assumed < assumed_records

    _new_crm_load(warehouse, "9999999999.000002", "assumed-phone-1", f"0{national_number}9")
    touched_assumed = run_and_compare("gone")
    assert _observed_phone(warehouse, contact_id) == [(assumed, True)]
    assert 0 < touched_assumed < assumed_records


def test_identifiers_assessed_by_what_changed_equal_a_full_rebuild(both):
    """The last batch's run assessed again only the identifiers its observations changed (and
    those seen with one whose first pass flipped), read the whole change log and left it empty;
    every row equals the full rebuild's (doc `assessed_increments`)."""
    table = "int_identifiers_assessed"
    [(touched, identifiers, shared, logged)] = both.execute(
        f"""
        select
            (select count(*) from incremental.identity.{table}_touched),
            (select count(*) from rebuilt.identity.{table}),
            (select count(*) from rebuilt.identity.{table} where is_over_limit_before_priority),
            (select count(*) from incremental.identity.int_identifiers_observed_changes)
        """
    ).fetchall()
    assert 0 < touched < identifiers, (touched, identifiers)
    assert shared > 0
    assert logged == 0
    columns = _columns(both, table, ("written_at",), catalog="rebuilt", schema="identity")
    left = f"select {columns} from incremental.identity.{table}"
    right = f"select {columns} from rebuilt.identity.{table}"
    assert (_differences(both, left, right), _differences(both, right, left)) == (0, 0)


def test_deterministic_links_by_identifier_equal_a_full_rebuild(both):
    """The last batch's run linked again only the identifiers the assessment logged (and those
    on records whose own id it logged), emptied the log, and every link equals the full
    rebuild's (doc `deterministic_increments`)."""
    table = "int_identity_links_deterministic"
    [(touched, identifiers, logged)] = both.execute(
        f"""
        select
            (select count(*) from incremental.identity.{table}_touched),
            (select count(*) from rebuilt.identity.int_identifiers_assessed),
            (select count(*) from incremental.identity.int_identifiers_assessed_changes)
        """
    ).fetchall()
    assert 0 < touched < identifiers, (touched, identifiers)
    assert logged == 0
    columns = _columns(both, table, ("written_at",), catalog="rebuilt", schema="identity")
    left = f"select {columns} from incremental.identity.{table}"
    right = f"select {columns} from rebuilt.identity.{table}"
    [(links,)] = both.execute(f"select count(*) from ({right})").fetchall()
    assert links > 0
    assert (_differences(both, left, right), _differences(both, right, left)) == (0, 0)


def test_customer_identifiers_by_what_changed_equal_a_full_rebuild(both):
    """The last batch's run recomputed the owners of some identifiers only (those assessed
    again, on reassigned records or on records of newly erased customers), emptied its change
    log, and every row equals the full rebuild's (doc `identifier_owner_increments`)."""
    [(touched, identifiers, logged, runs_read)] = both.execute(
        """
        select
            (select count(*) from incremental.identity.customer_identifiers_touched),
            (select count(*) from rebuilt.marts.customer_identifiers),
            (select count(*)
                from incremental.identity.int_identifiers_assessed_changes_customer_identifiers),
            (select count(*) from incremental.identity.customer_identifiers_assignments_read)
        """
    ).fetchall()
    assert 0 < touched < identifiers, (touched, identifiers)
    assert logged == 0
    # one assignment run per batch, all taken in
    assert runs_read >= 3
    columns = _columns(both, "customer_identifiers")
    left = f"select {columns} from incremental.marts.customer_identifiers"
    right = f"select {columns} from rebuilt.marts.customer_identifiers"
    assert (_differences(both, left, right), _differences(both, right, left)) == (0, 0)


def test_fuzzy_links_of_the_last_run_equal_a_full_scoring(both):
    """The last batch's run scored only the pairs of the records it changed (not all of them),
    and kept every other link: the links equal the full rebuild's."""
    [(rescored, records)] = both.execute(
        """
        select
            (select count(*) from incremental.identity.int_person_records_rescored),
            (select count(*) from incremental.identity.int_person_records_prepared)
        """
    ).fetchall()
    assert 0 < rescored < records / 2, (rescored, records)
    columns = "record_key_a, record_key_b, match_score, reason, linked_at"
    left = f"select {columns} from incremental.identity.int_identity_links_fuzzy"
    right = f"select {columns} from rebuilt.identity.int_identity_links_fuzzy"
    [(links,)] = both.execute(f"select count(*) from ({left})").fetchall()
    assert links > 0
    assert (_differences(both, left, right), _differences(both, right, left)) == (0, 0)


def test_a_changed_event_type_seed_rewrites_kept_email_events(incremental_and_rebuilt, tmp_path):
    """Editing the event-type seed re-types every past email event on the next run.

    `int_email_events_attributed` keeps its rows between runs; it keeps the seed's fingerprint
    too (`<model>_lookups`), and a run that finds another one rewrites every event instead of
    only the new loads'. The seed table is edited in a copy of the warehouse (SendGrid
    `delivered` becomes `sent`) and the models run (`dbt run` does not reload seeds).
    """
    warehouse = tmp_path / "seed_changed.duckdb"
    shutil.copy(incremental_and_rebuilt["incremental"], warehouse)
    con = duckdb.connect(str(warehouse))
    try:
        [(schema,)] = con.execute(
            "select table_schema from information_schema.tables"
            " where table_name = 'mailmart_email_event_types'"
        ).fetchall()
        changed = con.execute(
            f"update {schema}.mailmart_email_event_types set event_type = 'sent'"
            " where vendor = 'sendgrid' and vendor_event = 'delivered'"
        ).fetchone()
        [(kept_delivered,)] = con.execute(
            "select count(*) from features.int_email_events_attributed"
            " where vendor = 'sendgrid' and event_type = 'delivered'"
        ).fetchall()
    finally:
        con.close()
    assert changed == (1,)
    assert kept_delivered > 100

    result = run_dbt(["run"], warehouse, tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        [(still_delivered,)] = con.execute(
            "select count(*) from features.int_email_events_attributed"
            " where vendor = 'sendgrid' and event_type = 'delivered'"
        ).fetchall()
        [(mismatched,)] = con.execute(
            """
            select count(*)
            from features.int_email_events_attributed as kept
            inner join events.int_email_events_unioned as mapped
                on kept.event_id = mapped.event_id
            where kept.event_type is distinct from mapped.event_type
            """
        ).fetchall()
    finally:
        con.close()
    assert still_delivered == 0
    assert mismatched == 0


NEW_LOADS_TEST = "unique_in_new_loads_stg_segment__pages_message_id"


def _duplicate_a_page(warehouse: Path, load_id: str | None) -> str:
    """Copy one raw Segment page with its message id; `load_id` None keeps the row's own load."""
    con = duckdb.connect(str(warehouse))
    try:
        [(message_id, original_load)] = con.execute(
            "select message_id, _dlt_load_id from raw_segment.pages order by message_id limit 1"
        ).fetchall()
        new_load = load_id or original_load
        con.execute(
            "insert into raw_segment.pages select * replace (? as _dlt_load_id)"
            " from raw_segment.pages where message_id = ?",
            [new_load, message_id],
        )
        if load_id is not None:
            con.execute(
                "insert into raw_segment._dlt_loads (load_id, schema_name, status, inserted_at)"
                " select ?, schema_name, 0, now() from raw_segment._dlt_loads limit 1",
                [load_id],
            )
    finally:
        con.close()
    return message_id


def test_tests_on_new_loads_remember_what_they_passed_on(incremental_and_rebuilt):
    """After three passing builds, each new-loads test has passed on every completed load."""
    con = duckdb.connect(str(incremental_and_rebuilt["incremental"]), read_only=True)
    try:
        completed = {
            row[0]
            for row in con.execute(
                "select load_id from raw_segment._dlt_loads where status = 0"
            ).fetchall()
        }
        tested = {
            row[0]
            for row in con.execute(
                "select load_id from quality.tested_loads where test_key = ?",
                ["unique_in_new_loads:stg_segment__pages:message_id"],
            ).fetchall()
        }
    finally:
        con.close()
    assert len(completed) >= 3
    assert completed <= tested


def test_a_duplicate_in_a_new_load_fails_its_test(incremental_and_rebuilt, tmp_path):
    """A raw page re-delivered under its message id in a new load breaks uniqueness."""
    warehouse = tmp_path / "duplicate.duckdb"
    shutil.copy(incremental_and_rebuilt["incremental"], warehouse)
    _duplicate_a_page(warehouse, load_id="9999999999.000001")

    result = run_dbt(["test", "-s", NEW_LOADS_TEST], warehouse, tmp_path)
    assert result.returncode != 0
    assert f"Failure in test {NEW_LOADS_TEST}" in result.stdout


def test_a_duplicate_in_a_tested_load_needs_every_load(incremental_and_rebuilt, tmp_path):
    """Rows of a load a test passed on are not read again unless asked for.

    dlt never changes a row without a new load id, so such a duplicate cannot come from a
    load; it is written here by hand. `mailmart_test_every_load` (and `--full-refresh`) reads
    every row and finds it.
    """
    warehouse = tmp_path / "old_duplicate.duckdb"
    shutil.copy(incremental_and_rebuilt["incremental"], warehouse)
    _duplicate_a_page(warehouse, load_id=None)

    result = run_dbt(["test", "-s", NEW_LOADS_TEST], warehouse, tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]

    result = run_dbt(
        ["test", "-s", NEW_LOADS_TEST, "--vars", "{mailmart_test_every_load: true}"],
        warehouse,
        tmp_path,
    )
    assert result.returncode != 0
    assert f"Failure in test {NEW_LOADS_TEST}" in result.stdout


NEW_ROWS_TEST = "unique_in_new_rows_int_email_events_attributed_event_id"


def _duplicate_an_email_event(warehouse: Path, written_at: str | None) -> str:
    """Copy one kept email event under its event id; `written_at` None keeps the row's own."""
    con = duckdb.connect(str(warehouse))
    try:
        [(event_id,)] = con.execute(
            "select min(event_id) from features.int_email_events_attributed"
        ).fetchall()
        con.execute(
            "insert into features.int_email_events_attributed"
            " select * replace (coalesce(cast(? as timestamp), written_at) as written_at)"
            " from features.int_email_events_attributed where event_id = ?",
            [written_at, event_id],
        )
    finally:
        con.close()
    return event_id


def test_tests_on_new_rows_remember_their_last_pass(incremental_and_rebuilt):
    """After passing builds, each new-rows test records the start of the last run it passed
    in, and every kept row was written at or before it (doc `tests_on_new_rows`)."""
    con = duckdb.connect(str(incremental_and_rebuilt["incremental"]), read_only=True)
    try:
        [(passed, newest, unwritten, runs)] = con.execute(
            """
            select
                (select max(passed_run_started_at) from quality.tested_writes
                    where test_key = 'unique_in_new_rows:int_email_events_attributed:event_id'),
                (select max(written_at) from features.int_email_events_attributed),
                (select count(*) from features.int_email_events_attributed
                    where written_at is null),
                (select count(distinct written_at) from events.int_segment_pages_extracted)
            """
        ).fetchall()
    finally:
        con.close()
    assert passed is not None
    assert newest <= passed
    assert unwritten == 0
    # the three batches wrote pages in different runs
    assert runs > 1


def test_a_duplicate_written_since_the_last_pass_fails_its_test(incremental_and_rebuilt, tmp_path):
    """An email event written twice by a run after the test's last pass breaks uniqueness,
    though its twin was written (and tested) long before."""
    warehouse = tmp_path / "duplicate_row.duckdb"
    shutil.copy(incremental_and_rebuilt["incremental"], warehouse)
    _duplicate_an_email_event(warehouse, written_at="2999-01-01 00:00:00")

    result = run_dbt(["test", "-s", NEW_ROWS_TEST], warehouse, tmp_path)
    assert result.returncode != 0
    assert f"Failure in test {NEW_ROWS_TEST}" in result.stdout


def test_a_duplicate_of_tested_rows_needs_every_row(incremental_and_rebuilt, tmp_path):
    """Rows written before the test's last pass are not read again unless asked for.

    Our models never change a kept row without writing it again, so such a duplicate cannot
    come from a run; it is written here by hand. `mailmart_test_every_load` (and
    `--full-refresh`) reads every row and finds it.
    """
    warehouse = tmp_path / "old_duplicate_row.duckdb"
    shutil.copy(incremental_and_rebuilt["incremental"], warehouse)
    _duplicate_an_email_event(warehouse, written_at=None)

    result = run_dbt(["test", "-s", NEW_ROWS_TEST], warehouse, tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]

    result = run_dbt(
        ["test", "-s", NEW_ROWS_TEST, "--vars", "{mailmart_test_every_load: true}"],
        warehouse,
        tmp_path,
    )
    assert result.returncode != 0
    assert f"Failure in test {NEW_ROWS_TEST}" in result.stdout
