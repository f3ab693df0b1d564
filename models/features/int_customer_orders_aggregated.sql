-- One row per customer with at least one purchase line up to as-of: order features, RFM scores
-- and segment, and the buy-till-you-die summary. Only ledger rows that happened up to as-of
-- count (a return after as-of is not seen, nor an order later on the as-of day). Money is
-- summed in the customer's main currency only, so amounts in different currencies are never
-- added up; counts and dates use every purchase line.
with

order_lines as (
    select * from {{ ref('int_order_lines_attributed') }}
),

as_of_resolved as (
    select * from {{ ref('int_as_of_resolved') }}
),

rfm_segments as (
    select * from {{ ref('mailmart_rfm_segments') }}
),

lines_as_of as (
    select
        order_lines.customer_id,
        order_lines.order_id,
        order_lines.product_id,
        order_lines.product_category,
        order_lines.line_type = 'purchase' as is_purchase,
        order_lines.line_type = 'return' as is_return,
        order_lines.amount,
        order_lines.currency,
        order_lines.occurred_at,
        cast(order_lines.occurred_at as date) as occurred_date,
        as_of_resolved.as_of
    from order_lines
    cross join as_of_resolved
    where
        order_lines.occurred_at <= as_of_resolved.as_of
        and order_lines.customer_id is not null
),

currency_orders as (
    select
        customer_id,
        currency,
        count(distinct order_id) as order_count,
        max(occurred_at) as last_order_at
    from lines_as_of
    where is_purchase
    group by customer_id, currency
),

currencies_ranked as (
    select
        customer_id,
        currency,
        -- main currency: the one most orders were paid in, then the latest order's
        row_number() over (
            partition by customer_id
            order by order_count desc, last_order_at desc, currency asc
        ) as currency_rank
    from currency_orders
),

main_currencies as (
    select
        customer_id,
        currency
    from currencies_ranked
    where currency_rank = 1
),

-- only customers with a purchase up to as-of (the inner join drops those with returns only)
customer_lines as (
    select
        lines_as_of.*,
        coalesce(lines_as_of.currency = main_currencies.currency, false) as is_main_currency
    from lines_as_of
    inner join main_currencies
        on lines_as_of.customer_id = main_currencies.customer_id
),

totals as (
    select
        customer_id,
        count(distinct case when is_purchase then order_id end) as order_count,
        count(
            distinct case when is_purchase and is_main_currency then order_id end
        ) as main_currency_order_count,
        sum(case when is_purchase and is_main_currency then amount else 0 end) as gross_revenue,
        -sum(case when is_return and is_main_currency then amount else 0 end) as returned_amount,
        count(distinct case when is_purchase then product_id end) as distinct_products,
        count(distinct case when is_purchase then occurred_date end) as purchase_days,
        min(case when is_purchase then occurred_at end) as first_order_at,
        max(case when is_purchase then occurred_at end) as last_order_at,
        min(case when is_purchase then occurred_date end) as first_purchase_date,
        max(case when is_purchase then occurred_date end) as last_purchase_date,
        max(as_of) as as_of
    from customer_lines
    group by customer_id
),

purchase_days as (
    select
        customer_id,
        occurred_date,
        sum(case when is_main_currency then amount else 0 end) as day_spend
    from customer_lines
    where is_purchase
    group by customer_id, occurred_date
),

repeat_purchase_values as (
    -- buy-till-you-die monetary value: mean spend per purchase day after the first one
    select
        purchase_days.customer_id,
        avg(purchase_days.day_spend) as avg_repeat_order_value
    from purchase_days
    inner join totals
        on purchase_days.customer_id = totals.customer_id
    where purchase_days.occurred_date > totals.first_purchase_date
    group by purchase_days.customer_id
),

category_spend as (
    select
        customer_id,
        product_category,
        sum(amount) as spend,
        max(occurred_at) as last_bought_at
    from customer_lines
    where is_purchase and is_main_currency and product_category is not null
    group by customer_id, product_category
),

categories_ranked as (
    select
        customer_id,
        product_category,
        -- ties in spend: the category bought most recently, then the first by name
        row_number() over (
            partition by customer_id
            order by spend desc, last_bought_at desc, product_category asc
        ) as category_rank
    from category_spend
),

favourite_categories as (
    select
        customer_id,
        product_category
    from categories_ranked
    where category_rank = 1
),

features as (
    select
        -- ids
        totals.customer_id,
        -- orders
        totals.order_count,
        cast(totals.gross_revenue as decimal(18, 2)) as gross_revenue,
        cast(totals.returned_amount as decimal(18, 2)) as returned_amount,
        cast(totals.gross_revenue - totals.returned_amount as decimal(18, 2)) as net_revenue,
        cast(
            totals.gross_revenue / nullif(totals.main_currency_order_count, 0)
            as decimal(18, 2)
        ) as average_order_value,
        cast(
            cast(totals.returned_amount as double)
            / nullif(cast(totals.gross_revenue as double), 0)
            as double
        ) as return_rate,
        totals.distinct_products,
        favourite_categories.product_category as favourite_category,
        main_currencies.currency as order_currency,
        -- timestamps and days
        totals.first_order_at,
        totals.last_order_at,
        cast(
            {{ dbt.datediff('totals.last_purchase_date', 'cast(totals.as_of as date)', 'day') }}
            as integer
        ) as days_since_last_order,
        -- buy-till-you-die summary, on whole (UTC) days
        cast(totals.purchase_days - 1 as integer) as frequency,
        cast(
            {{ dbt.datediff('totals.first_purchase_date', 'totals.last_purchase_date', 'day') }}
            as integer
        ) as recency_days,
        cast(
            {{ dbt.datediff('totals.first_purchase_date', 'cast(totals.as_of as date)', 'day') }}
            as integer
        ) as tenure_days,
        cast(
            coalesce(repeat_purchase_values.avg_repeat_order_value, 0) as decimal(18, 2)
        ) as avg_repeat_order_value
    from totals
    inner join main_currencies
        on totals.customer_id = main_currencies.customer_id
    left join favourite_categories
        on totals.customer_id = favourite_categories.customer_id
    left join repeat_purchase_values
        on totals.customer_id = repeat_purchase_values.customer_id
),

rfm_ranked as (
    -- rank() gives tied customers the lowest position of their tie group, so equal values
    -- always share a score (the lower one when a tie group straddles a quintile boundary)
    select
        customer_id,
        rank() over (order by days_since_last_order desc) as recency_rank,
        rank() over (order by order_count asc) as frequency_rank,
        rank() over (order by net_revenue asc) as monetary_rank,
        count(*) over () as customer_count
    from features
),

rfm_scored as (
    -- quintile of the rank: 1 + floor(5 * (rank - 1) / customers), 5 = best
    select
        customer_id,
        cast(
            floor(cast(5 * (recency_rank - 1) as double) / customer_count) + 1 as integer
        ) as recency_score,
        cast(
            floor(cast(5 * (frequency_rank - 1) as double) / customer_count) + 1 as integer
        ) as frequency_score,
        cast(
            floor(cast(5 * (monetary_rank - 1) as double) / customer_count) + 1 as integer
        ) as monetary_score
    from rfm_ranked
),

final as (
    select
        features.*,
        -- rfm
        rfm_scored.recency_score,
        rfm_scored.frequency_score,
        rfm_scored.monetary_score,
        rfm_segments.rfm_segment
    from features
    inner join rfm_scored
        on features.customer_id = rfm_scored.customer_id
    left join rfm_segments
        on
            rfm_scored.recency_score = rfm_segments.recency_score
            and rfm_scored.frequency_score = rfm_segments.frequency_score
)

select * from final
