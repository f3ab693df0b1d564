{{ config(unique_key='message_id') }}

-- Every Segment `page` message as its staging view extracts it from JSON, parsed once and
-- kept: incremental by dlt load, see doc `incremental_events`.
-- The raw JSON (properties) stays in staging: every field the project uses is a column.
with

messages as (
    select {{ star_except(ref('stg_segment__pages'), ['properties']) }}
    from {{ ref('stg_segment__pages') }}
    where {{ incremental_event_filter(ref('stg_segment__pages'), 'occurred_at') }}
)

-- the staging view's columns, read at run time, and when this run wrote the row
select
    *,  -- noqa: AM04
    {{ written_at() }} as written_at
from messages
