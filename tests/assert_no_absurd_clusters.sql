-- A customer with more records than `mailmart_max_cluster_records` is almost surely a chain of
-- wrong links (a placeholder or shared identifier that slipped through the rules): fail the
-- build rather than email one "customer" who is hundreds of people.
select
    customer_id,
    count(*) as record_count
from {{ ref('customer_source_records') }}
group by customer_id
having count(*) > {{ var('mailmart_max_cluster_records', 200) }}
