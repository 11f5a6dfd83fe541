/* sql_parse_type.c: type names. SQL's multi-word built-in types become PostgreSQL's canonical
 * internal names (sql_ast.h): INT/INTEGER int4, SMALLINT int2, BIGINT int8, REAL float4,
 * FLOAT/DOUBLE PRECISION float8 (FLOAT(p) float4 for p <= 24), DECIMAL/DEC/NUMERIC numeric,
 * BOOLEAN bool, CHARACTER VARYING/VARCHAR varchar, CHARACTER/CHAR/NCHAR bpchar, BIT VARYING
 * varbit, TIMESTAMP [WITHOUT TIME ZONE] timestamp, TIMESTAMP WITH TIME ZONE timestamptz,
 * TIME [WITH TIME ZONE] time/timetz. Other names are kept as written (vector(3) is a name with
 * a modifier). As in PostgreSQL, CHAR and BIT without a length mean length 1 in a column or
 * cast, but no limit in a typed literal (CHAR 'abc'). */
#include <string.h>

#include "sql/sql_parse_int.h"

/* PostgreSQL's INTERVAL_MASK bits (its datetime token numbers), for interval_fields. */
#define SQL_INTERVAL_MONTH (1 << 1)
#define SQL_INTERVAL_YEAR (1 << 2)
#define SQL_INTERVAL_DAY (1 << 3)
#define SQL_INTERVAL_HOUR (1 << 10)
#define SQL_INTERVAL_MINUTE (1 << 11)
#define SQL_INTERVAL_SECOND (1 << 12)

/* float(p): p bits of mantissa; float4 holds 24, float8 53. */
#define SQL_FLOAT4_PRECISION_MAX 24
#define SQL_FLOAT8_PRECISION_MAX 53

static sql_typename *type_new(sql_parser *p, const char *name, uint32_t location) {
    sql_typename *t = P_NODE(p, sql_typename, SQL_N_TYPENAME, location);
    if (t == NULL) return NULL;
    t->name.count = 1;
    t->name.parts[0] = name;
    t->name.location = location;
    t->interval_fields = -1;
    return t;
}

sql_typename *sql_parse_typename_from_name(sql_parser *p, const sql_name *name,
                                           uint32_t location) {
    sql_typename *t = type_new(p, NULL, location);
    if (t != NULL) t->name = *name;
    return t;
}

static bool type_push_int(sql_parser *p, sql_typename *t, int64_t value, uint32_t location) {
    sql_node *c = sql_parse_const_int(p, value, location);
    return c != NULL && p_push(p, &t->typmods, c);
}

/* '(' Iconst ')' into the typmods; *value gets the number. */
static bool type_paren_int(sql_parser *p, sql_typename *t, int64_t *value, uint32_t *location) {
    if (!p_expect(p, '(')) return false;
    const sql_token *n = p_tok(p);
    if (n->kind != SQL_TOK_ICONST || n->ival > INT32_MAX) return p_error(p);
    *value = n->ival;
    *location = n->start;
    p_next(p);
    return p_expect(p, ')') && (t == NULL || type_push_int(p, t, *value, *location));
}

/* opt_type_modifiers: '(' expr_list ')' */
static bool type_modifiers(sql_parser *p, sql_typename *t) {
    if (!p_accept(p, '(')) return true;
    return sql_parse_expr_list(p, &t->typmods) && p_expect(p, ')');
}

static sql_typename *type_float(sql_parser *p, uint32_t location) {
    if (!p_is(p, '(')) return type_new(p, "float8", location);
    int64_t bits;
    uint32_t at;
    if (!type_paren_int(p, NULL, &bits, &at)) return NULL;
    if (bits < 1) {
        sql_parse_fail(p, SQLSTATE_INVALID_PARAMETER_VALUE, at,
                       "precision for type float must be at least 1 bit");
        return NULL;
    }
    if (bits > SQL_FLOAT8_PRECISION_MAX) {
        sql_parse_fail(p, SQLSTATE_INVALID_PARAMETER_VALUE, at,
                       "precision for type float must be less than 54 bits");
        return NULL;
    }
    return type_new(p, bits <= SQL_FLOAT4_PRECISION_MAX ? "float4" : "float8", location);
}

static sql_typename *type_numeric(sql_parser *p, sql_kw kw, uint32_t location) {
    p_next(p);
    switch (kw) {
    case SQL_KW_INT: case SQL_KW_INTEGER: return type_new(p, "int4", location);
    case SQL_KW_SMALLINT: return type_new(p, "int2", location);
    case SQL_KW_BIGINT: return type_new(p, "int8", location);
    case SQL_KW_REAL: return type_new(p, "float4", location);
    case SQL_KW_BOOLEAN: return type_new(p, "bool", location);
    case SQL_KW_FLOAT: return type_float(p, location);
    case SQL_KW_DOUBLE:
        p_next(p); /* PRECISION */
        return type_new(p, "float8", location);
    default: { /* DECIMAL, DEC, NUMERIC */
        sql_typename *t = type_new(p, "numeric", location);
        return t != NULL && type_modifiers(p, t) ? t : NULL;
    }
    }
}

static sql_typename *type_bit(sql_parser *p, uint32_t location, bool literal) {
    p_next(p);
    bool varying = p_accept_kw(p, SQL_KW_VARYING);
    sql_typename *t = type_new(p, varying ? "varbit" : "bit", location);
    if (t == NULL || !type_modifiers(p, t)) return NULL;
    if (!varying && !literal && t->typmods.count == 0 && !type_push_int(p, t, 1, UINT32_MAX)) {
        return NULL;
    }
    return t;
}

static sql_typename *type_character(sql_parser *p, sql_kw kw, uint32_t location, bool literal) {
    p_next(p);
    if (kw == SQL_KW_NATIONAL) {
        if (!p_accept_kw(p, SQL_KW_CHARACTER) && !p_accept_kw(p, SQL_KW_CHAR)) {
            return p_error(p), NULL;
        }
    }
    bool varying = kw == SQL_KW_VARCHAR || p_accept_kw(p, SQL_KW_VARYING);
    sql_typename *t = type_new(p, varying ? "varchar" : "bpchar", location);
    if (t == NULL) return NULL;
    int64_t len;
    uint32_t at;
    if (p_is(p, '(')) return type_paren_int(p, t, &len, &at) ? t : NULL;
    if (!varying && !literal && !type_push_int(p, t, 1, UINT32_MAX)) return NULL;
    return t;
}

static sql_typename *type_datetime(sql_parser *p, bool timestamp, uint32_t location) {
    p_next(p);
    sql_typename *t = type_new(p, timestamp ? "timestamp" : "time", location);
    int64_t precision;
    uint32_t at;
    if (t == NULL || (p_is(p, '(') && !type_paren_int(p, t, &precision, &at))) return NULL;
    bool with = p_is_kw(p, SQL_KW_WITH), without = p_is_kw(p, SQL_KW_WITHOUT);
    if ((with || without) && p_is_kw_at(p, 1, SQL_KW_TIME) && p_is_kw_at(p, 2, SQL_KW_ZONE)) {
        p_next(p);
        p_next(p);
        p_next(p);
        if (with) t->name.parts[0] = timestamp ? "timestamptz" : "timetz";
    }
    return t;
}

static bool type_interval_second(sql_parser *p, sql_typename *t) {
    t->interval_fields |= SQL_INTERVAL_SECOND;
    p_next(p);
    int64_t precision;
    uint32_t at;
    return !p_is(p, '(') || type_paren_int(p, t, &precision, &at);
}

/* YEAR [TO MONTH] | MONTH | DAY [TO HOUR|MINUTE|SECOND] | HOUR [TO MINUTE|SECOND] |
 * MINUTE [TO SECOND] | SECOND [(p)]; a range sets every field it spans. */
bool sql_parse_interval_fields(sql_parser *p, sql_typename *t) {
    static const sql_kw order[] = {SQL_KW_DAY, SQL_KW_HOUR, SQL_KW_MINUTE, SQL_KW_SECOND};
    static const int32_t masks[] = {SQL_INTERVAL_DAY, SQL_INTERVAL_HOUR, SQL_INTERVAL_MINUTE,
                                    SQL_INTERVAL_SECOND};
    if (p_accept_kw(p, SQL_KW_YEAR)) {
        t->interval_fields = SQL_INTERVAL_YEAR;
        if (!p_accept_kw(p, SQL_KW_TO)) return true;
        t->interval_fields |= SQL_INTERVAL_MONTH;
        return p_expect_kw(p, SQL_KW_MONTH);
    }
    if (p_accept_kw(p, SQL_KW_MONTH)) {
        t->interval_fields = SQL_INTERVAL_MONTH;
        return true;
    }
    if (p_is_kw(p, SQL_KW_SECOND)) {
        t->interval_fields = 0;
        return type_interval_second(p, t);
    }
    size_t first = 0;
    while (first < 3 && !p_is_kw(p, order[first])) first++;
    if (first == 3) return true; /* no fields */
    p_next(p);
    int32_t mask = masks[first];
    t->interval_fields = mask;
    if (!p_accept_kw(p, SQL_KW_TO)) return true;
    for (size_t f = first + 1; f < 4; f++) {
        mask |= masks[f];
        if (!p_is_kw(p, order[f])) continue;
        t->interval_fields = mask;
        if (f == 3) return type_interval_second(p, t);
        p_next(p);
        return true;
    }
    return p_error(p);
}

static sql_typename *type_interval(sql_parser *p, uint32_t location, bool literal) {
    p_next(p);
    sql_typename *t = type_new(p, "interval", location);
    if (t == NULL) return NULL;
    int64_t precision;
    uint32_t at;
    if (p_is(p, '(')) return type_paren_int(p, t, &precision, &at) ? t : NULL;
    if (literal) return t; /* INTERVAL '1' DAY: the fields follow the literal */
    return sql_parse_interval_fields(p, t) ? t : NULL;
}

/* type_function_name [.attr ...] [(modifiers)] */
static sql_typename *type_generic(sql_parser *p) {
    uint32_t location = p_loc(p);
    const char *first = sql_parse_type_func_name(p);
    if (first == NULL) return NULL;
    sql_typename *t = type_new(p, first, location);
    while (t != NULL && p_is(p, '.')) {
        const sql_token *part = p_peek(p, 1);
        if (!sql_parse_tok_is_col_label(part)) return sql_parse_syntax_error(p, part), NULL;
        if (t->name.count == 4) {
            sql_parse_fail(p, SQLSTATE_SYNTAX_ERROR, location,
                           "improper qualified name (too many dotted names)");
            return NULL;
        }
        t->name.parts[t->name.count++] = part->str;
        p_next(p);
        p_next(p);
    }
    return t != NULL && type_modifiers(p, t) ? t : NULL;
}

/* True if the current token starts a built-in type of SQL's own syntax (not a name). */
static bool type_kw_builtin(sql_parser *p) {
    const sql_token *t = p_tok(p);
    if (t->kind != SQL_TOK_KEYWORD) return false;
    switch (t->kw) {
    case SQL_KW_INT: case SQL_KW_INTEGER: case SQL_KW_SMALLINT: case SQL_KW_BIGINT:
    case SQL_KW_REAL: case SQL_KW_FLOAT: case SQL_KW_DECIMAL: case SQL_KW_DEC:
    case SQL_KW_NUMERIC: case SQL_KW_BOOLEAN: case SQL_KW_BIT: case SQL_KW_CHARACTER:
    case SQL_KW_CHAR: case SQL_KW_VARCHAR: case SQL_KW_NCHAR: case SQL_KW_NATIONAL:
    case SQL_KW_TIMESTAMP: case SQL_KW_TIME: case SQL_KW_INTERVAL:
        return true;
    case SQL_KW_DOUBLE: return p_is_kw_at(p, 1, SQL_KW_PRECISION);
    default: return false;
    }
}

static sql_typename *type_simple(sql_parser *p, bool literal) {
    const sql_token *tok = p_tok(p);
    uint32_t location = tok->start;
    if (tok->kind != SQL_TOK_KEYWORD) return type_generic(p);
    switch (tok->kw) {
    case SQL_KW_INT: case SQL_KW_INTEGER: case SQL_KW_SMALLINT: case SQL_KW_BIGINT:
    case SQL_KW_REAL: case SQL_KW_FLOAT: case SQL_KW_DECIMAL: case SQL_KW_DEC:
    case SQL_KW_NUMERIC: case SQL_KW_BOOLEAN:
        return type_numeric(p, (sql_kw)tok->kw, location);
    case SQL_KW_DOUBLE:
        if (!p_is_kw_at(p, 1, SQL_KW_PRECISION)) return type_generic(p);
        return type_numeric(p, SQL_KW_DOUBLE, location);
    case SQL_KW_BIT: return type_bit(p, location, literal);
    case SQL_KW_CHARACTER: case SQL_KW_CHAR: case SQL_KW_VARCHAR: case SQL_KW_NCHAR:
    case SQL_KW_NATIONAL:
        return type_character(p, (sql_kw)tok->kw, location, literal);
    case SQL_KW_TIMESTAMP: return type_datetime(p, true, location);
    case SQL_KW_TIME: return type_datetime(p, false, location);
    case SQL_KW_INTERVAL: return type_interval(p, location, literal);
    default: return type_generic(p);
    }
}

sql_typename *sql_parse_simple_type(sql_parser *p) { return type_simple(p, false); }

sql_typename *sql_parse_type(sql_parser *p) {
    bool setof = p_accept_kw(p, SQL_KW_SETOF);
    bool generic = !type_kw_builtin(p);
    sql_typename *t = type_simple(p, false);
    if (t == NULL) return NULL;
    t->setof = setof;
    if (generic && t->typmods.count == 0 && p_is(p, '%') && p_is_kw_at(p, 1, SQL_KW_TYPE)) {
        p_next(p);
        p_next(p);
        t->pct_type = true;
        return t;
    }
    if (p_accept_kw(p, SQL_KW_ARRAY)) {
        t->array_dims = 1;
        if (p_accept(p, '[')) {
            if (!p_is(p, SQL_TOK_ICONST)) return p_error(p), NULL;
            p_next(p);
            if (!p_expect(p, ']')) return NULL;
        }
        return t;
    }
    while (p_accept(p, '[')) {
        if (p_is(p, SQL_TOK_ICONST)) p_next(p);
        if (!p_expect(p, ']')) return NULL;
        t->array_dims++;
    }
    return t;
}

/* Keywords that are type names in a typed literal, and what may follow them there. */
bool sql_parse_const_type_starts(sql_parser *p) {
    const sql_token *t = p_tok(p);
    if (t->kind != SQL_TOK_KEYWORD) return false;
    uint32_t next = p_kind_at(p, 1);
    bool string = next == SQL_TOK_SCONST, paren = next == '(';
    bool varying = p_is_kw_at(p, 1, SQL_KW_VARYING);
    bool zone = (p_is_kw_at(p, 1, SQL_KW_WITH) || p_is_kw_at(p, 1, SQL_KW_WITHOUT)) &&
                p_is_kw_at(p, 2, SQL_KW_TIME);
    switch (t->kw) {
    case SQL_KW_INT: case SQL_KW_INTEGER: case SQL_KW_SMALLINT: case SQL_KW_BIGINT:
    case SQL_KW_REAL: case SQL_KW_BOOLEAN:
        return string;
    case SQL_KW_FLOAT: case SQL_KW_DECIMAL: case SQL_KW_DEC: case SQL_KW_NUMERIC:
    case SQL_KW_INTERVAL: case SQL_KW_VARCHAR:
        return string || paren;
    case SQL_KW_DOUBLE: return p_is_kw_at(p, 1, SQL_KW_PRECISION);
    case SQL_KW_NATIONAL:
        return p_is_kw_at(p, 1, SQL_KW_CHARACTER) || p_is_kw_at(p, 1, SQL_KW_CHAR);
    case SQL_KW_BIT: case SQL_KW_CHARACTER: case SQL_KW_CHAR: case SQL_KW_NCHAR:
        return string || paren || varying;
    case SQL_KW_TIMESTAMP: case SQL_KW_TIME: return string || paren || zone;
    default: return false;
    }
}

sql_typename *sql_parse_const_type(sql_parser *p) { return type_simple(p, true); }
