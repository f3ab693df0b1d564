-- `customer_features` has exactly one row per customer of `customer_source_records`: a customer
-- missing from it would never be segmented, a duplicate would be emailed twice.
with

customers as (
    select distinct customer_id from {{ ref('customer_source_records') }}
),

features as (
    select
        customer_id,
        count(*) as feature_rows
    from {{ ref('customer_features') }}
    group by customer_id
),

compared as (
    select
        coalesce(customers.customer_id, features.customer_id) as customer_id,
        coalesce(features.feature_rows, 0) as feature_rows,
        customers.customer_id is not null as is_customer
    from customers
    full outer join features
        on customers.customer_id = features.customer_id
)

select * from compared
where feature_rows <> 1 or not is_customer
