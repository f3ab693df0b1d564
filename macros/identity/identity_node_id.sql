{% macro identity_node_id(expression) %}
    {{- return(adapter.dispatch('identity_node_id', 'mailmart')(expression)) -}}
{% endmacro %}

{#-
    A signed 64-bit hash of a text key, the node id of the identity graph. Signed because Spark
    has no unsigned integers. Pass the identifier's type and value together (for example
    `'email:' || email_normalized`) so equal values of different types stay different nodes.
    Hashes, not row numbers: connected_components hooks every node to its smallest neighbour,
    which converges fast only when ids are in random order along chains. Null in, null out.
-#}
{% macro default__identity_node_id(expression) -%}
    {#- DuckDB's hash() is UBIGINT; shifting by 2^63 maps it onto BIGINT one to one and keeps
        its order. -#}
    case
        when ({{ expression }}) is not null
            then (hash({{ expression }})::hugeint - 9223372036854775808)::bigint
    end
{%- endmacro %}

{% macro spark__identity_node_id(expression) -%}
    case when ({{ expression }}) is not null then xxhash64({{ expression }}) end
{%- endmacro %}
