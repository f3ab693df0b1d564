{#-
    Customer increments (doc `customer_increments`): a per-customer feature table that is
    incremental on `customer_id`. A run recomputes only the customers whose rows can differ
    from the kept ones:

    - customers whose inputs changed: per customer and input, a checksum of the rows (every
      column the model reads) and their count, compared with the state the kept rows were
      computed from (`<model>_inputs`). New events, replaced events, events that moved to
      another customer by identity and customers merged away all change a checksum;
    - customers with an input time `t` for which a comparison with as-of flips between the
      as-of of the kept rows and this one: `t + horizon` lies between the two, for each horizon
      the model compares with (0 for "up to as-of", 7 days for "in the last 7 days", the
      abandonment window, ...), widened by two seconds on each side.

    Everything else a row depends on is in the fingerprint (`<model>_run`, with the as-of):
    the model's code, the macros it calls and the vars it reads. A different fingerprint,
    missing state or a full refresh recomputes every customer.

    The pre-hooks compute the inputs' checksums (`<model>_inputs_next`), write the run's
    customers to `<model>_touched` and delete their kept rows;
    the model appends their new rows (a customer merged away gets none); the post-hooks
    replace the state. All of it runs in the model's transaction, so the rows and the state
    they were computed from always agree.

    What a model reads is declared in `customer_increment_spec` (macros/features/
    customer_increment_specs.sql).
-#}

{% macro customer_increment_pre_hooks() %}
    {#- None on Spark, where every model is rebuilt whole (macros/spark/incremental_on_spark.sql). -#}
    {%- if target.type == 'spark' -%}
        {{- return([]) -}}
    {%- endif -%}
    {#- The model's pre-hooks, in order (its config: `pre_hook=customer_increment_pre_hooks()`). -#}
    {{- return([
        '{{ customer_increment_checksum() }}',
        '{{ customer_increment_touch() }}',
        '{{ customer_increment_delete() }}',
    ]) -}}
{% endmacro %}


{% macro customer_increment_post_hooks() %}
    {#- None on Spark, where every model is rebuilt whole (macros/spark/incremental_on_spark.sql). -#}
    {%- if target.type == 'spark' -%}
        {{- return([]) -}}
    {%- endif -%}
    {#- The model's post-hooks, in order. -#}
    {{- return([
        '{{ customer_increment_remember_inputs() }}',
        '{{ customer_increment_remember_run() }}',
        '{{ customer_increment_forget_next() }}',
    ]) -}}
{% endmacro %}


{% macro customer_increment_relation(suffix) %}
    {{- return(sibling_relation(this.identifier ~ '_' ~ suffix)) -}}
{% endmacro %}


{% macro customer_increment_fingerprint(spec) %}
    {#- md5 of what decides a row besides the inputs: this model's code, the code of the macros
        it calls (dispatched ones with this adapter's implementation) and the vars it reads. -#}
    {%- if not execute -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for node in graph.nodes.values() if node.unique_id == model.unique_id -%}
        {%- do parts.append(node.raw_code) -%}
    {%- endfor -%}
    {%- for macro in spec.get('macros', []) -%}
        {%- do parts.append(macro.macro.macro_sql) -%}
    {%- endfor -%}
    {%- for name in spec.get('vars', []) -%}
        {%- do parts.append(name ~ '=' ~ var(name, none)) -%}
    {%- endfor -%}
    {{- return(local_md5(parts | join('\n'))) -}}
{% endmacro %}


{% macro customer_increment_plan() %}
    {#- What this run recomputes: `{'mode': 'all'}` or `{'mode': 'touched', 'bands': [...]}`,
        where each band is (input name, from, to) of input times whose comparison with as-of
        may have flipped. Read at run time, before the pre-hook changes anything. -#}
    {#- unit tests have no `this` -#}
    {%- if this is none or not (execute and is_incremental()) -%}
        {{- return({'mode': 'all'}) -}}
    {%- endif -%}
    {%- set spec = customer_increment_spec() -%}
    {%- set inputs = spec.inputs -%}
    {%- set fingerprint = customer_increment_fingerprint(spec) -%}
    {%- set run_state = load_relation(customer_increment_relation('run')) -%}
    {%- set input_state = load_relation(customer_increment_relation('inputs')) -%}
    {%- if run_state is none or input_state is none -%}
        {{- return({'mode': 'all'}) -}}
    {%- endif -%}
    {%- set kept = run_query(
        "select as_of, fingerprint from " ~ run_state
    ) -%}
    {%- if kept.rows | length != 1 or kept.rows[0][1] != fingerprint or kept.rows[0][0] is none -%}
        {{- return({'mode': 'all'}) -}}
    {%- endif -%}
    {%- set current = run_query(
        "select as_of from " ~ ref('int_as_of_resolved')
    ).rows[0][0] -%}
    {%- set previous = kept.rows[0][0] -%}
    {%- set bands = [] -%}
    {%- if current != previous -%}
        {%- set earlier = [current, previous] | min -%}
        {%- set later = [current, previous] | max -%}
        {%- for input in inputs if input.get('time') -%}
            {%- for horizon in input.get('horizons', [0]) -%}
                {%- do bands.append({
                    'input': input.name,
                    'start': earlier - modules.datetime.timedelta(seconds=horizon + 2),
                    'end': later - modules.datetime.timedelta(seconds=horizon - 2),
                }) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return({'mode': 'touched', 'bands': bands}) -}}
{% endmacro %}


{% macro customer_inputs_checksums(inputs) %}
    {#- Per input and customer: the rows' checksum and count. -#}
    {%- for input in inputs %}
    select
        '{{ input.name }}' as input_name,
        customer_id,
        bit_xor({{ row_checksum(input.columns) }}) as rows_checksum,
        count(*) as row_count
    from {{ input.relation }}
    where customer_id is not null
    group by customer_id
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}


{% macro customer_increment_touch() %}
    {#- Pre-hook: the customers this run recomputes, into `<model>_touched`. -#}
    {%- set plan = customer_increment_plan() -%}
    {%- set inputs = customer_increment_spec().inputs -%}
    {%- if plan.mode == 'touched' -%}
        {%- set timestamp = dbt.type_timestamp() -%}
        create or replace table {{ customer_increment_relation('touched') }} as
        with

        current_inputs as (
            select * from {{ customer_increment_relation('inputs_next') }}
        ),

        changed as (
            select coalesce(current_inputs.customer_id, kept_inputs.customer_id) as customer_id
            from current_inputs
            full outer join {{ customer_increment_relation('inputs') }} as kept_inputs
                on current_inputs.input_name = kept_inputs.input_name
                    and current_inputs.customer_id = kept_inputs.customer_id
            where not coalesce(
                current_inputs.rows_checksum = kept_inputs.rows_checksum
                and current_inputs.row_count = kept_inputs.row_count,
                false
            )
        )

        select customer_id from changed
        {%- for input in inputs if input.get('time') %}
        {%- set input_bands = plan.bands | selectattr('input', 'equalto', input.name) | list %}
        {%- if input_bands %}
        union
        select customer_id
        from {{ input.relation }}
        where customer_id is not null
            and (
                {%- for band in input_bands %}
                {{ input.time }} between cast('{{ band.start }}' as {{ timestamp }})
                and cast('{{ band.end }}' as {{ timestamp }})
                {%- if not loop.last %} or{% endif %}
                {%- endfor %}
            )
        {%- endif %}
        {%- endfor %}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{% macro customer_increment_delete() %}
    {#- Pre-hook: delete the kept rows of the customers this run recomputes (all of them on a
        run that recomputes everyone). -#}
    {%- set plan = customer_increment_plan() -%}
    {%- if not (execute and is_incremental()) -%}
        select 1
    {%- elif plan.mode == 'all' -%}
        delete from {{ this }}
    {%- else -%}
        delete from {{ this }}
        where customer_id in (
            select customer_id from {{ customer_increment_relation('touched') }}
        )
    {%- endif -%}
{%- endmacro %}


{% macro customer_increment_filter(customer_id) %}
    {#- A condition on the model's inputs: only the customers this run recomputes. -#}
    {%- if customer_increment_plan().mode == 'touched' -%}
        {{ customer_id }} in (
            select customer_id from {{ customer_increment_relation('touched') }}
        )
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}


{% macro customer_increment_checksum() %}
    {#- Pre-hook: this run's checksums into `<model>_inputs_next`, read by the next pre-hook and
        kept by the post-hook. -#}
    create or replace table {{ customer_increment_relation('inputs_next') }} as
    {{ customer_inputs_checksums(customer_increment_spec().inputs) }}
{%- endmacro %}


{% macro customer_increment_remember_inputs() %}
    {#- Post-hook: the state becomes the inputs this run computed from. -#}
    create or replace table {{ customer_increment_relation('inputs') }} as
    select * from {{ customer_increment_relation('inputs_next') }}
{%- endmacro %}


{% macro customer_increment_forget_next() %}
    {#- Post-hook: the copy is kept; the pre-hook's table goes. -#}
    drop table if exists {{ customer_increment_relation('inputs_next') }}
{%- endmacro %}


{% macro customer_increment_remember_run() %}
    {#- Post-hook: and the as-of and fingerprint it computed with. -#}
    create or replace table {{ customer_increment_relation('run') }} as
    select
        as_of,
        '{{ customer_increment_fingerprint(customer_increment_spec()) }}' as fingerprint
    from {{ ref('int_as_of_resolved') }}
{%- endmacro %}


{% macro row_checksum(columns) %}
    {{- return(adapter.dispatch('row_checksum', 'mailmart')(columns)) -}}
{% endmacro %}

{% macro default__row_checksum(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__row_checksum(columns) -%}
    xxhash64({{ columns | join(', ') }})
{%- endmacro %}
