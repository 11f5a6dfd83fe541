/* sql_fn_bit.c: the operators, functions and casts of bit and bit varying (sql_bit.h), as
 * PostgreSQL 15 defines them; the comparisons are sql_fn_cmp.c's (sql_bit_cmp's order).
 * A varbit argument reaches the bit forms through the binary-coercible cast, as in PostgreSQL.
 *   & | #        bitwise on strings of one length (22026 for different lengths)
 *   ~ << >>      not, shifts that keep the length (a negative count shifts the other way)
 *   ||           concatenation (varbit)
 *   length bit_length octet_length position substring overlay get_bit set_bit bit_count
 *   casts        int4 / int8 -> bit(n) (the low n bits, sign-extended past 32 / 64),
 *                bit -> int4 / int8 (22003 past 32 / 64 bits), bit <-> varbit (the same bytes)
 * Errors: 22011 negative substring length, 2202E bit index out of range, 22023 a new bit not 0
 * or 1, 22003 integer out of range, 54000 past SQL_BIT_LENGTH_MAX. */
#include <string.h>

#include "sql/sql_bit.h"
#include "sql/sql_funcs_int.h"

#define SQL_FB_KERNEL(name)                                                                   \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,          \
                     sql_vec *out)

static const uint8_t *sql_fb_arg(sql_vec **args, uint32_t k, uint32_t i) {
    return args[k]->b[i].ptr;
}

/* A new zeroed result of `bits` bits for row i; NULL (with the error set) when it cannot be. */
static uint8_t *sql_fb_result(sql_fctx *f, uint64_t bits, sql_vec *out, uint32_t i) {
    if (bits > SQL_BIT_LENGTH_MAX) {
        rt_err_set(f->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                   "bit string length exceeds the maximum allowed (%u)", SQL_BIT_LENGTH_MAX);
        return NULL;
    }
    uint8_t *r = sql_bit_new(f->arena, (uint32_t)bits);
    if (r == NULL) {
        rt_arena_fail(f->arena, f->err);
        return NULL;
    }
    out->b[i] = (sql_bytes){.ptr = r, .len = SQL_BIT_HEADER_BYTES + sql_bit_bytes((uint32_t)bits)};
    return r;
}

/* Bits [from, from + count) of a into r from bit `at`. */
static void sql_fb_copy(uint8_t *r, uint32_t at, const uint8_t *a, uint32_t from, uint32_t count) {
    for (uint32_t k = 0; k < count; k++) {
        if (sql_bit_get(a, from + k)) sql_bit_set(r, at + k, true);
    }
}

/* ---- & | # ~ ---- */

typedef enum sql_fb_op { SQL_FB_AND, SQL_FB_OR, SQL_FB_XOR } sql_fb_op;

static bool sql_fb_bitwise(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                           sql_vec *out, sql_fb_op op) {
    static const char *const words[] = {"AND", "OR", "XOR"};
    SQL_FOR_ACTIVE(i) {
        const uint8_t *a = sql_fb_arg(args, 0, i), *b = sql_fb_arg(args, 1, i);
        uint32_t bits = sql_bit_length(a);
        if (sql_bit_length(b) != bits) {
            return rt_err_set(f->err, SQLSTATE_STRING_DATA_LENGTH_MISMATCH,
                              "cannot %s bit strings of different sizes", words[op]);
        }
        uint8_t *r = sql_fb_result(f, bits, out, i);
        if (r == NULL) return false;
        for (uint32_t k = SQL_BIT_HEADER_BYTES; k < out->b[i].len; k++) {
            r[k] = op == SQL_FB_AND ? a[k] & b[k] : op == SQL_FB_OR ? a[k] | b[k] : a[k] ^ b[k];
        }
    }
    return true;
}

SQL_FB_KERNEL(sql_fb_and) { return sql_fb_bitwise(f, n, active, args, out, SQL_FB_AND); }
SQL_FB_KERNEL(sql_fb_or) { return sql_fb_bitwise(f, n, active, args, out, SQL_FB_OR); }
SQL_FB_KERNEL(sql_fb_xor) { return sql_fb_bitwise(f, n, active, args, out, SQL_FB_XOR); }

SQL_FB_KERNEL(sql_fb_not) {
    SQL_FOR_ACTIVE(i) {
        const uint8_t *a = sql_fb_arg(args, 0, i);
        uint32_t bits = sql_bit_length(a);
        uint8_t *r = sql_fb_result(f, bits, out, i);
        if (r == NULL) return false;
        for (uint32_t k = 0; k < bits; k++) sql_bit_set(r, k, !sql_bit_get(a, k));
    }
    return true;
}

/* ---- << >> ---- */

/* A shift left by `shift` (right when negative); the length stays, zeros come in. */
static bool sql_fb_shift(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                         sql_vec *out, bool left) {
    SQL_FOR_ACTIVE(i) {
        const uint8_t *a = sql_fb_arg(args, 0, i);
        int64_t shift = left ? args[1]->i64[i] : -args[1]->i64[i];
        int64_t bits = sql_bit_length(a);
        uint8_t *r = sql_fb_result(f, (uint64_t)bits, out, i);
        if (r == NULL) return false;
        for (int64_t k = 0; k < bits; k++) {
            int64_t from = k + shift;
            if (from >= 0 && from < bits && sql_bit_get(a, (uint32_t)from)) {
                sql_bit_set(r, (uint32_t)k, true);
            }
        }
    }
    return true;
}

SQL_FB_KERNEL(sql_fb_shl) { return sql_fb_shift(f, n, active, args, out, true); }
SQL_FB_KERNEL(sql_fb_shr) { return sql_fb_shift(f, n, active, args, out, false); }

/* ---- || ---- */

SQL_FB_KERNEL(sql_fb_cat) {
    SQL_FOR_ACTIVE(i) {
        const uint8_t *a = sql_fb_arg(args, 0, i), *b = sql_fb_arg(args, 1, i);
        uint32_t la = sql_bit_length(a), lb = sql_bit_length(b);
        uint8_t *r = sql_fb_result(f, (uint64_t)la + lb, out, i);
        if (r == NULL) return false;
        memcpy(r + SQL_BIT_HEADER_BYTES, a + SQL_BIT_HEADER_BYTES, sql_bit_bytes(la));
        sql_fb_copy(r, la, b, 0, lb);
    }
    return true;
}

/* ---- lengths, bit_count ---- */

SQL_FB_KERNEL(sql_fb_length) {
    (void)f;
    SQL_FOR_ACTIVE(i) out->i64[i] = sql_bit_length(sql_fb_arg(args, 0, i));
    return true;
}

SQL_FB_KERNEL(sql_fb_octet_length) {
    (void)f;
    SQL_FOR_ACTIVE(i) out->i64[i] = sql_bit_bytes(sql_bit_length(sql_fb_arg(args, 0, i)));
    return true;
}

SQL_FB_KERNEL(sql_fb_bit_count) {
    (void)f;
    SQL_FOR_ACTIVE(i) {
        sql_bytes b = args[0]->b[i];
        int64_t c = 0;
        for (uint32_t k = SQL_BIT_HEADER_BYTES; k < b.len; k++) c += __builtin_popcount(b.ptr[k]);
        out->i64[i] = c;
    }
    return true;
}

/* ---- position, substring, overlay ---- */

/* bitposition: 1-based; 0 when the string is empty or shorter; 1 for an empty substring. */
SQL_FB_KERNEL(sql_fb_position) {
    (void)f;
    SQL_FOR_ACTIVE(i) {
        const uint8_t *s = sql_fb_arg(args, 0, i), *sub = sql_fb_arg(args, 1, i);
        uint32_t ls = sql_bit_length(s), lsub = sql_bit_length(sub);
        int64_t at = 0;
        if (ls == 0 || lsub > ls) {
            at = 0;
        } else if (lsub == 0) {
            at = 1;
        } else {
            for (uint32_t start = 0; at == 0 && start + lsub <= ls; start++) {
                uint32_t k = 0;
                while (k < lsub && sql_bit_get(s, start + k) == sql_bit_get(sub, k)) k++;
                if (k == lsub) at = start + 1;
            }
        }
        out->i64[i] = at;
    }
    return true;
}

static bool sql_fb_negative_length(sql_fctx *f) {
    return rt_err_set(f->err, SQLSTATE_SUBSTRING_ERROR, "negative substring length not allowed");
}

/* PostgreSQL's bitsubstring: bits from the 1-based `start` for `count` (to the end when
 * `to_end`), clipped to the string. */
static bool sql_fb_substr(sql_fctx *f, const uint8_t *a, int64_t start, int64_t count,
                          bool to_end, sql_vec *out, uint32_t i) {
    int64_t bits = sql_bit_length(a), s1 = start > 1 ? start : 1, e1;
    if (to_end) {
        e1 = bits + 1;
    } else if (count < 0) {
        return sql_fb_negative_length(f);
    } else {
        int64_t e = start + count; /* int32 operands: no overflow in 64 bits */
        e1 = e > INT32_MAX ? bits + 1 : e < bits + 1 ? e : bits + 1;
    }
    int64_t len = s1 > bits || e1 <= s1 ? 0 : e1 - s1;
    uint8_t *r = sql_fb_result(f, (uint64_t)len, out, i);
    if (r == NULL) return false;
    sql_fb_copy(r, 0, a, (uint32_t)(len > 0 ? s1 - 1 : 0), (uint32_t)len);
    return true;
}

SQL_FB_KERNEL(sql_fb_substring) {
    SQL_FOR_ACTIVE(i) {
        bool to_end = f->call->nargs < 3;
        int64_t count = to_end ? 0 : args[2]->i64[i];
        if (!sql_fb_substr(f, sql_fb_arg(args, 0, i), args[1]->i64[i], count, to_end, out, i)) {
            return false;
        }
    }
    return true;
}

/* bitoverlay: the bits before `start`, the new bits, the bits from start + count on. */
SQL_FB_KERNEL(sql_fb_overlay) {
    SQL_FOR_ACTIVE(i) {
        const uint8_t *a = sql_fb_arg(args, 0, i), *b = sql_fb_arg(args, 1, i);
        int64_t start = args[2]->i64[i];
        int64_t count = f->call->nargs > 3 ? args[3]->i64[i] : sql_bit_length(b);
        if (start <= 0 || count < 0) return sql_fb_negative_length(f);
        if (start + count > INT32_MAX) {
            return rt_err_set(f->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "integer out of range");
        }
        uint32_t la = sql_bit_length(a), lb = sql_bit_length(b);
        uint32_t head = (uint32_t)(start - 1 < la ? start - 1 : la);
        uint32_t tail_from = (uint32_t)(start - 1 + count < la ? start - 1 + count : la);
        uint8_t *r = sql_fb_result(f, (uint64_t)head + lb + (la - tail_from), out, i);
        if (r == NULL) return false;
        sql_fb_copy(r, 0, a, 0, head);
        sql_fb_copy(r, head, b, 0, lb);
        sql_fb_copy(r, head + lb, a, tail_from, la - tail_from);
    }
    return true;
}

/* ---- get_bit, set_bit ---- */

static bool sql_fb_index(sql_fctx *f, const uint8_t *a, int64_t at) {
    int64_t bits = sql_bit_length(a);
    if (at >= 0 && at < bits) return true;
    return rt_err_set(f->err, SQLSTATE_ARRAY_SUBSCRIPT_ERROR,
                      "bit index %lld out of valid range (0..%lld)", (long long)at,
                      (long long)bits - 1);
}

SQL_FB_KERNEL(sql_fb_get_bit) {
    SQL_FOR_ACTIVE(i) {
        const uint8_t *a = sql_fb_arg(args, 0, i);
        if (!sql_fb_index(f, a, args[1]->i64[i])) return false;
        out->i64[i] = sql_bit_get(a, (uint32_t)args[1]->i64[i]);
    }
    return true;
}

SQL_FB_KERNEL(sql_fb_set_bit) {
    SQL_FOR_ACTIVE(i) {
        const uint8_t *a = sql_fb_arg(args, 0, i);
        int64_t at = args[1]->i64[i], to = args[2]->i64[i];
        if (!sql_fb_index(f, a, at)) return false;
        if (to != 0 && to != 1) {
            return rt_err_set(f->err, SQLSTATE_INVALID_PARAMETER_VALUE, "new bit must be 0 or 1");
        }
        if (!sql_fn_bytes(f, a, args[0]->b[i].len, &out->b[i])) return false;
        sql_bit_set((uint8_t *)out->b[i].ptr, (uint32_t)at, to == 1);
    }
    return true;
}

/* ---- casts ---- */

/* bitfromint4 / bitfromint8: the low `bits` bits of v, the sign repeated past `width`. */
static bool sql_fb_from_int(sql_fctx *f, int64_t v, uint32_t width, int32_t typmod,
                            sql_vec *out, uint32_t i) {
    uint32_t bits = typmod > 0 ? (uint32_t)typmod : 1;
    uint8_t *r = sql_fb_result(f, bits, out, i);
    if (r == NULL) return false;
    for (uint32_t k = 0; k < bits; k++) {
        uint32_t from_right = bits - 1 - k;
        bool on = from_right < width ? (v >> from_right) & 1 : v < 0;
        if (on) sql_bit_set(r, k, true);
    }
    return true;
}

/* bittoint4 / bittoint8: the bits as an unsigned number, wrapped into the signed type. */
static bool sql_fb_to_int(sql_fctx *f, const uint8_t *a, uint32_t to, int64_t *v) {
    uint32_t bits = sql_bit_length(a), width = to == SQL_T_INT4 ? 32 : 64;
    if (bits > width) {
        return rt_err_set(f->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "%s out of range",
                          to == SQL_T_INT4 ? "integer" : "bigint");
    }
    uint64_t u = 0;
    for (uint32_t k = 0; k < bits; k++) u = u << 1 | sql_bit_get(a, k);
    *v = to == SQL_T_INT4 ? (int64_t)(int32_t)(uint32_t)u : (int64_t)u;
    return true;
}

bool sql_bit_cast(sql_fctx *f, uint32_t n, const uint8_t *active, const sql_vec *in, uint32_t to,
                  int32_t typmod, sql_vec *out, bool *done) {
    uint32_t from = in->type_oid;
    bool from_bit = from == SQL_T_BIT || from == SQL_T_VARBIT;
    bool to_bit = to == SQL_T_BIT || to == SQL_T_VARBIT;
    *done = true;
    if (from_bit && to_bit) {
        SQL_FOR_ACTIVE(i) out->b[i] = in->b[i];
        return true;
    }
    if ((from == SQL_T_INT4 || from == SQL_T_INT8) && to == SQL_T_BIT) {
        uint32_t width = from == SQL_T_INT4 ? 32 : 64;
        SQL_FOR_ACTIVE(i) {
            if (!sql_fb_from_int(f, in->i64[i], width, typmod, out, i)) return false;
        }
        return true;
    }
    if (from == SQL_T_BIT && (to == SQL_T_INT4 || to == SQL_T_INT8)) {
        SQL_FOR_ACTIVE(i) {
            if (!sql_fb_to_int(f, in->b[i].ptr, to, &out->i64[i])) return false;
        }
        return true;
    }
    *done = false;
    return true;
}

/* The functions PostgreSQL has under the type names: bit(int4, int4), int4(bit), ... */
SQL_FB_KERNEL(sql_fb_bit_of_int) {
    uint32_t width = args[0]->type_oid == SQL_T_INT4 ? 32 : 64;
    SQL_FOR_ACTIVE(i) {
        int64_t typmod = args[1]->i64[i];
        if (!sql_fb_from_int(f, args[0]->i64[i], width, (int32_t)typmod, out, i)) return false;
    }
    return true;
}

SQL_FB_KERNEL(sql_fb_int_of_bit) {
    SQL_FOR_ACTIVE(i) {
        if (!sql_fb_to_int(f, sql_fb_arg(args, 0, i), f->call->type_oid, &out->i64[i])) {
            return false;
        }
    }
    return true;
}

/* ---- registration ---- */

#define BT SQL_T_BIT
#define VB SQL_T_VARBIT
#define I4 SQL_T_INT4
#define I8 SQL_T_INT8
#define ST (SQL_F_STRICT | SQL_F_LEAKPROOF)
#define STX SQL_F_STRICT /* may raise an error from its arguments: not leakproof */
#define OP(sym, a, b, r, fl, k, com, pro)                                                     \
    {.name = sym, .is_operator = true, .nargs = 2, .args = {a, b}, .ret = r, .flags = fl,    \
     .fn = k, .commutator = com, .proname = pro}
#define FN(nm, r, fl, k, ...)                                                                  \
    {.name = nm, .nargs = sizeof((uint32_t[]){__VA_ARGS__}) / 4, .args = {__VA_ARGS__},        \
     .ret = r, .flags = fl, .fn = k}

static const sql_func_def sql_bit_defs[] = {
    OP("&", BT, BT, BT, STX, sql_fb_and, "&", "bitand"),
    OP("|", BT, BT, BT, STX, sql_fb_or, "|", "bitor"),
    OP("#", BT, BT, BT, STX, sql_fb_xor, "#", "bitxor"),
    {.name = "~", .is_operator = true, .nargs = 1, .args = {BT}, .ret = BT, .flags = ST,
     .fn = sql_fb_not, .proname = "bitnot"},
    OP("<<", BT, I4, BT, ST, sql_fb_shl, NULL, "bitshiftleft"),
    OP(">>", BT, I4, BT, ST, sql_fb_shr, NULL, "bitshiftright"),
    OP("||", VB, VB, VB, STX, sql_fb_cat, NULL, "bitcat"),
    FN("length", I4, ST, sql_fb_length, BT),
    FN("bit_length", I4, ST, sql_fb_length, BT),
    FN("octet_length", I4, ST, sql_fb_octet_length, BT),
    FN("bit_count", I8, ST, sql_fb_bit_count, BT),
    FN("position", I4, ST, sql_fb_position, BT, BT),
    FN("substring", BT, STX, sql_fb_substring, BT, I4, I4),
    FN("substring", BT, ST, sql_fb_substring, BT, I4),
    FN("overlay", BT, STX, sql_fb_overlay, BT, BT, I4, I4),
    FN("overlay", BT, STX, sql_fb_overlay, BT, BT, I4),
    FN("get_bit", I4, STX, sql_fb_get_bit, BT, I4),
    FN("set_bit", BT, STX, sql_fb_set_bit, BT, I4, I4),
    FN("bit", BT, ST, sql_fb_bit_of_int, I4, I4),
    FN("bit", BT, ST, sql_fb_bit_of_int, I8, I4),
    FN("int4", I4, STX, sql_fb_int_of_bit, BT),
    FN("int8", I8, STX, sql_fb_int_of_bit, BT),
};

void sql_funcs_register_bit(void) {
    sql_funcs_register(sql_bit_defs, sizeof sql_bit_defs / sizeof sql_bit_defs[0]);
}
