{#-
    materialized='connected_components': the model selects the edges of an undirected graph
    (columns node_a, node_b: 64-bit hashed node ids, see identity_node_id; a self-edge
    (a, a) is a node with no links) and dbt stores one row per node, `node` and `component`,
    the smallest node id of its component. Built under a temporary name and swapped in, like
    a table.

    Config: cc_max_rounds (default 64), see build_connected_components.
-#}
{% materialization connected_components, default %}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set intermediate_relation = make_intermediate_relation(target_relation) -%}
    {%- set preexisting_intermediate_relation = load_cached_relation(intermediate_relation) -%}
    {%- set backup_type = 'table' if existing_relation is none else existing_relation.type -%}
    {%- set backup_relation = make_backup_relation(target_relation, backup_type) -%}
    {%- set preexisting_backup_relation = load_cached_relation(backup_relation) -%}
    {%- set grant_config = config.get('grants') -%}

    {{ drop_relation_if_exists(preexisting_intermediate_relation) }}
    {{ drop_relation_if_exists(preexisting_backup_relation) }}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {#- The model's SQL runs once, into a scratch table: the first round reads the edges
        twice, and the query behind them (hashing identifiers, unions) may be costly. -#}
    {%- set edges = identity_scratch_relation(
        'cc__' ~ modules.re.sub('[^a-z0-9_]', '_', target_relation.identifier | lower) ~ '_input'
    ) -%}
    {%- set edges_sql -%}
        select node_a, node_b from (
            {{ compiled_code }}
        ) as model_edges
    {%- endset -%}
    {%- do identity_create_scratch_table(edges, edges_sql) -%}

    {%- do build_connected_components(
        edges,
        intermediate_relation,
        max_rounds=config.get('cc_max_rounds', 64),
    ) -%}
    {%- do identity_drop_scratch_table(edges) -%}

    {%- if existing_relation is not none -%}
        {{ adapter.rename_relation(existing_relation, backup_relation) }}
    {%- endif -%}
    {{ adapter.rename_relation(intermediate_relation, target_relation) }}

    {{ run_hooks(post_hooks, inside_transaction=True) }}

    {%- set should_revoke = should_revoke(existing_relation, full_refresh_mode=True) -%}
    {%- do apply_grants(target_relation, grant_config, should_revoke=should_revoke) -%}
    {%- do persist_docs(target_relation, model) -%}

    {{ adapter.commit() }}

    {{ drop_relation_if_exists(backup_relation) }}

    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
