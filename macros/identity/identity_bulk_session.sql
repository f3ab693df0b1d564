{#-
    Engine settings for a burst of large create-table-as statements (build_connected_components),
    set at the start and put back at the end. `begin` returns what `end` needs to restore.
-#}

{% macro identity_bulk_session_begin() %}
    {{- return(adapter.dispatch('identity_bulk_session_begin', 'mailmart')()) -}}
{% endmacro %}

{% macro default__identity_bulk_session_begin() %}
    {#- DuckDB keeps row order in `create table as` unless told not to; the scratch tables
        have no order to keep, and without it DuckDB writes them in parallel with less
        memory. The setting is global to the database, so concurrent models see it too
        until `end`: it changes only the physical order of rows they write without
        `order by`. -#}
    {%- set result = run_query("select current_setting('preserve_insertion_order')") -%}
    {%- set previous = result.columns[0].values()[0] -%}
    {%- do run_query('set preserve_insertion_order = false') -%}
    {{- return({'preserve_insertion_order': previous}) -}}
{% endmacro %}

{% macro identity_bulk_session_end(previous) %}
    {{- return(adapter.dispatch('identity_bulk_session_end', 'mailmart')(previous)) -}}
{% endmacro %}

{% macro default__identity_bulk_session_end(previous) %}
    {%- set keep = previous.preserve_insertion_order in [true, 'true', 'True'] -%}
    {%- do run_query('set preserve_insertion_order = ' ~ ('true' if keep else 'false')) -%}
{% endmacro %}
