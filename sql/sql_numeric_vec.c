/* sql_numeric_vec.c: numeric + - * and comparison over a batch of values, for the vectorised
 * executor. Most numeric columns hold short-form values (a scaled int64: coefficient and
 * display scale), and so do the sums and products of a few of them: those rows are computed
 * here in int64 arithmetic, with the result encoded into one block per batch. A row whose
 * inputs are not both short, whose scales are too far apart, or whose result overflows int64
 * (or is INT64_MIN, which has no short form) goes through the exact operator instead. The
 * short form is canonical (sql_numeric.h), so both paths give the same bytes. */
#include "sql/sql_numeric_int.h"

typedef enum num_vec_op { NUM_VEC_ADD, NUM_VEC_SUB, NUM_VEC_MUL } num_vec_op;

/* a op b in int64 at PostgreSQL's result scale; false when that needs the exact path. */
static inline bool num_vec_short_op(num_vec_op op, int64_t ca, int32_t da, int64_t cb,
                                    int32_t db, int64_t *coef, int32_t *dscale) {
    int64_t r;
    if (op == NUM_VEC_MUL) {
        *dscale = da + db;
        if (*dscale > NUM_SHORT_DSCALE_MAX || __builtin_mul_overflow(ca, cb, &r)) return false;
    } else {
        /* align to the larger scale: max(scale a, scale b), as + and - give */
        if (da < db) {
            if (db - da > 18 || __builtin_mul_overflow(ca, num_pow10_64[db - da], &ca)) {
                return false;
            }
        } else if (db < da) {
            if (da - db > 18 || __builtin_mul_overflow(cb, num_pow10_64[da - db], &cb)) {
                return false;
            }
        }
        *dscale = num_max32(da, db);
        bool over = op == NUM_VEC_ADD ? __builtin_add_overflow(ca, cb, &r)
                                      : __builtin_sub_overflow(ca, cb, &r);
        if (over) return false;
    }
    if (r == INT64_MIN) return false;
    *coef = r;
    return true;
}

static bool num_vec_binary(rt_arena *arena, num_vec_op op, uint32_t n, const uint8_t *active,
                           const sql_bytes *a, const sql_bytes *b, sql_bytes *out,
                           rt_err *err) {
    static const sql_numeric_binary_fn exact[] = {sql_numeric_add, sql_numeric_sub,
                                                  sql_numeric_mul};
    uint8_t *block = rt_arena_alloc(arena, (size_t)n * SQL_NUMERIC_SMALL_BYTES_MAX + 1u);
    if (block == NULL) return rt_arena_fail(arena, err);
    for (uint32_t i = 0; i < n; i++) {
        if (active != NULL && !active[i]) continue;
        int64_t ca, cb, coef;
        int32_t da, db, dscale;
        if (num_short_get(a[i], &ca, &da) && num_short_get(b[i], &cb, &db) &&
            num_vec_short_op(op, ca, da, cb, db, &coef, &dscale)) {
            uint8_t *p = block + (size_t)i * SQL_NUMERIC_SMALL_BYTES_MAX;
            out[i] = (sql_bytes){.ptr = p, .len = num_short_put(p, coef, dscale)};
        } else if (!exact[op](arena, a[i], b[i], &out[i], err)) {
            return false;
        }
    }
    return true;
}

bool sql_numeric_vec_add(rt_arena *arena, uint32_t n, const uint8_t *active, const sql_bytes *a,
                         const sql_bytes *b, sql_bytes *out, rt_err *err) {
    return num_vec_binary(arena, NUM_VEC_ADD, n, active, a, b, out, err);
}

bool sql_numeric_vec_sub(rt_arena *arena, uint32_t n, const uint8_t *active, const sql_bytes *a,
                         const sql_bytes *b, sql_bytes *out, rt_err *err) {
    return num_vec_binary(arena, NUM_VEC_SUB, n, active, a, b, out, err);
}

bool sql_numeric_vec_mul(rt_arena *arena, uint32_t n, const uint8_t *active, const sql_bytes *a,
                         const sql_bytes *b, sql_bytes *out, rt_err *err) {
    return num_vec_binary(arena, NUM_VEC_MUL, n, active, a, b, out, err);
}

void sql_numeric_vec_cmp(uint32_t n, const uint8_t *active, const sql_bytes *a,
                         const sql_bytes *b, int8_t *out) {
    /* A constant operand is the same bytes in every row: decode it once. */
    sql_bytes last = {0};
    bool have = false, b_short = false;
    int64_t cb = 0;
    int32_t db = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (active != NULL && !active[i]) continue;
        if (!have || b[i].ptr != last.ptr || b[i].len != last.len) {
            have = true;
            last = b[i];
            b_short = num_short_get(b[i], &cb, &db);
        }
        int64_t ca;
        int32_t da;
        /* equal scales (a column against a constant of its scale): compare coefficients */
        if (b_short && num_short_get(a[i], &ca, &da) && da == db) {
            out[i] = (int8_t)(ca < cb ? -1 : ca > cb);
        } else {
            out[i] = (int8_t)sql_numeric_cmp(a[i], b[i]);
        }
    }
}

bool sql_numeric_lane_alloc(rt_arena *arena, uint32_t n, sql_numeric_lane *lane, rt_err *err) {
    lane->coef = rt_arena_alloc(arena, sizeof(int64_t) * (n + 1u));
    lane->scale = rt_arena_alloc(arena, n + 1u);
    lane->ok = rt_arena_alloc(arena, n + 1u);
    if (lane->coef == NULL || lane->scale == NULL || lane->ok == NULL) {
        return rt_arena_fail(arena, err);
    }
    return true;
}

void sql_numeric_lane_load(uint32_t n, const uint8_t *active, const uint8_t *nulls,
                           const sql_bytes *values, sql_numeric_lane *lane) {
    for (uint32_t i = 0; i < n; i++) {
        int32_t d = 0;
        bool on = (active == NULL || active[i]) && (nulls == NULL || !nulls[i]);
        lane->ok[i] = on && num_short_get(values[i], &lane->coef[i], &d);
        lane->scale[i] = (uint8_t)d;
    }
}

void sql_numeric_lane_apply(sql_numeric_lane_op op, uint32_t n, const sql_numeric_lane *a,
                            const sql_numeric_lane *b, sql_numeric_lane *out) {
    static const num_vec_op ops[] = {NUM_VEC_ADD, NUM_VEC_SUB, NUM_VEC_MUL};
    for (uint32_t i = 0; i < n; i++) {
        int64_t coef = 0;
        int32_t d = 0;
        out->ok[i] = a->ok[i] && b->ok[i] &&
                     num_vec_short_op(ops[op], a->coef[i], a->scale[i], b->coef[i], b->scale[i],
                                      &coef, &d);
        out->coef[i] = coef;
        out->scale[i] = (uint8_t)d;
    }
}
