{{ config(materialized='table') }}

{#- (comparison, level) pairs that carry a weight in mailmart_fuzzy_weights -#}
{%- set weighted_levels = [
    ('prior', 'any'),
    ('first_name', 'exact'), ('first_name', 'similar'), ('first_name', 'weak'),
    ('first_name', 'initial'), ('first_name', 'different'),
    ('last_name', 'exact'), ('last_name', 'similar'), ('last_name', 'weak'),
    ('last_name', 'different'),
    ('names', 'swapped'),
    ('date_of_birth', 'exact'), ('date_of_birth', 'swapped'), ('date_of_birth', 'one_typo'),
    ('date_of_birth', 'near'), ('date_of_birth', 'different'),
    ('postcode', 'exact'), ('postcode', 'one_typo'), ('postcode', 'different'),
    ('street', 'similar'), ('street', 'different'),
    ('city', 'similar'), ('city', 'different'),
    ('phone', 'exact'), ('phone', 'different'),
    ('email', 'exact'), ('email', 'similar'), ('email', 'different'),
] -%}
{%- set settings_names = [
    'min_match_score', 'name_similar', 'name_weak', 'text_similar', 'email_max_edits',
    'email_max_edit_share'
] -%}
{%- set text = dbt.type_string() -%}

-- Links between person-like records that may share no identifier (CRM contacts and shop orders
-- with billing details): blocking picks candidate pairs, each field is compared into a level,
-- the levels' weights (log2 odds, mailmart_fuzzy_weights) add up to a score, and a pair links
-- when the score clears the threshold and two independent kinds of evidence agree.
with

records as (
    select * from {{ ref('int_person_records_prepared') }}
),

-- dates as YYYY-MM-DD text, where one wrong digit is one edit
records_dated as (
    select
        *,
        cast(date_of_birth as {{ text }}) as date_of_birth_text
    from records
),

weight_rows as (
    select * from {{ ref('mailmart_fuzzy_weights') }}
),

setting_rows as (
    select * from {{ ref('mailmart_fuzzy_settings') }}
),

-- one row, one column per comparison and level: `<comparison>__<level>`
weights as (
    select
        {%- for comparison, level in weighted_levels %}
        max(case when comparison = '{{ comparison }}' and level = '{{ level }}' then weight end)
            as {{ comparison }}__{{ level }},
        {%- endfor %}
        count(*) as weight_count
    from weight_rows
),

settings as (
    select
        {%- for name in settings_names %}
        max(case when setting = '{{ name }}' then value end) as {{ name }},
        {%- endfor %}
        count(*) as setting_count
    from setting_rows
),

block_rows as (
    {{ fuzzy_block_rows('records') }}
),

block_sizes as (
    select
        block_key,
        block_value,
        count(distinct record_key) as record_count
    from block_rows
    group by block_key, block_value
),

-- blocks over the limit are skipped (reported by the fuzzy_blocks_within_limit test)
usable_block_rows as (
    select distinct
        block_rows.record_key,
        block_rows.block_key,
        block_rows.block_value
    from block_rows
    inner join block_sizes
        on block_rows.block_key = block_sizes.block_key
            and block_rows.block_value = block_sizes.block_value
    where block_sizes.record_count between 2 and {{ fuzzy_max_block_size() }}
),

candidate_pairs as (
    select distinct
        block_a.record_key as record_key_a,
        block_b.record_key as record_key_b
    from usable_block_rows as block_a
    inner join usable_block_rows as block_b
        on block_a.block_key = block_b.block_key
            and block_a.block_value = block_b.block_value
            and block_a.record_key < block_b.record_key
),

compared as (
    select
        -- ids
        candidate_pairs.record_key_a,
        candidate_pairs.record_key_b,
        -- names, as entered and crosswise (first against last)
        greatest(
            {{ string_similarity('a.first_name_canonical', 'b.first_name_canonical') }},
            {{ string_similarity('a.first_name_normalized', 'b.first_name_normalized') }}
        ) as first_name_similarity,
        {{ string_similarity('a.last_name_normalized', 'b.last_name_normalized') }}
            as last_name_similarity,
        greatest(
            {{ string_similarity('a.first_name_canonical', 'b.last_name_normalized') }},
            {{ string_similarity('a.first_name_normalized', 'b.last_name_normalized') }}
        ) as first_last_similarity,
        greatest(
            {{ string_similarity('a.last_name_normalized', 'b.first_name_canonical') }},
            {{ string_similarity('a.last_name_normalized', 'b.first_name_normalized') }}
        ) as last_first_similarity,
        (length(a.first_name_normalized) = 1 or length(b.first_name_normalized) = 1)
        and substr(a.first_name_normalized, 1, 1)
        = substr(b.first_name_normalized, 1, 1) as is_first_initial_match,
        -- date of birth
        a.date_of_birth = b.date_of_birth as is_date_of_birth_equal,
        a.date_of_birth = b.date_of_birth_swapped as is_date_of_birth_swapped,
        {{ string_edit_distance('a.date_of_birth_text', 'b.date_of_birth_text') }}
            as date_of_birth_edits,
        abs({{ dbt.datediff('a.date_of_birth', 'b.date_of_birth', 'day') }}) <= 366
        and (
            month(a.date_of_birth) = month(b.date_of_birth)
            or day(a.date_of_birth) = day(b.date_of_birth)
        ) as is_date_of_birth_within_year,
        -- address
        {{ string_edit_distance('a.postcode_normalized', 'b.postcode_normalized') }}
            as postcode_edits,
        {{ string_similarity('a.street_normalized', 'b.street_normalized') }}
            as street_similarity,
        coalesce(a.street_numbers <> b.street_numbers, false)
            as is_street_number_different,
        {{ string_similarity('a.city_normalized', 'b.city_normalized') }}
            as city_similarity,
        -- contact points
        case
            when a.phone is null or b.phone is null then null
            when a.phone = b.phone then 'exact'
            else 'different'
        end as phone_level,
        {{ string_similarity('a.email', 'b.email') }} as email_similarity,
        -- typos in an address are a few edits; two people's addresses built from one name at
        -- two providers (`jsmith@mail.example`, `jsmith@posteo.example`) are more
        {{ string_edit_distance('a.email', 'b.email') }} as email_edits,
        greatest(length(a.email), length(b.email)) as email_length,
        coalesce(a.email_local_digits <> b.email_local_digits, false)
            as is_email_digits_different,
        -- timestamps: the link's evidence exists once both records do
        greatest(a.first_seen_at, b.first_seen_at) as linked_at
    from candidate_pairs
    -- a and b: the pair's two records
    inner join records_dated as a
        on candidate_pairs.record_key_a = a.record_key
    inner join records_dated as b
        on candidate_pairs.record_key_b = b.record_key
),

leveled as (
    select
        compared.*,
        case
            when compared.is_first_initial_match then 'initial'
            else {{ fuzzy_name_level('compared.first_name_similarity') }}
        end as first_name_level,
        {{ fuzzy_name_level('compared.last_name_similarity') }} as last_name_level,
        case
            when compared.is_date_of_birth_equal then 'exact'
            when compared.is_date_of_birth_swapped then 'swapped'
            when compared.date_of_birth_edits = 1 then 'one_typo'
            -- two wrong digits, or a year out with the day or month right
            when compared.date_of_birth_edits = 2 or compared.is_date_of_birth_within_year
                then 'near'
            when compared.date_of_birth_edits is not null then 'different'
        end as date_of_birth_level,
        case
            when compared.postcode_edits = 0 then 'exact'
            when compared.postcode_edits = 1 then 'one_typo'
            when compared.postcode_edits is not null then 'different'
        end as postcode_level,
        {{ fuzzy_name_level('compared.first_last_similarity') }} as first_last_level,
        {{ fuzzy_name_level('compared.last_first_similarity') }} as last_first_level,
        case
            when compared.street_similarity >= settings.text_similar
                and not compared.is_street_number_different
                then 'similar'
            when compared.street_similarity is not null then 'different'
        end as street_level,
        case
            when compared.city_similarity >= settings.text_similar then 'similar'
            when compared.city_similarity is not null then 'different'
        end as city_level,
        case
            when compared.email_similarity >= 1 then 'exact'
            when compared.email_edits <= settings.email_max_edits
                and compared.email_edits <= settings.email_max_edit_share * compared.email_length
                and not compared.is_email_digits_different
                then 'similar'
            when compared.email_similarity is not null then 'different'
        end as email_level
    from compared
    cross join settings
),

-- names score as entered or crosswise (first name typed into the last name box), whichever
-- agrees better; crosswise costs the `names swapped` weight
names_scored as (
    select
        leveled.*,
        {{ fuzzy_level_weight('first_name', 'leveled.first_name_level',
            ['exact', 'similar', 'weak', 'initial', 'different']) }}
        + {{ fuzzy_level_weight('last_name', 'leveled.last_name_level',
            ['exact', 'similar', 'weak', 'different']) }} as direct_name_points,
        {{ fuzzy_level_weight('first_name', 'leveled.first_last_level',
            ['exact', 'similar', 'weak', 'different']) }}
        + {{ fuzzy_level_weight('last_name', 'leveled.last_first_level',
            ['exact', 'similar', 'weak', 'different']) }}
        + weights.names__swapped as swapped_name_points
    from leveled
    cross join weights
),

names_chosen as (
    select
        *,
        coalesce(
            swapped_name_points > direct_name_points
            and (
                first_last_level in ('exact', 'similar')
                or last_first_level in ('exact', 'similar')
            ),
            false
        ) as is_names_swapped
    from names_scored
),

-- from here on, names are compared in the chosen order
names_oriented as (
    select
        *,
        case
            when is_names_swapped then swapped_name_points else direct_name_points
        end as name_points,
        case
            when is_names_swapped then first_last_level else first_name_level
        end as chosen_first_level,
        case
            when is_names_swapped then last_first_level else last_name_level
        end as chosen_last_level
    from names_chosen
),

evidenced as (
    select
        *,
        -- names agree: at least one similar, points in favour, first names not against
        coalesce(
            name_points > 0
            and (
                chosen_first_level in ('exact', 'similar')
                or chosen_last_level in ('exact', 'similar')
            )
            and coalesce(chosen_first_level, 'missing') <> 'different',
            false
        ) as has_name_evidence,
        -- first names that disagree: another person (a sibling at one address, a namesake
        -- born the same day) unless everything else agrees, see `matched`
        coalesce(chosen_first_level = 'different', false) as has_first_name_conflict,
        -- a changed surname (marriage) is plausible, but needs more evidence than usual
        coalesce(chosen_last_level = 'different', false) as has_last_name_conflict,
        -- a date two typos or a year out is common among namesakes: it counts only with no
        -- other email address, and the same city (or both names and no city to compare)
        coalesce(
            date_of_birth_level in ('exact', 'swapped', 'one_typo')
            or (
                date_of_birth_level = 'near'
                and coalesce(email_level, 'missing') <> 'different'
                and (
                    city_level = 'similar'
                    or city_level is null
                    and chosen_first_level in ('exact', 'similar')
                    and chosen_last_level in ('exact', 'similar')
                )
            ),
            false
        ) as has_date_of_birth_evidence,
        coalesce(postcode_level = 'exact' or street_level = 'similar', false)
            as has_address_evidence,
        coalesce(phone_level = 'exact', false) as has_phone_evidence,
        coalesce(email_level in ('exact', 'similar'), false) as has_email_evidence
    from names_oriented
),

scored as (
    select
        evidenced.*,
        weights.prior__any
        + evidenced.name_points
        + {{ fuzzy_level_weight('date_of_birth', 'evidenced.date_of_birth_level',
            ['exact', 'swapped', 'one_typo', 'near', 'different']) }}
        + {{ fuzzy_level_weight('postcode', 'evidenced.postcode_level',
            ['exact', 'one_typo', 'different']) }}
        + {{ fuzzy_level_weight('street', 'evidenced.street_level',
            ['similar', 'different']) }}
        + {{ fuzzy_level_weight('city', 'evidenced.city_level',
            ['similar', 'different']) }}
        + {{ fuzzy_level_weight('phone', 'evidenced.phone_level',
            ['exact', 'different']) }}
        + {{ fuzzy_level_weight('email', 'evidenced.email_level',
            ['exact', 'similar', 'different']) }}
            as match_points,
        -- independent kinds of evidence that agree: a shared name alone is never enough (two
        -- John Smiths), nor a name and a city
        cast(evidenced.has_name_evidence as integer)
        + cast(evidenced.has_date_of_birth_evidence as integer)
        + cast(evidenced.has_address_evidence as integer)
        + cast(evidenced.has_phone_evidence as integer)
        + cast(evidenced.has_email_evidence as integer) as evidence_count,
        -- what it takes to outweigh first names that disagree: the same birthday and surname,
        -- and the same address, phone or email (a middle name used as first name, or twins)
        coalesce(
            evidenced.date_of_birth_level in ('exact', 'swapped')
            and evidenced.chosen_last_level in ('exact', 'similar')
            and (
                evidenced.has_address_evidence
                or evidenced.has_phone_evidence
                or evidenced.has_email_evidence
            ),
            false
        ) as is_first_name_conflict_outweighed
    from evidenced
    cross join weights
),

matched as (
    select
        scored.*,
        -- points are log2 odds; as a 0-1 score
        1.0 / (1.0 + power(2.0, -scored.match_points)) as match_score,
        case when scored.has_last_name_conflict then 3 else 2 end as evidence_required
    from scored
),

accepted as (
    select matched.*
    from matched
    cross join settings
    where matched.match_score >= settings.min_match_score
        and matched.evidence_count >= matched.evidence_required
        and (not matched.has_first_name_conflict or matched.is_first_name_conflict_outweighed)
),

links as (
    select
        -- ids
        record_key_a,
        record_key_b,
        -- why
        'fuzzy_person' as link_rule,
        cast(null as {{ text }}) as identifier_type,
        cast(null as {{ text }}) as identifier_value,
        match_score,
        'fuzzy: ' || concat_ws(
            ', ',
            case
                when is_names_swapped
                    then concat(
                            'first and last name swapped ',
                            {{ fuzzy_two_decimals('first_last_similarity') }},
                            ' and ',
                            {{ fuzzy_two_decimals('last_first_similarity') }}
                        )
                when first_name_level = 'initial' then 'first name initial'
                when first_name_level is not null
                    then 'first name ' || {{ fuzzy_two_decimals('first_name_similarity') }}
            end,
            case
                when not is_names_swapped and last_name_level is not null
                    then 'last name ' || {{ fuzzy_two_decimals('last_name_similarity') }}
            end,
            case date_of_birth_level
                when 'exact' then 'dob equal'
                when 'swapped' then 'dob with day and month swapped'
                when 'one_typo' then 'dob one typo apart'
                when 'near' then 'dob nearly equal'
                when 'different' then 'dob different'
            end,
            case postcode_level
                when 'exact' then 'postcode equal'
                when 'one_typo' then 'postcode one typo apart'
                when 'different' then 'postcode different'
            end,
            case
                when street_similarity is not null
                    then 'street ' || {{ fuzzy_two_decimals('street_similarity') }}
            end,
            case
                when city_similarity is not null
                    then 'city ' || {{ fuzzy_two_decimals('city_similarity') }}
            end,
            case phone_level
                when 'exact' then 'phone equal'
                when 'different' then 'phone different'
            end,
            case
                when email_level = 'exact' then 'email equal'
                when email_similarity is not null
                    then 'email ' || {{ fuzzy_two_decimals('email_similarity') }}
            end,
            'score ' || {{ fuzzy_two_decimals('match_score') }}
        ) as reason,
        -- timestamps
        linked_at
    from accepted
)

select * from links
