"""Amazon SES events (``ses/**/*.json``) into ``raw_ses.events``, one row per record and recipient.

Two record shapes are accepted, one per line or as a JSON array:

- event publishing (configuration-set event destinations): ``eventType`` is Send, Delivery,
  Bounce, Complaint, Reject, Open, Click, Rendering Failure, DeliveryDelay or Subscription;
- notifications (identity feedback): ``notificationType`` is Bounce, Complaint or Delivery.

An SNS HTTP envelope (``{"Type": "Notification", "Message": "<json>", ...}``) is unwrapped: the
record is the JSON in ``Message``. The event's details are in an object named after the event
(``bounce``, ``complaint``, ``delivery``, ``open``, ``click``, ``deliveryDelay``,
``subscription``, ``reject``, ``send``; ``failure`` for Rendering Failure) and the message in
``mail``.

A record can concern several recipients. They are taken from the first non-empty list of
``bounce.bouncedRecipients``, ``complaint.complainedRecipients``, ``delivery.recipients``,
``deliveryDelay.delayedRecipients``, else ``mail.destination``; each (distinct) recipient is one
row. The record key ``event_key`` is a hash of the whole normalised record (shared by its rows);
the row key is ``event_recipient_key``.

Rejected: not JSON, not an object, no ``eventType``/``notificationType``, no recipient, a
missing or unparseable timestamp (the event's own, else ``mail.timestamp``).

Columns of ``events``:

- ``event_recipient_key`` (varchar, key): md5 of ``event_key`` and the recipient.
- ``event_key`` (varchar): md5 of the record's minified JSON text.
- ``event_type`` (varchar): ``eventType`` or ``notificationType`` as sent.
- ``record_format`` (varchar): ``event_publishing`` or ``notification``.
- ``message_id`` (varchar): SES message id (``mail.messageId``).
- ``feedback_id`` (varchar): bounce or complaint feedback id.
- ``recipient`` (varchar): recipient address as given (staging normalises).
- ``timestamp`` (timestamptz): event time (``<event>.timestamp``, else ``mail.timestamp``).
- ``mail_timestamp`` (timestamptz): when the message was sent.
- ``mail_source``, ``source_arn``, ``sending_account_id``, ``subject`` (varchar): of the message.
- ``bounce_type``, ``bounce_sub_type`` (varchar): e.g. Permanent / General.
- ``complaint_feedback_type``, ``complaint_sub_type`` (varchar): e.g. abuse.
- ``delay_type`` (varchar), ``expiration_time`` (timestamptz): of a DeliveryDelay.
- ``status``, ``action``, ``diagnostic_code`` (varchar): per recipient, of bounces and delays.
- ``smtp_response`` (varchar), ``processing_time_ms`` (bigint): of a Delivery.
- ``reporting_mta``, ``remote_mta_ip`` (varchar).
- ``reason`` (varchar): why SES rejected the message (Reject).
- ``error_message``, ``template_name`` (varchar): of a Rendering Failure.
- ``url`` (varchar), ``link_tags`` (json text): clicked link and its tags.
- ``ip``, ``user_agent`` (varchar): of opens, clicks and complaints.
- ``contact_list``, ``subscription_source`` (varchar), ``unsubscribe_all`` (boolean),
  ``new_topic_preferences``, ``old_topic_preferences`` (json text): of a Subscription event.
- ``tags`` (json text): ``mail.tags`` (configuration set, custom tags).
- ``sns_message_id`` (varchar): SNS envelope ``MessageId`` when the record came wrapped.
- ``payload`` (varchar): the SES record (unwrapped from SNS) as JSON text.
- ``_landing_file`` (varchar), ``_record_number`` (bigint): where the record came from.
"""

from __future__ import annotations

from ingestion.framework import Source, Table
from ingestion.sources.sql import (
    JSON_OBJECT_PROBLEM,
    json_raw,
    json_text,
    reasons,
    timestamp_problem,
)

# The SES record, after unwrapping an SNS envelope.
R = "ses_record"

SNS_MESSAGE = json_text("record", "$.Message")
IS_SNS_NOTIFICATION = (
    f"({json_text('record', '$.Type')} = 'Notification' "
    f"and json_valid({SNS_MESSAGE}) and json_type({SNS_MESSAGE}) = 'OBJECT')"
)

# Where the recipients of each event type are listed, in order of preference.
RECIPIENT_LISTS = (
    "$.bounce.bouncedRecipients",
    "$.complaint.complainedRecipients",
    "$.delivery.recipients",
    "$.deliveryDelay.delayedRecipients",
    "$.mail.destination",
)

# Where the event's own timestamp is; mail.timestamp is the fallback.
TIMESTAMPS = (
    "$.bounce.timestamp",
    "$.complaint.timestamp",
    "$.delivery.timestamp",
    "$.deliveryDelay.timestamp",
    "$.open.timestamp",
    "$.click.timestamp",
    "$.subscription.timestamp",
    "$.reject.timestamp",
    "$.failure.timestamp",
    "$.send.timestamp",
    "$.mail.timestamp",
)


def recipient_address(element: str) -> str:
    """A recipient list element (an address, or an object with ``emailAddress``) as text."""
    return (
        f"(case when json_type({element}) = 'OBJECT' "
        f"then json_extract_string({element}, '$.emailAddress') "
        f"else json_extract_string({element}, '$') end)"
    )


RECIPIENTS = (
    "coalesce("
    + ", ".join(
        f"case when json_array_length({R}, '{path}') > 0 then json_extract({R}, '{path}') end"
        for path in RECIPIENT_LISTS
    )
    + ")::varchar"
)

TIMESTAMP_TEXT = "coalesce(" + ", ".join(json_text(R, path) for path in TIMESTAMPS) + ")"

CLASSIFY = f"""
with

unwrapped as (
    select
        *,
        case when {IS_SNS_NOTIFICATION} then {SNS_MESSAGE} else record end as ses_record,
        case when {IS_SNS_NOTIFICATION} then {json_text("record", "$.MessageId")} end
            as sns_message_id
    from records
),

fields as (
    select
        *,
        md5(json({R})::varchar) as event_key,
        coalesce({json_text(R, "$.eventType")}, {json_text(R, "$.notificationType")})
            as event_type,
        case
            when {json_text(R, "$.eventType")} is not null then 'event_publishing'
            when {json_text(R, "$.notificationType")} is not null then 'notification'
        end as record_format,
        {RECIPIENTS} as recipients_json,
        {TIMESTAMP_TEXT} as timestamp_text
    from unwrapped
),

counted as (
    select
        *,
        coalesce(len(list_filter(
            json_extract(recipients_json, '$[*]'),
            lambda r: nullif(trim({recipient_address("r")}), '') is not null
        )), 0) as recipient_count
    from fields
)

select
    *,
    'events' as target_table,
    coalesce({JSON_OBJECT_PROBLEM}, {
    reasons(
        "case when nullif(trim(event_type), '') is null "
        "then 'missing eventType/notificationType' end",
        "case when recipient_count = 0 then 'missing recipient' end",
        timestamp_problem("timestamp", "timestamp_text", required=True),
    )
}) as reject_reason,
    event_key as dedup_key,
    null::timestamptz as version
from counted
"""

EVENTS = f"""
with

expanded as (
    select
        a.*,
        r.recipient_json,
        r.recipient_number,
        {recipient_address("r.recipient_json")} as recipient
    from accepted as a,
        unnest(json_extract(a.recipients_json, '$[*]'))
            with ordinality as r(recipient_json, recipient_number)
    where a.target_table = 'events'
),

recipients as (
    select *
    from expanded
    where nullif(trim(recipient), '') is not null
    qualify row_number() over (partition by event_key, recipient order by recipient_number) = 1
)

select
    md5(event_key || '|' || recipient) as event_recipient_key,
    event_key,
    event_type,
    record_format,
    {json_text(R, "$.mail.messageId")} as message_id,
    coalesce({json_text(R, "$.bounce.feedbackId")}, {json_text(R, "$.complaint.feedbackId")})
        as feedback_id,
    recipient,
    try_cast(timestamp_text as timestamptz) as "timestamp",
    try_cast({json_text(R, "$.mail.timestamp")} as timestamptz) as mail_timestamp,
    {json_text(R, "$.mail.source")} as mail_source,
    {json_text(R, "$.mail.sourceArn")} as source_arn,
    {json_text(R, "$.mail.sendingAccountId")} as sending_account_id,
    {json_text(R, "$.mail.commonHeaders.subject")} as subject,
    {json_text(R, "$.bounce.bounceType")} as bounce_type,
    {json_text(R, "$.bounce.bounceSubType")} as bounce_sub_type,
    {json_text(R, "$.complaint.complaintFeedbackType")} as complaint_feedback_type,
    {json_text(R, "$.complaint.complaintSubType")} as complaint_sub_type,
    {json_text(R, "$.deliveryDelay.delayType")} as delay_type,
    try_cast({json_text(R, "$.deliveryDelay.expirationTime")} as timestamptz) as expiration_time,
    json_extract_string(recipient_json, '$.status') as status,
    json_extract_string(recipient_json, '$.action') as action,
    json_extract_string(recipient_json, '$.diagnosticCode') as diagnostic_code,
    {json_text(R, "$.delivery.smtpResponse")} as smtp_response,
    try_cast({json_text(R, "$.delivery.processingTimeMillis")} as bigint) as processing_time_ms,
    coalesce({json_text(R, "$.bounce.reportingMTA")}, {json_text(R, "$.delivery.reportingMTA")})
        as reporting_mta,
    coalesce({json_text(R, "$.bounce.remoteMtaIp")}, {json_text(R, "$.delivery.remoteMtaIp")})
        as remote_mta_ip,
    {json_text(R, "$.reject.reason")} as reason,
    {json_text(R, "$.failure.errorMessage")} as error_message,
    {json_text(R, "$.failure.templateName")} as template_name,
    {json_text(R, "$.click.link")} as url,
    {json_raw(R, "$.click.linkTags")} as link_tags,
    coalesce({json_text(R, "$.open.ipAddress")}, {json_text(R, "$.click.ipAddress")}) as ip,
    coalesce(
        {json_text(R, "$.open.userAgent")},
        {json_text(R, "$.click.userAgent")},
        {json_text(R, "$.complaint.userAgent")}
    ) as user_agent,
    {json_text(R, "$.subscription.contactList")} as contact_list,
    {json_text(R, "$.subscription.source")} as subscription_source,
    try_cast({json_text(R, "$.subscription.newTopicPreferences.unsubscribeAll")} as boolean)
        as unsubscribe_all,
    {json_raw(R, "$.subscription.newTopicPreferences")} as new_topic_preferences,
    {json_raw(R, "$.subscription.oldTopicPreferences")} as old_topic_preferences,
    {json_raw(R, "$.mail.tags")} as tags,
    sns_message_id,
    {R} as payload,
    landing_file as _landing_file,
    record_number as _record_number
from recipients
"""

SOURCE = Source(
    name="ses",
    folder="ses",
    kind="json",
    classify_sql=CLASSIFY,
    tables=(
        Table("events", "event_recipient_key", "insert-only", EVENTS, dedup_column="event_key"),
    ),
    keep="first",
)
