{% macro graph_relation(model_name) %}
    {#- The relation of a model of this project, looked up in the graph rather than `ref`'d, so
        the caller does not become its child (a test that must not be picked up by selections
        that build only that model). Run time only. -#}
    {%- set node = graph.nodes['model.' ~ project_name ~ '.' ~ model_name] -%}
    {{- return(api.Relation.create(
        database=node.database, schema=node.schema, identifier=node.alias
    )) -}}
{% endmacro %}
