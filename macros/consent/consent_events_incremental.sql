{% macro consent_events_read_new_loads() %}
    {#- int_consent_events_unioned on an incremental run: read only new loads of ESP events,
        when its rows have `load_id` and were derived with the current event-type seed. -#}
    {%- if not (execute and is_incremental()) -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {{- return(
        'load_id' in columns
        and lookups_unchanged(rows_fingerprint([ref('mailmart_email_event_types')]))
    ) -}}
{% endmacro %}


{% macro consent_events_forget_recomputed() %}
    {#- None on Spark, where every model is rebuilt whole (macros/spark/incremental_on_spark.sql). -#}
    {%- if target.type == 'spark' -%}
        {{- return('select 1') -}}
    {%- endif -%}
    {#- Pre-hook of int_consent_events_unioned: drop the rows this run recomputes: the CRM
        rows of contacts in new loads and the erasure requests, every row when ESP events are
        all rewritten. -#}
    {%- if not is_incremental() %}
    select 1 as nothing_to_forget
    {%- elif consent_events_read_new_loads() %}
    delete from {{ this }}
    where source_system = 'privacy'
        or (
            source_system = 'crm'
            and source_event_id in (
                select contact_id from {{ ref('stg_crm__contacts') }}
                where {{ incremental_event_filter(ref('stg_crm__contacts')) }}
            )
        )
    {%- else %}
    delete from {{ this }}
    {%- endif %}
{%- endmacro %}
