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
    extract_fields,
    fields_list,
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


# The classify step reads these with one parse of the record (see ``sql.extract_fields``).
CLASSIFY_FIELDS = {
    "event_type_field": "$.eventType",
    "notification_type_field": "$.notificationType",
    **{f"timestamp_{i}": path for i, path in enumerate(TIMESTAMPS, start=1)},
}
RECIPIENT_FIELDS = {f"recipient_list_{i}": p for i, p in enumerate(RECIPIENT_LISTS, start=1)}

RECIPIENTS = (
    "coalesce("
    + ", ".join(
        f"case when json_array_length({name}) > 0 then {name} end" for name in RECIPIENT_FIELDS
    )
    + ")::varchar"
)

TIMESTAMP_NAMES = [name for name in CLASSIFY_FIELDS if name.startswith("timestamp_")]
TIMESTAMP_TEXT = "coalesce(" + ", ".join(TIMESTAMP_NAMES) + ")"

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

parsed as (
    select
        *,
        {fields_list(R, CLASSIFY_FIELDS)},
        json_extract({R}, [{", ".join(f"'{p}'" for p in RECIPIENT_LISTS)}]) as _lists
    from unwrapped
),

extracted as (
    select
        * exclude (_fields, _lists),
        {extract_fields(CLASSIFY_FIELDS)},
        {", ".join(f"_lists[{i}] as {name}" for i, name in enumerate(RECIPIENT_FIELDS, start=1))}
    from parsed
),

fields as (
    select
        * exclude ({", ".join([*CLASSIFY_FIELDS, *RECIPIENT_FIELDS])}),
        md5(json({R})::varchar) as event_key,
        coalesce(event_type_field, notification_type_field) as event_type,
        case
            when event_type_field is not null then 'event_publishing'
            when notification_type_field is not null then 'notification'
        end as record_format,
        {RECIPIENTS} as recipients_json,
        {TIMESTAMP_TEXT} as timestamp_text
    from extracted
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

# The projection reads these with one parse per record, before recipients are expanded.
EVENT_FIELDS = {
    "message_id": "$.mail.messageId",
    "bounce_feedback_id": "$.bounce.feedbackId",
    "complaint_feedback_id": "$.complaint.feedbackId",
    "mail_timestamp_text": "$.mail.timestamp",
    "mail_source": "$.mail.source",
    "source_arn": "$.mail.sourceArn",
    "sending_account_id": "$.mail.sendingAccountId",
    "subject": "$.mail.commonHeaders.subject",
    "bounce_type": "$.bounce.bounceType",
    "bounce_sub_type": "$.bounce.bounceSubType",
    "complaint_feedback_type": "$.complaint.complaintFeedbackType",
    "complaint_sub_type": "$.complaint.complaintSubType",
    "delay_type": "$.deliveryDelay.delayType",
    "expiration_time_text": "$.deliveryDelay.expirationTime",
    "smtp_response": "$.delivery.smtpResponse",
    "processing_time_text": "$.delivery.processingTimeMillis",
    "bounce_reporting_mta": "$.bounce.reportingMTA",
    "delivery_reporting_mta": "$.delivery.reportingMTA",
    "bounce_remote_mta_ip": "$.bounce.remoteMtaIp",
    "delivery_remote_mta_ip": "$.delivery.remoteMtaIp",
    "reason": "$.reject.reason",
    "error_message": "$.failure.errorMessage",
    "template_name": "$.failure.templateName",
    "url": "$.click.link",
    "open_ip": "$.open.ipAddress",
    "click_ip": "$.click.ipAddress",
    "open_user_agent": "$.open.userAgent",
    "click_user_agent": "$.click.userAgent",
    "complaint_user_agent": "$.complaint.userAgent",
    "contact_list": "$.subscription.contactList",
    "subscription_source": "$.subscription.source",
    "unsubscribe_all_text": "$.subscription.newTopicPreferences.unsubscribeAll",
}

# Kept as JSON text, as sent.
EVENT_JSON_FIELDS = {
    "link_tags": "$.click.linkTags",
    "new_topic_preferences": "$.subscription.newTopicPreferences",
    "old_topic_preferences": "$.subscription.oldTopicPreferences",
    "tags": "$.mail.tags",
}

EVENTS = f"""
with

parsed as (
    select
        *,
        {fields_list(R, EVENT_FIELDS)},
        {fields_list(R, EVENT_JSON_FIELDS, as_json=True)}
    from accepted
    where target_table = 'events'
),

fields as (
    select
        * exclude (_fields, _json_fields),
        {extract_fields(EVENT_FIELDS)},
        {extract_fields(EVENT_JSON_FIELDS, as_json=True)}
    from parsed
),

expanded as (
    select
        a.*,
        r.recipient_json,
        r.recipient_number,
        {recipient_address("r.recipient_json")} as recipient
    from fields as a,
        unnest(json_extract(a.recipients_json, '$[*]'))
            with ordinality as r(recipient_json, recipient_number)
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
    message_id,
    coalesce(bounce_feedback_id, complaint_feedback_id) as feedback_id,
    recipient,
    try_cast(timestamp_text as timestamptz) as "timestamp",
    try_cast(mail_timestamp_text as timestamptz) as mail_timestamp,
    mail_source,
    source_arn,
    sending_account_id,
    subject,
    bounce_type,
    bounce_sub_type,
    complaint_feedback_type,
    complaint_sub_type,
    delay_type,
    try_cast(expiration_time_text as timestamptz) as expiration_time,
    json_extract_string(recipient_json, '$.status') as status,
    json_extract_string(recipient_json, '$.action') as action,
    json_extract_string(recipient_json, '$.diagnosticCode') as diagnostic_code,
    smtp_response,
    try_cast(processing_time_text as bigint) as processing_time_ms,
    coalesce(bounce_reporting_mta, delivery_reporting_mta) as reporting_mta,
    coalesce(bounce_remote_mta_ip, delivery_remote_mta_ip) as remote_mta_ip,
    reason,
    error_message,
    template_name,
    url,
    link_tags,
    coalesce(open_ip, click_ip) as ip,
    coalesce(open_user_agent, click_user_agent, complaint_user_agent) as user_agent,
    contact_list,
    subscription_source,
    try_cast(unsubscribe_all_text as boolean) as unsubscribe_all,
    new_topic_preferences,
    old_topic_preferences,
    tags,
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
        Table(
            "events",
            "event_recipient_key",
            "insert-only",
            EVENTS,
            dedup_column="event_key",
            # a re-delivery carries the event's own time: the key check reads that range only
            time_column='"timestamp"',
            time_sql="try_cast(timestamp_text as timestamptz)",
        ),
    ),
    keep="first",
)
