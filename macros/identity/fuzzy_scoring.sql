{#-
    The scoring of int_identity_links_fuzzy, from compared fields to accepted pairs, as CTEs
    (`<prefix>leveled` ... `<prefix>accepted`) so that the model can run it twice: first on
    every candidate pair with only the cheap comparisons made, then with every comparison on
    the pairs the first run could not rule out. Needs the model's `weights` and `settings` CTEs.

    The input has the similarities of the names, street and city, `is_first_initial_match`,
    `is_street_number_different`, and the levels of date of birth, postcode, phone and email.
    A level may be `undecided` (first run: its edit distance is not computed yet); it then
    counts as the most favourable level it could turn out to be: the highest of their weights,
    and evidence wherever one of them is evidence. So a pair the first run rejects is rejected
    by the second run too, whatever the weights.
-#}

{% macro fuzzy_scoring_ctes(compared, prefix='') -%}
    {{ prefix }}leveled as (
        select
            compared.*,
            case
                when compared.is_first_initial_match then 'initial'
                else {{ fuzzy_name_level('compared.first_name_similarity') }}
            end as first_name_level,
            {{ fuzzy_name_level('compared.last_name_similarity') }} as last_name_level,
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
            end as city_level
        from {{ compared }} as compared
        cross join settings
    ),

    -- names score as entered or crosswise (first name typed into the last name box), whichever
    -- agrees better; crosswise costs the `names swapped` weight
    {{ prefix }}names_scored as (
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
        from {{ prefix }}leveled as leveled
        cross join weights
    ),

    {{ prefix }}names_chosen as (
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
        from {{ prefix }}names_scored as names_scored
    ),

    -- from here on, names are compared in the chosen order
    {{ prefix }}names_oriented as (
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
        from {{ prefix }}names_chosen as names_chosen
    ),

    {{ prefix }}evidenced as (
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
                date_of_birth_level in ('exact', 'swapped', 'one_typo', 'undecided')
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
            coalesce(email_level in ('exact', 'similar', 'undecided'), false) as has_email_evidence
        from {{ prefix }}names_oriented as names_oriented
    ),

    {{ prefix }}scored as (
        select
            evidenced.*,
            weights.prior__any
            + evidenced.name_points
            + {{ fuzzy_level_weight('date_of_birth', 'evidenced.date_of_birth_level',
                ['exact', 'swapped', 'one_typo', 'near', 'different'],
                undecided=['one_typo', 'near', 'different']) }}
            + {{ fuzzy_level_weight('postcode', 'evidenced.postcode_level',
                ['exact', 'one_typo', 'different'],
                undecided=['one_typo', 'different']) }}
            + {{ fuzzy_level_weight('street', 'evidenced.street_level',
                ['similar', 'different']) }}
            + {{ fuzzy_level_weight('city', 'evidenced.city_level',
                ['similar', 'different']) }}
            + {{ fuzzy_level_weight('phone', 'evidenced.phone_level',
                ['exact', 'different']) }}
            + {{ fuzzy_level_weight('email', 'evidenced.email_level',
                ['exact', 'similar', 'different'],
                undecided=['similar', 'different']) }}
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
        from {{ prefix }}evidenced as evidenced
        cross join weights
    ),

    {{ prefix }}matched as (
        select
            scored.*,
            -- points are log2 odds; as a 0-1 score
            1.0 / (1.0 + power(2.0, -scored.match_points)) as match_score,
            case when scored.has_last_name_conflict then 3 else 2 end as evidence_required
        from {{ prefix }}scored as scored
    ),

    {{ prefix }}accepted as (
        select matched.*
        from {{ prefix }}matched as matched
        cross join settings
        where matched.match_score >= settings.min_match_score
            and matched.evidence_count >= matched.evidence_required
            and (
                not matched.has_first_name_conflict
                or matched.is_first_name_conflict_outweighed
            )
    )
{%- endmacro %}
