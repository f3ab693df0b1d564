{% macro fuzzy_blocking_keys() %}
    {#-
        Blocking for fuzzy person matching: only records that share a value of at least one of
        these keys are compared, so the work grows with the records, not their square. Each
        entry is (key, column of int_person_records_prepared); two columns may feed one key (a
        date of birth meets its day/month-swapped twin, a first name meets a last name
        entered in the first-name box). Keys are deliberately redundant: a
        typo in one field still leaves the pair sharing another key.
    -#}
    {{ return([
        ('date_of_birth', 'block_date_of_birth'),
        ('date_of_birth', 'block_date_of_birth_swapped'),
        ('name_birth_year', 'block_last_name_birth_year'),
        ('name_birth_year', 'block_first_name_birth_year'),
        ('postcode_first_initial', 'block_postcode_first_initial'),
        ('postcode_last_initial', 'block_postcode_last_initial'),
        ('full_name', 'block_full_name'),
        ('full_name', 'block_full_name_canonical'),
        ('first_name_last_initial', 'block_first_name_last_initial'),
        ('last_name_first_initial', 'block_last_name_first_initial'),
        ('name_initials_birth_decade', 'block_name_initials_birth_decade'),
        ('city_name', 'block_city_last_name'),
        ('city_name', 'block_city_first_name'),
        ('email_local_part', 'block_email_local_part'),
        ('phone', 'block_phone'),
    ]) }}
{% endmacro %}


{% macro fuzzy_max_block_size() %}
    {#- Blocks with more records than this are skipped (a block of n records costs n(n-1)/2
        comparisons; a huge block is a placeholder or a very common value, not evidence). The
        test `fuzzy_blocks_within_limit` reports them. -#}
    {{ return(var('mailmart_fuzzy_max_block_size', 100)) }}
{% endmacro %}


{% macro fuzzy_block_rows(relation, record_column='record_key') -%}
    {#- One row per record and blocking key value: (record_column, block_key, block_value). -#}
    {%- for key, column in fuzzy_blocking_keys() %}
    select
        {{ record_column }},
        '{{ key }}' as block_key,
        {{ column }} as block_value
    from {{ relation }}
    where {{ column }} is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
