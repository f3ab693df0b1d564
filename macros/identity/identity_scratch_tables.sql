{#-
    Scratch tables for iterative SQL (build_connected_components): materialized, never lazy,
    because every round reads the previous round's result; dropped by the caller when done.
    Spark: a real Parquet table in a scratch schema (its temporary views are lazy and would
    recompute every earlier round), and a count query after the create.
-#}

{% macro identity_scratch_relation(name) %}
    {{- return(adapter.dispatch('identity_scratch_relation', 'mailmart')(name)) -}}
{% endmacro %}

{% macro default__identity_scratch_relation(name) -%}
    {#- DuckDB temporary tables live in the session's own `temp` catalog, in memory (spilling
        to disk past memory_limit): they never touch the warehouse file or its WAL. -#}
    {{- return('temp.main.' ~ name) -}}
{%- endmacro %}


{% macro spark__identity_scratch_relation(name) -%}
    {#- A schema of its own (`<target schema>_scratch`), created on first use. -#}
    {%- set schema = target.schema ~ '_scratch' -%}
    {%- do run_query('create database if not exists ' ~ schema) -%}
    {{- return(schema ~ '.' ~ name) -}}
{%- endmacro %}


{#- Runs `create ... as select_sql` and returns the number of rows created. -#}
{% macro identity_create_scratch_table(relation, select_sql) %}
    {%- set create = adapter.dispatch('identity_create_scratch_table', 'mailmart') -%}
    {{- return(create(relation, select_sql)) -}}
{% endmacro %}

{% macro default__identity_create_scratch_table(relation, select_sql) %}
    {#- DuckDB answers `create table ... as` with the row count: no extra count query. -#}
    {%- set result = run_query(
        'create or replace temporary table ' ~ relation ~ ' as ' ~ select_sql
    ) -%}
    {{- return(result.columns[0].values()[0] | int) -}}
{% endmacro %}


{% macro spark__identity_create_scratch_table(relation, select_sql) %}
    {%- do run_query('drop table if exists ' ~ relation) -%}
    {%- do run_query('create table ' ~ relation ~ ' using parquet as ' ~ select_sql) -%}
    {%- set result = run_query('select count(*) from ' ~ relation) -%}
    {{- return(result.columns[0].values()[0] | int) -}}
{% endmacro %}


{% macro identity_drop_scratch_table(relation) %}
    {{- return(adapter.dispatch('identity_drop_scratch_table', 'mailmart')(relation)) -}}
{% endmacro %}

{% macro default__identity_drop_scratch_table(relation) %}
    {%- do run_query('drop table if exists ' ~ relation) -%}
{% endmacro %}
