{% macro generate_schema_name(custom_schema_name, node) -%}
    {#- Layers get plain schema names (`staging`, `identity`, `marts`) instead of dbt's default
        `<target schema>_<custom schema>`, so marketers query `marts.customers`. -#}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
