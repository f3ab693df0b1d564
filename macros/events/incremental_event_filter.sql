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
        The window is also turned into the loads its kept rows came from, and the filter
        leads with one `load_id in (...)` over new and window loads: DuckDB pushes that into
        the scan of the raw table, below the staging view's JSON parsing, but neither an `or`
        nor a condition on a converted timestamp (at 1M customers: 12.9 s for a day of tracks
        with the `or` alone, 0.2 s with the leading list).
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
        {%- set read_loads = new_loads | list -%}
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
                {%- set window_at = "cast('" ~ window_start ~ "' as " ~ dbt.type_timestamp() ~ ")" -%}
                {%- set window_loads = run_query(
                    "select distinct " ~ processed_load_id ~ " from " ~ this ~ " where "
                    ~ (this_event_time or event_time) ~ " >= " ~ window_at ~ " and "
                    ~ processed_load_id ~ " is not null"
                ).columns[0].values() -%}
                {%- for window_load in window_loads if window_load not in read_loads -%}
                    {%- do read_loads.append(window_load) -%}
                {%- endfor -%}
                {%- do conditions.append(event_time ~ " >= " ~ window_at) -%}
            {%- endif -%}
        {%- endif -%}
        {%- if read_loads | length == 0 -%}
            1 = 0
        {%- else -%}
            {{ load_id }} in ('{{ read_loads | sort | join("', '") }}')
            and ({{ conditions | join(' or ') }})
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
