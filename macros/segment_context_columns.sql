{% macro segment_context_paths() -%}
    {#- The Segment context fields the event models read, as JSON paths into `context`. -#}
    {{ return([
        '$.ip', '$.userAgent', '$.locale', '$.timezone', '$.device.id', '$.device.type',
        '$.os.name', '$.library.name', '$.page.url', '$.page.path', '$.page.referrer',
        '$.campaign.source', '$.campaign.medium', '$.campaign.name', '$.campaign.term',
        '$.campaign.content',
    ]) }}
{%- endmacro %}

{% macro segment_context_columns(texts='context_texts', include_page=true) -%}
    {#-
        The Segment context fields every event model exposes (see doc `segment_context`),
        from `texts`: `json_texts('context', segment_context_paths())`.
    -#}
    {%- set paths = segment_context_paths() -%}
    {{ json_text_of(texts, paths, '$.ip') }} as ip_address,
    {{ json_text_of(texts, paths, '$.userAgent') }} as user_agent,
    {{ json_text_of(texts, paths, '$.locale') }} as locale,
    {{ json_text_of(texts, paths, '$.timezone') }} as timezone,
    {{ json_text_of(texts, paths, '$.device.id') }} as device_id,
    lower({{ json_text_of(texts, paths, '$.device.type') }}) as device_type,
    {{ json_text_of(texts, paths, '$.os.name') }} as os_name,
    {{ json_text_of(texts, paths, '$.library.name') }} as library_name,
    {%- if include_page %}
    {{ json_text_of(texts, paths, '$.page.url') }} as page_url,
    {{ json_text_of(texts, paths, '$.page.path') }} as page_path,
    {{ json_text_of(texts, paths, '$.page.referrer') }} as page_referrer,
    {%- endif %}
    {{ json_text_of(texts, paths, '$.campaign.source') }} as utm_source,
    {{ json_text_of(texts, paths, '$.campaign.medium') }} as utm_medium,
    {{ json_text_of(texts, paths, '$.campaign.name') }} as utm_campaign,
    {{ json_text_of(texts, paths, '$.campaign.term') }} as utm_term,
    {{ json_text_of(texts, paths, '$.campaign.content') }} as utm_content
{%- endmacro %}
