"""End to end on generated data: generate, load with dlt, dbt build; re-runs change nothing."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta

import duckdb
from conftest import run_dbt, write
from conftest import table_counts as _counts

from ingestion.framework import load_source
from ingestion.sources import SOURCES


def test_every_generated_source_lands_in_raw_and_staging(built):
    _, _, counts = built
    for table in [
        "raw_crm.contacts",
        "raw_segment.identifies",
        "raw_segment.pages",
        "raw_segment.tracks",
        "raw_shop.orders",
        "raw_shop.order_line_items",
        "raw_shop.refunds",
        "raw_sendgrid.events",
        "raw_ses.events",
        "raw_enrichment.people",
        "raw_catalog.products",
        "raw_privacy.erasure_requests",
        "staging.stg_crm__contacts",
        "staging.stg_segment__tracks",
        "staging.stg_shop__orders",
        "staging.stg_sendgrid__events",
        "staging.stg_ses__events",
        "events.int_email_events_unioned",
    ]:
        assert counts.get(table, 0) > 0, f"{table} is empty or missing"
    # staging views are one row per raw row
    assert counts["staging.stg_crm__contacts"] == counts["raw_crm.contacts"]
    assert counts["staging.stg_segment__tracks"] == counts["raw_segment.tracks"]


def test_generated_bad_records_are_quarantined_and_accounted_for(built):
    _, warehouse, counts = built
    quarantined = sum(v for k, v in counts.items() if k.endswith(".quarantine"))
    assert quarantined > 0
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        for schema in {k.split(".")[0] for k in counts if k.endswith(".landing_files")}:
            mismatched = con.execute(
                f"select count(*) from {schema}.landing_files "
                "where rows_in <> rows_loaded + rows_quarantined + rows_deduplicated"
            ).fetchone()[0]
            assert mismatched == 0, schema
    finally:
        con.close()


def test_reloading_and_rebuilding_changes_nothing(built, tmp_path):
    landing, warehouse, before = built
    for source in SOURCES.values():
        result = load_source(source, landing, warehouse, log=lambda _: None)
        assert result.rows_in == 0 and result.files_skipped == result.files_seen
    assert run_dbt(["build"], warehouse, tmp_path).returncode == 0
    assert _counts(warehouse) == before


def test_staging_builds_empty_when_only_crm_and_orders_are_loaded(built, tmp_path):
    landing, _, _ = built
    warehouse = tmp_path / "partial.duckdb"
    for name in ("crm", "shop"):
        load_source(SOURCES[name], landing, warehouse, log=lambda _: None)
    result = run_dbt(["build"], warehouse, tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]
    counts = _counts(warehouse)
    assert counts["staging.stg_crm__contacts"] > 0
    assert counts["staging.stg_segment__tracks"] == 0
    assert counts["events.int_email_events_unioned"] == 0


def test_docs_generate_and_source_freshness_work_on_the_loaded_warehouse(built, tmp_path):
    _, warehouse, _ = built
    docs = run_dbt(["docs", "generate"], warehouse, tmp_path)
    assert docs.returncode == 0, docs.stdout[-4000:]
    manifest = json.loads((tmp_path / "dbt_target" / "manifest.json").read_text())
    catalog = json.loads((tmp_path / "dbt_target" / "catalog.json").read_text())

    models = {k: v for k, v in manifest["nodes"].items() if v["resource_type"] == "model"}
    assert models
    tested: dict[str, set[str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and node.get("test_metadata"):
            name = node["test_metadata"]["name"]
            for parent in node["depends_on"]["nodes"]:
                tested.setdefault(parent, set()).add(name)
    for unique_id, model in models.items():
        # conventions: grain stated, every column described, primary key tested
        assert model["description"].strip(), f"{unique_id} has no description"
        tests = tested.get(unique_id, set())
        has_key_test = (
            {"unique", "not_null"} <= tests
            or "unique_combination" in tests
            # staging event views: the same checks on the loads not yet tested
            or {"unique_in_new_loads", "not_null_in_new_loads"} <= tests
            # kept event tables: the same checks on the rows written since the last pass (a
            # key of several columns is one model-level test, as with unique_combination)
            or "unique_in_new_rows" in tests
        )
        assert has_key_test, f"{unique_id} key untested"
        built_columns = catalog["nodes"][unique_id]["columns"]
        documented = {c for c, v in model["columns"].items() if v["description"].strip()}
        missing = sorted(set(built_columns) - documented)
        assert not missing, f"{unique_id}: undocumented columns {missing}"

    # freshness is measured against dlt's _dlt_loads table: just loaded, so fresh
    fresh = run_dbt(
        ["source", "freshness", "--select", "source:crm", "source:segment"], warehouse, tmp_path
    )
    assert fresh.returncode == 0, fresh.stdout[-4000:]
    assert "PASS" in fresh.stdout


def _segment_event(user_id: str, at: datetime, kind: str, event: str | None = None, **props) -> str:
    message = {
        "type": kind,
        "userId": user_id,
        "messageId": f"test-{user_id}-{kind}-{event}-{at.isoformat()}",
        "timestamp": at.isoformat().replace("+00:00", "Z"),
        "context": {"timezone": "Europe/London"},
        "properties": props,
    }
    if event:
        message["event"] = event
    return json.dumps(message)


def test_a_new_day_of_events_moves_customers_in_and_out_of_segments(built, tmp_path):
    """Run, add a day of events, run again: the history shows who entered and who left."""
    landing_built, warehouse_built, _ = built
    landing = tmp_path / "landing"
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copytree(landing_built, landing)  # keeps mtimes: the old files count as loaded
    shutil.copy(warehouse_built, warehouse)

    def query(sql: str) -> list[tuple]:
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    [(old_as_of,)] = query("select max(features_as_of) from marts.segment_memberships")
    users = """
        select records.customer_id, min(records.source_record_id) as user_id
        from marts.customer_source_records as records
        where records.source_system = 'segment' and records.source_table = 'user_ids'
        group by records.customer_id
    """
    # A: not a cart abandoner; B: a cart abandoner (older than a day)
    [(a_customer, a_user)] = query(
        f"""
        select customer_id, user_id from ({users}) as users
        where customer_id not in (
            select customer_id from marts.segment_memberships
            where segment_name like 'cart_abandoners%'
        )
        order by customer_id limit 1
        """
    )
    [(b_customer, b_user)] = query(
        f"""
        select customer_id, user_id from ({users}) as users
        where customer_id in (
            select customer_id from marts.segment_memberships
            where segment_name = 'cart_abandoners'
        )
        and customer_id not in (
            select customer_id from marts.segment_memberships
            where segment_name = 'cart_abandoners_24h'
        )
        order by customer_id limit 1
        """
    )
    recent_abandoners = {
        row[0]
        for row in query(
            "select customer_id from marts.segment_memberships "
            "where segment_name = 'cart_abandoners_24h'"
        )
    }
    assert recent_abandoners, "the sample has no cart abandoned in its last day"
    open_carts = {
        row[0]
        for row in query(
            "select customer_id from marts.customer_features where latest_cart_status = 'open'"
        )
    }
    holdout_before = dict(query("select customer_id, is_holdout from marts.customers"))
    [(log_rows_before,)] = query(
        "select count(*) from segments.int_segment_membership_changes_logged"
    )

    # the next day: B adds to a new cart and orders; A adds to a new cart and leaves it
    start = old_as_of.replace(tzinfo=UTC)
    product = {"product_id": "p-test", "name": "Test Lamp", "price": 20.0, "currency": "GBP"}
    lines = [
        _segment_event(
            b_user,
            start + timedelta(hours=1),
            "track",
            "Product Added",
            cart_id="cart-b",
            quantity=1,
            **product,
        ),
        _segment_event(
            b_user,
            start + timedelta(hours=2),
            "track",
            "Order Completed",
            order_id="order-b",
            total=20.0,
            currency="GBP",
        ),
        _segment_event(
            a_user,
            start + timedelta(hours=2),
            "track",
            "Product Added",
            cart_id="cart-a",
            quantity=2,
            **product,
        ),
        # A comes back to the site 30 hours later: the data now ends there
        _segment_event(a_user, start + timedelta(hours=30), "page", url="https://x.example/"),
    ]
    day = (start + timedelta(days=1)).date().isoformat()
    write(landing / "segment" / day / f"events_{day}T00.jsonl", "\n".join(lines) + "\n")
    assert load_source(SOURCES["segment"], landing, warehouse, log=lambda _: None).rows_in == 4
    result = run_dbt(["build"], warehouse, tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]

    [(new_as_of,)] = query("select max(features_as_of) from marts.segment_memberships")
    assert new_as_of == old_as_of + timedelta(hours=30)

    def spells(customer_id: str, segment: str) -> list[tuple]:
        return query(
            f"""
            select entered_at, exited_at from marts.segment_membership_history
            where customer_id = '{customer_id}' and segment_name = '{segment}'
            order by entered_at
            """
        )

    # A entered both cart segments at the new run; B left cart abandoners at it
    assert spells(a_customer, "cart_abandoners") == [(new_as_of, None)]
    assert spells(a_customer, "cart_abandoners_24h") == [(new_as_of, None)]
    assert spells(b_customer, "cart_abandoners") == [(old_as_of, new_as_of)]
    # a day later, yesterday's recent abandoners are no longer recent
    for customer_id in recent_abandoners:
        assert spells(customer_id, "cart_abandoners_24h") == [(old_as_of, new_as_of)]
    # others entered only because their open cart's window closed in the new day
    entrants = {
        row[0]
        for row in query(
            f"""
            select customer_id from marts.segment_membership_history
            where segment_name = 'cart_abandoners_24h' and entered_at = '{new_as_of}'
            """
        )
    }
    assert a_customer in entrants
    assert entrants - {a_customer} <= open_carts
    # the summary counts what the history holds, and the holdout did not move
    [(entered, exited)] = query(
        """
        select entered, exited from marts.segment_run_summary
        where is_latest_run and segment_name = 'cart_abandoners_24h'
        """
    )
    assert (entered, exited) == (len(entrants), len(recent_abandoners))
    holdout_after = dict(query("select customer_id, is_holdout from marts.customers"))
    assert all(holdout_after[c] == h for c, h in holdout_before.items() if c in holdout_after)

    # a rebuild with nothing new records nothing
    [(log_rows,)] = query("select count(*) from segments.int_segment_membership_changes_logged")
    assert log_rows > log_rows_before
    assert run_dbt(["build"], warehouse, tmp_path).returncode == 0
    assert query("select count(*) from segments.int_segment_membership_changes_logged") == [
        (log_rows,)
    ]


def test_a_repeated_key_fails_the_mart_and_keeps_the_published_one(built, tmp_path):
    """`customers` built over a feature table with a customer twice fails before its commit
    (`unique_key_guard`): the error names the key, and the published table is the previous
    one, each customer once."""
    _, warehouse_built, _ = built
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse_built, warehouse)
    con = duckdb.connect(str(warehouse))
    try:
        [(published,)] = con.execute("select count(*) from marts.customers").fetchall()
        con.execute(
            "insert into marts.customer_features"
            " select * from marts.customer_features order by customer_id limit 1"
        )
    finally:
        con.close()

    result = run_dbt(["run", "-s", "customers"], warehouse, tmp_path)

    assert result.returncode != 0
    assert "customers: customer_id is null or repeated: not published" in result.stdout
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        [(rows, keys)] = con.execute(
            "select count(*), count(distinct customer_id) from marts.customers"
        ).fetchall()
    finally:
        con.close()
    assert (rows, keys) == (published, published)
