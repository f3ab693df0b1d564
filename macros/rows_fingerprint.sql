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
