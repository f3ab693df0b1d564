{% test keeps_every_key_of(model, column_name, source_model) %}
    {#-
        Fails with one row per key of `source_model` missing from `model`: an incremental
        model that skipped a load, or a filter that dropped rows, shows up here.
    -#}
    select source_rows.{{ column_name }}
    from {{ source_model }} as source_rows
    where
        source_rows.{{ column_name }} is not null
        and source_rows.{{ column_name }} not in (
            select kept.{{ column_name }}
            from {{ model }} as kept
            where kept.{{ column_name }} is not null
        )
{% endtest %}
