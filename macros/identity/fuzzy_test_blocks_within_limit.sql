{% test fuzzy_blocks_within_limit(model, max_size=none) %}
    {#- One row per blocking key value shared by more records than the limit: those blocks are
        skipped by fuzzy matching, so pairs found only through them are never compared. Run
        with severity warn: it reports, it does not stop the build. -#}
    {%- set limit = max_size if max_size is not none else fuzzy_max_block_size() %}
    with

    block_rows as (
        {{ fuzzy_block_rows(model) }}
    )

    select
        block_key,
        block_value,
        count(distinct record_key) as record_count
    from block_rows
    group by block_key, block_value
    having count(distinct record_key) > {{ limit }}
{% endtest %}
