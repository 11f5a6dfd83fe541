/* sql_types_range.c: the range types (sql_range.h): construction and canonical forms, text and
 * binary I/O as PostgreSQL 15's range_in / range_out / range_recv / range_send, order and hash.
 *   text:   "empty", or [ or (, the lower bound, a comma, the upper bound, ] or ); a missing
 *           bound is infinite; a bound is written in double quotes when it is empty or holds
 *           " \ ( ) [ ] , or white space (" and \ doubled inside), and read back likewise
 *           (a backslash takes the next character as it is). Errors: 22P02 "malformed range
 *           literal" with PostgreSQL's detail.
 *   binary: the flags byte, then each finite bound as an int32 length and the subtype's
 *           binary form (range_send); range_recv masks unknown flag bits and canonicalises. */
#include <ctype.h>
#include <string.h>

#include "sql/sql_dt_int.h"
#include "sql/sql_range.h"
#include "sql/sql_types_int.h"

static const sql_range_type sql_range_types[SQL_RANGE_TYPE_COUNT] = {
    {SQL_T_INT4RANGE, SQL_T_INT4, SQL_T_INT4MULTIRANGE, SQL_T_INT4RANGE_ARRAY,
     SQL_T_INT4MULTIRANGE_ARRAY, 1978, "int4range_canonical", "int4range_subdiff", true},
    {SQL_T_NUMRANGE, SQL_T_NUMERIC, SQL_T_NUMMULTIRANGE, SQL_T_NUMRANGE_ARRAY,
     SQL_T_NUMMULTIRANGE_ARRAY, 3125, "-", "numrange_subdiff", false},
    {SQL_T_TSRANGE, SQL_T_TIMESTAMP, SQL_T_TSMULTIRANGE, SQL_T_TSRANGE_ARRAY,
     SQL_T_TSMULTIRANGE_ARRAY, 3128, "-", "tsrange_subdiff", false},
    {SQL_T_TSTZRANGE, SQL_T_TIMESTAMPTZ, SQL_T_TSTZMULTIRANGE, SQL_T_TSTZRANGE_ARRAY,
     SQL_T_TSTZMULTIRANGE_ARRAY, 3127, "-", "tstzrange_subdiff", false},
    {SQL_T_DATERANGE, SQL_T_DATE, SQL_T_DATEMULTIRANGE, SQL_T_DATERANGE_ARRAY,
     SQL_T_DATEMULTIRANGE_ARRAY, 3122, "daterange_canonical", "daterange_subdiff", true},
    {SQL_T_INT8RANGE, SQL_T_INT8, SQL_T_INT8MULTIRANGE, SQL_T_INT8RANGE_ARRAY,
     SQL_T_INT8MULTIRANGE_ARRAY, 3124, "int8range_canonical", "int8range_subdiff", true},
};

const sql_range_type *sql_range_type_of(uint32_t oid) {
    for (uint32_t i = 0; i < SQL_RANGE_TYPE_COUNT; i++) {
        if (sql_range_types[i].oid == oid) return &sql_range_types[i];
    }
    return NULL;
}

const sql_range_type *sql_range_type_at(uint32_t i) {
    RT_ASSERT(i < SQL_RANGE_TYPE_COUNT);
    return &sql_range_types[i];
}

static const sql_range_type *sql_range_type_must(uint32_t oid) {
    const sql_range_type *rt = sql_range_type_of(oid);
    RT_ASSERT(rt != NULL);
    return rt;
}

/* ---- encoding ---- */

static bool sql_range_sub_is_i64(uint32_t sub_oid) {
    return sql_phys_of_type(sub_oid) == SQL_PHYS_I64;
}

static const uint8_t *sql_range_bound_decode(const uint8_t *p, uint32_t sub_oid,
                                             sql_range_bound *b) {
    b->val = (sql_value){.type_oid = sub_oid};
    if (sql_range_sub_is_i64(sub_oid)) {
        memcpy(&b->val.i64, p, 8);
        return p + 8;
    }
    uint32_t len;
    memcpy(&len, p, 4);
    b->val.b = (sql_bytes){.ptr = p + 4, .len = len};
    return p + 4 + len;
}

void sql_range_decode(const sql_value *v, sql_range *out) {
    const sql_range_type *rt = sql_range_type_must(v->type_oid);
    RT_ASSERT(!v->is_null && v->b.len >= 1);
    const uint8_t *p = v->b.ptr;
    uint8_t flags = *p++;
    *out = (sql_range){.type_oid = v->type_oid, .empty = (flags & SQL_RANGE_EMPTY) != 0};
    out->lower = (sql_range_bound){.infinite = (flags & SQL_RANGE_LB_INF) != 0,
                                   .inclusive = (flags & SQL_RANGE_LB_INC) != 0, .lower = true};
    out->upper = (sql_range_bound){.infinite = (flags & SQL_RANGE_UB_INF) != 0,
                                   .inclusive = (flags & SQL_RANGE_UB_INC) != 0};
    if (out->empty) return;
    if (!out->lower.infinite) p = sql_range_bound_decode(p, rt->sub_oid, &out->lower);
    if (!out->upper.infinite) p = sql_range_bound_decode(p, rt->sub_oid, &out->upper);
    RT_ASSERT(p == v->b.ptr + v->b.len);
}

static uint32_t sql_range_bound_bytes(const sql_range_bound *b) {
    if (b->infinite) return 0;
    return sql_range_sub_is_i64(b->val.type_oid) ? 8 : 4 + b->val.b.len;
}

static uint8_t *sql_range_bound_encode(uint8_t *p, const sql_range_bound *b) {
    if (b->infinite) return p;
    if (sql_range_sub_is_i64(b->val.type_oid)) {
        memcpy(p, &b->val.i64, 8);
        return p + 8;
    }
    memcpy(p, &b->val.b.len, 4);
    memcpy(p + 4, b->val.b.ptr, b->val.b.len);
    return p + 4 + b->val.b.len;
}

/* range_serialize: the order check, then the flags and bounds as given. */
static bool sql_range_serialize(rt_arena *arena, const sql_range_bound *lower,
                                const sql_range_bound *upper, bool empty, sql_value *out,
                                rt_err *err) {
    uint8_t flags = 0;
    if (!empty) {
        int cmp = sql_range_cmp_bound_values(lower, upper);
        if (cmp > 0) {
            return rt_err_set(err, SQLSTATE_DATA_EXCEPTION,
                              "range lower bound must be less than or equal to range upper "
                              "bound");
        }
        empty = cmp == 0 && !(lower->inclusive && upper->inclusive);
    }
    if (empty) {
        flags = SQL_RANGE_EMPTY;
    } else {
        flags |= lower->infinite ? SQL_RANGE_LB_INF : lower->inclusive ? SQL_RANGE_LB_INC : 0;
        flags |= upper->infinite ? SQL_RANGE_UB_INF : upper->inclusive ? SQL_RANGE_UB_INC : 0;
    }
    uint32_t len = 1;
    if (!empty) len += sql_range_bound_bytes(lower) + sql_range_bound_bytes(upper);
    uint8_t *p = rt_arena_alloc(arena, len);
    if (p == NULL) return rt_arena_fail(arena, err);
    p[0] = flags;
    if (!empty) sql_range_bound_encode(sql_range_bound_encode(p + 1, lower), upper);
    out->is_null = false;
    out->b = (sql_bytes){.ptr = p, .len = len};
    return true;
}

/* The next value of a discrete subtype (int4pl / int8pl / date_pli by 1). */
static bool sql_range_next(sql_value *v, rt_err *err) {
    switch (v->type_oid) {
    case SQL_T_INT4:
        if (v->i64 >= INT32_MAX) {
            return rt_err_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "integer out of range");
        }
        v->i64++;
        return true;
    case SQL_T_INT8:
        if (v->i64 == INT64_MAX) {
            return rt_err_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range");
        }
        v->i64++;
        return true;
    default: {
        RT_ASSERT(v->type_oid == SQL_T_DATE);
        sql_date d;
        if (!sql_date_pl_days((sql_date)v->i64, 1, &d, err)) return false;
        v->i64 = d;
        return true;
    }
    }
}

/* int4range_canonical, int8range_canonical, daterange_canonical: [) (infinite dates stay). */
static bool sql_range_canonical(sql_range_bound *lower, sql_range_bound *upper, rt_err *err) {
    bool date = lower->val.type_oid == SQL_T_DATE || upper->val.type_oid == SQL_T_DATE;
    if (!lower->infinite && !lower->inclusive &&
        !(date && !sql_date_is_finite((sql_date)lower->val.i64))) {
        if (!sql_range_next(&lower->val, err)) return false;
        lower->inclusive = true;
    }
    if (!upper->infinite && upper->inclusive &&
        !(date && !sql_date_is_finite((sql_date)upper->val.i64))) {
        if (!sql_range_next(&upper->val, err)) return false;
        upper->inclusive = false;
    }
    return true;
}

bool sql_range_make(rt_arena *arena, uint32_t type_oid, sql_range_bound lower,
                    sql_range_bound upper, bool empty, sql_value *out, rt_err *err) {
    const sql_range_type *rt = sql_range_type_must(type_oid);
    lower.lower = true, upper.lower = false;
    if (lower.infinite) lower.inclusive = false;
    if (upper.infinite) upper.inclusive = false;
    out->type_oid = type_oid;
    if (!sql_range_serialize(arena, &lower, &upper, empty, out, err)) return false;
    if (!rt->discrete || (out->b.ptr[0] & SQL_RANGE_EMPTY)) return true;
    if (!sql_range_canonical(&lower, &upper, err)) return false;
    return sql_range_serialize(arena, &lower, &upper, false, out, err);
}

/* ---- order ---- */

int sql_range_cmp_bound_values(const sql_range_bound *a, const sql_range_bound *b) {
    if (a->infinite && b->infinite) return a->lower == b->lower ? 0 : a->lower ? -1 : 1;
    if (a->infinite) return a->lower ? -1 : 1;
    if (b->infinite) return b->lower ? 1 : -1;
    return sql_value_cmp(&a->val, &b->val);
}

int sql_range_cmp_bounds(const sql_range_bound *a, const sql_range_bound *b) {
    int cmp = sql_range_cmp_bound_values(a, b);
    if (cmp != 0 || a->infinite || b->infinite) return cmp;
    if (!a->inclusive && !b->inclusive) return a->lower == b->lower ? 0 : a->lower ? 1 : -1;
    if (!a->inclusive) return a->lower ? 1 : -1;
    if (!b->inclusive) return b->lower ? -1 : 1;
    return 0;
}

int sql_range_cmp(const sql_value *a, const sql_value *b) {
    sql_range x, y;
    sql_range_decode(a, &x);
    sql_range_decode(b, &y);
    if (x.empty || y.empty) return x.empty && y.empty ? 0 : x.empty ? -1 : 1;
    int cmp = sql_range_cmp_bounds(&x.lower, &y.lower);
    return cmp != 0 ? cmp : sql_range_cmp_bounds(&x.upper, &y.upper);
}

/* Equal ranges hash alike: the flags and the subtype's hashes of the bounds (numeric's hash
 * ignores the display scale, as its equality does). */
static uint64_t sql_range_hash(const sql_value *v) {
    sql_range r;
    sql_range_decode(v, &r);
    uint64_t h = sql_hash_i64(v->b.ptr[0]);
    if (!r.empty && !r.lower.infinite) h = h * 31 + sql_value_hash(&r.lower.val);
    if (!r.empty && !r.upper.infinite) h = h * 31 + sql_value_hash(&r.upper.val);
    return h;
}

/* ---- text I/O ---- */

typedef struct sql_range_lexer {
    sql_io_ctx *io;
    const char *text, *p, *end;
    const char *type_name;
} sql_range_lexer;

static bool sql_range_malformed(sql_range_lexer *lx, const char *detail) {
    rt_err_set(lx->io->err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
               "malformed range literal: \"%.*s\"", (int)(lx->end - lx->text), lx->text);
    rt_err_detail(lx->io->err, "%s", detail);
    return false;
}

static void sql_range_skip_space(sql_range_lexer *lx) {
    while (lx->p < lx->end && isspace((unsigned char)*lx->p)) lx->p++;
}

static bool sql_range_is_delim(char c) { return c == ',' || c == ')' || c == ']'; }

/* range_parse_bound: a bound's text (quotes and backslashes undone) into `sb`; *infinite when
 * the bound is missing. */
static bool sql_range_parse_bound(sql_range_lexer *lx, sql_strbuf *sb, bool *infinite) {
    *infinite = lx->p < lx->end && sql_range_is_delim(*lx->p);
    if (*infinite) return true;
    bool inquote = false;
    while (inquote || lx->p >= lx->end || !sql_range_is_delim(*lx->p)) {
        if (lx->p >= lx->end) return sql_range_malformed(lx, "Unexpected end of input.");
        char ch = *lx->p++;
        if (ch == '\\') {
            if (lx->p >= lx->end) return sql_range_malformed(lx, "Unexpected end of input.");
            sql_strbuf_putc(sb, *lx->p++);
        } else if (ch == '"') {
            if (!inquote) {
                inquote = true;
            } else if (lx->p < lx->end && *lx->p == '"') {
                sql_strbuf_putc(sb, *lx->p++);
            } else {
                inquote = false;
            }
        } else {
            sql_strbuf_putc(sb, ch);
        }
    }
    return true;
}

/* A bound's text, NUL-terminated, or NULL when the bound is infinite. */
static bool sql_range_bound_text(sql_range_lexer *lx, sql_strbuf *sb, bool *infinite) {
    sql_strbuf_init(sb, lx->io->arena, 32);
    if (!sql_range_parse_bound(lx, sb, infinite)) return false;
    sql_strbuf_putc(sb, '\0');
    return !sb->failed || sql_io_alloc_fail(lx->io);
}

/* range_parse: the flags and the bounds' texts; the subtype reads them afterwards, so a
 * malformed literal is reported as such before a bad bound. */
static bool sql_range_parse(sql_range_lexer *lx, bool *empty, sql_range_bound *lower,
                            sql_range_bound *upper, sql_strbuf *ltext, sql_strbuf *utext) {
    sql_range_skip_space(lx);
    *empty = (size_t)(lx->end - lx->p) >= 5 && strncasecmp(lx->p, "empty", 5) == 0;
    if (*empty) {
        lx->p += 5;
        sql_range_skip_space(lx);
        if (lx->p != lx->end) return sql_range_malformed(lx, "Junk after \"empty\" key word.");
        return true;
    }
    if (lx->p >= lx->end || (*lx->p != '[' && *lx->p != '(')) {
        return sql_range_malformed(lx, "Missing left parenthesis or bracket.");
    }
    lower->inclusive = *lx->p++ == '[';
    if (!sql_range_bound_text(lx, ltext, &lower->infinite)) return false;
    if (lx->p >= lx->end || *lx->p != ',') {
        return sql_range_malformed(lx, "Missing comma after lower bound.");
    }
    lx->p++;
    if (!sql_range_bound_text(lx, utext, &upper->infinite)) return false;
    if (lx->p >= lx->end || (*lx->p != ']' && *lx->p != ')')) {
        return sql_range_malformed(lx, "Too many commas.");
    }
    upper->inclusive = *lx->p++ == ']';
    sql_range_skip_space(lx);
    if (lx->p != lx->end) {
        return sql_range_malformed(lx, "Junk after right parenthesis or bracket.");
    }
    return true;
}

static bool sql_range_in(sql_io_ctx *io, const char *text, uint32_t len, int32_t typmod,
                         sql_value *out) {
    (void)typmod;
    const sql_range_type *rt = sql_range_type_must(out->type_oid);
    sql_range_lexer lx = {.io = io, .text = text, .p = text, .end = text + len};
    sql_range_bound lower = {.lower = true}, upper = {0};
    sql_strbuf ltext, utext;
    bool empty;
    if (!sql_range_parse(&lx, &empty, &lower, &upper, &ltext, &utext)) return false;
    if (!empty && !lower.infinite &&
        !sql_value_in(io, rt->sub_oid, ltext.data, ltext.len - 1, -1, &lower.val)) {
        return false;
    }
    if (!empty && !upper.infinite &&
        !sql_value_in(io, rt->sub_oid, utext.data, utext.len - 1, -1, &upper.val)) {
        return false;
    }
    return sql_range_make(io->arena, rt->oid, lower, upper, empty, out, io->err);
}

/* range_bound_escape: quotes when needed, " and \ doubled. */
static bool sql_range_bound_out(sql_io_ctx *io, const sql_range_bound *b, sql_strbuf *sb) {
    sql_strbuf text;
    sql_strbuf_init(&text, io->arena, 32);
    if (!sql_value_out(io, &b->val, -1, &text)) return false;
    if (text.failed) return sql_io_alloc_fail(io);
    bool quote = text.len == 0;
    for (uint32_t i = 0; i < text.len && !quote; i++) {
        char ch = text.data[i];
        quote = ch == '"' || ch == '\\' || ch == '(' || ch == ')' || ch == '[' || ch == ']' ||
                ch == ',' || isspace((unsigned char)ch);
    }
    if (quote) sql_strbuf_putc(sb, '"');
    for (uint32_t i = 0; i < text.len; i++) {
        char ch = text.data[i];
        if (ch == '"' || ch == '\\') sql_strbuf_putc(sb, ch);
        sql_strbuf_putc(sb, ch);
    }
    if (quote) sql_strbuf_putc(sb, '"');
    return true;
}

static bool sql_range_out(sql_io_ctx *io, const sql_value *v, int32_t typmod, sql_strbuf *sb) {
    (void)typmod;
    sql_range r;
    sql_range_decode(v, &r);
    if (r.empty) {
        sql_strbuf_puts(sb, "empty");
        return true;
    }
    sql_strbuf_putc(sb, r.lower.inclusive ? '[' : '(');
    if (!r.lower.infinite && !sql_range_bound_out(io, &r.lower, sb)) return false;
    sql_strbuf_putc(sb, ',');
    if (!r.upper.infinite && !sql_range_bound_out(io, &r.upper, sb)) return false;
    sql_strbuf_putc(sb, r.upper.inclusive ? ']' : ')');
    return true;
}

/* ---- binary I/O ---- */

static bool sql_range_recv_bound(sql_io_ctx *io, const uint8_t **p, const uint8_t *end,
                                 uint32_t sub_oid, sql_range_bound *b) {
    if (end - *p < 4) {
        return rt_err_set(io->err, SQLSTATE_PROTOCOL_VIOLATION,
                          "insufficient data left in message");
    }
    uint32_t len = sql_get_be32(*p);
    *p += 4;
    if ((uint64_t)(end - *p) < len) {
        return rt_err_set(io->err, SQLSTATE_PROTOCOL_VIOLATION,
                          "insufficient data left in message");
    }
    if (!sql_value_recv(io, sub_oid, *p, len, -1, &b->val)) return false;
    *p += len;
    return true;
}

static bool sql_range_recv(sql_io_ctx *io, const uint8_t *p, uint32_t len, int32_t typmod,
                           sql_value *out) {
    (void)typmod;
    const sql_range_type *rt = sql_range_type_must(out->type_oid);
    const uint8_t *end = p + len;
    if (len < 1) {
        return rt_err_set(io->err, SQLSTATE_PROTOCOL_VIOLATION, "no data left in message");
    }
    uint8_t flags = *p++ & SQL_RANGE_FLAGS_ALL;
    bool empty = (flags & SQL_RANGE_EMPTY) != 0;
    sql_range_bound lower = {.infinite = (flags & SQL_RANGE_LB_INF) != 0,
                             .inclusive = (flags & SQL_RANGE_LB_INC) != 0};
    sql_range_bound upper = {.infinite = (flags & SQL_RANGE_UB_INF) != 0,
                             .inclusive = (flags & SQL_RANGE_UB_INC) != 0};
    if (!empty && !lower.infinite && !sql_range_recv_bound(io, &p, end, rt->sub_oid, &lower)) {
        return false;
    }
    if (!empty && !upper.infinite && !sql_range_recv_bound(io, &p, end, rt->sub_oid, &upper)) {
        return false;
    }
    if (p != end) return rt_err_set(io->err, SQLSTATE_PROTOCOL_VIOLATION, "invalid message format");
    return sql_range_make(io->arena, rt->oid, lower, upper, empty, out, io->err);
}

static bool sql_range_send_bound(sql_io_ctx *io, const sql_range_bound *b, sql_strbuf *sb) {
    uint32_t at = sb->len;
    sql_put_be32(sb, 0);
    if (!sql_value_send(io, &b->val, sb)) return false;
    if (sb->failed) return sql_io_alloc_fail(io);
    uint32_t n = sb->len - at - 4;
    uint8_t be[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    memcpy(sb->data + at, be, 4);
    return true;
}

static bool sql_range_send(sql_io_ctx *io, const sql_value *v, sql_strbuf *sb) {
    sql_range r;
    sql_range_decode(v, &r);
    sql_strbuf_putc(sb, (char)v->b.ptr[0]);
    if (r.empty) return true;
    if (!r.lower.infinite && !sql_range_send_bound(io, &r.lower, sb)) return false;
    return r.upper.infinite || sql_range_send_bound(io, &r.upper, sb);
}

void sql_types_range_register(sql_type_def *t) {
    if (!sql_type_is_range(t->oid)) return;
    t->in = sql_range_in, t->out = sql_range_out;
    t->recv = sql_range_recv, t->send_fn = sql_range_send;
    t->cmp = sql_range_cmp, t->hash = sql_range_hash;
}
