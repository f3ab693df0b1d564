{% macro rows_fingerprint(relations) %}
    {#- md5 of the rows of small relations (seeds), sorted, read at run time: a model that keeps
        what it derived from a lookup compares this to tell whether the lookup changed. A
        relation not built yet adds nothing. The caller declares `depends_on` each one. -#}
    {%- if not execute -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for relation in relations -%}
        {%- set loaded = load_relation(relation) -%}
        {%- set rows = run_query('select * from ' ~ loaded) if loaded is not none else [] -%}
        {%- set lines = [] -%}
        {%- for row in rows -%}
            {%- do lines.append(row.values() | join('=')) -%}
        {%- endfor -%}
        {%- do parts.append(relation.identifier ~ ':' ~ (lines | sort | join(';'))) -%}
    {%- endfor -%}
    {{- return(local_md5(parts | join('\n'))) -}}
{% endmacro %}


{% macro sibling_relation(identifier) %}
    {#- A table next to the calling model (same database and schema): where an incremental
        model keeps the state it was computed from. -#}
    {{- return(api.Relation.create(
        database=this.database, schema=this.schema, identifier=identifier
    )) -}}
{% endmacro %}


{% macro lookups_state_relation() %}
    {#- One row: the rows_fingerprint of the lookups the model's kept rows were derived
        with, `<model>_lookups` next to the model. -#}
    {{- return(sibling_relation(this.identifier ~ '_lookups')) -}}
{% endmacro %}


{% macro lookups_unchanged(fingerprint) %}
    {#- Whether the model's kept rows were derived with lookups of this fingerprint. -#}
    {%- set state = lookups_state_relation() -%}
    {%- if not execute or load_relation(state) is none -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set same = run_query(
        "select count(*) from " ~ state ~ " where lookups_fingerprint = '" ~ fingerprint ~ "'"
    ) -%}
    {{- return(same.columns[0].values()[0] > 0) -}}
{% endmacro %}


{% macro remember_lookups(fingerprint) %}
    {#- None on Spark, where every model is rebuilt whole (macros/spark/incremental_on_spark.sql). -#}
    {%- if target.type == 'spark' -%}
        {{- return('select 1') -}}
    {%- endif -%}
    {#- Post-hook: record the fingerprint the model's rows were just derived with. -#}
    create or replace table {{ lookups_state_relation() }} as
    select '{{ fingerprint }}' as lookups_fingerprint
{%- endmacro %}


{% macro table_exists(relation) %}
    {#- Whether the table exists, asked of the database rather than dbt's relation cache: the
        cache is filled when a run starts and does not know tables that hooks created since
        (another model's state table, on a new warehouse). -#}
    {%- if not execute -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- if target.type == 'spark' -%}
        {{- return(load_relation(relation) is not none) -}}
    {%- endif -%}
    {%- set found = run_query(
        "select count(*) from information_schema.tables"
        ~ " where table_catalog = '" ~ relation.database ~ "'"
        ~ " and table_schema = '" ~ relation.schema ~ "'"
        ~ " and table_name = '" ~ relation.identifier ~ "'"
    ).columns[0].values()[0] -%}
    {{- return(found > 0) -}}
{% endmacro %}


{% macro empty_change_log(relation) %}
    {#- Post-hook of a change log's only reader: everything in the log was taken in by this
        run (the reader's transaction sees no later writes), so all of it goes. -#}
    {%- if table_exists(relation) -%}
        delete from {{ relation }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{% macro code_fingerprint(macros=[], vars=[]) %}
    {#- md5 of the code that decides the calling model's rows besides the rows it reads: its own
        code and that of the models it reads, the given macros (dispatched ones as this
        adapter's implementation) and the given vars' values. -#}
    {%- if not execute -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- set read = [model.unique_id] + model.depends_on.nodes -%}
    {%- for node in graph.nodes.values() if node.unique_id in read -%}
        {%- do parts.append(node.unique_id ~ ':' ~ node.raw_code) -%}
    {%- endfor -%}
    {%- for macro in macros -%}
        {%- do parts.append(macro.macro.macro_sql) -%}
    {%- endfor -%}
    {%- for name in vars -%}
        {%- do parts.append(name ~ '=' ~ var(name, none)) -%}
    {%- endfor -%}
    {{- return(local_md5(parts | sort | join('\n'))) -}}
{% endmacro %}
