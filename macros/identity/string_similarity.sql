{% macro string_similarity(a, b) %}
    {{- return(adapter.dispatch('string_similarity', 'mailmart')(a, b)) -}}
{% endmacro %}

{#-
    Similarity of two strings from 0 (nothing alike) to 1 (equal); null when either is null.
    Fuzzy person matching compares names, streets, cities and emails with it, against cut-offs
    in `mailmart_fuzzy_settings`.
-#}
{% macro default__string_similarity(a, b) -%}
    {#- Jaro-Winkler: made for short strings such as names, rewards a shared prefix. -#}
    jaro_winkler_similarity({{ a }}, {{ b }})
{%- endmacro %}

{% macro spark__string_similarity(a, b) -%}
    {#- Spark has no Jaro-Winkler: Levenshtein distance normalised by the longer length. It
        scores typos a little lower than Jaro-Winkler does (one typo in a 6-letter name: 0.83
        against about 0.9), so lower the `*_similar` cut-offs by about 0.05 on Spark. -#}
    case
        when {{ a }} is null or {{ b }} is null then null
        when greatest(length({{ a }}), length({{ b }})) = 0 then 1.0
        else 1.0 - levenshtein({{ a }}, {{ b }}) / greatest(length({{ a }}), length({{ b }}))
    end
{%- endmacro %}


{% macro string_edit_distance(a, b) %}
    {{- return(adapter.dispatch('string_edit_distance', 'mailmart')(a, b)) -}}
{% endmacro %}

{#-
    Number of single-character edits between two strings; null when either is null. Used for
    "one typo apart" (dates of birth written YYYY-MM-DD, postcodes).
-#}
{% macro default__string_edit_distance(a, b) -%}
    {#- Damerau-Levenshtein: a transposition (`1987` -> `1978`) is one edit. -#}
    damerau_levenshtein({{ a }}, {{ b }})
{%- endmacro %}

{% macro spark__string_edit_distance(a, b) -%}
    {#- Spark has plain Levenshtein only: a transposition counts as two edits. -#}
    levenshtein({{ a }}, {{ b }})
{%- endmacro %}
