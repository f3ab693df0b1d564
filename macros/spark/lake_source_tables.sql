{% macro lake_source_tables() %}
    {{- return(adapter.dispatch('lake_source_tables', 'mailmart')()) -}}
{% endmacro %}

{#- DuckDB reads the raw tables dlt loaded into the warehouse: nothing to declare. -#}
{% macro default__lake_source_tables() %}
    select 1
{% endmacro %}

{% macro spark__lake_source_tables() %}
    {#-
        Declares every raw table of the lake (`python -m ingestion load --destination lake`)
        in Spark's catalog, so `source()` resolves as on DuckDB. The loader lists the tables
        with files in `LAKE_DIR/_tables/*.json`, with the column a new load replaces rows by:
        - insert-only tables (events) are external Parquet tables over their folder;
        - replaced tables get an external table `<name>__files` holding every load, and a
          view `<name>` that keeps, per replace key, the rows of the latest load (what dlt's
          delete-insert does in the DuckDB warehouse; Parquet files have no row deletes).
        Tables are declared again in every run, so new columns and folders are picked up.
    -#}
    {%- if not execute -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set lake = env_var('LAKE_DIR', 'data/lake') -%}
    {%- set listing = lake.rstrip('/') ~ '/_tables' -%}
    {%- set tables = run_query(
        "select dataset, table_name, replace_key, file_format, location"
        ~ " from json.`" ~ listing ~ "` order by dataset, table_name"
    ) -%}
    {%- for dataset in tables.columns['dataset'].values() | unique -%}
        {%- do run_query('create database if not exists ' ~ dataset) -%}
    {%- endfor -%}
    {%- for row in tables.rows -%}
        {%- set name = row['dataset'] ~ '.`' ~ row['table_name'] ~ '`' -%}
        {%- set files = row['dataset'] ~ '.`' ~ row['table_name'] ~ '__files`' -%}
        {%- set target = name if row['replace_key'] is none else files -%}
        {%- do run_query('drop view if exists ' ~ name) if row['replace_key'] is not none -%}
        {%- do run_query('drop table if exists ' ~ target) -%}
        {%- do run_query(
            'create table ' ~ target ~ ' using ' ~ row['file_format']
            ~ " location '" ~ row['location'] ~ "'"
        ) -%}
        {%- if row['replace_key'] is not none -%}
            {%- set key = row['replace_key'] -%}
            {%- do run_query(
                'create view ' ~ name ~ ' as select * from ' ~ files ~ ' as stored'
                ~ ' left semi join (select ' ~ key ~ ', max(_dlt_load_id) as latest_load'
                ~ ' from ' ~ files ~ ' group by ' ~ key ~ ') as latest'
                ~ ' on stored.' ~ key ~ ' <=> latest.' ~ key
                ~ ' and stored._dlt_load_id = latest.latest_load'
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('select 1') }}
{% endmacro %}
