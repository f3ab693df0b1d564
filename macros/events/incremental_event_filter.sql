{% macro incremental_event_filter(
    relation, event_time=none, this_event_time=none, processed_load_id='load_id',
    load_id='load_id'
) -%}
    {#-
        The rows of `relation` an incremental event model reads on an incremental run (see doc
        `incremental_events`): every row from a dlt load the model has not processed yet
        (`load_id` not among the model's `processed_load_id` values), whatever its event time,
        so a late event is never dropped; and every row whose `event_time` falls within
        `mailmart_incremental_lookback_hours` of the newest `this_event_time` (default: the
        same name) the model already holds. Those are reprocessed, and the model's unique key
        replaces them, so they are never duplicated. On a first build or a full refresh: every
        row.

        The new loads and the window's start are looked up first and written into the query
        as constants: a subquery in the filter made DuckDB parse every staged row's JSON
        before filtering (27 s instead of 0.4 s for a day of Segment pages at 100k customers).
    -#}
    {%- if not is_incremental() -%}
        1 = 1
    {%- elif not execute -%}
        1 = 0
    {%- else -%}
        {%- set new_loads = run_query(
            "select distinct " ~ load_id ~ " from " ~ relation
            ~ " where " ~ load_id ~ " is not null and " ~ load_id ~ " not in ("
            ~ "select distinct processed." ~ processed_load_id ~ " from " ~ this
            ~ " as processed where processed." ~ processed_load_id ~ " is not null)"
        ).columns[0].values() | list -%}
        {%- set conditions = [] -%}
        {%- if new_loads | length > 0 -%}
            {%- do conditions.append(
                load_id ~ " in ('" ~ (new_loads | sort | join("', '")) ~ "')"
            ) -%}
        {%- endif -%}
        {%- if event_time is not none -%}
            {%- set window_start = run_query(
                "select cast(" ~ dbt.dateadd(
                    'hour',
                    -1 * (var('mailmart_incremental_lookback_hours') | int),
                    'max(' ~ (this_event_time or event_time) ~ ')'
                ) ~ " as " ~ dbt.type_string() ~ ") from " ~ this
            ).columns[0].values()[0] -%}
            {%- if window_start is not none -%}
                {%- do conditions.append(
                    event_time ~ " >= cast('" ~ window_start ~ "' as "
                    ~ dbt.type_timestamp() ~ ")"
                ) -%}
            {%- endif -%}
        {%- endif -%}
        {%- if conditions | length == 0 -%}
            1 = 0
        {%- else -%}
            ({{ conditions | join(' or ') }})
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
