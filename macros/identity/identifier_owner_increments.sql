{#-
    Identifier owners by identifier (doc `identifier_owner_increments`): `customer_identifiers`
    recomputes only the identifiers whose row can differ from the kept one. An identifier's row
    depends on:

    - its assessment (status, counts, window), and which records carry it: these change only
      for identifiers `int_identifiers_assessed` assessed again, which it logs for this model
      (`int_identifiers_assessed_changes_customer_identifiers`: it assesses again every
      identifier the observations changed);
    - whether each of its records may link, which follows the record's own id: the identifiers
      on a record whose own id is logged;
    - the customer of each of its records: the identifiers on every record
      `int_record_assignments_logged` logged since this model last read it (a new record, or
      one whose customer changed). That log is never emptied; this model keeps the runs it has
      read (`<model>_assignments_read`, by invocation id);
    - whether that customer is erased: the identifiers on the records of every customer who
      entered or left `int_erased_customers` since the kept copy (`<model>_erased`).

    Everything else is in the fingerprint (`<model>_run`): the code of this model and of
    int_identity_records. A different fingerprint, missing state, an `is_everything` row in the
    log or `--full-refresh` recomputes every identifier.

    The pre-hooks write the run's identifiers (`<model>_touched`) and delete their kept rows;
    the model appends their new rows; the post-hooks empty the log (this model is its only
    reader) and keep the assignment runs read, the erased customers and the fingerprint. All of
    it runs in the model's transaction. The state tables are in the identity schema, so that
    the marts schema holds only marts.
-#}

{% macro owner_increment_relation(suffix) %}
    {#- `<model>_<suffix>` in the identity schema, next to the log it reads: the marts schema
        holds only what marketers query. -#}
    {%- set identity = ref('int_identifiers_assessed') -%}
    {{- return(api.Relation.create(
        database=identity.database, schema=identity.schema,
        identifier=this.identifier ~ '_' ~ suffix
    )) -}}
{% endmacro %}


{% macro owner_changes_relation() %}
    {#- int_identifiers_assessed's change log for this model -#}
    {{- return(assessed_change_log('customer_identifiers', ref('int_identifiers_assessed'))) -}}
{% endmacro %}


{% macro owner_increment_fingerprint() %}
    {%- if not execute -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model'
        and node.name in ['customer_identifiers', 'int_identity_records'] -%}
        {%- do parts.append(node.name ~ ':' ~ node.raw_code) -%}
    {%- endfor -%}
    {{- return(local_md5(parts | sort | join('\n'))) -}}
{% endmacro %}


{% macro owner_increment_reads_changes() %}
    {#- True on an incremental run that can trust its kept rows (read before the state
        changes). -#}
    {#- unit tests have no `this` -#}
    {%- if this is none or not (execute and is_incremental()) -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- for suffix in ['run', 'assignments_read', 'erased'] -%}
        {%- if not table_exists(owner_increment_relation(suffix)) -%}
            {{- return(false) -}}
        {%- endif -%}
    {%- endfor -%}
    {%- if not table_exists(owner_changes_relation()) -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set kept = run_query(
        'select fingerprint from ' ~ owner_increment_relation('run')
    ).rows -%}
    {%- if kept | length != 1 or kept[0][0] != owner_increment_fingerprint() -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set everything = run_query(
        'select count(*) from ' ~ owner_changes_relation() ~ ' where is_everything'
    ).columns[0].values()[0] -%}
    {{- return(everything == 0) -}}
{% endmacro %}


{% macro owner_increment_pre_hooks() %}
    {#- None on Spark, where every model is rebuilt whole (macros/spark/incremental_on_spark.sql). -#}
    {%- if target.type == 'spark' -%}
        {{- return([]) -}}
    {%- endif -%}
    {{- return([
        '{{ owner_increment_touch() }}',
        '{{ owner_increment_delete() }}',
    ]) -}}
{% endmacro %}


{% macro owner_increment_post_hooks() %}
    {#- None on Spark, where every model is rebuilt whole (macros/spark/incremental_on_spark.sql). -#}
    {%- if target.type == 'spark' -%}
        {{- return([]) -}}
    {%- endif -%}
    {{- return([
        '{{ empty_change_log(owner_changes_relation()) }}',
        '{{ owner_increment_remember_assignments() }}',
        '{{ owner_increment_remember_erased() }}',
        '{{ owner_increment_remember_run() }}',
    ]) -}}
{% endmacro %}


{% macro owner_in_scope(identifier_type, identifier_value) %}
    {{- identifier_in_scope(
        owner_increment_relation('touched'), identifier_type, identifier_value
    ) -}}
{%- endmacro %}


{% macro owner_increment_touch() %}
    {#- Pre-hook: the identifiers this run recomputes (`<model>_touched`). -#}
    {%- if owner_increment_reads_changes() -%}
        {%- set other_records -%}
        -- records that are new or whose customer changed since the last read
        select
            assigned.source_system,
            assigned.source_table,
            assigned.source_record_id
        from {{ ref('int_record_assignments_logged') }} as logged
        inner join {{ ref('int_customer_ids_assigned') }} as assigned
            on logged.record_key = assigned.record_key
        where not exists (
            select 1
            from {{ owner_increment_relation('assignments_read') }} as done
            where done.read_invocation_id = logged.invocation_id
        )
        union
        -- the records of customers erased, or no longer erased, since the kept copy
        select
            assigned.source_system,
            assigned.source_table,
            assigned.source_record_id
        from {{ ref('int_customer_ids_assigned') }} as assigned
        inner join (
            (
                select customer_id from {{ ref('int_erased_customers') }}
                except
                select erased_customer_id from {{ owner_increment_relation('erased') }}
            )
            union
            (
                select erased_customer_id from {{ owner_increment_relation('erased') }}
                except
                select customer_id from {{ ref('int_erased_customers') }}
            )
        ) as erasure_changes
            on assigned.customer_id = erasure_changes.customer_id
        {%- endset %}
        create or replace table {{ owner_increment_relation('touched') }} as
        {{ identifiers_of_logged_records(owner_changes_relation(), other_records) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{% macro owner_increment_delete() %}
    {#- Pre-hook: delete the kept rows this run recomputes (all of them when it recomputes
        every identifier). -#}
    {%- if not (execute and is_incremental()) -%}
        select 1
    {%- elif not owner_increment_reads_changes() -%}
        delete from {{ this }}
    {%- else -%}
        delete from {{ this }}
        where {{ owner_in_scope('identifier_type', 'identifier_value') }}
    {%- endif -%}
{%- endmacro %}


{% macro owner_increment_remember_assignments() %}
    {#- Post-hook: every run of the assignment log is taken in (an incremental run read the
        new ones, a full one reflects them all). -#}
    create or replace table {{ owner_increment_relation('assignments_read') }} as
    select distinct invocation_id as read_invocation_id
    from {{ ref('int_record_assignments_logged') }}
{%- endmacro %}


{% macro owner_increment_remember_erased() %}
    {#- Post-hook: the erased customers the rows were computed with. -#}
    create or replace table {{ owner_increment_relation('erased') }} as
    select customer_id as erased_customer_id
    from {{ ref('int_erased_customers') }}
{%- endmacro %}


{% macro owner_increment_remember_run() %}
    create or replace table {{ owner_increment_relation('run') }} as
    select '{{ owner_increment_fingerprint() }}' as fingerprint
{%- endmacro %}
