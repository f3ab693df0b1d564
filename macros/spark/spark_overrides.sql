{% macro spark__load_csv_rows(model, agate_table) %}
    {#-
        Seed rows on Spark. dbt-spark's session connection formats the values into the
        statement without escaping them (a description with an apostrophe broke the insert),
        and dbt reads the CSV with the text `null` as a null, where DuckDB keeps it (the
        blocked identifier `null`).
        - On the local `spark` target Spark reads the file itself, like DuckDB: empty is null,
          `null` is text; every column cast to its type.
        - On other Spark targets (a cluster cannot see the file; or set the var
          `mailmart_spark_seeds_from_files`) the rows are written as literals, strings with
          backslash escapes (Spark's; a doubled quote is two literals to Spark), and a seed
          cell `null` becomes a null.
    -#}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
        {%- do types.append(column_override.get(col_name, inferred_type)) -%}
    {%- endfor -%}
    {%- if var('mailmart_spark_seeds_from_files', target.name == 'spark') -%}
        {%- set file = (model.root_path ~ '/' ~ model.original_file_path) | replace("'", "\\'") -%}
        {%- set view = this.identifier ~ '__csv' -%}
        {%- do adapter.add_query(
            'create or replace temporary view ' ~ view ~ " using csv options (path '" ~ file
            ~ "', header 'true', multiLine 'true', escape '\"', mode 'FAILFAST')"
        ) -%}
        {%- set columns = [] -%}
        {%- for col_name in agate_table.column_names -%}
            {%- do columns.append('cast(`' ~ col_name ~ '` as ' ~ types[loop.index0] ~ ')') -%}
        {%- endfor -%}
        {%- do adapter.add_query(
            'insert into ' ~ this.render() ~ ' select ' ~ columns | join(', ') ~ ' from ' ~ view
        ) -%}
        {%- do adapter.add_query('drop view ' ~ view) -%}
        {{- return('') -}}
    {%- endif -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                (
                {%- for value in row -%}
                    {%- if value is none -%}
                        cast(null as {{ types[loop.index0] }})
                    {%- else -%}
                        cast('{{ (value | string).replace("\\", "\\\\").replace("'", "\\'") }}' as {{ types[loop.index0] }})
                    {%- endif -%}
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%}
                ){%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
    {%- endfor -%}
    {{- return('') -}}
{% endmacro %}


{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {#- dbt-spark's listagg drops the order; Spark 4 has `listagg ... within group`. -#}
    {%- if limit_num -%}
        {{ exceptions.raise_compiler_error('listagg with a limit is not supported on Spark') }}
    {%- endif -%}
    listagg({{ measure }}, {{ delimiter_text }})
    {%- if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
{%- endmacro %}
