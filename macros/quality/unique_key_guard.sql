{% macro unique_key_guard(column) %}
    {{- return(adapter.dispatch('unique_key_guard', 'mailmart')(column)) -}}
{% endmacro %}


{% macro spark__unique_key_guard(column) %}
    {#- Spark runs a select hook lazily, that is never, and has no transaction to roll back:
        the key is counted here and a bad key fails the model (the new table is in place). -#}
    {%- if execute -%}
        {%- set counts = run_query(
            'select count(distinct ' ~ column ~ '), count(*) from ' ~ this
        ).rows[0] -%}
        {%- if counts[0] != counts[1] -%}
            {{ exceptions.raise_compiler_error(
                this.identifier ~ ': ' ~ column ~ ' is null or repeated: '
                ~ counts[1] ~ ' rows, ' ~ counts[0] ~ ' distinct keys'
            ) }}
        {%- endif -%}
    {%- endif -%}
    {{- return('select 1') -}}
{% endmacro %}


{% macro default__unique_key_guard(column) %}
    {#-
        Post-hook of a mart the email platform reads: the build of the model fails, and the
        table it replaces stays, when `column` is null or repeated in the new rows. The hook
        runs inside the model's transaction, after the new table took the name and before the
        commit (dbt-duckdb's table materialization), so a failure rolls both back. One pass over
        the key (`count(distinct)` skips nulls, so it equals the row count only when every key
        is there once); an enforced `primary_key` constraint did the same by building an index on
        every insert, 2.9-3.6 s per mart at 1M customers against about 0.2 s here
        (decisions: "Keys checked before a mart is published").
    -#}
    select {{ raise_error_when(
        'count(distinct ' ~ column ~ ') <> count(*)',
        "'" ~ this.identifier ~ ": " ~ column ~ " is null or repeated: not published'",
    ) }} as key_guard
    from {{ this }}
{% endmacro %}


{% macro raise_error_when(condition, message) %}
    {{- return(adapter.dispatch('raise_error_when', 'mailmart')(condition, message)) -}}
{% endmacro %}

{#- An expression that fails the query with `message` (a SQL string) when `condition` holds. -#}
{% macro default__raise_error_when(condition, message) -%}
    case when {{ condition }} then error({{ message }}) end
{%- endmacro %}

{% macro spark__raise_error_when(condition, message) -%}
    case when {{ condition }} then raise_error({{ message }}) end
{%- endmacro %}
