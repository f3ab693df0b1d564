{% macro source_or_empty(source_name, table_name) %}
    {#-
        The source relation when it exists, else an empty relation with the columns (and
        data types) declared for it in the sources YAML. A user who has only loaded some
        sources (say CRM and orders) can still build every staging model.
    -#}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute -%}
        {{ relation }}
    {%- else -%}
        {%- set existing = adapter.get_relation(
            database=relation.database,
            schema=relation.schema,
            identifier=relation.identifier,
        ) -%}
        {%- if existing is not none -%}
            {{ relation }}
        {%- else -%}
            {%- set node = graph.sources.values()
                | selectattr('source_name', 'equalto', source_name)
                | selectattr('name', 'equalto', table_name)
                | first -%}
            {%- set columns = node.columns.values() | list -%}
            {%- if columns | length == 0 -%}
                {{ exceptions.raise_compiler_error(
                    "source " ~ source_name ~ "." ~ table_name
                    ~ " does not exist and declares no columns to build an empty relation"
                ) }}
            {%- endif -%}
            (
                select
                {%- for column in columns %}
                    cast(null as {{ empty_column_type(column.data_type or 'varchar') }}) as {{ adapter.quote(column.name) }}
                    {{- "," if not loop.last }}
                {%- endfor %}
                where 1 = 0
            )
        {%- endif -%}
    {%- endif -%}
{% endmacro %}

{% macro empty_column_type(data_type) %}
    {{- return(adapter.dispatch('empty_column_type', 'mailmart')(data_type)) -}}
{% endmacro %}

{% macro default__empty_column_type(data_type) -%}
    {{ data_type }}
{%- endmacro %}

{#- Sources YAML declares DuckDB types; Spark spells some of them differently. -#}
{% macro spark__empty_column_type(data_type) -%}
    {%- set spark_types = {
        'varchar': 'string', 'text': 'string', 'timestamptz': 'timestamp',
        'timestamp with time zone': 'timestamp', 'json': 'string', 'hugeint': 'decimal(38, 0)',
    } -%}
    {{ spark_types.get(data_type | lower, data_type) }}
{%- endmacro %}
