{#-
    Identifier assessment by what changed (doc `assessed_increments`): `int_identifiers_assessed`
    recomputes only the identifiers whose row can differ from the kept one.

    - An identifier's counts, window and first pass (everything seen with it) depend only on the
      observations of its records. Those change only for the records `int_identifiers_observed`
      recomputed, and it logs every identifier of those whose rows differ, before and after, in
      its change log
      (`int_identifiers_observed_changes`). The log holds only what this model has not taken
      in: it reads all of it (the changed identifiers) and empties it in the same transaction.
    - The second pass of an identifier also depends on the first pass of the identifiers seen on
      its records (priority) and of its records' own ids (records of several people). So the
      identifiers on every record that holds an identifier whose first pass flipped are
      recomputed too.

    The first pass of every identifier is kept in the rows (`is_over_limit_before_priority`).
    The pre-hooks compute it for the changed identifiers (`<model>_first_pass_next`: every
    identifier over a limit in the first pass after this run), write the identifiers of the run
    (`<model>_touched`) and delete their kept rows; the model appends their new rows; the
    post-hooks keep what was read (and empty the log) and the fingerprint: the code of this
    model and of int_identifiers_blocked, the rows of the limit and type seeds and of
    int_identifiers_blocked. A different
    fingerprint, missing state, a full refresh, or a run of int_identifiers_observed that
    recomputed everything recomputes every identifier.
-#}

{% macro assessed_increment_relation(suffix) %}
    {{- return(sibling_relation(this.identifier ~ '_' ~ suffix)) -}}
{% endmacro %}


{% macro assessed_changes_relation() %}
    {#- int_identifiers_observed's change log -#}
    {%- set observed = ref('int_identifiers_observed') -%}
    {{- return(api.Relation.create(
        database=observed.database, schema=observed.schema,
        identifier=observed.identifier ~ '_changes'
    )) -}}
{% endmacro %}


{% macro assessed_increment_fingerprint() %}
    {%- if not execute -%}
        {{- return('') -}}
    {%- endif -%}
    {#- the blocked identifiers are a few dozen rows: a new one changes the co-occurrences of
        every identifier seen with it, so any change recomputes everything -#}
    {%- set parts = [rows_fingerprint([
        ref('mailmart_identifier_limits'), ref('mailmart_identifier_types'),
        ref('int_identifiers_blocked'),
    ])] -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model'
        and node.name in ['int_identifiers_assessed', 'int_identifiers_blocked'] -%}
        {%- do parts.append(node.name ~ ':' ~ node.raw_code) -%}
    {%- endfor -%}
    {%- for macro in [identifier_limit_ctes, identifier_first_pass_over] -%}
        {%- do parts.append(macro.macro.macro_sql) -%}
    {%- endfor -%}
    {{- return(local_md5(parts | sort | join('\n'))) -}}
{% endmacro %}


{% macro assessed_increment_last_read() %}
    {#- The last run of the observed model's change log this model has read, or none. -#}
    {%- set read_state = load_relation(assessed_increment_relation('read')) -%}
    {%- if read_state is none -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set rows = run_query('select run_number, fingerprint from ' ~ read_state).rows -%}
    {%- if rows | length != 1 or rows[0][1] != assessed_increment_fingerprint() -%}
        {{- return(none) -}}
    {%- endif -%}
    {{- return(rows[0][0]) -}}
{% endmacro %}


{% macro assessed_increment_reads_changes() %}
    {#- True on an incremental run that can trust its kept rows: the state exists, was written
        with this fingerprint, and no observed run since recomputed every record. -#}
    {#- unit tests have no `this` -#}
    {%- if this is none or not (execute and is_incremental()) -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {%- if 'is_over_limit_before_priority' not in columns -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- if not table_exists(assessed_changes_relation()) -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set last_read = assessed_increment_last_read() -%}
    {%- if last_read is none -%}
        {{- return(false) -}}
    {%- endif -%}
    {#- the log holds only runs not taken in yet: this model empties it when it has -#}
    {%- set everything = run_query(
        'select count(*) from ' ~ assessed_changes_relation() ~ ' where is_everything'
    ).columns[0].values()[0] -%}
    {{- return(everything == 0) -}}
{% endmacro %}


{% macro assessed_increment_pre_hooks() %}
    {#- None on Spark, where every model is rebuilt whole (macros/spark/incremental_on_spark.sql). -#}
    {%- if target.type == 'spark' -%}
        {{- return([]) -}}
    {%- endif -%}
    {%- set hooks = [] -%}
    {%- for reader in assessed_change_log_readers() -%}
        {%- do hooks.append("{{ assessed_increment_create_log('" ~ reader ~ "') }}") -%}
    {%- endfor -%}
    {{- return(hooks + [
        '{{ assessed_increment_changed() }}',
        '{{ assessed_increment_first_pass() }}',
        '{{ assessed_increment_touch() }}',
        '{{ assessed_increment_delete() }}',
    ]) -}}
{% endmacro %}


{% macro assessed_increment_post_hooks() %}
    {#- None on Spark, where every model is rebuilt whole (macros/spark/incremental_on_spark.sql). -#}
    {%- if target.type == 'spark' -%}
        {{- return([]) -}}
    {%- endif -%}
    {%- set hooks = [] -%}
    {%- for reader in assessed_change_log_readers() -%}
        {%- do hooks.append("{{ assessed_increment_log_identifiers('" ~ reader ~ "') }}") -%}
    {%- endfor -%}
    {{- return(hooks + [
        '{{ assessed_increment_remember_read() }}',
        '{{ empty_change_log(assessed_changes_relation()) }}',
    ]) -}}
{% endmacro %}


{% macro identifier_in_scope(scope_relation, identifier_type, identifier_value) %}
    {#- A condition: the identifier is in `scope_relation` (columns scope_type, scope_value:
        names of their own, so an unqualified column here can only be the caller's). Used by
        the models incremental by identifier. -#}
    exists (
        select 1
        from {{ scope_relation }} as scope
        where scope.scope_type = {{ identifier_type }}
            and scope.scope_value = {{ identifier_value }}
    )
{%- endmacro %}


{% macro identifiers_of_logged_records(change_log, other_records=none) %}
    {#- A select of (scope_type, scope_value) for a reader of one of this model's change logs:
        the identifiers in `change_log`, and every identifier on a record whose own id is in it
        (whether a record may link follows its own id) or that `other_records` selects (a
        select of source_system, source_table, source_record_id), if given. -#}
    with

    changed as (
        select distinct
            identifier_type,
            identifier_value
        from {{ change_log }}
        where not is_everything
    ),

    observations as (
        select * from {{ ref('int_identifiers_observed') }}
        where identifier_type <> 'source_record'
    ),

    -- records whose own id was assessed again: whether they may link can have changed
    key_records as (
        select
            observations.source_system,
            observations.source_table,
            observations.source_record_id
        from observations
        inner join changed
            on observations.identifier_type = changed.identifier_type
                and observations.identifier_value = changed.identifier_value
        where observations.is_record_key
    ),

    records_of_the_run as (
        select * from key_records
        {%- if other_records %}
        union
        {{ other_records }}
        {%- endif %}
    )

    select
        identifier_type as scope_type,
        identifier_value as scope_value
    from changed
    union
    {{ identifiers_on_records('records_of_the_run') }}
{%- endmacro %}


{% macro identifiers_on_records(records) %}
    {#- A select of (scope_type, scope_value): every identifier the CTE `observations` (the
        observed rows, without `source_record`) holds on the records of `records` (a CTE with
        source_system, source_table, source_record_id). -#}
    select
        observations.identifier_type as scope_type,
        observations.identifier_value as scope_value
    from observations
    inner join {{ records }}
        on observations.source_system = {{ records }}.source_system
            and observations.source_table = {{ records }}.source_table
            and observations.source_record_id = {{ records }}.source_record_id
{%- endmacro %}


{% macro assessed_in_scope(relation_suffix, identifier_type, identifier_value) %}
    {{- identifier_in_scope(
        assessed_increment_relation(relation_suffix), identifier_type, identifier_value
    ) -}}
{%- endmacro %}


{% macro assessed_increment_changed() %}
    {#- Pre-hook: the identifiers the observed model's runs since the last read changed
        (`<model>_changed`). -#}
    {%- if assessed_increment_reads_changes() -%}
        create or replace table {{ assessed_increment_relation('changed') }} as
        select distinct
            identifier_type as scope_type,
            identifier_value as scope_value
        from {{ assessed_changes_relation() }}
        where not is_everything
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{% macro assessed_increment_first_pass() %}
    {#- Pre-hook: every identifier over a limit in the first pass after this run
        (`<model>_first_pass_next`): the kept ones that did not change, and the changed ones
        computed again. -#}
    {%- if assessed_increment_reads_changes() -%}
        create or replace table {{ assessed_increment_relation('first_pass_next') }} as
        with

        all_observations as (
            select * from {{ ref('int_identifiers_observed') }}
        ),

        observations as (
            select * from all_observations
            where identifier_type <> 'source_record'
                and {{ assessed_in_scope('changed', 'identifier_type', 'identifier_value') }}
        ),

        limits as (
            select * from {{ ref('mailmart_identifier_limits') }}
        ),

        blocked as (
            select * from {{ ref('int_identifiers_blocked') }}
        ),

        {{ identifier_limit_ctes() }}

        {{ identifier_first_pass_over() }}

        select identifier_type, identifier_value from first_pass_over
        union all
        select identifier_type, identifier_value
        from {{ this }}
        where is_over_limit_before_priority
            and not {{ assessed_in_scope('changed', 'identifier_type', 'identifier_value') }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{% macro assessed_increment_touch() %}
    {#- Pre-hook: the identifiers this run recomputes (`<model>_touched`): the changed ones,
        and every identifier on a record that holds one whose first pass flipped. -#}
    {%- if assessed_increment_reads_changes() -%}
        create or replace table {{ assessed_increment_relation('touched') }} as
        with

        kept_over as (
            select identifier_type, identifier_value
            from {{ this }}
            where is_over_limit_before_priority
        ),

        next_over as (
            select identifier_type, identifier_value
            from {{ assessed_increment_relation('first_pass_next') }}
        ),

        flipped as (
            (select * from kept_over except select * from next_over)
            union
            (select * from next_over except select * from kept_over)
        ),

        observations as (
            select * from {{ ref('int_identifiers_observed') }}
            where identifier_type <> 'source_record'
        ),

        flipped_records as (
            select distinct
                observations.source_system,
                observations.source_table,
                observations.source_record_id
            from observations
            inner join flipped
                on observations.identifier_type = flipped.identifier_type
                    and observations.identifier_value = flipped.identifier_value
        )

        select scope_type, scope_value
        from {{ assessed_increment_relation('changed') }}
        union
        {{ identifiers_on_records('flipped_records') }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{% macro assessed_increment_delete() %}
    {#- Pre-hook: delete the kept rows this run recomputes (every row when it recomputes all). -#}
    {%- if not (execute and is_incremental()) -%}
        select 1
    {%- elif not assessed_increment_reads_changes() -%}
        delete from {{ this }}
    {%- else -%}
        delete from {{ this }}
        where {{ assessed_in_scope('touched', 'identifier_type', 'identifier_value') }}
    {%- endif -%}
{%- endmacro %}


{% macro assessed_change_log_readers() %}
    {#- The models that read this model's change logs, one log each. -#}
    {{- return(['int_identity_links_deterministic', 'customer_identifiers']) -}}
{% endmacro %}


{% macro assessed_change_log(reader, assessed) %}
    {#- The change log int_identifiers_assessed (`assessed`) keeps for `reader`: its identifiers
        assessed again, or one `is_everything` row. Each reader empties its own. The
        deterministic links' log kept its name from when it was the only one. -#}
    {%- set suffix = '_changes' if reader == 'int_identity_links_deterministic'
        else '_changes_' ~ reader -%}
    {{- return(api.Relation.create(
        database=assessed.database, schema=assessed.schema,
        identifier=assessed.identifier ~ suffix
    )) -}}
{% endmacro %}


{% macro assessed_increment_create_log(reader) %}
    {#- Pre-hook: this model's change log for `reader` (see assessed_change_log_readers): the
        identifiers each run assessed again, or one `is_everything` row for a run that
        assessed all of them. Its reader empties it. -#}
    create table if not exists {{ assessed_change_log(reader, this) }} (
        identifier_type {{ dbt.type_string() }},
        identifier_value {{ dbt.type_string() }},
        is_everything boolean
    )
{%- endmacro %}


{% macro assessed_increment_log_identifiers(reader) %}
    {#- Post-hook: log the identifiers this run assessed (before the state changes) for
        `reader`. -#}
    {%- if assessed_increment_reads_changes() -%}
        insert into {{ assessed_change_log(reader, this) }}
        select
            scope_type as identifier_type,
            scope_value as identifier_value,
            false as is_everything
        from {{ assessed_increment_relation('touched') }}
    {%- else -%}
        insert into {{ assessed_change_log(reader, this) }}
        values (null, null, true)
    {%- endif -%}
{%- endmacro %}


{% macro assessed_increment_remember_read() %}
    {#- Post-hook: the last run of the change log this model has taken in (all of it: an
        incremental run read every run after the last one, a full one reflects them all), with
        the fingerprint its rows were computed with. -#}
    {%- set last_read = assessed_increment_last_read() if is_incremental() else none -%}
    create or replace table {{ assessed_increment_relation('read') }} as
    select
        {%- if table_exists(assessed_changes_relation()) %}
        coalesce(
            (select max(run_number) from {{ assessed_changes_relation() }}),
            {{ last_read or 0 }}
        ) as run_number,
        {%- else %}
        cast({{ last_read or 0 }} as bigint) as run_number,
        {%- endif %}
        '{{ assessed_increment_fingerprint() }}' as fingerprint
{%- endmacro %}



{% macro identifier_limit_ctes() %}
    {#- The CTEs every limit counts from, given `observations` (the identifiers to assess, no
        `source_record` rows), `all_observations`, `limits` and `blocked`: `identifiers`,
        `co_occurrences` and `co_occurrences_in_window`, each followed by a comma. -#}
identifiers as (
    select
        identifier_type,
        identifier_value,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        count(*) as record_count
    from observations
    group by 1, 2
),

-- pairs of identifiers seen on the same record, for the types that have a limit (unique
-- without a `distinct`: observations are unique per record and identifier, limits per pair of
-- types, and every count below is of distinct values anyway)
co_occurrences as (
    select
        observations.identifier_type,
        observations.identifier_value,
        observations.source_system,
        observations.source_table,
        observations.source_record_id,
        coalesce(observations.is_record_key, false) as is_record_key,
        limits.linked_type,
        limits.window_days,
        linked.identifier_value as linked_identifier_value,
        -- `source_record` limits count records, which are only unique with their system
        case
            when linked.identifier_type = 'source_record'
                then linked.source_system || ':' || linked.source_table || ':'
                    || linked.identifier_value
            else linked.identifier_value
        end as linked_value,
        linked.last_seen_at as linked_last_seen_at
    from observations
    inner join limits
        on observations.identifier_type = limits.identifier_type
    inner join all_observations as linked
        on observations.source_system = linked.source_system
            and observations.source_table = linked.source_table
            and observations.source_record_id = linked.source_record_id
            and limits.linked_type = linked.identifier_type
    -- a placeholder value on the other side says nothing about sharing
    left join blocked
        on linked.identifier_type = blocked.identifier_type
            and linked.identifier_value = blocked.identifier_value
    where blocked.identifier_value is null
),

-- the window: what was seen together in the identifier's last `window_days` days. Kept (both
-- passes read it), so only the columns they need: the limit's other columns are joined back
-- after counting (7.4M rows at 1M customers).
co_occurrences_in_window as (
    select
        co_occurrences.identifier_type,
        co_occurrences.identifier_value,
        co_occurrences.source_system,
        co_occurrences.source_table,
        co_occurrences.source_record_id,
        co_occurrences.is_record_key,
        co_occurrences.linked_type,
        co_occurrences.linked_identifier_value,
        co_occurrences.linked_value
    from co_occurrences
    inner join identifiers
        on co_occurrences.identifier_type = identifiers.identifier_type
            and co_occurrences.identifier_value = identifiers.identifier_value
    where co_occurrences.linked_last_seen_at >= {{ dbt.dateadd(
        'day', '-1 * co_occurrences.window_days', 'identifiers.last_seen_at'
    ) }}
),
{%- endmacro %}


{% macro identifier_first_pass_over() %}
    {#- The CTE `first_pass_over` (no comma after it), from identifier_limit_ctes. -#}
-- First pass: every identifier over any of its limits, counting everything seen with it.
first_pass_over as (
    select distinct
        first_pass_checks.identifier_type,
        first_pass_checks.identifier_value
    from (
        select
            identifier_type,
            identifier_value,
            linked_type,
            count(distinct linked_value) as linked_count
        from co_occurrences_in_window
        group by 1, 2, 3
    ) as first_pass_checks
    inner join limits
        on first_pass_checks.identifier_type = limits.identifier_type
            and first_pass_checks.linked_type = limits.linked_type
    where first_pass_checks.linked_count > limits.max_linked
)
{%- endmacro %}
