{% macro quality_raw_union(table_name, columns) %}
    {#-
        Every loaded source system's `raw_<system>.<table_name>` (the loader's bookkeeping
        tables `landing_files` and `quarantine`, which have the same columns in every raw
        dataset) stacked into one relation with a `source_system` column. Systems come from
        var `mailmart_quality_source_systems`; a system never loaded (no such table) is left
        out, and when none is loaded the relation is empty with the same columns, so the
        quality models build on any warehouse. `columns` is a list of [name, kind] pairs, kind
        one of `string`, `bigint` and `timestamp` (a timestamp with time zone, read as UTC).
    -#}
    {%- set selects = [] -%}
    {%- for system in var('mailmart_quality_source_systems') -%}
        {%- set relation = source(system, table_name) -%}
        {%- set existing = none -%}
        {%- if execute -%}
            {%- set existing = adapter.get_relation(
                database=relation.database,
                schema=relation.schema,
                identifier=relation.identifier,
            ) -%}
        {%- endif -%}
        {%- if existing is not none -%}
            {%- set expressions = ["'" ~ system ~ "' as source_system"] -%}
            {%- for name, kind in columns -%}
                {%- do expressions.append(quality_raw_column(name, kind) ~ ' as ' ~ name) -%}
            {%- endfor -%}
            {%- do selects.append(
                'select\n        ' ~ expressions | join(',\n        ') ~ '\n    from ' ~ relation
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if selects | length > 0 -%}
    {{ selects | join('\n    union all\n    ') }}
    {%- else -%}
    select
        cast(null as {{ dbt.type_string() }}) as source_system,
        {%- for name, kind in columns %}
        {{ quality_raw_column('null', kind) }} as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    where 1 = 0
    {%- endif -%}
{% endmacro %}

{% macro quality_raw_column(expression, kind) -%}
    {%- if kind == 'timestamp' and expression != 'null' -%}
        {{ to_utc(expression) }}
    {%- elif kind == 'timestamp' -%}
        cast(null as {{ dbt.type_timestamp() }})
    {%- elif kind == 'bigint' -%}
        cast({{ expression }} as {{ dbt.type_bigint() }})
    {%- else -%}
        cast({{ expression }} as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}
