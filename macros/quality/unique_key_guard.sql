{% macro unique_key_guard(column) %}
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
