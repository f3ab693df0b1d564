{#-
    Incremental fuzzy matching (see doc `fuzzy_incremental`): int_person_records_rescored says
    which records must be compared again, int_identity_links_fuzzy forgets their links and
    scores their pairs, and its post-hooks remember what was scored in a state table.
-#}

{% macro fuzzy_scored_records_relation() %}
    {#- The state of the last scoring: one row per person record scored (fingerprint, blocking
        values, scoring fingerprint). Written only by int_identity_links_fuzzy's post-hooks, in
        the transaction that writes the links, so it always describes the links table. -#}
    {{- return(sibling_relation('int_person_records_scored')) -}}
{% endmacro %}


{% macro fuzzy_compared_columns() %}
    {#- Every column of int_person_records_prepared that a comparison, a blocking key or a
        link reads: a record whose values of these are unchanged keeps its links. -#}
    {%- set compared = [
        'first_name_normalized', 'first_name_canonical', 'last_name_normalized',
        'date_of_birth', 'date_of_birth_swapped', 'street_normalized', 'city_normalized',
        'postcode_normalized', 'street_numbers', 'phone', 'email', 'email_local_part',
        'email_local_digits', 'first_seen_at',
    ] -%}
    {{- return(compared + fuzzy_block_columns()) -}}
{% endmacro %}


{% macro fuzzy_block_columns() %}
    {#- The distinct columns of int_person_records_prepared that feed a blocking key. -#}
    {%- set columns = [] -%}
    {%- for key, column in fuzzy_blocking_keys() if column not in columns -%}
        {%- do columns.append(column) -%}
    {%- endfor -%}
    {{- return(columns) -}}
{% endmacro %}


{% macro fuzzy_record_fingerprint() %}
    {#- md5 of a record's compared values; a null and an empty text differ. -#}
    {%- set text = dbt.type_string() -%}
    md5(concat_ws(
        chr(31),
        {%- for column in fuzzy_compared_columns() %}
        coalesce(cast({{ column }} as {{ text }}), chr(30)){{ ',' if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}


{% macro fuzzy_scoring_fingerprint() %}
    {#- What else decides a link besides the two records: the weight and setting seeds, the
        block size limit, the pre-filter switch, and the code of the fuzzy model and of the
        macros that compare and score. When it changes, every record is scored again. Read at run
        time; the calling model declares `depends_on` both seeds. -#}
    {%- if not execute -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set parts = [
        'max_block_size=' ~ fuzzy_max_block_size(),
        'prefilter=' ~ var('mailmart_fuzzy_evidence_prefilter', true),
    ] -%}
    {%- do parts.append(
        rows_fingerprint([ref('mailmart_fuzzy_weights'), ref('mailmart_fuzzy_settings')])
    ) -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.name == 'int_identity_links_fuzzy' -%}
        {%- do parts.append(node.raw_code) -%}
    {%- endfor -%}
    {#- the scoring's macros; dispatched ones with this adapter's implementation -#}
    {%- for macro in [
        fuzzy_blocking_keys, fuzzy_block_rows, fuzzy_scoring_ctes, fuzzy_level_weight,
        fuzzy_name_level, fuzzy_similarity, fuzzy_digit_counts, fuzzy_digit_bag_distance,
        fuzzy_dates_within_year, fuzzy_two_decimals, fuzzy_bits,
        adapter.dispatch('fuzzy_bits', project_name), string_similarity,
        adapter.dispatch('string_similarity', project_name), string_edit_distance,
        adapter.dispatch('string_edit_distance', project_name),
    ] -%}
        {%- do parts.append(macro.macro.macro_sql) -%}
    {%- endfor -%}
    {{- return(local_md5(parts | join('\n'))) -}}
{% endmacro %}


{% macro fuzzy_block_members_in(records, blocks) %}
    {#- (record_key, block_key, block_value) for every record of `records` in a block listed
        in `blocks` (block_key, block_value): one join per blocking column, so only the
        listed blocks are unpivoted. -#}
    {%- for key, column in fuzzy_blocking_keys() %}
    select
        {{ records }}.record_key,
        {{ blocks }}.block_key,
        {{ blocks }}.block_value
    from {{ records }}
    inner join {{ blocks }}
        on {{ blocks }}.block_key = '{{ key }}'
            and {{ records }}.{{ column }} = {{ blocks }}.block_value
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}


{% macro fuzzy_rescored_records_ran() %}
    {#- Whether int_person_records_rescored is part of this run. When it is not (a run that
        selects int_identity_links_fuzzy alone), its rows may describe an older run, so the
        fuzzy model scores every record and rewrites the state instead of trusting them. -#}
    {%- if not execute -%}
        {{- return(false) -}}
    {%- endif -%}
    {{- return(('model.' ~ project_name ~ '.int_person_records_rescored') in selected_resources) -}}
{% endmacro %}


{% macro fuzzy_rescores_everything() %}
    {#- On an incremental run: score every record again (with the full run's pairing, which is
        cheaper for all records), because no state says what the links were computed from,
        because int_person_records_rescored did not run, or because it says the scoring
        changed. -#}
    {%- if not execute -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- if load_relation(fuzzy_scored_records_relation()) is none
        or not fuzzy_rescored_records_ran() -%}
        {{- return(true) -}}
    {%- endif -%}
    {%- set everything = run_query(
        "select count(*) from " ~ ref('int_person_records_rescored')
        ~ " where rescore_reason in ('scoring changed', 'no previous scoring')"
    ) -%}
    {{- return(everything.columns[0].values()[0] > 0) -}}
{% endmacro %}


{% macro fuzzy_scored_records_select(records) %}
    {#- The state's row for each record of `records` (a relation or CTE shaped like
        int_person_records_prepared). -#}
    select
        -- ids
        record_key,
        -- what was compared
        {{ fuzzy_record_fingerprint() }} as record_fingerprint,
        '{{ fuzzy_scoring_fingerprint() }}' as scoring_fingerprint,
        -- blocking values, to find the blocks a changed record leaves
        {{ fuzzy_block_columns() | join(',\n        ') }}
    from {{ records }}
{%- endmacro %}


{% macro fuzzy_forget_rescored_links() %}
    {#- None on Spark, where every model is rebuilt whole (macros/spark/incremental_on_spark.sql). -#}
    {%- if target.type == 'spark' -%}
        {{- return('select 1') -}}
    {%- endif -%}
    {#- Pre-hook of int_identity_links_fuzzy on incremental runs: drop every link that has a
        record about to be scored again (or removed). -#}
    {%- if not is_incremental() %}
    select 1 as nothing_to_forget
    {%- elif fuzzy_rescores_everything() %}
    delete from {{ this }}
    {%- else %}
    delete from {{ this }}
    where
        record_key_a in (select record_key from {{ ref('int_person_records_rescored') }})
        or record_key_b in (select record_key from {{ ref('int_person_records_rescored') }})
    {%- endif %}
{%- endmacro %}


{% macro fuzzy_remember_scored_records(step) %}
    {#- None on Spark, where every model is rebuilt whole (macros/spark/incremental_on_spark.sql). -#}
    {%- if target.type == 'spark' -%}
        {{- return('select 1') -}}
    {%- endif -%}
    {#- Post-hooks of int_identity_links_fuzzy, in the transaction that writes its links: the
        state table takes the rescored records' new rows (or, when
        int_person_records_rescored did not run, every record's), so it describes the records
        just scored. -#}
    {%- set state = fuzzy_scored_records_relation() -%}
    {%- set rescored = ref('int_person_records_rescored') -%}
    {%- set prepared = ref('int_person_records_prepared') -%}
    {%- set columns = ['record_key', 'record_fingerprint', 'scoring_fingerprint']
        + fuzzy_block_columns() -%}
    {%- if step == 'create' %}
    create table if not exists {{ state }} as
    {{ fuzzy_scored_records_select(prepared) }}
    where 1 = 0
    {%- elif step == 'delete' and fuzzy_rescored_records_ran() %}
    delete from {{ state }} where record_key in (select record_key from {{ rescored }})
    {%- elif step == 'delete' %}
    delete from {{ state }}
    {%- elif fuzzy_rescored_records_ran() %}
    insert into {{ state }} ({{ columns | join(', ') }})
    select {{ columns | join(', ') }} from {{ rescored }}
    where rescore_reason <> 'removed record'
    {%- else %}
    insert into {{ state }} ({{ columns | join(', ') }})
    {{ fuzzy_scored_records_select(prepared) }}
    {%- endif %}
{%- endmacro %}
