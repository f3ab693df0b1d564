{# TEMPORARY stub until the real clustering macros land; deleted then. #}


{% materialization connected_components, adapter='duckdb' %}
    {%- set target_relation = this.incorporate(type='table') -%}
    {% call statement('edges') %}
        create or replace temp table cc_edges as
        select node_a as a, node_b as b from ({{ sql }}) union select node_b, node_a from ({{ sql }})
    {% endcall %}
    {% call statement('labels') %}
        create or replace temp table cc_labels as select a as node, min(b) as component from (select a, b from cc_edges union select a, a from cc_edges) group by a
    {% endcall %}
    {% for i in range(200) %}
        {% call statement('step', fetch_result=True) %}
            create or replace temp table cc_next as
            select e.a as node, least(min(l.component), min(s.component)) as component
            from cc_edges e join cc_labels l on e.b = l.node join cc_labels s on e.a = s.node group by e.a
        {% endcall %}
        {% set changed = run_query("select count(*) from cc_next n join cc_labels l using (node) where n.component <> l.component").columns[0].values()[0] %}
        {% call statement('swap') %}create or replace temp table cc_labels as select * from cc_next{% endcall %}
        {% if changed == 0 %}{% break %}{% endif %}
    {% endfor %}
    {% call statement('main') %}
        create or replace table {{ target_relation }} as select node, component from cc_labels
    {% endcall %}
    {{ adapter.commit() }}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
