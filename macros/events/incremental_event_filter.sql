{% macro incremental_event_filter(event_time=none, this_event_time=none, processed_load_id='load_id', load_id='load_id') -%}
    {#-
        The rows an incremental event model reads on an incremental run (see doc
        `incremental_events`): every row from a dlt load the model has not processed yet
        (`load_id` not among the model's `processed_load_id` values), whatever its event time,
        so a late event is never dropped; and every row whose `event_time` falls within
        `mailmart_incremental_lookback_hours` of the newest `this_event_time` (default: the
        same name) the model already holds; these are reprocessed, and the model's unique key
        replaces them, so they are never duplicated. On a first build or a full refresh: every
        row.
    -#}
    {%- if is_incremental() -%}
        (
            {{ load_id }} not in (
                select distinct processed.{{ processed_load_id }}
                from {{ this }} as processed
                where processed.{{ processed_load_id }} is not null
            )
            {%- if event_time is not none %}
            or {{ event_time }} >= (
                select
                    {{ dbt.dateadd(
                        'hour',
                        -1 * (var('mailmart_incremental_lookback_hours') | int),
                        'max(newest.' ~ (this_event_time or event_time) ~ ')'
                    ) }}
                from {{ this }} as newest
            )
            {%- endif %}
        )
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}
