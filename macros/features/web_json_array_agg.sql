{% macro web_json_array_agg(value, order_key) %}
    {{- return(adapter.dispatch('web_json_array_agg', 'mailmart')(value, order_key)) -}}
{% endmacro %}

{#-
    Aggregate: the non-null `value`s of a group as a JSON array string (`["a","b"]`), ordered
    by `order_key` ascending (make it unique within the group, e.g. a row_number). A JSON
    string rather than a list type so that marts, contracts and the email platform's export
    read the same text on every engine.
-#}
{% macro default__web_json_array_agg(value, order_key) -%}
    cast(
        to_json(list({{ value }} order by {{ order_key }}) filter (where {{ value }} is not null))
        as varchar
    )
{%- endmacro %}

{% macro spark__web_json_array_agg(value, order_key) -%}
    {#- collect_list has no order by: sort structs on the key, then keep the values. -#}
    to_json(
        transform(
            sort_array(
                collect_list(
                    case
                        when {{ value }} is not null
                            then named_struct('k', {{ order_key }}, 'v', {{ value }})
                    end
                )
            ),
            x -> x.v
        )
    )
{%- endmacro %}
