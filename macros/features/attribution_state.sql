{#-
    Incremental attribution (see doc `incremental_attribution`): an attributed event table
    keeps each event's customer and, on an incremental run, rewrites only the events from new
    loads and the events of source records whose customer changed since its last run. What
    the last run attributed with lives in a state table, replaced by a post-hook in the same
    transaction as the events, so the two always agree.
-#}

{% macro attribution_state_relation() %}
    {#- The record -> customer map the model's rows were last attributed with:
        `<model>_customers`, next to the model. -#}
    {{- return(sibling_relation(this.identifier ~ '_customers')) -}}
{% endmacro %}


{% macro attribution_reads_changes(lookups_fingerprint=none) %}
    {#- True on an incremental run that can trust the state table: it exists, the model has its
        `load_id` column, and, for a model that derives columns from lookups, its rows were
        derived with the same ones (`lookups_fingerprint`, see rows_fingerprint and
        lookups_unchanged: a changed lookup changes derived columns of old events).
        Otherwise the run rewrites every event. -#}
    {%- if not (execute and is_incremental()) -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- if load_relation(attribution_state_relation()) is none -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {%- if 'load_id' not in columns -%}
        {{- return(false) -}}
    {%- endif -%}
    {{- return(lookups_fingerprint is none or lookups_unchanged(lookups_fingerprint)) -}}
{% endmacro %}


{% macro attribution_changed_records(current_customers) %}
    {#- Source records whose customer differs between `current_customers` (a CTE with
        source_table, source_record_id, customer_id) and the state table: new, gone or moved
        by identity. -#}
    select
        coalesce(current_customers.source_table, previous_customers.source_table)
            as source_table,
        coalesce(current_customers.source_record_id, previous_customers.source_record_id)
            as source_record_id
    from {{ current_customers }} as current_customers
    full outer join {{ attribution_state_relation() }} as previous_customers
        on current_customers.source_table = previous_customers.source_table
            and current_customers.source_record_id = previous_customers.source_record_id
    where not coalesce(current_customers.customer_id = previous_customers.customer_id, false)
{%- endmacro %}


{% macro attribution_remember_customers(customers_sql) %}
    {#- None on Spark, where every model is rebuilt whole (macros/spark/incremental_on_spark.sql). -#}
    {%- if target.type == 'spark' -%}
        {{- return('select 1') -}}
    {%- endif -%}
    {#- Post-hook: the state table becomes the map this run attributed with. -#}
    create or replace table {{ attribution_state_relation() }} as
    {{ customers_sql }}
{%- endmacro %}


{% macro attribution_customers(source_system, source_tables) %}
    {#- The current record -> customer map of one source system's records. -#}
    select
        source_table,
        source_record_id,
        customer_id
    from {{ ref('customer_source_records') }}
    where
        source_system = '{{ source_system }}'
        and source_table in ('{{ source_tables | join("', '") }}')
{%- endmacro %}
