{% macro segment_context_columns(context='context', include_page=true) -%}
    {#- The Segment context fields every event model exposes (see doc `segment_context`). -#}
    {{ json_text(context, '$.ip') }} as ip_address,
    {{ json_text(context, '$.userAgent') }} as user_agent,
    {{ json_text(context, '$.locale') }} as locale,
    {{ json_text(context, '$.timezone') }} as timezone,
    {{ json_text(context, '$.device.id') }} as device_id,
    lower({{ json_text(context, '$.device.type') }}) as device_type,
    {{ json_text(context, '$.os.name') }} as os_name,
    {{ json_text(context, '$.library.name') }} as library_name,
    {%- if include_page %}
    {{ json_text(context, '$.page.url') }} as page_url,
    {{ json_text(context, '$.page.path') }} as page_path,
    {{ json_text(context, '$.page.referrer') }} as page_referrer,
    {%- endif %}
    {{ json_text(context, '$.campaign.source') }} as utm_source,
    {{ json_text(context, '$.campaign.medium') }} as utm_medium,
    {{ json_text(context, '$.campaign.name') }} as utm_campaign,
    {{ json_text(context, '$.campaign.term') }} as utm_term,
    {{ json_text(context, '$.campaign.content') }} as utm_content
{%- endmacro %}
