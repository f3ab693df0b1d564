{#-
    Connected components of an undirected graph, in SQL: minimum-label hooking, pointer
    jumping and graph contraction, repeated on the shrinking graph until no edge is left.
    `edges` has columns node_a and node_b; writes `output_relation` (node, component),
    component = the smallest node id of the component. How it works, why it converges and
    what it costs: docs/identity-clustering.md.

    Returns {'rounds', 'edges_per_round', 'seconds'}; raises if edges remain after max_rounds.
-#}
{% macro build_connected_components(
    edges,
    output_relation,
    max_rounds=64,
    max_jumps=64,
    main_statement='main'
) %}
    {%- set started = modules.datetime.datetime.now() -%}
    {#- Scratch tables are named after the output, so concurrent runs never share one. -#}
    {%- set prefix = 'cc__' ~ modules.re.sub(
        '[^a-z0-9_]', '_', output_relation.identifier | lower
    ) -%}
    {%- set scratch = [] -%}
    {%- set maps = [] -%}
    {%- set edges_per_round = [] -%}
    {%- set state = {'edges': none, 'converged': false, 'thorough': false} -%}

    {#- Round 1 reads the caller's edges: a row with one null end is that node alone, a row
        with two is ignored. -#}
    {%- set source_edges -%}
        (
            select
                coalesce(node_a, node_b) as node_a,
                coalesce(node_b, node_a) as node_b
            from {{ edges }}
            where node_a is not null or node_b is not null
        )
    {%- endset -%}

    {#- Round 1: every node, each with the smallest id of its closed neighbourhood (a node is
        a root when that is itself). Then the map of the other nodes, one pointer jump
        further; roots stay out of it, so later joins build smaller hash tables. -#}
    {%- set hooked = _cc_create(
        prefix ~ '_hooked_1', scratch, _cc_hook_every_node_sql(source_edges)
    ).relation -%}
    {%- set map_1 = _cc_create(prefix ~ '_map_1', scratch, _cc_jump_from_sql(hooked)).relation -%}
    {%- do maps.append(map_1) -%}
    {#- No `distinct` here: the next round's `min` does not mind duplicate edges and its
        contraction removes them, at a fraction of the cost on the full edge set. -#}
    {%- set contracted = _cc_create(
        prefix ~ '_edges_2', scratch, _cc_contract_sql(source_edges, map_1, distinct=false)
    ) -%}
    {%- do edges_per_round.append(contracted.rows) -%}
    {%- do state.update({'edges': contracted.relation, 'converged': contracted.rows == 0}) -%}

    {#- Later rounds work on the contracted graph, whose edges have node_a < node_b: a node
        that is never the larger end is a root. Hooking and one jump share a statement.
        Contraction normally shrinks the edges about threefold a round; when a round keeps
        more than half of them (ids that increase along a chain), pointer jumping runs to
        the roots from then on, which collapses such chains in one round. -#}
    {%- for round in range(2, max_rounds + 1) -%}
        {%- if state.converged -%}
            {%- break -%}
        {%- endif -%}
        {%- set edges_r = state.edges -%}
        {%- set map_r = _cc_create(
            prefix ~ '_map_' ~ round, scratch, _cc_hook_and_jump_sql(edges_r)
        ).relation -%}
        {%- if state.thorough -%}
            {%- set map_r = _cc_jump_to_roots(
                prefix ~ '_map_' ~ round, map_r, scratch, max_jumps
            ) -%}
        {%- endif -%}
        {%- do maps.append(map_r) -%}
        {%- set contracted = _cc_create(
            prefix ~ '_edges_' ~ (round + 1), scratch,
            _cc_contract_sql(edges_r, map_r, distinct=true)
        ) -%}
        {%- do identity_drop_scratch_table(edges_r) -%}
        {%- do state.update({
            'edges': contracted.relation,
            'converged': contracted.rows == 0,
            'thorough': state.thorough or contracted.rows * 2 > edges_per_round[-1],
        }) -%}
        {%- do edges_per_round.append(contracted.rows) -%}
    {%- endfor -%}

    {%- if not state.converged -%}
        {%- for relation in scratch -%}
            {%- do identity_drop_scratch_table(relation) -%}
        {%- endfor -%}
        {{- exceptions.raise_compiler_error(
            'connected_components did not converge in ' ~ max_rounds ~ ' rounds (edges left '
            ~ 'after each round: ' ~ (edges_per_round | join(', ')) ~ '). Node ids must be '
            ~ 'hashes (identity_node_id); see docs/identity-clustering.md.'
        ) -}}
    {%- endif -%}

    {#- Resolve back from the last round: a round's map, followed through the resolved map of
        the round after it, plus the later nodes that this round left alone. -#}
    {%- set resolved = {'relation': maps[-1]} -%}
    {%- for index in range(maps | length - 2, 0, -1) -%}
        {%- set relation = _cc_create(
            prefix ~ '_resolved_' ~ (index + 1), scratch,
            _cc_resolve_sql(maps[index], resolved.relation)
        ).relation -%}
        {%- do resolved.update({'relation': relation}) -%}
    {%- endfor -%}

    {%- call statement(main_statement) -%}
        {{ get_create_table_as_sql(
            False, output_relation, _cc_output_sql(hooked, map_1, resolved.relation, maps | length)
        ) }}
    {%- endcall -%}

    {%- for relation in scratch -%}
        {%- do identity_drop_scratch_table(relation) -%}
    {%- endfor -%}

    {%- set seconds = (modules.datetime.datetime.now() - started).total_seconds() -%}
    {{- log(
        'connected_components ' ~ output_relation ~ ': rounds=' ~ (maps | length)
        ~ ' edges_per_round=' ~ (edges_per_round | join(','))
        ~ ' seconds=' ~ ('%.3f' | format(seconds)),
        info=true
    ) -}}
    {{- return({
        'rounds': maps | length,
        'edges_per_round': edges_per_round,
        'seconds': seconds,
    }) -}}
{% endmacro %}


{#- Creates a scratch table, remembers it for clean-up; returns {'relation', 'rows'}. -#}
{% macro _cc_create(name, scratch, select_sql) %}
    {%- set relation = identity_scratch_relation(name) -%}
    {%- set rows = identity_create_scratch_table(relation, select_sql) -%}
    {%- do scratch.append(relation) -%}
    {{- return({'relation': relation, 'rows': rows}) -}}
{% endmacro %}


{% macro _cc_hook_every_node_sql(edges) -%}
    select
        node,
        min(candidate) as label
    from (
        select node_a as node, least(node_a, node_b) as candidate from {{ edges }} as e
        union all
        select node_b as node, least(node_a, node_b) as candidate from {{ edges }} as e
    ) as incident
    group by node
{%- endmacro %}


{#- From a map of every node: the nodes that hooked elsewhere, with their label's label. -#}
{% macro _cc_jump_from_sql(hooked) -%}
    select
        hooked.node,
        coalesce(parent.label, hooked.label) as label
    from {{ hooked }} as hooked
    left join (
        select node, label from {{ hooked }} where label <> node
    ) as parent
        on hooked.label = parent.node
    where hooked.label <> hooked.node
{%- endmacro %}


{#- On edges with node_a < node_b: each larger end hooks to its smallest neighbour, then
    takes its label's label. -#}
{% macro _cc_hook_and_jump_sql(edges) -%}
    with

    hooked as (
        select
            node_b as node,
            min(node_a) as label
        from {{ edges }}
        group by node_b
    )

    select
        hooked.node,
        coalesce(parent.label, hooked.label) as label
    from hooked
    left join hooked as parent
        on hooked.label = parent.node
{%- endmacro %}


{#- Pointer jumping until every label is a root (not itself a key of the map), at most
    max_jumps times; the map halves its depth with every jump. -#}
{% macro _cc_jump_to_roots(name, map, scratch, max_jumps) %}
    {%- set current = {'relation': map} -%}
    {%- for jump in range(1, max_jumps + 1) -%}
        {%- set pending_sql -%}
            select count(*)
            from {{ current.relation }} as hooked
            inner join {{ current.relation }} as parent
                on hooked.label = parent.node
        {%- endset -%}
        {%- if run_query(pending_sql).columns[0].values()[0] | int == 0 -%}
            {%- break -%}
        {%- endif -%}
        {%- set jump_sql -%}
            select
                hooked.node,
                coalesce(parent.label, hooked.label) as label
            from {{ current.relation }} as hooked
            left join {{ current.relation }} as parent
                on hooked.label = parent.node
        {%- endset -%}
        {%- set jumped = _cc_create(name ~ '_jump_' ~ jump, scratch, jump_sql).relation -%}
        {%- do identity_drop_scratch_table(current.relation) -%}
        {%- do current.update({'relation': jumped}) -%}
    {%- endfor -%}
    {{- return(current.relation) -}}
{% endmacro %}


{#- Contraction: every edge between two different labels, smaller first; edges inside a
    label vanish. The map holds only nodes that moved. -#}
{% macro _cc_contract_sql(edges, map, distinct) -%}
    select {% if distinct %}distinct {% endif %}
        least(label_a, label_b) as node_a,
        greatest(label_a, label_b) as node_b
    from (
        select
            coalesce(map_a.label, e.node_a) as label_a,
            coalesce(map_b.label, e.node_b) as label_b
        from {{ edges }} as e
        left join {{ map }} as map_a
            on e.node_a = map_a.node
        left join {{ map }} as map_b
            on e.node_b = map_b.node
    ) as relabelled
    where label_a <> label_b
{%- endmacro %}


{% macro _cc_resolve_sql(map, resolved_later) -%}
    select
        hooked.node,
        coalesce(later.label, hooked.label) as label
    from {{ map }} as hooked
    left join {{ resolved_later }} as later
        on hooked.label = later.node
    union all
    select
        later.node,
        later.label
    from {{ resolved_later }} as later
    left join {{ map }} as hooked
        on later.node = hooked.node
    where hooked.node is null
{%- endmacro %}


{#- One row per node: the nodes that moved in round 1, then the round-1 roots. -#}
{% macro _cc_output_sql(hooked, map_1, resolved, rounds) -%}
    {%- if rounds == 1 %}
    select node, label as component from {{ map_1 }}
    union all
    select node, node as component from {{ hooked }} where label = node
    {%- else %}
    select
        moved.node,
        coalesce(later.label, moved.label) as component
    from {{ map_1 }} as moved
    left join {{ resolved }} as later
        on moved.label = later.node
    union all
    select
        root.node,
        coalesce(later.label, root.node) as component
    from {{ hooked }} as root
    left join {{ resolved }} as later
        on root.node = later.node
    where root.label = root.node
    {%- endif %}
{%- endmacro %}
