{% macro json_text(column, path) %}
    {{- return(adapter.dispatch('json_text', 'mailmart')(column, path)) -}}
{% endmacro %}

{% macro default__json_text(column, path) -%}
    json_extract_string({{ column }}, '{{ path }}')
{%- endmacro %}

{% macro spark__json_text(column, path) -%}
    get_json_object({{ column }}, '{{ path }}')
{%- endmacro %}

{% macro json_texts(column, paths) %}
    {#-
        The text at each of `paths` in the JSON `column`, as one list, parsing the JSON once
        (one `json_text` per path parses it once per path: six times slower on Segment's
        context). Read items with `json_text_of`.
    -#}
    {{- return(adapter.dispatch('json_texts', 'mailmart')(column, paths)) -}}
{% endmacro %}

{% macro default__json_texts(column, paths) -%}
    json_extract_string({{ column }}, [
        {%- for path in paths %}'{{ path }}'{{ ", " if not loop.last }}{% endfor -%}
    ])
{%- endmacro %}

{% macro spark__json_texts(column, paths) -%}
    array(
        {%- for path in paths %}get_json_object({{ column }}, '{{ path }}')
        {{- ", " if not loop.last }}{% endfor -%}
    )
{%- endmacro %}

{% macro json_text_of(texts, paths, path) -%}
    {#- The text at `path` from a `json_texts(column, paths)` list named `texts`. -#}
    {%- if path not in paths -%}
        {{ exceptions.raise_compiler_error("json_text_of: " ~ path ~ " is not in " ~ paths) }}
    {%- endif -%}
    {{ adapter.dispatch('list_item', 'mailmart')(texts, paths.index(path) + 1) }}
{%- endmacro %}

{% macro default__list_item(list, position) -%}
    {{ list }}[{{ position }}]
{%- endmacro %}

{% macro spark__list_item(list, position) -%}
    element_at({{ list }}, {{ position }})
{%- endmacro %}
