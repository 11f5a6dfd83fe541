/* sql_bind_func.c: coercion of bound expressions to types, PostgreSQL's common-type rule, and
 * resolution of function and operator calls among their overloads:
 *   1. candidates with the right number of arguments (variadic ones expanded);
 *   2. every argument must match exactly, be an untyped literal or parameter (unknown), match
 *      a polymorphic slot consistently (anyrange: a range type whose subtype is the call's
 *      anyelement, as PostgreSQL: int8range @> integer does not exist), or cast implicitly;
 *   3. most exact matches win; then most matches of preferred types where a cast is needed;
 *   4. for operators with one unknown side, the other side's type is tried for both first.
 * No candidate: 42883 with PostgreSQL's hint; a tie: 42725. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "runtime/rt_loop.h"
#include "sql/sql_bind_int.h"
#include "sql/sql_enum.h"
#include "sql/sql_pgcat.h"
#include "sql/sql_range.h"
#include "sql/sql_record.h"
#include "sql/sql_strbuf.h"

extern const sql_func_def sql_cast_def;
/* func.state of a cast the binder put in implicitly (an operator's or function's argument
 * widened to its declared type): the deparser leaves out the ones PostgreSQL's cross-type
 * operators make needless there (sql_ixexpr.c). */
const char sql_cast_implicit_mark = 'i';

const char *sql_type_name(uint32_t oid) {
    switch (oid) {
    case SQL_T_INT2: return "smallint";
    case SQL_T_INT4: return "integer";
    case SQL_T_INT8: return "bigint";
    case SQL_T_FLOAT4: return "real";
    case SQL_T_FLOAT8: return "double precision";
    case SQL_T_BOOL: return "boolean";
    case SQL_T_VARCHAR: return "character varying";
    case SQL_T_BPCHAR: return "character";
    case SQL_T_TIMESTAMP: return "timestamp without time zone";
    case SQL_T_TIMESTAMPTZ: return "timestamp with time zone";
    case SQL_T_TIME: return "time without time zone";
    case SQL_T_TIMETZ: return "time with time zone";
    case SQL_T_VARBIT: return "bit varying";
    default: break;
    }
    const sql_type_def *t = sql_type_by_oid(oid);
    if (t == NULL && (sql_enum_is(oid) || sql_enum_elem_of(oid) != 0)) {
        static _Thread_local char buf[4][80];
        static _Thread_local int k;
        char *b = buf[k++ & 3];
        sql_enum_type_name(oid, b, 80);
        return b;
    }
    if (t == NULL) return "???";
    if (t->category == 'A' && t->elem_oid != 0 && t->name[0] == '_') {
        static _Thread_local char buf[4][80];
        static _Thread_local int k;
        char *b = buf[k++ & 3];
        snprintf(b, 80, "%s[]", sql_type_name(t->elem_oid));
        return b;
    }
    return t->name;
}

bool sql_bind_error(sql_binder *b, uint32_t loc, const char *sqlstate, const char *fmt, ...) {
    if (rt_err_is_set(b->bc->err)) return false;
    va_list ap;
    va_start(ap, fmt);
    rt_err_setv(b->bc->err, sqlstate, fmt, ap);
    va_end(ap);
    if (loc != UINT32_MAX && b->bc->sql != NULL && loc <= b->bc->sql_len) {
        /* PostgreSQL's position counts characters, 1-based. */
        uint32_t chars = 0;
        for (uint32_t i = 0; i < loc; i++) chars += ((uint8_t)b->bc->sql[i] & 0xC0) != 0x80;
        b->bc->err->position = chars + 1;
    }
    return false;
}

bool sql_bind_stack_ok(sql_binder *b) {
    if (rt_stack_left() >= SQL_STACK_RESERVE_BYTES) return true;
    return sql_bind_error(b, UINT32_MAX, SQLSTATE_STATEMENT_TOO_COMPLEX,
                          "stack depth limit exceeded");
}

bool sql_bind_oom(sql_binder *b) { return rt_arena_fail(b->arena, b->bc->err); }

/* ---- coercion ---- */

static sql_expr *sql_bind_cast_node(sql_qlevel *q, sql_expr *e, uint32_t type, int32_t typmod,
                                    bool is_explicit);

static bool sql_digits(const char *p, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return false;
    }
    return true;
}

/* Whether a date/time literal reads the same under every DateStyle, TimeZone and clock: only
 * ISO forms `YYYY-MM-DD[ HH:MM:SS[.f]]`, with an explicit offset for the zoned types. Others
 * ('now', '01/02/2024', a zone-less timestamptz) are read at execution, with the session's
 * settings of that moment, since a prepared plan outlives SET. */
static bool sql_bind_datetime_fixed(uint32_t type, const char *s, uint32_t len) {
    uint32_t i = 0;
    if (type == SQL_T_DATE || type == SQL_T_TIMESTAMP || type == SQL_T_TIMESTAMPTZ) {
        if (len < 10 || !sql_digits(s, 4) || s[4] != '-' || !sql_digits(s + 5, 2) ||
            s[7] != '-' || !sql_digits(s + 8, 2)) {
            return false;
        }
        i = 10;
        if (type == SQL_T_DATE) return i == len;
        if (i == len) return type == SQL_T_TIMESTAMP;
        if (s[i] != ' ' && s[i] != 'T') return false;
        i++;
    }
    if (len < i + 8 || !sql_digits(s + i, 2) || s[i + 2] != ':' || !sql_digits(s + i + 3, 2) ||
        s[i + 5] != ':' || !sql_digits(s + i + 6, 2)) {
        return false;
    }
    i += 8;
    if (i < len && s[i] == '.') {
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {}
    }
    if (type == SQL_T_TIMESTAMP || type == SQL_T_TIME) return i == len;
    if (i < len && s[i] == 'Z') return i + 1 == len;
    if (i >= len || (s[i] != '+' && s[i] != '-')) return false;
    for (i++; i < len && ((s[i] >= '0' && s[i] <= '9') || s[i] == ':'); i++) {}
    return i == len;
}

static bool sql_bind_type_is_datetime(uint32_t type) {
    return type == SQL_T_DATE || type == SQL_T_TIME || type == SQL_T_TIMETZ ||
           type == SQL_T_TIMESTAMP || type == SQL_T_TIMESTAMPTZ;
}

/* Folds an unknown literal into a constant of `type` by the type's input function; an
 * explicit cast may cut to the typmod ('abcdef'::varchar(3)) where assignment may not. */
static sql_expr *sql_bind_fold_unknown(sql_qlevel *q, sql_expr *e, uint32_t type, int32_t typmod,
                                       bool is_explicit, uint32_t loc) {
    sql_binder *b = q->b;
    if (!e->constval.is_null && sql_bind_type_is_datetime(type) &&
        !sql_bind_datetime_fixed(type, (const char *)e->constval.b.ptr, e->constval.b.len)) {
        e->type_oid = SQL_T_TEXT;
        e->constval.type_oid = SQL_T_TEXT;
        return sql_bind_cast_node(q, e, type, typmod, is_explicit);
    }
    sql_value v = {.type_oid = type, .is_null = e->constval.is_null};
    if (!v.is_null) {
        sql_fmt fmt = {0};
        fmt.extra_float_digits = 1;
        sql_io_ctx io = {.arena = b->arena, .fmt = &fmt, .err = b->bc->err};
        sql_bind_ctx *bc = b->bc; /* reg* literals ('t'::regclass) resolve names here */
        io.names = &(sql_names){bc->catalog, bc->db, bc->search_path, bc->nsearch,
                                bc->temp_schema_oid, bc->session};
        char *text = rt_arena_strndup(b->arena, (const char *)e->constval.b.ptr,
                                      e->constval.b.len);
        if (text == NULL) return NULL;
        /* varchar(n) and char(n): an explicit cast cuts what assignment would refuse; bit(n)
         * and varbit(n) take their length as a cast does (PostgreSQL's input gets no typmod
         * here), so the message is the cast's. */
        bool cut = (is_explicit && (type == SQL_T_VARCHAR || type == SQL_T_BPCHAR)) ||
                   type == SQL_T_BIT || type == SQL_T_VARBIT;
        if (!sql_value_in(&io, type, text, e->constval.b.len, cut ? -1 : typmod, &v) ||
            (cut && !sql_value_coerce(&io, &v, typmod, is_explicit))) {
            if (loc != UINT32_MAX) {
                rt_err saved = *b->bc->err;
                rt_err_clear(b->bc->err);
                sql_bind_error(b, loc, saved.sqlstate, "%s", saved.message);
                memcpy(b->bc->err->detail, saved.detail, sizeof saved.detail);
                memcpy(b->bc->err->hint, saved.hint, sizeof saved.hint);
            }
            return NULL;
        }
    }
    sql_expr *c = sql_expr_const(b->arena, &v, typmod);
    if (c != NULL) c->location = e->location;
    return c;
}

static sql_expr *sql_bind_cast_node(sql_qlevel *q, sql_expr *e, uint32_t type, int32_t typmod,
                                    bool is_explicit) {
    sql_expr *c = sql_expr_new(q->b->arena, SQL_X_FUNC, type, 1);
    if (c == NULL) return NULL;
    /* int4 / int8 -> bit(n) takes the low n bits: the length is the conversion's, not a pad. */
    c->typmod = type == SQL_T_BIT && sql_type_is_integer(e->type_oid) ? typmod : -1;
    c->args[0] = e;
    c->func.def = &sql_cast_def;
    c->func.state = is_explicit ? NULL : (void *)&sql_cast_implicit_mark;
    c->location = e->location;
    if (typmod < 0) return c;
    sql_expr *co = sql_expr_new(q->b->arena, SQL_X_COERCE, type, 1);
    if (co == NULL) return NULL;
    co->typmod = typmod;
    co->args[0] = c;
    co->coerce.is_explicit = is_explicit;
    return co;
}

sql_expr *sql_bind_coerce(sql_qlevel *q, sql_expr *e, uint32_t type, int32_t typmod,
                          sql_cast_context ctx, uint32_t loc, const char *what) {
    if (e == NULL) return NULL;
    sql_binder *b = q->b;
    if (type == SQL_T_ANY || type == SQL_T_ANYELEMENT) return e;
    if (type == SQL_T_RECORD && sql_type_is_record(e->type_oid)) return e; /* any row type */
    if (type != e->type_oid && type != SQL_T_RECORD && sql_type_is_record(type) &&
        (e->kind == SQL_X_ROW || (e->kind == SQL_X_CONST && e->type_oid == SQL_T_UNKNOWN))) {
        /* ROW(...) or a literal assigned to a column of a row type: as the cast does */
        const eng_table *t = sql_bind_rowtype_table(b->bc->db, type);
        if (t != NULL) return sql_bind_rowtype_cast(q, e, t, loc);
    }
    if (e->kind == SQL_X_CONST && e->type_oid == SQL_T_UNKNOWN) {
        return sql_bind_fold_unknown(q, e, type, typmod, ctx == SQL_CAST_EXPLICIT, loc);
    }
    if (e->kind == SQL_X_PARAM && e->type_oid == SQL_T_UNKNOWN) {
        /* PostgreSQL's variable_coerce_param_hook: the first coercion of an untyped $n types
         * it; another use left untyped until then must be coerced to the same type. */
        uint32_t *deduced = &b->param_types[e->param - 1];
        if (*deduced != SQL_T_UNKNOWN && *deduced != type) {
            sql_bind_error(b, e->location, SQLSTATE_AMBIGUOUS_PARAMETER,
                           "inconsistent types deduced for parameter $%u", e->param);
            rt_err_detail(b->bc->err, "%s versus %s", sql_type_name(*deduced),
                          sql_type_name(type));
            return NULL;
        }
        *deduced = type;
        e->type_oid = type;
        e->typmod = -1;
    }
    if (e->type_oid == type) {
        if (typmod < 0 || typmod == e->typmod) return e;
        if (sql_type_by_oid(type) == NULL || sql_type_by_oid(type)->coerce == NULL) return e;
        sql_expr *co = sql_expr_new(b->arena, SQL_X_COERCE, type, 1);
        if (co == NULL) return NULL;
        co->typmod = typmod;
        co->args[0] = e;
        co->coerce.is_explicit = ctx == SQL_CAST_EXPLICIT;
        return co;
    }
    if (!sql_cast_allowed(e->type_oid, type, ctx)) {
        if (ctx == SQL_CAST_EXPLICIT) {
            sql_bind_error(b, loc, SQLSTATE_CANNOT_COERCE, "cannot cast type %s to %s",
                           sql_type_name(e->type_oid), sql_type_name(type));
        } else if (what != NULL) {
            sql_bind_error(b, loc, SQLSTATE_DATATYPE_MISMATCH,
                           "%s is of type %s but expression is of type %s", what,
                           sql_type_name(type), sql_type_name(e->type_oid));
            rt_err_hint(b->bc->err, "You will need to rewrite or cast the expression.");
        } else {
            sql_bind_error(b, loc, SQLSTATE_DATATYPE_MISMATCH,
                           "cannot convert type %s to %s", sql_type_name(e->type_oid),
                           sql_type_name(type));
        }
        return NULL;
    }
    return sql_bind_cast_node(q, e, type, typmod, ctx == SQL_CAST_EXPLICIT);
}

/* ---- common type ---- */

bool sql_bind_common_type(sql_qlevel *q, sql_expr **exprs, uint32_t n, const char *context,
                          uint32_t loc, uint32_t *type, int32_t *typmod) {
    uint32_t t = SQL_T_UNKNOWN;
    int32_t mod = -1;
    bool mod_same = true;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t et = exprs[i]->type_oid;
        if (et == SQL_T_UNKNOWN) continue;
        if (t == SQL_T_UNKNOWN) {
            t = et;
            mod = exprs[i]->typmod;
            continue;
        }
        if (et == t) {
            mod_same &= exprs[i]->typmod == mod;
            continue;
        }
        const sql_type_def *a = sql_type_by_oid(t), *c = sql_type_by_oid(et);
        char ca = a != NULL ? a->category : 'X', cc = c != NULL ? c->category : 'X';
        if (ca != cc) {
            return sql_bind_error(q->b, exprs[i]->location != UINT32_MAX ? exprs[i]->location
                                                                          : loc,
                                  SQLSTATE_DATATYPE_MISMATCH,
                                  "%s types %s and %s cannot be matched", context,
                                  sql_type_name(t), sql_type_name(et));
        }
        bool up = sql_cast_allowed(t, et, SQL_CAST_IMPLICIT);
        bool down = sql_cast_allowed(et, t, SQL_CAST_IMPLICIT);
        /* PostgreSQL's rule: move to the new type only when the current one is not preferred
         * and converts to it implicitly but not back (varchar then text stays varchar). */
        if (!(a != NULL && a->preferred) && up && !down) {
            t = et;
            mod = exprs[i]->typmod;
        }
        mod_same = false;
    }
    if (t == SQL_T_UNKNOWN) t = SQL_T_TEXT;
    *type = t;
    *typmod = mod_same ? mod : -1;
    return true;
}

/* ---- calls ---- */

typedef struct sql_cand_score {
    int exact;
    int preferred;
    bool ok;
    uint32_t elem;     /* polymorphic element type (0 = unresolved) */
} sql_cand_score;

static bool sql_poly(uint32_t t) {
    return t == SQL_T_ANYELEMENT || t == SQL_T_ANYARRAY || t == SQL_T_ANY ||
           t == SQL_T_ANYNONARRAY || t == SQL_T_ANYENUM;
}

static uint32_t sql_formal(const sql_func_def *d, uint32_t i) {
    if ((d->flags & SQL_F_VARIADIC) && i >= d->nargs - 1u) return d->args[d->nargs - 1];
    return d->args[i];
}

static sql_cand_score sql_score(const sql_func_def *d, sql_expr **args, uint32_t nargs) {
    sql_cand_score s = {0, 0, true, 0};
    bool any_enum = false; /* anyenum takes its type from an argument, never from unknown */
    bool variadic = (d->flags & SQL_F_VARIADIC) != 0;
    /* As in PostgreSQL, a variadic parameter takes at least one argument: concat() does not
     * exist (format(text) is a function of its own). */
    if (variadic ? nargs < d->nargs : nargs != d->nargs) {
        s.ok = false;
        return s;
    }
    for (uint32_t i = 0; i < nargs && s.ok; i++) {
        uint32_t f = sql_formal(d, i), a = args[i]->type_oid;
        any_enum |= f == SQL_T_ANYENUM;
        if (a == f) {
            s.exact++;
        } else if (f == SQL_T_ANYRANGE) {
            /* A range type, whose subtype is the call's anyelement (range @> element). */
            const sql_range_type *rt = sql_range_type_of(a);
            if (rt == NULL || (s.elem != 0 && s.elem != rt->sub_oid)) s.ok = false;
            else s.elem = rt->sub_oid;
        } else if (sql_poly(f)) {
            if (a == SQL_T_UNKNOWN || f == SQL_T_ANY) continue;
            uint32_t elem = f == SQL_T_ANYARRAY ? sql_type_elem_of(a) : a;
            if (f == SQL_T_ANYARRAY && elem == 0) s.ok = false;
            else if (f == SQL_T_ANYENUM && !sql_enum_is(elem)) s.ok = false;
            else if (s.elem != 0 && s.elem != elem) s.ok = false;
            else s.elem = elem;
        } else if (a == SQL_T_UNKNOWN || (f == SQL_T_RECORD && sql_type_is_record(a))) {
            continue;
        } else if (sql_cast_allowed(a, f, SQL_CAST_IMPLICIT)) {
            const sql_type_def *ft = sql_type_by_oid(f);
            if (ft != NULL && ft->preferred) s.preferred++;
        } else {
            s.ok = false;
        }
    }
    if (any_enum && s.ok && !sql_enum_is(s.elem)) s.ok = false;
    return s;
}

/* How well a candidate takes the unknown arguments: positions of the string category count
 * most, those of text (the category's preferred type) break ties among them, then the
 * preferred type of another category where no string type applies (sqrt('4') is float8). */
static int sql_unknown_affinity(const sql_func_def *d, sql_expr **args, uint32_t nargs) {
    int strings = 0, texts = 0, preferred = 0;
    for (uint32_t k = 0; k < nargs; k++) {
        if (args[k]->type_oid != SQL_T_UNKNOWN) continue;
        uint32_t f = sql_formal(d, k);
        const sql_type_def *t = sql_type_by_oid(f);
        strings += sql_type_is_string(f);
        texts += f == SQL_T_TEXT;
        preferred += t != NULL && t->preferred; /* abs('1'): double precision */
    }
    return strings * 4096 + texts * 64 + preferred;
}

/* The one candidate whose parameter types are exactly the arguments' (none unknown, no
 * polymorphic or variadic parameter), or NULL when there is none or more than one. Such a
 * candidate scores best of all (every argument exact, nothing preferred), so the full scoring
 * below would pick it too; this skips the implicit-cast checks of every other candidate
 * (int4 = int4 among the dozens of '=' operators, per statement of pgbench -S). */
static const sql_func_def *sql_pick_exact(sql_func_list cands, sql_expr **args,
                                          uint32_t nargs) {
    const sql_func_def *found = NULL;
    for (uint32_t i = 0; i < cands.count; i++) {
        const sql_func_def *d = cands.items[i];
        if (d->nargs != nargs || (d->flags & SQL_F_VARIADIC) != 0) continue;
        uint32_t k = 0;
        while (k < nargs && d->args[k] == args[k]->type_oid && !sql_poly(d->args[k]) &&
               args[k]->type_oid != SQL_T_UNKNOWN) {
            k++;
        }
        if (k < nargs) continue;
        if (found != NULL) return NULL; /* two: the full scoring reports the ambiguity */
        found = d;
    }
    return found;
}

/* Chooses among candidates; NULL if none or ambiguous (error set). */
static const sql_func_def *sql_pick(sql_qlevel *q, sql_func_list cands, sql_expr **args,
                                    uint32_t nargs, const char *name, bool is_op, uint32_t loc,
                                    sql_cand_score *chosen) {
    const sql_func_def *best = NULL;
    sql_cand_score bs = {-1, -1, false, 0};
    bool tie = false;
    const sql_func_def *exact = nargs > 0 ? sql_pick_exact(cands, args, nargs) : NULL;
    if (exact != NULL) {
        *chosen = (sql_cand_score){(int)nargs, 0, true, 0};
        return exact;
    }
    /* Operators with one unknown side: the other side's type for both, exactly. */
    if (is_op && nargs == 2 && (args[0]->type_oid == SQL_T_UNKNOWN) !=
                                   (args[1]->type_oid == SQL_T_UNKNOWN)) {
        uint32_t known = args[0]->type_oid == SQL_T_UNKNOWN ? args[1]->type_oid
                                                            : args[0]->type_oid;
        for (uint32_t i = 0; i < cands.count; i++) {
            const sql_func_def *d = cands.items[i];
            if (d->nargs == 2 && d->args[0] == known && d->args[1] == known) {
                *chosen = sql_score(d, args, nargs);
                return d;
            }
        }
    }
    for (uint32_t i = 0; i < cands.count; i++) {
        sql_cand_score s = sql_score(cands.items[i], args, nargs);
        if (!s.ok) continue;
        bool better = s.exact > bs.exact || (s.exact == bs.exact && s.preferred > bs.preferred);
        bool same = s.exact == bs.exact && s.preferred == bs.preferred;
        if (best == NULL || better) {
            best = cands.items[i];
            bs = s;
            tie = false;
        } else if (same) {
            /* Unknown arguments prefer the string category, then its preferred type (text),
             * as PostgreSQL resolves them. */
            int cur = sql_unknown_affinity(best, args, nargs);
            int nxt = sql_unknown_affinity(cands.items[i], args, nargs);
            if (nxt > cur) {
                best = cands.items[i];
                bs = s;
                tie = false;
            } else if (nxt == cur) {
                tie = true;
            }
        }
    }
    if (best != NULL && !tie) {
        *chosen = bs;
        return best;
    }
    sql_strbuf sb;
    sql_strbuf_init(&sb, q->b->arena, 64);
    for (uint32_t i = 0; i < nargs; i++) {
        if (i > 0) sql_strbuf_puts(&sb, ", ");
        sql_strbuf_puts(&sb, args[i]->type_oid == SQL_T_UNKNOWN ? "unknown"
                                                                : sql_type_name(args[i]->type_oid));
    }
    sql_strbuf_putc(&sb, '\0');
    const char *sig = sb.failed ? "..." : sb.data;
    if (tie) {
        sql_bind_error(q->b, loc, SQLSTATE_AMBIGUOUS_FUNCTION, is_op
                           ? "operator is not unique: %s%s%s" : "function %s(%s) is not unique",
                       is_op ? (nargs == 2 ? sql_type_name(args[0]->type_oid) : "") : name,
                       is_op ? name : sig, is_op && nargs == 2
                                               ? sql_type_name(args[1]->type_oid) : "");
        rt_err_hint(q->b->bc->err, "Could not choose a best candidate %s. You might need to "
                    "add explicit type casts.", is_op ? "operator" : "function");
        return NULL;
    }
    if (is_op) {
        if (nargs == 2) {
            sql_bind_error(q->b, loc, SQLSTATE_UNDEFINED_FUNCTION, "operator does not exist: %s "
                           "%s %s", sql_type_name(args[0]->type_oid), name,
                           sql_type_name(args[1]->type_oid));
        } else {
            sql_bind_error(q->b, loc, SQLSTATE_UNDEFINED_FUNCTION,
                           "operator does not exist: %s %s", name,
                           sql_type_name(args[0]->type_oid));
        }
        rt_err_hint(q->b->bc->err, "No operator matches the given name and argument types. "
                    "You might need to add explicit type casts.");
    } else {
        sql_bind_error(q->b, loc, SQLSTATE_UNDEFINED_FUNCTION, "function %s(%s) does not exist",
                       name, sig);
        rt_err_hint(q->b->bc->err, "No function matches the given name and argument types. "
                    "You might need to add explicit type casts.");
    }
    return NULL;
}

/* Resolves polymorphic types: the element type the call binds ANYELEMENT to. */
static uint32_t sql_poly_elem(const sql_func_def *d, sql_expr **args, uint32_t nargs,
                              uint32_t elem) {
    if (elem != 0) return elem;
    for (uint32_t i = 0; i < nargs; i++) {
        uint32_t f = sql_formal(d, i);
        if ((f == SQL_T_ANYELEMENT || f == SQL_T_ANYNONARRAY) &&
            args[i]->type_oid == SQL_T_UNKNOWN) {
            return SQL_T_TEXT;
        }
    }
    return SQL_T_TEXT;
}

/* A polymorphic parameter (anyelement, anyarray) whose only inputs are untyped parameters has
 * no type to take: 42804 as in PostgreSQL (untyped literals are read as text here). */
static bool sql_poly_params_typed(sql_qlevel *q, const sql_func_def *d, sql_expr **args,
                                  uint32_t nargs, uint32_t loc) {
    for (uint32_t i = 0; i < nargs; i++) {
        uint32_t f = sql_formal(d, i);
        if ((f == SQL_T_ANYELEMENT || f == SQL_T_ANYARRAY || f == SQL_T_ANYNONARRAY) &&
            args[i]->kind == SQL_X_PARAM && args[i]->type_oid == SQL_T_UNKNOWN) {
            return sql_bind_error(q->b, loc, SQLSTATE_DATATYPE_MISMATCH,
                                  "could not determine polymorphic type because input has "
                                  "type unknown");
        }
    }
    return true;
}

/* A one-argument call named after a type with no function taking exactly the argument's type
 * is a cast, as PostgreSQL reads int8('123') or text(123); NULL (no error) when it is not. */
static sql_expr *sql_bind_func_cast(sql_qlevel *q, const char *name, sql_func_list found,
                                    sql_expr *arg) {
    const sql_type_def *t = sql_type_by_name(name);
    if (t == NULL || t->oid == SQL_T_UNKNOWN || sql_poly(t->oid)) return NULL;
    for (uint32_t i = 0; i < found.count; i++) {
        if (found.items[i]->nargs == 1 && found.items[i]->args[0] == arg->type_oid) return NULL;
    }
    bool unknown = arg->kind == SQL_X_CONST && arg->type_oid == SQL_T_UNKNOWN;
    if (!unknown && !sql_cast_allowed(arg->type_oid, t->oid, SQL_CAST_EXPLICIT)) return NULL;
    return sql_bind_coerce(q, arg, t->oid, -1, SQL_CAST_EXPLICIT, arg->location, NULL);
}

/* Types whose operators compute the same value whatever the session's settings: an operator
 * on constants of these types is computed once at bind time, as PostgreSQL's planner does
 * (`date '1994-01-01' + interval '1 year'`, `0.06 - 0.01` in a scan filter would otherwise
 * be recomputed for every row). */
static bool sql_bind_fold_type(uint32_t type) {
    switch (type) {
    case SQL_T_BOOL: case SQL_T_INT2: case SQL_T_INT4: case SQL_T_INT8: case SQL_T_NUMERIC:
    case SQL_T_FLOAT4: case SQL_T_FLOAT8: case SQL_T_DATE: case SQL_T_INTERVAL:
    case SQL_T_TIMESTAMP:
        return true;
    default:
        return false;
    }
}

/* Replaces an immutable operator or cast over constants by its value. One that fails here
 * (1 / 0, an overflow) stays as it was, so it fails, or not, when and where it did before. */
static sql_expr *sql_bind_fold_const(sql_qlevel *q, sql_expr *e) {
    const sql_func_def *d = e->func.def;
    uint32_t unsafe = SQL_F_VOLATILE | SQL_F_STABLE | SQL_F_AGG | SQL_F_WINDOW | SQL_F_SRF;
    if (d == NULL || !(d->is_operator || d == &sql_cast_def) || (d->flags & unsafe) ||
        d->prepare != NULL ||
        !sql_bind_fold_type(e->type_oid)) {
        return e;
    }
    for (uint32_t i = 0; i < e->nargs; i++) {
        if (e->args[i]->kind != SQL_X_CONST || !sql_bind_fold_type(e->args[i]->type_oid)) {
            return e;
        }
    }
    rt_err err = {0};
    rt_err_clear(&err);
    sql_fmt fmt = {0};
    fmt.extra_float_digits = 1;
    sql_eval_ctx ec = {.arena = q->b->arena, .err = &err};
    ec.io = (sql_io_ctx){.arena = q->b->arena, .fmt = &fmt, .err = &err};
    sql_value v;
    if (!sql_eval_scalar(&ec, e, &v)) return e;
    sql_expr *c = sql_expr_const(q->b->arena, &v, e->typmod);
    if (c == NULL) return e;
    c->location = e->location;
    return c;
}

/* Folds, bottom up, the constant operators and casts of a bound condition (WHERE, JOIN/ON),
 * which the executor would otherwise evaluate for every row. Only a finished condition is
 * folded: the binder resolves some operators on placeholder constants (IN (subquery)) and
 * reads the call it built. */
sql_expr *sql_bind_fold_tree(sql_qlevel *q, sql_expr *e) {
    if (e == NULL || e->kind == SQL_X_CONST) return e;
    for (uint32_t i = 0; i < e->nargs; i++) e->args[i] = sql_bind_fold_tree(q, e->args[i]);
    return e->kind == SQL_X_FUNC ? sql_bind_fold_const(q, e) : e;
}

sql_expr *sql_bind_call(sql_qlevel *q, const char *name, bool is_operator, sql_expr **args,
                        uint32_t nargs, uint32_t loc) {
    sql_func_list found = sql_funcs_lookup(name, is_operator);
    if (!is_operator && nargs == 1) {
        sql_expr *cast = sql_bind_func_cast(q, name, found, args[0]);
        if (cast != NULL || rt_err_is_set(q->b->bc->err)) return cast;
        found = sql_funcs_lookup(name, is_operator);
    }
    /* Copy: the lookup list is reused by the next lookup. */
    const sql_func_def **items = rt_arena_alloc(q->b->arena, sizeof(void *) * (found.count + 1));
    if (items == NULL) return NULL;
    memcpy(items, found.items, sizeof(void *) * found.count);
    sql_func_list cands = {.items = items, .count = found.count};
    sql_cand_score sc;
    const sql_func_def *d = sql_pick(q, cands, args, nargs, name, is_operator, loc, &sc);
    if (d == NULL || (sc.elem == 0 && !sql_poly_params_typed(q, d, args, nargs, loc))) {
        return NULL;
    }
    uint32_t elem = 0;
    if (sc.elem != 0 || d->ret == SQL_T_ANYELEMENT || d->ret == SQL_T_ANYARRAY ||
        d->ret == SQL_T_ANYENUM) {
        elem = sql_poly_elem(d, args, nargs, sc.elem);
    }
    sql_expr *e = sql_expr_new(q->b->arena, SQL_X_FUNC, d->ret, nargs);
    if (e == NULL) return NULL;
    e->location = loc;
    e->func.def = d;
    if (d->ret == SQL_T_ANYELEMENT || d->ret == SQL_T_ANYENUM) e->type_oid = elem;
    if (d->ret == SQL_T_ANYARRAY) e->type_oid = sql_type_array_of(elem);
    for (uint32_t i = 0; i < nargs; i++) {
        uint32_t f = sql_formal(d, i);
        if (f == SQL_T_ANYELEMENT || f == SQL_T_ANYNONARRAY || f == SQL_T_ANYENUM) f = elem;
        else if (f == SQL_T_ANYARRAY) f = sql_type_array_of(elem);
        else if (f == SQL_T_ANYRANGE) f = args[i]->type_oid;
        else if (f == SQL_T_ANY) f = args[i]->type_oid == SQL_T_UNKNOWN ? SQL_T_TEXT
                                                                      : args[i]->type_oid;
        if (f == SQL_T_TEXT && sql_formal(d, i) == SQL_T_ANY && args[i]->kind == SQL_X_PARAM &&
            args[i]->type_oid == SQL_T_UNKNOWN) {
            /* "any" takes the parameter as it is: nothing types it here (42P18, or 42P08 once
             * something later in the query does), as in PostgreSQL. */
            if (!sql_bind_note_untyped_param(q->b, args[i])) return NULL;
            e->args[i] = args[i];
            continue;
        }
        e->args[i] = sql_bind_coerce(q, args[i], f, -1, SQL_CAST_IMPLICIT, args[i]->location,
                                     NULL);
        if (e->args[i] == NULL) return NULL;
    }
    if (d->flags & SQL_F_VOLATILE) q->b->volatile_funcs = true;
    if (d->prepare != NULL && !d->prepare(q->b->arena, e, q->b->bc->err)) return NULL;
    return e;
}

/* ---- named arguments ---- */

/* Parameter names of the built-in functions that take `name => value`; parameters from
 * `first_default` on default to 0 (make_interval's). Functions not listed refuse names. */
typedef struct sql_named_func {
    const char *name;
    uint8_t nparams;
    uint8_t first_default;
    const char *params[SQL_NAMED_PARAMS_MAX];
} sql_named_func;

static const sql_named_func sql_named_funcs[] = {
    {"make_interval", 7, 0, {"years", "months", "weeks", "days", "hours", "mins", "secs"}},
    {"make_date", 3, 3, {"year", "month", "day"}},
    {"make_time", 3, 3, {"hour", "min", "sec"}},
    {"make_timestamp", 6, 6, {"year", "month", "mday", "hour", "min", "sec"}},
    {"make_timestamptz", 7, 6, {"year", "month", "mday", "hour", "min", "sec", "timezone"}},
};

static sql_expr *sql_bind_zero(sql_qlevel *q) {
    sql_value v = {.type_oid = SQL_T_UNKNOWN};
    v.b = (sql_bytes){.ptr = (const uint8_t *)"0", .len = 1};
    return sql_expr_const(q->b->arena, &v, -1);
}

bool sql_bind_named_args(sql_qlevel *q, const char *name, const char *const *names,
                         sql_expr **args, uint32_t *nargs, uint32_t loc) {
    const sql_named_func *nf = NULL;
    for (size_t i = 0; i < sizeof sql_named_funcs / sizeof sql_named_funcs[0]; i++) {
        if (strcmp(sql_named_funcs[i].name, name) == 0) nf = &sql_named_funcs[i];
    }
    if (nf == NULL) {
        return sql_bind_error(q->b, loc, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "named arguments to function %s are not supported yet", name);
    }
    sql_expr *slot[SQL_NAMED_PARAMS_MAX] = {0};
    uint32_t n = *nargs, used = 0;
    if (n > nf->nparams) goto none;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t k = i;
        if (names[i] != NULL) {
            for (k = 0; k < nf->nparams && strcmp(nf->params[k], names[i]) != 0; k++) {}
            if (k == nf->nparams) goto none;
            if (slot[k] != NULL) {
                return sql_bind_error(q->b, loc, SQLSTATE_SYNTAX_ERROR, "argument name \"%s\" "
                                      "used more than once", names[i]);
            }
        }
        slot[k] = args[i];
        if (k + 1 > used) used = k + 1;
    }
    for (uint32_t k = 0; k < used; k++) {
        if (slot[k] != NULL) continue;
        if (k < nf->first_default) goto none;
        if ((slot[k] = sql_bind_zero(q)) == NULL) return sql_bind_oom(q->b);
    }
    memcpy(args, slot, sizeof(sql_expr *) * used);
    *nargs = used;
    return true;
none:;
    sql_strbuf sb; /* PostgreSQL's signature: make_date(year => integer, day => integer) */
    sql_strbuf_init(&sb, q->b->arena, 64);
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0) sql_strbuf_puts(&sb, ", ");
        if (names[i] != NULL) {
            sql_strbuf_puts(&sb, names[i]);
            sql_strbuf_puts(&sb, " => ");
        }
        sql_strbuf_puts(&sb, args[i]->type_oid == SQL_T_UNKNOWN
                                 ? "unknown" : sql_type_name(args[i]->type_oid));
    }
    sql_strbuf_putc(&sb, '\0');
    sql_bind_error(q->b, loc, SQLSTATE_UNDEFINED_FUNCTION, "function %s(%s) does not exist",
                   name, sb.failed ? "..." : sb.data);
    rt_err_hint(q->b->bc->err, "No function matches the given name and argument types. You "
                "might need to add explicit type casts.");
    return false;
}
