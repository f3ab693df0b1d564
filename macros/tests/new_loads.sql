{#-
    Tests on new loads (doc `tests_on_new_loads`). The staging views of raw event tables
    re-parse every raw row each time a test reads them. dlt writes raw rows and replaces them
    on their key, and a replaced row carries the new load's id: rows of a load a test has
    already passed on cannot have changed. These tests read the rows of loads they have not
    passed on yet and, for uniqueness, every row with the same key. Tables our own incremental
    models write keep full tests: a bug there could change rows of old loads.

    - on-run-start (`tested_loads_create`, `tested_loads_forget`, `tested_loads_snapshot`): the
      loads dlt had completed when the run started, from every raw dataset's `_dlt_loads`, into
      `tested_loads_at_start`. `--full-refresh` forgets every tested load, so the run checks
      every row.
    - the tests (`unique_in_new_loads`, `not_null_in_new_loads`) skip rows of loads listed for
      them in `tested_loads`;
    - on-run-end (`tested_loads_end`): each such test that passed adds the loads of the
      snapshot, whose rows were in place when it ran. A test that failed, warned or did not run
      adds nothing and checks the same rows again next time.

    `--vars '{mailmart_test_every_load: true}'` makes the tests read every row.
-#}

{% macro tested_loads_relation(identifier='tested_loads') %}
    {{- return(api.Relation.create(
        database=target.get("database"),
        schema=generate_schema_name('quality', none) | trim,
        identifier=identifier,
    )) -}}
{% endmacro %}


{% macro new_loads_test_names() %}
    {{- return(['unique_in_new_loads', 'not_null_in_new_loads']) -}}
{% endmacro %}


{% macro new_loads_test_key(test_name, model_identifier, column_name) %}
    {{- return(test_name ~ ':' ~ model_identifier ~ ':' ~ column_name) -}}
{% endmacro %}


{% macro tested_loads_exist() %}
    {#- Whether both state tables exist. Asked of the database, not dbt's relation cache: the
        on-run-start hooks create them after the cache is filled, so on a new warehouse the
        cache would say no for the whole first run. Never on Spark (no snapshot there). -#}
    {%- if not execute or target.type == 'spark' -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set tested = tested_loads_relation() -%}
    {%- set found = run_query(
        "select count(*) from information_schema.tables"
        ~ " where table_catalog = '" ~ tested.database ~ "'"
        ~ " and table_schema = '" ~ tested.schema ~ "'"
        ~ " and table_name in ('tested_loads', 'tested_loads_at_start')"
    ).columns[0].values()[0] -%}
    {{- return(found == 2) -}}
{% endmacro %}


{% macro new_loads_filter(test_name, model, column_name, load_id='load_id') %}
    {#- The rows a test reads: those of loads it has not passed on, or none (an empty string)
        to read every row. Written as constants (the newest load it passed on, and any older
        load it has not), which DuckDB applies to the raw table below the staging view's JSON
        parsing; a subquery here made it parse every row first (3.0 s against 0.04 s on 13.6M
        SendGrid events). -#}
    {%- if var('mailmart_test_every_load', false) or not tested_loads_exist() -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set tested = tested_loads_relation() -%}
    {%- set snapshot = tested_loads_relation('tested_loads_at_start') -%}
    {%- set key = new_loads_test_key(test_name, model.identifier, column_name) -%}
    {%- set newest = run_query(
        "select max(load_id) from " ~ tested ~ " where test_key = '" ~ key ~ "'"
    ).columns[0].values()[0] -%}
    {%- if newest is none -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set older = run_query(
        "select snapshot.load_id from " ~ snapshot ~ " as snapshot"
        ~ " where snapshot.load_id <= '" ~ newest ~ "' and not exists ("
        ~ "select 1 from " ~ tested ~ " as tested where tested.test_key = '" ~ key ~ "'"
        ~ " and tested.load_id = snapshot.load_id)"
    ).columns[0].values() | list -%}
    {%- set condition -%}
    ({{ load_id }} is null or {{ load_id }} > '{{ newest }}'
    {%- if older | length > 0 %} or {{ load_id }} in ('{{ older | sort | join("', '") }}'){% endif -%}
    )
    {%- endset -%}
    {{- return(condition) -}}
{%- endmacro %}


{% macro tested_loads_create() %}
    {#- on-run-start: the state table. On Spark the tests read every row: its models are rebuilt
        whole in every run (docs/decisions.md), so no row is old there. -#}
    {%- if target.type == 'spark' -%}
        {{- return('select 1') -}}
    {%- endif -%}
    {%- set quality = tested_loads_relation() -%}
    create schema if not exists {{ quality.without_identifier() }};
    create table if not exists {{ quality }} (
        test_key {{ dbt.type_string() }},
        load_id {{ dbt.type_string() }}
    )
{%- endmacro %}


{% macro tested_loads_forget() %}
    {#- on-run-start: a full refresh checks every row again. -#}
    {%- if flags.FULL_REFRESH and target.type != 'spark' -%}
        delete from {{ tested_loads_relation() }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{% macro tested_loads_snapshot() %}
    {#- on-run-start: the loads every raw dataset had completed when the run started. On an
        engine without `information_schema` (Spark) the list stays empty, and the tests read
        every row. -#}
    {%- if target.type == 'spark' -%}
        {{- return('select 1') -}}
    {%- endif -%}
    {%- set text = dbt.type_string() -%}
    {%- set datasets = [] -%}
    {%- if execute and target.type != 'spark' -%}
        {%- set datasets = run_query(
            "select distinct table_schema from information_schema.tables"
            ~ " where table_catalog = '" ~ target.database ~ "'"
            ~ " and table_name = '_dlt_loads' and table_schema like 'raw%'"
        ).columns[0].values() | list -%}
    {%- endif -%}
    create or replace table {{ tested_loads_relation('tested_loads_at_start') }} as
    {%- if datasets | length == 0 %}
    select cast(null as {{ text }}) as load_id where 1 = 0
    {%- else %}
    {%- for dataset in datasets | sort %}
    select cast(load_id as {{ text }}) as load_id from {{ dataset }}._dlt_loads where status = 0
    {%- if not loop.last %}
    union
    {%- endif %}
    {%- endfor %}
    {%- endif %}
{%- endmacro %}


{% macro passed_generic_tests(results, test_names) %}
    {#- The generic tests named in `test_names` that passed in this run, each as
        (test name, the tested model's alias, the test's arguments). For the on-run-end hooks
        of the tests on new loads and new rows. -#}
    {%- set passed = [] -%}
    {%- for result in results if result.status == 'pass' -%}
        {%- set test = graph.nodes.get(result.node.unique_id, {}) -%}
        {%- set metadata = test.get('test_metadata') or {} -%}
        {%- set tested = graph.nodes.get(test.get('attached_node')) -%}
        {%- if metadata.get('name') in test_names and tested is not none -%}
            {%- do passed.append((metadata.name, tested.alias, metadata.get('kwargs') or {})) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(passed) -}}
{% endmacro %}


{% macro tested_loads_end(results) %}
    {#- on-run-end: every new-loads test that passed has checked the loads of the snapshot. -#}
    {%- if not execute -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set keys = [] -%}
    {%- for name, alias, kwargs in passed_generic_tests(results, new_loads_test_names()) -%}
        {%- do keys.append(new_loads_test_key(name, alias, kwargs.get('column_name'))) -%}
    {%- endfor -%}
    {%- if keys | length > 0 and tested_loads_exist() %}
    insert into {{ tested_loads_relation() }} (test_key, load_id)
    select
        passed.test_key,
        snapshot.load_id
    from {{ tested_loads_relation('tested_loads_at_start') }} as snapshot
    cross join (
        {%- for key in keys %}
        select '{{ key }}' as test_key
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    ) as passed
    where not exists (
        select 1
        from {{ tested_loads_relation() }} as tested
        where tested.test_key = passed.test_key
            and tested.load_id = snapshot.load_id
    )
    {%- endif %}
{% endmacro %}


{% test unique_in_new_loads(model, column_name, load_id='load_id') %}
    {#- Fails with one row per key that occurs more than once, among the keys of rows from loads
        this test has not passed on (every row of those keys is counted). -#}
    {%- set new_rows = new_loads_filter('unique_in_new_loads', model, column_name, load_id) %}
    select
        {{ column_name }},
        count(*) as occurrences
    from {{ model }}
    {%- if new_rows %}
    where {{ column_name }} in (
        select {{ column_name }}
        from {{ model }}
        where {{ new_rows }}
    )
    {%- else %}
    where {{ column_name }} is not null
    {%- endif %}
    group by {{ column_name }}
    having count(*) > 1
{% endtest %}


{% test not_null_in_new_loads(model, column_name, load_id='load_id') %}
    {#- Fails with the rows of new loads whose `column_name` is null. -#}
    {%- set new_rows = new_loads_filter('not_null_in_new_loads', model, column_name, load_id) %}
    select {{ load_id }}
    from {{ model }}
    where {{ column_name }} is null
    {%- if new_rows %}
        and {{ new_rows }}
    {%- endif %}
{% endtest %}
