{% macro delete_erased_customers(relation) %}
    {{- return(adapter.dispatch('delete_erased_customers', 'mailmart')(relation)) -}}
{% endmacro %}

{#-
    Post-hook of the append-only segment log: deletes the rows of customers who asked to be
    erased (`int_erased_customers`), so their history leaves the warehouse, not just the marts.
-#}
{% macro default__delete_erased_customers(relation) -%}
    delete from {{ relation }}
    where customer_id in (select customer_id from {{ ref('int_erased_customers') }})
{%- endmacro %}

{% macro spark__delete_erased_customers(relation) -%}
    {#- Row deletes need a Delta table; on plain Parquet the marts filter erased customers. -#}
    {%- if config.get('file_format') == 'delta' -%}
        delete from {{ relation }}
        where customer_id in (select customer_id from {{ ref('int_erased_customers') }})
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
