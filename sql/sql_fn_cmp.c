/* sql_fn_cmp.c: comparison operators (= <> < <= > >=) of every type with a total order, and
 * the boolean operators on them. One kernel per operator switches once on the physical form:
 * integers compare as int64, floats with PostgreSQL's NaN order (NaN = NaN, above everything),
 * everything else through the type's comparison. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sql/sql_funcs_int.h"
#include "sql/sql_numeric.h"
#include "sql/sql_range.h"

typedef enum sql_cmp_op { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE } sql_cmp_op;

static inline bool sql_cmp_decide(int c, sql_cmp_op op) {
    switch (op) {
    case CMP_EQ: return c == 0;
    case CMP_NE: return c != 0;
    case CMP_LT: return c < 0;
    case CMP_LE: return c <= 0;
    case CMP_GT: return c > 0;
    case CMP_GE: return c >= 0;
    }
    return false;
}

static inline int sql_cmp_f64(double a, double b) {
    if (isnan(a)) return isnan(b) ? 0 : 1;
    if (isnan(b)) return -1;
    return a < b ? -1 : a > b;
}

static bool sql_cmp_kernel(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                           sql_vec *out, sql_cmp_op op) {
    const sql_vec *a = args[0], *b = args[1];
    if (a->phys == SQL_PHYS_I64 && b->phys == SQL_PHYS_I64) {
        /* Every row, without a branch on `active`: inactive rows' results are never read
         * (their nulls are set), and a mispredicted branch costs more than a compare. */
        for (uint32_t i = 0; i < n; i++) {
            int64_t x = a->i64[i], y = b->i64[i];
            out->i64[i] = sql_cmp_decide(x < y ? -1 : x > y, op);
        }
        return true;
    }
    if (a->phys == SQL_PHYS_F64 && b->phys == SQL_PHYS_F64) {
        SQL_FOR_ACTIVE(i) out->i64[i] = sql_cmp_decide(sql_cmp_f64(a->f64[i], b->f64[i]), op);
        return true;
    }
    if (a->type_oid == SQL_T_NUMERIC && b->type_oid == SQL_T_NUMERIC) {
        /* scaled-int64 comparison of short-form values, one pass over the batch */
        int8_t *c = rt_arena_zalloc(f->arena, n + 1u);
        if (c == NULL) return rt_arena_fail(f->arena, f->err);
        sql_numeric_vec_cmp(n, active, a->b, b->b, c);
        for (uint32_t i = 0; i < n; i++) out->i64[i] = sql_cmp_decide(c[i], op);
        return true;
    }
    sql_cmp_fn cmp = sql_type_for_values(a->type_oid)->cmp;
    SQL_FOR_ACTIVE(i) {
        sql_value x, y;
        sql_vec_get(a, i, &x);
        sql_vec_get(b, i, &y);
        out->i64[i] = sql_cmp_decide(cmp(&x, &y), op);
    }
    return true;
}

#define SQL_CMP_KERNEL(name, op)                                                             \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,         \
                     sql_vec *out) {                                                         \
        return sql_cmp_kernel(f, n, active, args, out, op);                                  \
    }
SQL_CMP_KERNEL(sql_fn_eq, CMP_EQ)
SQL_CMP_KERNEL(sql_fn_ne, CMP_NE)
SQL_CMP_KERNEL(sql_fn_lt, CMP_LT)
SQL_CMP_KERNEL(sql_fn_le, CMP_LE)
SQL_CMP_KERNEL(sql_fn_gt, CMP_GT)
SQL_CMP_KERNEL(sql_fn_ge, CMP_GE)

/* btree support function: cmp(a, b) -> int4 (-1, 0, 1), e.g. btint4cmp. */
static bool sql_fn_btcmp(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                         sql_vec *out) {
    (void)f;
    sql_cmp_fn cmp = sql_type_for_values(args[0]->type_oid)->cmp;
    SQL_FOR_ACTIVE(i) {
        sql_value x, y;
        sql_vec_get(args[0], i, &x);
        sql_vec_get(args[1], i, &y);
        int c = cmp(&x, &y);
        out->i64[i] = c < 0 ? -1 : c > 0;
    }
    return true;
}

/* The types whose values have a B-tree order. */
static const uint32_t sql_cmp_types[] = {
    SQL_T_BOOL, SQL_T_CHAR, SQL_T_INT2, SQL_T_INT4, SQL_T_INT8, SQL_T_OID, SQL_T_FLOAT4,
    SQL_T_FLOAT8, SQL_T_NUMERIC, SQL_T_TEXT, SQL_T_BPCHAR, SQL_T_NAME, SQL_T_BYTEA, SQL_T_UUID,
    SQL_T_DATE, SQL_T_TIME, SQL_T_TIMESTAMP, SQL_T_TIMESTAMPTZ, SQL_T_INTERVAL, SQL_T_TIMETZ,
    SQL_T_JSONB, SQL_T_VECTOR, SQL_T_ANYARRAY, SQL_T_REGCLASS, SQL_T_REGTYPE, SQL_T_REGPROC,
    SQL_T_REGNAMESPACE, SQL_T_REGROLE, SQL_T_XID, SQL_T_CID, SQL_T_BIT, SQL_T_VARBIT,
    SQL_T_MONEY, SQL_T_INT2VECTOR, SQL_T_OIDVECTOR, SQL_T_INET, SQL_T_RECORD, SQL_T_ANYENUM,
    SQL_T_INT4RANGE, SQL_T_INT8RANGE, SQL_T_NUMRANGE, SQL_T_DATERANGE, SQL_T_TSRANGE,
    SQL_T_TSTZRANGE,
};

static const struct {
    const char *sym, *commutator, *negator, *suffix;
    sql_kernel fn;
} sql_cmp_ops[] = {
    {"=", "=", "<>", "eq", sql_fn_eq}, {"<>", "<>", "=", "ne", sql_fn_ne},
    {"<", ">", ">=", "lt", sql_fn_lt},  {"<=", ">=", ">", "le", sql_fn_le},
    {">", "<", "<=", "gt", sql_fn_gt},  {">=", "<=", "<", "ge", sql_fn_ge},
};

#define SQL_CMP_TYPE_COUNT (sizeof sql_cmp_types / sizeof sql_cmp_types[0])
#define SQL_CMP_OP_COUNT (sizeof sql_cmp_ops / sizeof sql_cmp_ops[0])

static sql_func_def sql_cmp_defs[SQL_CMP_TYPE_COUNT * (SQL_CMP_OP_COUNT + 1)];
static char sql_cmp_names[SQL_CMP_TYPE_COUNT * (SQL_CMP_OP_COUNT + 1)][32];

static const char *sql_cmp_prefix(uint32_t oid) {
    const sql_type_def *t = sql_type_by_oid(oid);
    if (oid == SQL_T_ANYARRAY) return "array";
    if (oid == SQL_T_ANYENUM) return "enum_"; /* enum_eq, ..., as PostgreSQL's */
    if (oid == SQL_T_TEXT) return "text";
    if (sql_type_is_range(oid)) return "range_"; /* range_eq ..., one name for every range type */
    return t != NULL ? t->name : "x";
}

void sql_funcs_register_cmp(void) {
    uint32_t k = 0;
    for (uint32_t t = 0; t < SQL_CMP_TYPE_COUNT; t++) {
        uint32_t oid = sql_cmp_types[t];
        for (uint32_t o = 0; o < SQL_CMP_OP_COUNT; o++) {
            snprintf(sql_cmp_names[k], sizeof sql_cmp_names[k], "%s%s", sql_cmp_prefix(oid),
                     sql_cmp_ops[o].suffix);
            sql_cmp_defs[k] = (sql_func_def){
                .name = sql_cmp_ops[o].sym, .is_operator = true, .oid = 91000 + k, .nargs = 2,
                .args = {oid, oid}, .ret = SQL_T_BOOL, .flags = SQL_F_STRICT | SQL_F_LEAKPROOF,
                .fn = sql_cmp_ops[o].fn, .commutator = sql_cmp_ops[o].commutator,
                .negator = sql_cmp_ops[o].negator, .proname = sql_cmp_names[k]};
            k++;
        }
        /* The btree support function ("btint4cmp" and friends), callable by name. */
        snprintf(sql_cmp_names[k], sizeof sql_cmp_names[k], "%s%scmp",
                 sql_type_is_range(oid) ? "" : "bt", sql_cmp_prefix(oid));
        sql_cmp_defs[k] = (sql_func_def){.name = sql_cmp_names[k], .oid = 91000 + k, .nargs = 2,
                                         .args = {oid, oid}, .ret = SQL_T_INT4,
                                         .flags = SQL_F_STRICT, .fn = sql_fn_btcmp};
        k++;
    }
    sql_funcs_register(sql_cmp_defs, k);
}
