-- A linkable identifier joins every record it is on, so all those records must have ended in
-- one customer. More than one means the graph lost a link.
select
    identifier_type,
    identifier_value,
    seen_on_customers
from {{ ref('customer_identifiers') }}
where link_status = 'linked'
    and seen_on_customers <> 1
