{#-
    Tests on new rows (doc `tests_on_new_rows`). The event tables our incremental models keep
    (the extracted Segment and ESP events, the attributed events, the consent events) hold tens
    of millions of rows, and a key or not-null test on them read every row in every run: at 1M
    customers about 12 s of a run that added one day. These models only ever delete rows and
    insert new ones (dbt's delete+insert on their key, and their own pre-hooks); no statement
    updates a kept row. Every row they insert carries the start of the dbt run that wrote it
    (`written_at`). A row written before the last run in which a test passed was read by that
    run's test and has not changed since, so the test reads only:

    - for `not_null_in_new_rows`, the rows written after that run started;
    - for `unique_in_new_rows`, every row whose key is the key of such a row: a duplicate needs
      at least one row written since.

    - on-run-start (`tested_writes_create`, `tested_writes_forget`): the state table
      `quality.tested_writes` (per test, the start of the last run it passed in); a
      `--full-refresh` forgets it, so the run reads every row;
    - on-run-end (`tested_writes_forget_passed`, `tested_writes_remember`): each such test that
      passed records this run's start. A test that failed, warned or did not run records
      nothing and reads the same rows again next time. A new test (or one on new columns) has
      no record and reads every row once.

    Rows without `written_at` (kept from before the column existed) are always read.
    `--vars '{mailmart_test_every_load: true}'` makes the tests read every row.
-#}

{% macro written_at() %}
    {#- The column every row of an event model carries: when the dbt run that wrote it started
        (UTC). Read by the tests on new rows. -#}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}


{% macro new_rows_test_names() %}
    {{- return(['unique_in_new_rows', 'not_null_in_new_rows']) -}}
{% endmacro %}


{% macro new_rows_test_key(test_name, model_identifier, columns) %}
    {{- return(test_name ~ ':' ~ model_identifier ~ ':' ~ (columns | join(','))) -}}
{% endmacro %}


{% macro new_rows_test_columns(column_name, columns) %}
    {#- A test's key columns: `columns`, or the one column it is declared on. -#}
    {{- return(columns if columns else [column_name]) -}}
{% endmacro %}


{% macro new_rows_filter(test_name, model, columns, written='written_at') %}
    {#- The rows a test reads: those written after the start of the last run in which it
        passed, as a constant (DuckDB then skips the row groups written before it), or none
        (an empty string) to read every row. -#}
    {#- dbt's relation cache, not a query per test: it misses the state table only in the run
        whose on-run-start created it, which holds no pass yet, so every row is read anyway -#}
    {%- if not execute or var('mailmart_test_every_load', false) or target.type == 'spark'
        or load_relation(tested_loads_relation('tested_writes')) is none -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set key = new_rows_test_key(test_name, model.identifier, columns) -%}
    {%- set passed = run_query(
        "select max(passed_run_started_at) from " ~ tested_loads_relation('tested_writes')
        ~ " where test_key = '" ~ key ~ "'"
    ).columns[0].values()[0] -%}
    {%- if passed is none -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set condition -%}
    ({{ written }} is null
        or {{ written }} > cast('{{ passed }}' as {{ dbt.type_timestamp() }}))
    {%- endset -%}
    {{- return(condition) -}}
{%- endmacro %}


{% macro tested_writes_create() %}
    {#- on-run-start: the state table (after `tested_loads_create`, which creates the schema).
        None on Spark, whose tests read every row (see `tested_loads_create`). -#}
    {%- if target.type == 'spark' -%}
        {{- return('select 1') -}}
    {%- endif %}
    create table if not exists {{ tested_loads_relation('tested_writes') }} (
        test_key {{ dbt.type_string() }},
        passed_run_started_at {{ dbt.type_timestamp() }}
    )
{%- endmacro %}


{% macro tested_writes_forget() %}
    {#- on-run-start: a full refresh reads every row again. -#}
    {%- if flags.FULL_REFRESH and target.type != 'spark' -%}
        delete from {{ tested_loads_relation('tested_writes') }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{% macro tested_writes_passed(results) %}
    {#- The keys of the new-rows tests that passed in this run. -#}
    {%- set keys = [] -%}
    {%- for name, alias, kwargs in passed_generic_tests(results, new_rows_test_names()) -%}
        {%- do keys.append(new_rows_test_key(
            name, alias, new_rows_test_columns(kwargs.get('column_name'), kwargs.get('columns'))
        )) -%}
    {%- endfor -%}
    {{- return(keys) -}}
{% endmacro %}


{% macro tested_writes_forget_passed(results) %}
    {#- on-run-end: the tests that passed forget their last pass ... -#}
    {%- set keys = tested_writes_passed(results) if execute and target.type != 'spark' else [] -%}
    {%- if keys | length > 0 %}
    delete from {{ tested_loads_relation('tested_writes') }}
    where test_key in ('{{ keys | join("', '") }}')
    {%- else %}
    select 1
    {%- endif %}
{% endmacro %}


{% macro tested_writes_remember(results) %}
    {#- ... and record this one: every row they read was written before this run started or
        in it. -#}
    {%- set keys = tested_writes_passed(results) if execute and target.type != 'spark' else [] -%}
    {%- if keys | length > 0 %}
    insert into {{ tested_loads_relation('tested_writes') }} (test_key, passed_run_started_at)
    {%- for key in keys %}
    select '{{ key }}', {{ written_at() }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- else %}
    select 1
    {%- endif %}
{% endmacro %}


{% test unique_in_new_rows(model, column_name=none, columns=none, written='written_at') %}
    {#- Fails with one row per key (`column_name`, or the combination `columns`) that occurs
        more than once, among the keys of rows written since this test last passed (every row
        of those keys is counted). Null keys are the not-null tests' concern. -#}
    {%- set key = new_rows_test_columns(column_name, columns) -%}
    {%- set new_rows = new_rows_filter('unique_in_new_rows', model, key, written) %}
    with

    {%- if new_rows %}

    new_keys as (
        select distinct {{ key | join(', ') }}
        from {{ model }}
        where {{ new_rows }}
    ),

    rows_of_new_keys as (
        select
            {%- for column in key %}
            tested.{{ column }}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ model }} as tested
        inner join new_keys
            on
            {%- for column in key %}
            {{ 'and ' if not loop.first }}tested.{{ column }} = new_keys.{{ column }}
            {%- endfor %}
    )
    {%- else %}

    rows_of_new_keys as (
        select {{ key | join(', ') }}
        from {{ model }}
        where
        {%- for column in key %}
            {{ 'and ' if not loop.first }}{{ column }} is not null
        {%- endfor %}
    )
    {%- endif %}

    select
        {{ key | join(', ') }},
        count(*) as occurrences
    from rows_of_new_keys
    group by {{ key | join(', ') }}
    having count(*) > 1
{% endtest %}


{% test not_null_in_new_rows(model, column_name, written='written_at') %}
    {#- Fails with the rows written since this test last passed whose `column_name` is null. -#}
    {%- set new_rows = new_rows_filter('not_null_in_new_rows', model, [column_name], written) %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} is null
    {%- if new_rows %}
        and {{ new_rows }}
    {%- endif %}
{% endtest %}
