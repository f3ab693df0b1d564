-- Best hour to send to each region: per country, the local hour most sendable customers
-- prefer (their most frequent open hour, in their own time zone), with how many prefer it.
with

preferences as (
    select
        customers.country_code,
        audiences.preferred_send_hour,
        count(distinct audiences.customer_id) as customers
    from {{ ref('email_audiences') }} as audiences
    inner join {{ ref('customers') }} as customers
        on audiences.customer_id = customers.customer_id
    where audiences.preferred_send_hour is not null
    group by customers.country_code, audiences.preferred_send_hour
),

ranked as (
    select
        *,
        row_number() over (
            partition by country_code order by customers desc, preferred_send_hour asc
        ) as hour_rank
    from preferences
)

select
    country_code,
    preferred_send_hour as best_local_hour,
    customers as customers_preferring_it
from ranked
where hour_rank = 1
order by customers_preferring_it desc
