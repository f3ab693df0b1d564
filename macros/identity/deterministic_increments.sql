{#-
    Deterministic links by identifier (doc `deterministic_increments`):
    `int_identity_links_deterministic` links again only the identifiers whose links can differ
    from the kept ones. An identifier's links (a star from the first record seen with it) depend
    on its observations, on whether it may link, and on whether each of its records may link
    (a record whose own id is blocked or shared does not). The first two change only for
    identifiers `int_identifiers_assessed` assessed again, which it logs
    (`int_identifiers_assessed_changes`); a record's own id is one of those when the record's
    status can have changed. So a run relinks the logged identifiers and every identifier on a
    record whose own id is logged.

    The pre-hooks write those identifiers (`<model>_touched`) and delete their links; the model
    appends their new links; the post-hooks empty the log (this model is its only reader) and
    keep the fingerprint (`<model>_run`: the code of this model, of int_identity_records and of
    record_label). A run that finds an `is_everything` row, a different fingerprint, missing
    state or `--full-refresh` links every identifier.
-#}

{% macro deterministic_increment_relation(suffix) %}
    {{- return(sibling_relation(this.identifier ~ '_' ~ suffix)) -}}
{% endmacro %}


{% macro deterministic_changes_relation() %}
    {{- return(assessed_change_log(
        'int_identity_links_deterministic', ref('int_identifiers_assessed')
    )) -}}
{% endmacro %}


{% macro deterministic_increment_fingerprint() %}
    {%- if not execute -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set parts = [record_label.macro.macro_sql] -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model'
        and node.name in ['int_identity_links_deterministic', 'int_identity_records'] -%}
        {%- do parts.append(node.name ~ ':' ~ node.raw_code) -%}
    {%- endfor -%}
    {{- return(local_md5(parts | sort | join('\n'))) -}}
{% endmacro %}


{% macro deterministic_increment_reads_changes() %}
    {#- True on an incremental run that can trust its kept links (read before the state
        changes). -#}
    {#- unit tests have no `this` -#}
    {%- if this is none or not (execute and is_incremental()) -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set run_state = load_relation(deterministic_increment_relation('run')) -%}
    {%- if run_state is none or not table_exists(deterministic_changes_relation()) -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set kept = run_query('select fingerprint from ' ~ run_state).rows -%}
    {%- if kept | length != 1 or kept[0][0] != deterministic_increment_fingerprint() -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set everything = run_query(
        'select count(*) from ' ~ deterministic_changes_relation() ~ ' where is_everything'
    ).columns[0].values()[0] -%}
    {{- return(everything == 0) -}}
{% endmacro %}


{% macro deterministic_increment_pre_hooks() %}
    {#- None on Spark, where every model is rebuilt whole (macros/spark/incremental_on_spark.sql). -#}
    {%- if target.type == 'spark' -%}
        {{- return([]) -}}
    {%- endif -%}
    {{- return([
        '{{ deterministic_increment_touch() }}',
        '{{ deterministic_increment_delete() }}',
    ]) -}}
{% endmacro %}


{% macro deterministic_increment_post_hooks() %}
    {#- None on Spark, where every model is rebuilt whole (macros/spark/incremental_on_spark.sql). -#}
    {%- if target.type == 'spark' -%}
        {{- return([]) -}}
    {%- endif -%}
    {{- return([
        '{{ empty_change_log(deterministic_changes_relation()) }}',
        '{{ deterministic_increment_remember_run() }}',
    ]) -}}
{% endmacro %}


{% macro deterministic_in_scope(identifier_type, identifier_value) %}
    {{- identifier_in_scope(
        deterministic_increment_relation('touched'), identifier_type, identifier_value
    ) -}}
{%- endmacro %}


{% macro deterministic_increment_touch() %}
    {#- Pre-hook: the identifiers this run links again (`<model>_touched`). -#}
    {%- if deterministic_increment_reads_changes() -%}
        create or replace table {{ deterministic_increment_relation('touched') }} as
        {{ identifiers_of_logged_records(deterministic_changes_relation()) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{% macro deterministic_increment_delete() %}
    {#- Pre-hook: delete the kept links this run makes again (all of them when it links every
        identifier). -#}
    {%- if not (execute and is_incremental()) -%}
        select 1
    {%- elif not deterministic_increment_reads_changes() -%}
        delete from {{ this }}
    {%- else -%}
        delete from {{ this }}
        where {{ deterministic_in_scope('identifier_type', 'identifier_value') }}
    {%- endif -%}
{%- endmacro %}



{% macro deterministic_increment_remember_run() %}
    create or replace table {{ deterministic_increment_relation('run') }} as
    select '{{ deterministic_increment_fingerprint() }}' as fingerprint
{%- endmacro %}
