{% macro not_materialized() -%}
    {#-
        Written between a CTE's name and its body (`events as {{ not_materialized() }} (`):
        the CTE is inlined into every query that reads it instead of computed once and kept.
        DuckDB keeps a CTE read more than once; for a wide CTE over every event that means
        tens of millions of rows held, spilled to disk and read back (int_customer_web_aggregated
        at 1M customers: 80 s, 39 GB spilled, against 36 s inlined, where each reader scans only
        the columns and rows it needs from the table). Spark inlines CTEs anyway: nothing there.
    -#}
    {{- return(adapter.dispatch('not_materialized', 'mailmart')()) -}}
{%- endmacro %}

{% macro default__not_materialized() -%}
{%- endmacro %}

{% macro duckdb__not_materialized() -%}
    not materialized
{%- endmacro %}
