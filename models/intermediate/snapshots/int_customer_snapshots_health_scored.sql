{#
    Health (1-5) per snapshot as the weighted mean of five components on 1-5, and the component
    that pulls it down most. Components (see the `customer_health_score` doc block):
      engagement            1 + 4 * min(1, activity events in engagement window / engagement_target_events)
      financial_trend       3 + 2 * (recent - prior) / (|recent| + |prior|) over the two half-years;
                            1 when both are 0
      support_experience    mean CSAT of tickets in the support window (3 when none rated) minus
                            support_open_escalation_penalty per open high/urgent ticket, clamped to
                            1-5; support_score_without_tickets when no ticket
      rfm                   rfm_composite_score
      relationship_breadth  1 + 4 * min(1, touchpoint kinds / breadth_target_touchpoints)
    A component whose source table is absent is NULL and the others' weights are rescaled.
#}
{%- set weights = c360_validated_weights('health_weights',
    ['engagement', 'financial_trend', 'support_experience', 'rfm', 'relationship_breadth']) -%}
{%- set engagement_target = c360_validated_number('engagement_target_events', 1) -%}
{%- set breadth_target = c360_validated_number('breadth_target_touchpoints', 1) -%}
{%- set no_ticket_score = c360_validated_number('support_score_without_tickets', 1, 5) -%}
{%- set escalation_penalty = c360_validated_number('support_open_escalation_penalty', 0) -%}
{%- set weighted_sum -%}
    {% for name, weight in weights.items() -%}
        coalesce({{ weight }} * {{ name }}_component, 0){{ ' + ' if not loop.last }}
    {%- endfor %}
{%- endset -%}
{%- set weight_total -%}
    {% for name, weight in weights.items() -%}
        case when {{ name }}_component is not null then {{ weight }} else 0 end
        {{- ' + ' if not loop.last }}
    {%- endfor %}
{%- endset %}

with

customers as (
    select * from {{ ref('int_customer_snapshots_rfm_scored') }}
),

components as (
    select
        *,
        case
            when events_in_engagement_window is not null
                then 1
                    + 4
                    * least(1.0, cast(events_in_engagement_window as double) / {{ engagement_target }})
        end as engagement_component,
        case
            when revenue_trend is null then 1.0
            else 3 + 2 * revenue_trend
        end as financial_trend_component,
        case
            when tickets_in_support_window is null then null
            -- an escalation still open counts even when it was opened before the window
            else greatest(1.0, least(
                    5.0,
                    case
                        when tickets_in_support_window = 0 then {{ no_ticket_score }}
                        else coalesce(mean_csat_in_support_window, 3.0)
                    end
                    - {{ escalation_penalty }} * open_escalated_tickets
                ))
        end as support_experience_component,
        rfm_composite_score as rfm_component,
        1 + 4 * least(1.0, cast(touchpoint_kinds_12m as double) / {{ breadth_target }})
            as relationship_breadth_component
    from customers
),

health as (
    select
        *,
        -- a score (c360_round_score), as the composite RFM score is, so that a score equal to a
        -- health band cutoff is not left below it by float rounding (.75 + .8 + .525 + .5 + .45
        -- gives 3.0250000000000004; 3.4999999999999996 fell in the band under 3.5 for 525
        -- customer-snapshots of the 1M benchmark), and equal scores rank as ties
        {{ c360_round_score('(' ~ weighted_sum ~ ') / (' ~ weight_total ~ ')') }}
            as customer_health_score,
        -- how far each component pulls the score below 5, weighted
        greatest(
            {% for name, weight in weights.items() -%}
                coalesce({{ weight }} * (5 - {{ name }}_component), 0){{ ',' if not loop.last }}
            {% endfor -%}
        ) as largest_weighted_shortfall
    from components
),

final as (
    select
        *,
        case
            when largest_weighted_shortfall <= 0 then null
            {% for name, weight in weights.items() -%}
                when {{ weight }} * (5 - {{ name }}_component) = largest_weighted_shortfall
                    then '{{ name }}'
            {% endfor -%}
        end as health_weakest_component
    from health
)

select * from final
