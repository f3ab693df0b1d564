{{ config(unique_key='message_id') }}

-- Every Segment `identify` message as its staging view extracts it from JSON, parsed once and
-- kept: incremental by dlt load, see doc `incremental_events`.
with

messages as (
    select *
    from {{ ref('stg_segment__identifies') }}
    where {{ incremental_event_filter(ref('stg_segment__identifies'), 'occurred_at') }}
)

-- the staging view's columns, read at run time, and when this run wrote the row
select
    *,  -- noqa: AM04
    {{ written_at() }} as written_at
from messages
