{% macro identifier_observations(relation, source_system, source_table, record_id, identifiers, first_seen_at, last_seen_at=none) -%}
    {#-
        Unpivot the identifier columns of one source relation into observation rows:
        (source_system, source_table, source_record_id, identifier_type, identifier_value,
        is_record_key, first_seen_at, last_seen_at), one `union all` branch per identifier
        column, null values skipped. `last_seen_at` defaults to `first_seen_at` (a record seen
        once). `identifiers` is a list of [identifier_type, expression] pairs; `is_record_key`
        is true for the pairs whose expression is `record_id` itself (the identifier that is
        the record, such as an anonymous id's record's anonymous id).
        Every source row also observes its record itself (`source_record`: the record id),
        first, so that each record has that row over its whole span: `int_identity_records`
        reads it as the record.
    -#}
    {%- for identifier in [['source_record', record_id]] + identifiers %}
    select
        '{{ source_system }}' as source_system,
        '{{ source_table }}' as source_table,
        cast({{ record_id }} as {{ dbt.type_string() }}) as source_record_id,
        '{{ identifier[0] }}' as identifier_type,
        cast({{ identifier[1] }} as {{ dbt.type_string() }}) as identifier_value,
        {{ 'true' if identifier[1] == record_id else 'false' }} as is_record_key,
        {{ first_seen_at }} as first_seen_at,
        {{ last_seen_at or first_seen_at }} as last_seen_at
    from {{ relation }}
    where {{ record_id }} is not null and {{ identifier[1] }} is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
