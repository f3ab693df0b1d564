{#- Helpers of int_identity_links_fuzzy: similarities into levels, levels into weights. -#}

{% macro fuzzy_similarity(a, b) -%}
    {#- string_similarity, without calling it on equal values (similarity 1). The empty string
        is left to string_similarity: Jaro-Winkler gives it 0 even against itself. -#}
    case when {{ a }} = {{ b }} and {{ a }} <> '' then 1.0 else {{ string_similarity(a, b) }} end
{%- endmacro %}


{% macro fuzzy_dates_within_year(a, b) -%}
    {#- Two dates of birth at most a year apart that share the month or the day: a wrong year
        (or a wrong day or month next to it), the `near` level when more than one edit apart.
        Both runs of int_identity_links_fuzzy decide `near` with it, so they cannot disagree. -#}
    (
        abs({{ dbt.datediff(a, b, 'day') }}) <= 366
        and (month({{ a }}) = month({{ b }}) or day({{ a }}) = day({{ b }}))
    )
{%- endmacro %}


{% macro fuzzy_digit_counts(expression) -%}
    {#- How often each digit occurs in a text (a YYYY-MM-DD date), packed four bits a digit
        into one integer: compared with fuzzy_digit_bag_distance. Up to 15 of each digit. -#}
    (
        {%- for digit in range(10) %}
        (length({{ expression }}) - length(replace({{ expression }}, '{{ digit }}', '')))
        * cast({{ 16 ** digit }} as bigint){{ ' +' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}


{% macro fuzzy_digit_bag_distance(a, b) -%}
    {#- The digits of `a` that `b` lacks, counted with repetition (from two fuzzy_digit_counts).
        Each edit (insertion, deletion, substitution) changes this by at most one and a
        transposition not at all, so the edit distance between two digit strings is at least
        this: a cheap test that they are more than a few edits apart. -#}
    (
    {%- for digit in range(10) -%}
        greatest({{ fuzzy_bits(a, 4 * digit, 15) }} - {{ fuzzy_bits(b, 4 * digit, 15) }}, 0)
        {{- ' + ' if not loop.last -}}
    {%- endfor -%}
    )
{%- endmacro %}


{% macro fuzzy_bits(expression, shift, mask) %}
    {{- return(adapter.dispatch('fuzzy_bits', 'mailmart')(expression, shift, mask)) -}}
{% endmacro %}

{% macro default__fuzzy_bits(expression, shift, mask) -%}
    (({{ expression }} >> {{ shift }}) & {{ mask }})
{%- endmacro %}

{% macro spark__fuzzy_bits(expression, shift, mask) -%}
    (shiftright({{ expression }}, {{ shift }}) & {{ mask }})
{%- endmacro %}


{% macro fuzzy_name_level(similarity) -%}
    {#- A name similarity as a level, with the cut-offs of the `settings` CTE (from
        mailmart_fuzzy_settings): exact, similar, weak or different; null when missing. -#}
    case
        when {{ similarity }} is null then null
        when {{ similarity }} >= 1 then 'exact'
        when {{ similarity }} >= settings.name_similar then 'similar'
        when {{ similarity }} >= settings.name_weak then 'weak'
        else 'different'
    end
{%- endmacro %}


{% macro fuzzy_level_weight(comparison, level_column, levels, undecided=[]) -%}
    {#- The weight of a comparison's level from the `weights` CTE (one column per comparison
        and level, `<comparison>__<level>`); a missing field (null level), or a level without a
        row in the seed, weighs 0. The level `undecided` (see fuzzy_scoring_ctes) weighs the
        most of the levels listed in `undecided`. -#}
    case {{ level_column }}
        {%- for level in levels %}
        when '{{ level }}' then coalesce(weights.{{ comparison }}__{{ level }}, 0)
        {%- endfor %}
        {%- if undecided %}
        when 'undecided' then greatest(
            {%- for level in undecided %}
            coalesce(weights.{{ comparison }}__{{ level }}, 0){{ ',' if not loop.last }}
            {%- endfor %}
        )
        {%- endif %}
        else 0
    end
{%- endmacro %}


{% macro fuzzy_two_decimals(expression) -%}
    {#- A 0-1 number as text with two decimals (`0.96`, `1.00`) for link reasons. -#}
    cast(cast({{ expression }} as decimal(3, 2)) as {{ dbt.type_string() }})
{%- endmacro %}
