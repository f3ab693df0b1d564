{% macro hash_email(email) %}
    {{- return(adapter.dispatch('hash_email', 'mailmart')(email)) -}}
{% endmacro %}

{#- Lower-case hex SHA-256 of the deliverable address (`deliverable_email`, applied here so
    every caller hashes the same form). -#}
{% macro default__hash_email(email) -%}
    sha256({{ deliverable_email(email) }})
{%- endmacro %}

{% macro spark__hash_email(email) -%}
    sha2({{ deliverable_email(email) }}, 256)
{%- endmacro %}
