{#
    Post-hook of the seed watchlist_rules: every row must make sense, or the seed (and so the
    build) fails with a message naming the rule and the column. Checked: customer_segment is
    'all' or a segment, metric one of c360_watchlist_metrics(), comparison one of
    c360_watchlist_comparisons(), threshold a number, severity info/warning/critical,
    is_enabled true/false, reason_template's {placeholders} known, no two rows of a rule for the
    same segment and metric, and one severity and is_enabled per rule. Renders no SQL.
#}
{% macro c360_validate_watchlist_rules(relation) %}
    {%- if execute -%}
        {%- set segments = ['High-Value Enterprise', 'Enterprise', 'SMB'] -%}
        {%- set metrics = c360_watchlist_metrics() -%}
        {%- set comparisons = c360_watchlist_comparisons() -%}
        {%- set severities = ['info', 'warning', 'critical'] -%}
        {%- set placeholders = ['value', 'threshold'] + c360_watchlist_reason_fields() -%}
        {%- set columns = ['rule_id', 'customer_segment', 'metric', 'comparison', 'threshold',
            'severity', 'is_enabled', 'reason_template'] -%}
        {%- set rows = run_query('select ' ~ columns | join(', ') ~ ' from ' ~ relation) -%}
        {%- set seen = {} -%}
        {%- set rule_settings = {} -%}
        {%- for row in rows -%}
            {%- set value = {} -%}
            {%- for column in columns -%}
                {%- do value.update({column: ('' if row[column] is none else row[column] | string) | trim}) -%}
            {%- endfor -%}
            {%- set rule = value.rule_id if value.rule_id else '(row ' ~ loop.index ~ ')' -%}
            {%- set fail = [] -%}
            {%- if not value.rule_id -%}
                {%- do fail.append(('rule_id', 'is empty')) -%}
            {%- elif value.customer_segment != 'all' and value.customer_segment not in segments -%}
                {%- do fail.append(('customer_segment', "unknown segment '" ~ value.customer_segment
                    ~ "'; expected all, " ~ segments | join(', '))) -%}
            {%- elif value.metric not in metrics -%}
                {%- do fail.append(('metric', "unknown metric '" ~ value.metric
                    ~ "'; expected one of " ~ metrics.keys() | list | join(', '))) -%}
            {%- elif value.comparison not in comparisons -%}
                {%- do fail.append(('comparison', "unknown comparison '" ~ value.comparison
                    ~ "'; expected one of " ~ comparisons | join(' '))) -%}
            {%- elif not modules.re.match('^-?[0-9]+(\.[0-9]+)?$', value.threshold) -%}
                {%- do fail.append(('threshold', "'" ~ value.threshold ~ "' is not a number")) -%}
            {%- elif value.severity not in severities -%}
                {%- do fail.append(('severity', "unknown severity '" ~ value.severity
                    ~ "'; expected " ~ severities | join(', '))) -%}
            {%- elif value.is_enabled | lower not in ['true', 'false'] -%}
                {%- do fail.append(('is_enabled', "'" ~ value.is_enabled ~ "' is not true or false")) -%}
            {%- elif not value.reason_template -%}
                {%- do fail.append(('reason_template', 'is empty')) -%}
            {%- else -%}
                {%- for name in modules.re.findall('\{([^{}]*)\}', value.reason_template) -%}
                    {%- if name not in placeholders and not fail -%}
                        {%- do fail.append(('reason_template', "unknown placeholder {" ~ name
                            ~ "}; expected {value}, {threshold} or one of {" ~ c360_watchlist_reason_fields() | join("}, {") ~ "}")) -%}
                    {%- endif -%}
                {%- endfor -%}
            {%- endif -%}
            {%- if not fail -%}
                {%- for segment in (segments if value.customer_segment == 'all' else [value.customer_segment]) -%}
                    {%- set key = value.rule_id ~ '|' ~ segment ~ '|' ~ value.metric -%}
                    {%- if key in seen and not fail -%}
                        {%- do fail.append(('rule_id', "duplicate: two rows test " ~ value.metric
                            ~ " for segment " ~ segment)) -%}
                    {%- endif -%}
                    {%- do seen.update({key: true}) -%}
                {%- endfor -%}
            {%- endif -%}
            {%- if not fail -%}
                {%- set settings = {'severity': value.severity, 'is_enabled': value.is_enabled | lower} -%}
                {%- set earlier = rule_settings.get(value.rule_id) -%}
                {%- if earlier is none -%}
                    {%- do rule_settings.update({value.rule_id: settings}) -%}
                {%- else -%}
                    {%- for column in ['severity', 'is_enabled'] -%}
                        {%- if earlier[column] != settings[column] and not fail -%}
                            {%- do fail.append((column, "the rule's rows disagree ('" ~ earlier[column]
                                ~ "' and '" ~ settings[column] ~ "'); a rule has one " ~ column)) -%}
                        {%- endif -%}
                    {%- endfor -%}
                {%- endif -%}
            {%- endif -%}
            {%- if fail -%}
                {{ exceptions.raise_compiler_error("customer360: seeds/watchlist_rules.csv rule '"
                    ~ rule ~ "', column " ~ fail[0][0] ~ ": " ~ fail[0][1]) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
