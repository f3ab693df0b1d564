{% macro customer_increment_spec() %}
    {#- What each per-customer feature model that is incremental by customer reads (doc
        `customer_increments`):

        - `inputs`: `name`, `relation` (a ref with `customer_id`; the model refs it too),
          `columns` (every column of it the model reads, and its unique key: the checksum is an
          xor, in which two equal rows cancel; for a table whose rows carry `written_at`, its
          unique key and `written_at` are enough, since such a table changes a row only by
          writing it again: doc `tests_on_new_rows`), and for inputs whose times the model
          compares with as-of, `time` and `horizons`: every distance in seconds it compares at
          (0 for "up to as-of");
        - `macros` and `vars`: the macros and vars the model's rows depend on, for the
          fingerprint.

        An input, column, horizon, macro or var left out here makes incremental runs differ
        from a full build; the equivalence test (tests/python/test_incremental.py) checks that
        they do not. -#}
    {%- set day = 86400 -%}
    {%- set specs = {
        'int_customer_web_aggregated': {
            'inputs': [
                {
                    'name': 'web_events',
                    'relation': ref('int_web_events_attributed'),
                    'columns': ['message_type', 'message_id', 'written_at'],
                    'time': 'occurred_at',
                    'horizons': [
                        0, 7 * day, 30 * day, 90 * day,
                        var('mailmart_abandonment_window_hours', 24) * 3600,
                    ],
                },
                {
                    'name': 'order_lines',
                    'relation': ref('int_order_lines_attributed'),
                    'columns': ['order_id', 'order_line_id', 'line_type', 'product_id', 'occurred_at'],
                    'time': 'occurred_at',
                    'horizons': [0],
                },
            ],
            'macros': [
                web_seconds_between, adapter.dispatch('web_seconds_between', 'mailmart'),
                web_json_array_agg, adapter.dispatch('web_json_array_agg', 'mailmart'),
            ],
            'vars': [
                'mailmart_session_timeout_minutes', 'mailmart_abandonment_window_hours',
                'mailmart_time_on_site_medium_seconds', 'mailmart_time_on_site_long_seconds',
                'mailmart_last_viewed_products',
            ],
        },
        'int_customer_email_aggregated': {
            'inputs': [
                {
                    'name': 'email_events',
                    'relation': ref('int_email_events_attributed'),
                    'columns': ['event_id', 'written_at'],
                    'time': 'occurred_at',
                    'horizons': [0, 30 * day, 90 * day],
                },
                {
                    'name': 'web_events',
                    'relation': ref('int_web_events_attributed'),
                    'columns': ['message_type', 'message_id', 'written_at'],
                    'time': 'occurred_at',
                    'horizons': [0],
                },
                {
                    'name': 'time_zones',
                    'relation': ref('int_customer_time_zones_resolved'),
                    'columns': ['time_zone'],
                },
            ],
            'macros': [
                quarter_hour_floor, adapter.dispatch('quarter_hour_floor', 'mailmart'),
                to_local_time, adapter.dispatch('to_local_time', 'mailmart'),
                iso_weekday, adapter.dispatch('iso_weekday', 'mailmart'),
            ],
            'vars': [
                'mailmart_engagement_half_life_days', 'mailmart_engagement_click_weight',
            ],
        },
    } -%}
    {{- return(specs[model.name]) -}}
{% endmacro %}
