{#- Helpers of int_identity_links_fuzzy: similarities into levels, levels into weights. -#}

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


{% macro fuzzy_level_weight(comparison, level_column, levels) -%}
    {#- The weight of a comparison's level from the `weights` CTE (one column per comparison
        and level, `<comparison>__<level>`); a missing field (null level), or a level without a
        row in the seed, weighs 0. -#}
    case {{ level_column }}
        {%- for level in levels %}
        when '{{ level }}' then coalesce(weights.{{ comparison }}__{{ level }}, 0)
        {%- endfor %}
        else 0
    end
{%- endmacro %}


{% macro fuzzy_two_decimals(expression) -%}
    {#- A 0-1 number as text with two decimals (`0.96`, `1.00`) for link reasons. -#}
    cast(cast({{ expression }} as decimal(3, 2)) as {{ dbt.type_string() }})
{%- endmacro %}
