-- A customer with more records than `mailmart_max_cluster_records` is almost surely a chain of
-- wrong links (a placeholder or shared identifier that slipped through the rules): fail the
-- build rather than email one "customer" who is hundreds of people. Orders are not counted:
-- a wholesale buyer places hundreds (the Online Retail file has customers with 248 invoices),
-- while the records that name a person (contacts, accounts, devices, addresses) stay few.
select
    customer_id,
    count(*) as record_count
from {{ ref('customer_source_records') }}
where source_table <> 'orders'
group by customer_id
having count(*) > {{ var('mailmart_max_cluster_records', 200) }}
