{#-
    Normalisation for fuzzy person matching: what two spellings of one name, street or postcode
    have in common. Null in, null out; an empty result is null.
-#}

{% macro fuzzy_fold_accents(expression) %}
    {{- return(adapter.dispatch('fuzzy_fold_accents', 'mailmart')(expression)) -}}
{% endmacro %}

{% macro default__fuzzy_fold_accents(expression) -%}
    {#- strip_accents handles combining marks (é, ñ, ö); the letters it leaves alone are
        replaced one by one. Input is lower case. -#}
    replace(replace(replace(replace(replace(
        strip_accents({{ expression }}),
        'ß', 'ss'), 'ø', 'o'), 'ł', 'l'), 'æ', 'ae'), 'đ', 'd')
{%- endmacro %}

{% macro spark__fuzzy_fold_accents(expression) -%}
    {#- Spark has no accent folding: every letter of Latin-1 and Latin Extended-A/B that is a
        base letter with combining marks is translated to its base letter (the letters
        DuckDB's strip_accents folds, generated from Unicode's decompositions), then the same
        five letters as above. -#}
    replace(replace(replace(replace(replace(
        translate(
            {{ expression }},
            'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳ',
            'AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcCcCcDdEeEeEeEeEeGgGgGgGgHhIiIiIiIiIJjKkLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzOoUuAaIiOoUuUuUuUuUuAaAaGgKkOoOojGgNnAaAaAaEeEeIiIiOoOoRrRrUuUuSsTtHhAaEeOoOoOoOoYy'
        ),
        'ß', 'ss'), 'ø', 'o'), 'ł', 'l'), 'æ', 'ae'), 'đ', 'd')
{%- endmacro %}


{% macro fuzzy_fold_name(expression) -%}
    {#- A name as letters only: lower case, accents folded, spaces, hyphens, apostrophes and
        digits removed (`O'Brien-Smith` -> `obriensmith`, `Müller` -> `muller`). -#}
    nullif(
        {{ fuzzy_regexp_replace_all(fuzzy_fold_accents('lower(trim(' ~ expression ~ '))'), '[^a-z]', '') }},
        ''
    )
{%- endmacro %}


{% macro fuzzy_fold_text(expression) -%}
    {#- Free text such as a street address: lower case, accents folded, every run of other
        characters a single space (`12, Rue de l'Église` -> `12 rue de l eglise`). -#}
    nullif(
        trim({{ fuzzy_regexp_replace_all(
            fuzzy_fold_accents('lower(' ~ expression ~ ')'), '[^a-z0-9]+', ' '
        ) }}),
        ''
    )
{%- endmacro %}


{% macro fuzzy_postcode(expression) -%}
    {#- Upper-case letters and digits only: `sw1a 1aa` and `SW1A1AA` are one postcode. -#}
    nullif({{ fuzzy_regexp_replace_all('upper(' ~ expression ~ ')', '[^A-Z0-9]', '') }}, '')
{%- endmacro %}


{% macro fuzzy_regexp_replace_all(expression, pattern, replacement) %}
    {{- return(adapter.dispatch('fuzzy_regexp_replace_all', 'mailmart')(
        expression, pattern, replacement
    )) -}}
{% endmacro %}

{% macro default__fuzzy_regexp_replace_all(expression, pattern, replacement) -%}
    {#- DuckDB replaces the first match only unless told 'g'. -#}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro spark__fuzzy_regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}


{% macro person_records_normalized_fingerprint() %}
    {#- md5 of what decides a row of int_person_records_normalized besides its source row: the
        code of the model and of the staging models it reads, and the macros that fold text
        and shape emails. A kept row normalised with another fingerprint is normalised again
        (doc `person_records_normalized`). Empty in a unit test, which has no `this` and
        no graph. -#}
    {%- if not execute or this is none -%}
        {{- return('') -}}
    {%- endif -%}
    {{- return(code_fingerprint(macros=[
        fuzzy_fold_name, fuzzy_fold_text, fuzzy_postcode, fuzzy_fold_accents,
        fuzzy_regexp_replace_all, adapter.dispatch('fuzzy_regexp_replace_all', project_name),
        identity_email, normalize_email, digits_only,
        adapter.dispatch('digits_only', project_name),
    ])) -}}
{% endmacro %}
