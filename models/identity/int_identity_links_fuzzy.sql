{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ fuzzy_forget_rescored_links() }}",
    post_hook=[
        "{{ fuzzy_remember_scored_records('create') }}",
        "{{ fuzzy_remember_scored_records('delete') }}",
        "{{ fuzzy_remember_scored_records('insert') }}",
    ],
) }}

-- depends_on: {{ ref('int_person_records_rescored') }}

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
--
-- Incremental: a run scores only the pairs with a record in int_person_records_rescored (new,
-- changed, removed, in a block that crossed the size limit; all when the scoring changed); the
-- pre-hook has dropped those records' links, the post-hooks record what was scored (see doc
-- `fuzzy_incremental`). A full refresh scores every pair, as the first run does.
{%- set scores_some = is_incremental() and not fuzzy_rescores_everything() %}
with

records_all as (
    select * from {{ ref('int_person_records_prepared') }}
),

{%- if scores_some %}

rescored as (
    select record_key from {{ ref('int_person_records_rescored') }}
    where rescore_reason <> 'removed record'
),

rescored_records as (
    select * from records_all
    where record_key in (select record_key from rescored)
),

-- the blocks of the records scored again, with every member they have
rescored_blocks as (
    select distinct
        block_key,
        block_value
    from ({{ fuzzy_block_rows('rescored_records') }}) as blocks
),

rescored_block_members as (
    select distinct * from ({{ fuzzy_block_members_in('records_all', 'rescored_blocks') }})
        as members
),

usable_rescored_block_members as (
    select
        record_key,
        block_key,
        block_value
    from (
        select
            record_key,
            block_key,
            block_value,
            count(*) over (partition by block_key, block_value) as block_size
        from rescored_block_members
    ) as sized
    where block_size between 2 and {{ fuzzy_max_block_size() }}
),

-- each pair with a rescored record once, as (lower key, higher key)
candidate_pairs as (
    select distinct
        least(x.record_key, y.record_key) as record_key_a,
        greatest(x.record_key, y.record_key) as record_key_b
    from usable_rescored_block_members as x
    inner join usable_rescored_block_members as y
        on x.block_key = y.block_key
            and x.block_value = y.block_value
            and x.record_key <> y.record_key
    where x.record_key in (select record_key from rescored)
),

records as (
    select * from records_all
    where
        record_key in (select record_key_a from candidate_pairs)
        or record_key in (select record_key_b from candidate_pairs)
),

-- pairs are joined on their keys here (`record_number` is the key)
records_numbered as (
    select
        records.*,
        records.record_key as record_number
    from records
),

{%- else %}

records as (
    select * from records_all
),

-- records numbered in record_key order, so that pairs are joined and de-duplicated as numbers
-- (`a < b` on the numbers is `a < b` on the keys)
records_numbered as (
    select
        records.*,
        row_number() over (order by records.record_key) as record_number
    from records
),

{%- endif %}

-- what every comparison of a record needs, derived once per record rather than once per pair
records_compared as (
    select
        -- ids
        record_key,
        record_number,
        -- names
        first_name_normalized,
        first_name_canonical,
        last_name_normalized,
        coalesce(first_name_canonical = first_name_normalized, false) as is_first_name_canonical,
        length(first_name_normalized) = 1 as is_first_name_initial,
        substr(first_name_normalized, 1, 1) as first_name_initial,
        -- date of birth, and the digits of its YYYY-MM-DD text
        date_of_birth,
        date_of_birth_swapped,
        {{ fuzzy_digit_counts('cast(date_of_birth as ' ~ text ~ ')') }}
            as date_of_birth_digit_counts,
        -- address
        postcode_normalized,
        length(postcode_normalized) as postcode_length,
        street_normalized,
        street_numbers,
        city_normalized,
        -- contact points
        phone,
        email,
        length(email) as email_length,
        email_local_digits,
        -- timestamps
        first_seen_at
    from records_numbered
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

{%- if not scores_some %}

block_rows as (
    {{ fuzzy_block_rows('records_numbered', 'record_number') }}
),

-- a record may give one key the same value twice (first name = last name)
block_members as (
    select distinct
        record_number,
        block_key,
        block_value
    from block_rows
),

-- blocks over the limit are skipped (reported by the fuzzy_blocks_within_limit test)
block_members_sized as (
    select
        record_number,
        block_key,
        block_value,
        count(*) over (partition by block_key, block_value) as block_size
    from block_members
),

usable_block_members as (
    select
        record_number,
        block_key,
        block_value
    from block_members_sized
    where block_size between 2 and {{ fuzzy_max_block_size() }}
),

-- each record's fields next to each of its blocks, so that pairs come out of one self-join
block_members_compared as (
    select
        usable_block_members.block_key,
        usable_block_members.block_value,
        records_compared.*
    from usable_block_members
    inner join records_compared
        on usable_block_members.record_number = records_compared.record_number
),

{%- endif %}

-- First run: every candidate pair, with the cheap comparisons only (see fuzzy_scoring_ctes).
-- Names, streets and cities (Jaro-Winkler on short strings) are compared; equal values need no
-- call at all. Date of birth, postcode and email levels that only an edit distance can decide
-- (Damerau-Levenshtein costs 10-50 times a Jaro-Winkler, on emails most) are left `undecided`,
-- unless a lower bound of the distance decides: the difference of the lengths, or of the
-- dates' digits (fuzzy_digit_bag_distance).
compared_cheaply as (
    select
        -- ids
        a.record_number as record_number_a,
        b.record_number as record_number_b,
        -- names, as entered and crosswise (first against last); a first name that is its own
        -- canonical form needs one comparison, not two
        case
            when a.first_name_canonical = b.first_name_canonical
                then {{ fuzzy_similarity('a.first_name_canonical', 'b.first_name_canonical') }}
            when a.is_first_name_canonical and b.is_first_name_canonical
                then {{ fuzzy_similarity('a.first_name_normalized', 'b.first_name_normalized') }}
            else
                greatest(
                    {{ fuzzy_similarity('a.first_name_canonical', 'b.first_name_canonical') }},
                    {{ fuzzy_similarity('a.first_name_normalized', 'b.first_name_normalized') }}
                )
        end as first_name_similarity,
        {{ fuzzy_similarity('a.last_name_normalized', 'b.last_name_normalized') }}
            as last_name_similarity,
        case
            when a.is_first_name_canonical
                then {{ fuzzy_similarity('a.first_name_normalized', 'b.last_name_normalized') }}
            else
                greatest(
                    {{ fuzzy_similarity('a.first_name_canonical', 'b.last_name_normalized') }},
                    {{ fuzzy_similarity('a.first_name_normalized', 'b.last_name_normalized') }}
                )
        end as first_last_similarity,
        case
            when b.is_first_name_canonical
                then {{ fuzzy_similarity('a.last_name_normalized', 'b.first_name_normalized') }}
            else
                greatest(
                    {{ fuzzy_similarity('a.last_name_normalized', 'b.first_name_canonical') }},
                    {{ fuzzy_similarity('a.last_name_normalized', 'b.first_name_normalized') }}
                )
        end as last_first_similarity,
        (a.is_first_name_initial or b.is_first_name_initial)
        and a.first_name_initial = b.first_name_initial as is_first_initial_match,
        -- date of birth
        case
            when a.date_of_birth is null or b.date_of_birth is null then null
            when a.date_of_birth = b.date_of_birth then 'exact'
            when a.date_of_birth = b.date_of_birth_swapped then 'swapped'
            -- more than two edits apart: within a year is `near`, else `different`
            when {{ fuzzy_digit_bag_distance(
                    'a.date_of_birth_digit_counts', 'b.date_of_birth_digit_counts'
                ) }} > 2
                and {{ fuzzy_dates_within_year('a.date_of_birth', 'b.date_of_birth') }}
                then 'near'
            when {{ fuzzy_digit_bag_distance(
                    'a.date_of_birth_digit_counts', 'b.date_of_birth_digit_counts'
                ) }} > 2
                then 'different'
            else 'undecided'
        end as date_of_birth_level,
        -- address
        case
            when a.postcode_normalized is null or b.postcode_normalized is null then null
            when a.postcode_normalized = b.postcode_normalized then 'exact'
            when abs(a.postcode_length - b.postcode_length) > 1 then 'different'
            else 'undecided'
        end as postcode_level,
        case
            -- another house number: the street is `different` whatever its similarity
            when coalesce(a.street_numbers <> b.street_numbers, false) then 0.0
            else {{ fuzzy_similarity('a.street_normalized', 'b.street_normalized') }}
        end as street_similarity,
        coalesce(a.street_numbers <> b.street_numbers, false)
            as is_street_number_different,
        {{ fuzzy_similarity('a.city_normalized', 'b.city_normalized') }}
            as city_similarity,
        -- contact points
        case
            when a.phone is null or b.phone is null then null
            when a.phone = b.phone then 'exact'
            else 'different'
        end as phone_level,
        case
            when a.email is null or b.email is null then null
            when a.email = b.email and a.email <> '' then 'exact'
            when coalesce(a.email_local_digits <> b.email_local_digits, false) then 'different'
            when
                abs(a.email_length - b.email_length) > settings.email_max_edits
                or abs(a.email_length - b.email_length)
                > settings.email_max_edit_share * greatest(a.email_length, b.email_length)
                then 'different'
            else 'undecided'
        end as email_level,
        coalesce(a.email_local_digits <> b.email_local_digits, false)
            as is_email_digits_different,
        -- what the second run compares, should the pair get there
        a.date_of_birth as date_of_birth_a,
        b.date_of_birth as date_of_birth_b,
        a.postcode_normalized as postcode_a,
        b.postcode_normalized as postcode_b,
        a.street_normalized as street_a,
        b.street_normalized as street_b,
        a.email as email_a,
        b.email as email_b,
        -- timestamps: the link's evidence exists once both records do
        greatest(a.first_seen_at, b.first_seen_at) as linked_at
    {%- if scores_some %}
    from candidate_pairs
    inner join records_compared as a
        on candidate_pairs.record_key_a = a.record_key
    inner join records_compared as b
        on candidate_pairs.record_key_b = b.record_key
    {%- else %}
    -- a and b: the pair's two records, once per block they share: cheaper than de-duplicating
    -- every candidate pair first; the links are de-duplicated at the end
    from block_members_compared as a
    inner join block_members_compared as b
        on a.block_key = b.block_key
            and a.block_value = b.block_value
            and a.record_number < b.record_number
    {%- endif %}
    cross join settings
    -- A link needs two kinds of evidence and the names are only one, so a pair with no chance
    -- of a second (date of birth on both sides, the same postcode, a street with the same
    -- house number, the same phone, an email that may be equal or a typo) is dropped before
    -- any similarity is computed: 63% of the candidate pairs at 100k customers, 22% at 1M.
    -- These conditions restate what the scoring's evidence rule accepts; the var turns them off
    -- so a test can check that they never drop a pair the scoring would link.
    {%- if var('mailmart_fuzzy_evidence_prefilter', true) %}
    where
        a.date_of_birth is not null and b.date_of_birth is not null
        or a.postcode_normalized = b.postcode_normalized
        or a.street_normalized is not null and b.street_normalized is not null
        and not coalesce(a.street_numbers <> b.street_numbers, false)
        or a.phone = b.phone
        or a.email = b.email
        or a.email is not null and b.email is not null
        and not coalesce(a.email_local_digits <> b.email_local_digits, false)
        and abs(a.email_length - b.email_length) <= settings.email_max_edits
        and abs(a.email_length - b.email_length)
        <= settings.email_max_edit_share * greatest(a.email_length, b.email_length)
    {%- endif %}
),

{{ fuzzy_scoring_ctes('compared_cheaply', prefix='plausible_') }},

-- Second run, on the pairs the first could not rule out: the first run's similarities, and
-- the edit distances where it left a level undecided
compared as (
    select
        -- ids
        plausible.record_number_a,
        plausible.record_number_b,
        -- levels the first run decided, or `undecided`
        plausible.date_of_birth_level as date_of_birth_level_cheaply,
        plausible.postcode_level as postcode_level_cheaply,
        plausible.email_level as email_level_cheaply,
        -- names, as entered and crosswise (first against last)
        plausible.first_name_similarity,
        plausible.last_name_similarity,
        plausible.first_last_similarity,
        plausible.last_first_similarity,
        plausible.is_first_initial_match,
        -- date of birth, as YYYY-MM-DD text where one wrong digit is one edit
        case
            when plausible.date_of_birth_level = 'undecided'
                then {{ string_edit_distance(
                    'cast(plausible.date_of_birth_a as ' ~ text ~ ')',
                    'cast(plausible.date_of_birth_b as ' ~ text ~ ')'
                ) }}
        end as date_of_birth_edits,
        {{ fuzzy_dates_within_year('plausible.date_of_birth_a', 'plausible.date_of_birth_b') }}
            as is_date_of_birth_within_year,
        -- address
        case
            when plausible.postcode_level = 'undecided'
                then {{ string_edit_distance('plausible.postcode_a', 'plausible.postcode_b') }}
        end as postcode_edits,
        case
            when plausible.is_street_number_different
                then {{ fuzzy_similarity('plausible.street_a', 'plausible.street_b') }}
            else plausible.street_similarity
        end as street_similarity,
        plausible.is_street_number_different,
        plausible.city_similarity,
        -- contact points
        plausible.phone_level,
        {{ fuzzy_similarity('plausible.email_a', 'plausible.email_b') }} as email_similarity,
        -- Levenshtein is a few times cheaper than the edit distance and counts a transposition
        -- as two edits: the edit distance lies between half of it and all of it
        case
            when plausible.email_level = 'undecided'
                then levenshtein(plausible.email_a, plausible.email_b)
        end as email_levenshtein,
        plausible.email_a,
        plausible.email_b,
        greatest(length(plausible.email_a), length(plausible.email_b)) as email_length,
        plausible.is_email_digits_different,
        -- timestamps
        plausible.linked_at
    from plausible_accepted as plausible
    cross join settings
),

-- typos in an address are a few edits; two people's addresses built from one name at two
-- providers (`jsmith@mail.example`, `jsmith@posteo.example`) are more. The edit distance is only
-- computed where Levenshtein leaves the answer open.
email_edits_counted as (
    select
        compared.*,
        case
            when compared.email_levenshtein > 2 * settings.email_max_edits
                or compared.email_levenshtein
                > 2 * settings.email_max_edit_share * compared.email_length
                then compared.email_levenshtein
            when compared.email_levenshtein <= settings.email_max_edits
                and compared.email_levenshtein
                <= settings.email_max_edit_share * compared.email_length
                then compared.email_levenshtein
            when compared.email_levenshtein is not null
                then {{ string_edit_distance('compared.email_a', 'compared.email_b') }}
        end as email_edits
    from compared
    cross join settings
),

fields_leveled as (
    select
        compared.*,
        case
            when compared.date_of_birth_level_cheaply <> 'undecided'
                then compared.date_of_birth_level_cheaply
            when compared.date_of_birth_edits = 1 then 'one_typo'
            -- two wrong digits, or a year out with the day or month right
            when compared.date_of_birth_edits = 2 or compared.is_date_of_birth_within_year
                then 'near'
            when compared.date_of_birth_edits is not null then 'different'
        end as date_of_birth_level,
        case
            when compared.postcode_level_cheaply <> 'undecided'
                then compared.postcode_level_cheaply
            when compared.postcode_edits = 1 then 'one_typo'
            when compared.postcode_edits is not null then 'different'
        end as postcode_level,
        case
            when compared.email_level_cheaply <> 'undecided'
                then compared.email_level_cheaply
            when compared.email_edits <= settings.email_max_edits
                and compared.email_edits <= settings.email_max_edit_share * compared.email_length
                and not compared.is_email_digits_different
                then 'similar'
            when compared.email_similarity is not null then 'different'
        end as email_level
    from email_edits_counted as compared
    cross join settings
),

{{ fuzzy_scoring_ctes('fields_leveled') }},

-- one row per pair (a pair sharing several blocks was compared once per block, alike)
links_numbered as (
    select distinct
        -- ids
        record_number_a,
        record_number_b,
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
),

links as (
    select
        -- ids
        a.record_key as record_key_a,
        b.record_key as record_key_b,
        -- why
        links_numbered.link_rule,
        links_numbered.identifier_type,
        links_numbered.identifier_value,
        links_numbered.match_score,
        links_numbered.reason,
        -- timestamps
        links_numbered.linked_at
    from links_numbered
    inner join records_compared as a
        on links_numbered.record_number_a = a.record_number
    inner join records_compared as b
        on links_numbered.record_number_b = b.record_number
)

select * from links
