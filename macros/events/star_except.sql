{% macro star_except(relation, excluded) -%}
    {#-
        The relation's columns, in order, except those named in `excluded`, as a select list;
        `*` while dbt parses (the relation may not exist yet) or when it has no columns to read.
    -#}
    {%- set columns = adapter.get_columns_in_relation(relation) if execute else [] -%}
    {%- set excluded_lower = excluded | map('lower') | list -%}
    {%- set kept = columns | rejectattr('name', 'in', excluded_lower) | list -%}
    {%- if kept | length == 0 -%}
        *
    {%- else -%}
        {%- for column in kept %}
        {{ adapter.quote(column.name) }}{{ "," if not loop.last }}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
