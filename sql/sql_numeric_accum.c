/* sql_numeric_accum.c: sum() and avg() over many values in linear time.
 * Short-form values add into a 128-bit coefficient at the largest scale seen so far (most
 * columns have one scale, so this is one add per row). Other values add their base-10000
 * digits into two arrays, one for positive and one for negative values, without carrying:
 * uint32 digits absorb SQL_NUMERIC_ACCUM_CARRY_EVERY additions of 9999 between carry passes.
 * The 128-bit part spills into the arrays when it would overflow. */
#include "sql/sql_numeric_int.h"

/* Spare digit slots added on each side when the arrays grow, so that a column of similar
 * values grows them only a few times. */
#define NUM_ACCUM_SLACK_DIGITS 8

void sql_numeric_accum_init(sql_numeric_accum *acc, rt_arena *arena) {
    memset(acc, 0, sizeof *acc);
    acc->arena = arena;
}

static int32_t num_accum_low(const sql_numeric_accum *acc) {
    return acc->weight - acc->ndigits + 1;
}

/* Makes the arrays cover weights low..top plus one zero digit above (room for carries). */
static bool num_accum_reserve(sql_numeric_accum *acc, int32_t top, int32_t low, rt_err *err) {
    top++;
    if (acc->ndigits > 0 && top <= acc->weight && low >= num_accum_low(acc)) return true;
    int32_t new_top = acc->ndigits > 0 ? num_max32(acc->weight, top) : top;
    int32_t new_low = acc->ndigits > 0 ? num_min32(num_accum_low(acc), low) : low;
    if (new_top > acc->weight || acc->ndigits == 0) new_top += NUM_ACCUM_SLACK_DIGITS;
    if (acc->ndigits == 0 || new_low < num_accum_low(acc)) new_low -= NUM_ACCUM_SLACK_DIGITS;
    int32_t n = new_top - new_low + 1;
    uint32_t *pos = rt_arena_zalloc(acc->arena, (size_t)n * sizeof(uint32_t));
    uint32_t *neg = rt_arena_zalloc(acc->arena, (size_t)n * sizeof(uint32_t));
    if (pos == NULL || neg == NULL) return rt_arena_fail(acc->arena, err);
    if (acc->ndigits > 0) {
        int32_t at = new_top - acc->weight;
        memcpy(pos + at, acc->pos, (size_t)acc->ndigits * sizeof(uint32_t));
        memcpy(neg + at, acc->neg, (size_t)acc->ndigits * sizeof(uint32_t));
    }
    acc->pos = pos;
    acc->neg = neg;
    acc->ndigits = acc->cap = n;
    acc->weight = new_top;
    return true;
}

/* Propagates carries so every digit is below NUM_BASE, growing the top as needed. */
static bool num_accum_carry(sql_numeric_accum *acc, rt_err *err) {
    for (int side = 0; side < 2; side++) {
        uint32_t *d = side == 0 ? acc->pos : acc->neg;
        uint32_t carry = 0;
        for (int32_t i = acc->ndigits - 1; i >= 0; i--) {
            uint32_t v = d[i] + carry;
            d[i] = v % NUM_BASE;
            carry = v / NUM_BASE;
        }
        if (carry != 0) { /* the spare top digit was not enough: grow and retry */
            d[0] += carry * NUM_BASE; /* undo the split of the top digit */
            if (!num_accum_reserve(acc, acc->weight + 1, num_accum_low(acc), err)) return false;
            return num_accum_carry(acc, err);
        }
    }
    acc->uncarried = 0;
    return true;
}

/* The array slots for n digits from weight w on (reserved, carried if due); false on error. */
static uint32_t *num_accum_slots(sql_numeric_accum *acc, int32_t sign, int32_t w, int32_t n,
                                 rt_err *err) {
    if (acc->uncarried >= SQL_NUMERIC_ACCUM_CARRY_EVERY && !num_accum_carry(acc, err)) return NULL;
    if (!num_accum_reserve(acc, w, w - n + 1, err)) return NULL;
    acc->uncarried++;
    return (sign == NUM_NEG ? acc->neg : acc->pos) + (acc->weight - w);
}

static bool num_accum_add_view(sql_numeric_accum *acc, const num_view *v, rt_err *err) {
    if (v->ndigits == 0) return true;
    uint32_t *d = num_accum_slots(acc, v->sign, v->weight, v->ndigits, err);
    if (d == NULL) return false;
    for (int32_t i = 0; i < v->ndigits; i++) d[i] += (uint32_t)num_view_digit(v, i);
    return true;
}

/* Moves a 128-bit coefficient at `scale` into the arrays. */
static bool num_accum_spill(sql_numeric_accum *acc, __int128 coef, int32_t scale, rt_err *err) {
    if (coef == 0) return true;
    num_local loc;
    num_var_set_scaled(&loc, coef, scale);
    uint32_t *d = num_accum_slots(acc, loc.v.sign, loc.v.weight, loc.v.ndigits, err);
    if (d == NULL) return false;
    for (int32_t i = 0; i < loc.v.ndigits; i++) d[i] += (uint32_t)loc.v.digits[i];
    return true;
}

/* The largest coefficient that may be scaled up by 10^diff in the 128-bit part. */
static inline __int128 num_accum_limit(int32_t diff) {
    /* diff 0 (every value at one scale, the common case) needs no 128-bit division */
    if (diff == 0) return (__int128)1 << 126;
    return diff <= 38 ? ((__int128)1 << 126) / num_pow10_128[diff] : 0;
}

/* Adds coef * 10^-scale into the 128-bit part, spilling when it would not fit. */
static bool num_accum_add_small(sql_numeric_accum *acc, __int128 coef, int32_t scale,
                                rt_err *err) {
    if (scale > acc->small_scale) { /* rescale the running sum, or spill it */
        int32_t diff = scale - acc->small_scale;
        __int128 limit = num_accum_limit(diff);
        if (acc->small_sum > limit || acc->small_sum < -limit) {
            if (!num_accum_spill(acc, acc->small_sum, acc->small_scale, err)) return false;
            acc->small_sum = 0;
        } else if (acc->small_sum != 0) {
            acc->small_sum *= num_pow10_128[diff];
        }
        acc->small_scale = scale;
    }
    if (coef == 0) return true;
    int32_t diff = acc->small_scale - scale;
    __int128 limit = num_accum_limit(diff);
    if (coef > limit || coef < -limit) return num_accum_spill(acc, coef, scale, err);
    __int128 aligned = coef * num_pow10_128[diff], sum;
    if (__builtin_add_overflow(acc->small_sum, aligned, &sum)) {
        if (!num_accum_spill(acc, acc->small_sum, acc->small_scale, err)) return false;
        sum = aligned;
    }
    acc->small_sum = sum;
    return true;
}

bool sql_numeric_accum_add_scaled(sql_numeric_accum *acc, int64_t coef, int32_t dscale,
                                  rt_err *err) {
    acc->count++;
    acc->dscale = num_max32(acc->dscale, dscale);
    __int128 sum;
    /* a column of one scale: one 128-bit add (the general path rescales) */
    if (dscale == acc->small_scale && !__builtin_add_overflow(acc->small_sum, coef, &sum)) {
        acc->small_sum = sum;
        return true;
    }
    return num_accum_add_small(acc, coef, dscale, err);
}

bool sql_numeric_accum_add(sql_numeric_accum *acc, sql_bytes num, rt_err *err) {
    int64_t coef;
    int32_t dscale;
    if (num_short_get(num, &coef, &dscale)) {
        return sql_numeric_accum_add_scaled(acc, coef, dscale, err);
    }
    num_view v;
    num_view_init(&v, num);
    switch (v.kind) {
    case NUM_NAN: acc->nan_count++; return true;
    case NUM_PINF: acc->pinf_count++; return true;
    case NUM_NINF: acc->ninf_count++; return true;
    default: break;
    }
    acc->count++;
    acc->dscale = num_max32(acc->dscale, v.dscale);
    return num_accum_add_view(acc, &v, err);
}

bool sql_numeric_accum_merge(sql_numeric_accum *acc, const sql_numeric_accum *other,
                             rt_err *err) {
    acc->count += other->count;
    acc->nan_count += other->nan_count;
    acc->pinf_count += other->pinf_count;
    acc->ninf_count += other->ninf_count;
    acc->dscale = num_max32(acc->dscale, other->dscale);
    if (!num_accum_add_small(acc, other->small_sum, other->small_scale, err)) return false;
    if (other->ndigits == 0) return true;
    /* ours carried (< 10000) plus other's uncarried digits still fit a uint32 */
    if (!num_accum_carry(acc, err)) return false;
    int32_t other_low = other->weight - other->ndigits + 1;
    if (!num_accum_reserve(acc, other->weight, other_low, err)) return false;
    int32_t at = acc->weight - other->weight;
    for (int32_t i = 0; i < other->ndigits; i++) {
        acc->pos[at + i] += other->pos[i];
        acc->neg[at + i] += other->neg[i];
    }
    acc->uncarried = other->uncarried + 1;
    return true;
}

/* One of the carried arrays as a var of the given sign. */
static bool num_accum_side(num_ctx *c, const sql_numeric_accum *acc, const uint32_t *d,
                           int32_t sign, num_var *v) {
    if (!num_var_alloc(c, v, acc->ndigits)) return false;
    for (int32_t i = 0; i < acc->ndigits; i++) v->digits[i] = (int32_t)d[i];
    v->ndigits = acc->ndigits;
    v->weight = acc->weight;
    v->sign = sign;
    num_var_strip(v);
    return true;
}

/* NaN if any NaN or both infinities were added, else the infinity added, else finite. */
static num_kind num_accum_kind(const sql_numeric_accum *acc) {
    if (acc->nan_count > 0 || (acc->pinf_count > 0 && acc->ninf_count > 0)) return NUM_NAN;
    if (acc->pinf_count > 0) return NUM_PINF;
    if (acc->ninf_count > 0) return NUM_NINF;
    return NUM_FINITE;
}

bool sql_numeric_accum_sum(sql_numeric_accum *acc, rt_arena *arena, sql_bytes *out,
                           bool *is_null, rt_err *err) {
    num_ctx c = NUM_CTX_INIT(arena, err);
    *is_null = acc->count + acc->nan_count + acc->pinf_count + acc->ninf_count == 0;
    if (*is_null) return true;
    num_kind kind = num_accum_kind(acc);
    if (kind != NUM_FINITE) return num_make_special(&c, kind, out);
    num_local pos, neg, small;
    num_var_init(&pos);
    num_var_init(&neg);
    num_var_set_scaled(&small, acc->small_sum, acc->small_scale);
    if (acc->ndigits > 0 &&
        (!num_accum_carry(acc, err) || !num_accum_side(&c, acc, acc->pos, NUM_POS, &pos.v) ||
         !num_accum_side(&c, acc, acc->neg, NUM_NEG, &neg.v))) {
        return false;
    }
    if (!num_var_add(&c, &pos.v, &neg.v, &pos.v) || !num_var_add(&c, &pos.v, &small.v, &pos.v)) {
        return false;
    }
    pos.v.dscale = acc->dscale;
    return num_make(&c, &pos.v, out);
}

bool sql_numeric_accum_avg(sql_numeric_accum *acc, rt_arena *arena, sql_bytes *out,
                           bool *is_null, rt_err *err) {
    sql_bytes sum;
    if (!sql_numeric_accum_sum(acc, arena, &sum, is_null, err)) return false;
    if (*is_null || num_bytes_kind(sum) != NUM_FINITE) {
        *out = sum;
        return true;
    }
    uint8_t count_buf[SQL_NUMERIC_INT64_BYTES_MAX];
    sql_bytes count = {count_buf, sql_numeric_from_int64_buf(acc->count, count_buf)};
    return sql_numeric_div(arena, sum, count, out, err);
}

/* The fixed part of a flat accumulator; the positive then the negative digits follow. */
typedef struct num_accum_flat {
    __int128 small_sum;
    int64_t count, nan_count, pinf_count, ninf_count;
    int32_t dscale, small_scale, ndigits, weight;
    uint32_t uncarried;
} num_accum_flat;

uint32_t sql_numeric_accum_flat_len(const sql_numeric_accum *acc) {
    return (uint32_t)(sizeof(num_accum_flat) + 2u * (size_t)acc->ndigits * sizeof(uint32_t));
}

void sql_numeric_accum_flatten(const sql_numeric_accum *acc, uint8_t *buf) {
    num_accum_flat h;
    memset(&h, 0, sizeof h); /* no padding bytes of the stack go over the wire */
    h.small_sum = acc->small_sum;
    h.count = acc->count;
    h.nan_count = acc->nan_count;
    h.pinf_count = acc->pinf_count;
    h.ninf_count = acc->ninf_count;
    h.dscale = acc->dscale;
    h.small_scale = acc->small_scale;
    h.ndigits = acc->ndigits;
    h.weight = acc->weight;
    h.uncarried = acc->uncarried;
    memcpy(buf, &h, sizeof h);
    size_t digits = (size_t)acc->ndigits * sizeof(uint32_t);
    if (digits > 0) {
        memcpy(buf + sizeof h, acc->pos, digits);
        memcpy(buf + sizeof h + digits, acc->neg, digits);
    }
}

bool sql_numeric_accum_merge_flat(sql_numeric_accum *acc, const uint8_t *flat, uint32_t *used,
                                  rt_err *err) {
    num_accum_flat h;
    memcpy(&h, flat, sizeof h);
    RT_ASSERT(h.ndigits >= 0);
    sql_numeric_accum other = {.arena = acc->arena, .count = h.count,
                               .nan_count = h.nan_count, .pinf_count = h.pinf_count,
                               .ninf_count = h.ninf_count, .dscale = h.dscale,
                               .small_scale = h.small_scale, .small_sum = h.small_sum,
                               .ndigits = h.ndigits, .cap = h.ndigits, .weight = h.weight,
                               .uncarried = h.uncarried};
    size_t digits = (size_t)h.ndigits * sizeof(uint32_t);
    if (digits > 0) { /* aligned copies for sql_numeric_accum_merge */
        other.pos = rt_arena_alloc(acc->arena, digits);
        other.neg = rt_arena_alloc(acc->arena, digits);
        if (other.pos == NULL || other.neg == NULL) return rt_arena_fail(acc->arena, err);
        memcpy(other.pos, flat + sizeof h, digits);
        memcpy(other.neg, flat + sizeof h + digits, digits);
    }
    *used = (uint32_t)(sizeof h + 2u * digits);
    return sql_numeric_accum_merge(acc, &other, err);
}
