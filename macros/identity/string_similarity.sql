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
    {#- Spark 4 has Jaro-Winkler too, but adds the prefix bonus at any Jaro score, where
        DuckDB (like Winkler's definition) adds it only above 0.7, and scores two empty
        strings 1 where DuckDB scores 0. Below 0.7 the Jaro score is taken back out of Spark's
        (Winkler adds 0.1 x prefix x (1 - Jaro), prefix of at most 4), so both engines agree
        (checked on names, dates and emails in tests/python/test_spark_parity.py). -#}
    {%- set prefix -%}
        case
            {%- for length in [4, 3, 2, 1] %}
            when substr({{ a }}, 1, {{ length }}) = substr({{ b }}, 1, {{ length }})
                and length({{ a }}) >= {{ length }} and length({{ b }}) >= {{ length }}
                then {{ length }}
            {%- endfor %}
            else 0
        end
    {%- endset -%}
    case
        when {{ a }} is null or {{ b }} is null then null
        when {{ a }} = '' or {{ b }} = '' then 0.0
        when jaro_winkler_similarity({{ a }}, {{ b }}) - 0.1 * ({{ prefix }})
            > 0.7 * (1 - 0.1 * ({{ prefix }}))
            then jaro_winkler_similarity({{ a }}, {{ b }})
        else (jaro_winkler_similarity({{ a }}, {{ b }}) - 0.1 * ({{ prefix }}))
            / (1 - 0.1 * ({{ prefix }}))
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
    {#- Spark has plain Levenshtein only (a transposition is two edits there). This is the
        optimal string alignment distance, computed row by row with Spark's array functions:
        a transposition of adjacent characters is one edit, as in DuckDB's
        damerau_levenshtein. The two differ only when a transposed pair is also edited between
        its letters (`ca` -> `abc`: 3 here, 2 in DuckDB), which a one-typo test never meets. -#}
    case
        when {{ a }} is null or {{ b }} is null then null
        when length({{ a }}) = 0 then length({{ b }})
        when length({{ b }}) = 0 then length({{ a }})
        else element_at(
            aggregate(
                sequence(1, length({{ a }})),
                named_struct(
                    'before', cast(array() as array<int>),
                    'last', sequence(0, length({{ b }}))
                ),
                (rows, i) -> named_struct(
                    'before', rows.last,
                    'last', aggregate(
                        sequence(1, length({{ b }})),
                        array(i),
                        (row, j) -> concat(row, array(least(
                            element_at(rows.last, j + 1) + 1,
                            element_at(row, j) + 1,
                            element_at(rows.last, j)
                                + case when substr({{ a }}, i, 1) = substr({{ b }}, j, 1)
                                    then 0 else 1 end,
                            case
                                when i > 1 and j > 1
                                    and substr({{ a }}, i, 1) = substr({{ b }}, j - 1, 1)
                                    and substr({{ a }}, i - 1, 1) = substr({{ b }}, j, 1)
                                    then element_at(rows.before, j - 1) + 1
                            end
                        )))
                    )
                )
            ).last,
            length({{ b }}) + 1
        )
    end
{%- endmacro %}
