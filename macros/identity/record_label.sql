{% macro record_label(source_system, source_table, source_record_id) -%}
    {#- How a source record is named in plain-English link reasons ("CRM contact 123"). -#}
    {%- set labels = [
        ['crm', 'contacts', 'CRM contact '],
        ['shop', 'orders', 'shop order '],
        ['order_import', 'orders', 'imported order '],
        ['segment', 'anonymous_ids', 'Segment anonymous id '],
        ['segment', 'user_ids', 'Segment user id '],
        ['enrichment', 'people', 'enrichment record '],
        ['email', 'recipients', 'email recipient '],
    ] -%}
    (case
        {%- for label in labels %}
        when {{ source_system }} = '{{ label[0] }}' and {{ source_table }} = '{{ label[1] }}'
            then '{{ label[2] }}'
        {%- endfor %}
        else {{ source_system }} || ' ' || {{ source_table }} || ' '
    end || {{ source_record_id }})
{%- endmacro %}
