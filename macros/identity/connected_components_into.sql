{#-
    `dbt run-operation connected_components_into --args '{edges_table: main.edges,
    output_table: main.components}'`: the statements of the connected_components
    materialization, run on an existing edges table (columns node_a, node_b). Replaces
    output_table. Used by bench/bench_components.py and the tests.
-#}
{% macro connected_components_into(
    edges_table,
    output_table,
    max_rounds=64
) %}
    {%- set parts = output_table.split('.') -%}
    {%- if parts | length == 1 -%}
        {%- set output = api.Relation.create(
            database=target.get("database"), schema=target.schema, identifier=parts[0], type='table'
        ) -%}
    {%- elif parts | length == 2 -%}
        {%- set output = api.Relation.create(
            database=target.get("database"), schema=parts[0], identifier=parts[1], type='table'
        ) -%}
    {%- else -%}
        {%- set output = api.Relation.create(
            database=parts[0], schema=parts[1], identifier=parts[2], type='table'
        ) -%}
    {%- endif -%}
    {%- do adapter.drop_relation(output) -%}
    {%- set result = build_connected_components(
        edges_table,
        output,
        max_rounds=max_rounds,
        main_statement='connected_components',
    ) -%}
    {%- do adapter.commit() -%}
    {{- return(result) -}}
{% endmacro %}
