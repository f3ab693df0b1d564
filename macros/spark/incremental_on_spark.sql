{#-
    On Spark every incremental model is rebuilt whole, in every run (docs/decisions.md,
    "Spark: models rebuilt whole, history appended"). Our incremental models delete the rows a
    run replaces (delete+insert on their key and their own pre-hooks); Spark's Parquet tables
    have no row deletes (those need Delta or Iceberg, whose jars this project cannot install),
    and a full rebuild is what the equivalence test proves the increments equal.

    The exception are the history logs, which no rebuild may lose (`full_refresh=false`:
    record assignments, segment membership changes, identity KPIs, quality checks): they only
    ever append, which Parquet tables can, so they stay incremental on Spark (strategy
    `append`), with dbt-spark's own materialization.
-#}

{% macro is_incremental() %}
    {#- dbt's own test, and false on Spark. -#}
    {%- if not execute or (target.type == 'spark' and not spark_keeps_increments()) -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set relation = adapter.get_relation(this.database, this.schema, this.table) -%}
    {{- return(
        relation is not none
        and relation.type == 'table'
        and model.config.materialized == 'incremental'
        and not should_full_refresh()
    ) -}}
{% endmacro %}


{% macro spark_keeps_increments() %}
    {#- Whether this model is a history log that stays incremental on Spark. -#}
    {{- return(config.get('full_refresh') == false) -}}
{% endmacro %}


{% materialization incremental, adapter='spark' %}
    {%- if spark_keeps_increments() -%}
        {{- return(dbt.materialization_incremental_spark()) -}}
    {%- else -%}
        {{- return(dbt.materialization_table_spark()) -}}
    {%- endif -%}
{% endmaterialization %}
