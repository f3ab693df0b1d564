{#-
    The memberships of every active segment in seed `mailmart_segments`, as one `union all`
    over the relation (or CTE) `inputs`: a row per customer and segment whose rule holds.

    A segment with `split_by` becomes one segment per value of that column
    (`category_affinity:home_and_kitchen`), for its `split_top_n` most common values when set.
    The rules are read from the seed when the model runs (`execute`); while dbt parses, or
    when the seed is not loaded yet (the lint target), the select is empty but typed.
-#}
{% macro segment_membership_selects(inputs) %}
    {%- set text = dbt.type_string() -%}
    {%- set definitions = [] -%}
    {%- if execute -%}
        {%- set seed = load_relation(ref('mailmart_segments')) -%}
        {%- if seed is not none -%}
            {%- set rows = run_query(
                "select segment_name, segment_family, priority, rule, explain_columns, "
                ~ "split_by, split_top_n from " ~ seed
                ~ " where is_active order by priority, segment_name"
            ) -%}
            {%- for row in rows -%}
                {%- do definitions.append({
                    'name': row[0],
                    'family': row[1],
                    'priority': row[2],
                    'rule': row[3],
                    'explain': (row[4] or '').split(),
                    'split_by': row[5],
                    'split_top_n': row[6],
                }) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {%- if definitions | length == 0 %}
    select
        cast(null as {{ text }}) as customer_id,
        cast(null as {{ text }}) as segment_name,
        cast(null as {{ text }}) as segment_definition,
        cast(null as {{ text }}) as segment_family,
        cast(null as integer) as segment_priority,
        cast(null as {{ text }}) as segment_rule,
        cast(null as {{ text }}) as rule_values
    from {{ inputs }}
    where 1 = 0
    {%- endif %}
    {%- for definition in definitions %}
    {%- set explain = definition.explain %}
    {%- if definition.split_by and definition.split_by not in explain %}
        {%- set explain = [definition.split_by] + explain %}
    {%- endif %}
    select
        {{ inputs }}.customer_id,
        {%- if definition.split_by %}
        '{{ definition.name }}:' || {{ segment_slug(inputs ~ '.' ~ definition.split_by) }}
            as segment_name,
        {%- else %}
        '{{ definition.name }}' as segment_name,
        {%- endif %}
        '{{ definition.name }}' as segment_definition,
        '{{ definition.family }}' as segment_family,
        cast({{ definition.priority }} as integer) as segment_priority,
        {{ sql_string(definition.rule) }} as segment_rule,
        {{ json_object_of(explain, inputs) }} as rule_values
    from {{ inputs }}
    {#- `true and`: Spark reads `from <table> where (<column>)` as an alias with a column list #}
    where true and ({{ definition.rule }})
    {%- if definition.split_by %}
        and {{ inputs }}.{{ definition.split_by }} is not null
        {%- if definition.split_top_n %}
        and {{ inputs }}.{{ definition.split_by }} in (
            select split_value
            from (
                select
                    split_value,
                    row_number() over (order by members desc, split_value) as split_position
                from (
                    select
                        {{ definition.split_by }} as split_value,
                        count(*) as members
                    from {{ inputs }}
                    where true and ({{ definition.rule }})
                    group by {{ definition.split_by }}
                ) as split_sizes
            ) as split_ranks
            where split_position <= {{ definition.split_top_n }}
        )
        {%- endif %}
    {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{% endmacro %}
