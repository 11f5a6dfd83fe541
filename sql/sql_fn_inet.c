/* sql_fn_inet.c: the operators and functions of inet and cidr (sql_inet.h), as PostgreSQL 15
 * has them. A cidr argument reaches the inet forms through the binary-coercible cast, so each
 * is defined on inet, except where PostgreSQL has a cidr form of its own (abbrev, set_masklen).
 *   << <<= >> >>= &&   containment and overlap of the networks (false across families)
 *   ~ & |              bitwise on the address; the masklen of & and | is the longer one
 *   + -                inet + int8, int8 + inet, inet - int8, inet - inet (int8)
 *   network broadcast netmask hostmask set_masklen abbrev text host masklen family
 *   inet_same_family inet_merge */
#include <string.h>

#include "sql/sql_funcs_int.h"
#include "sql/sql_inet.h"

#define SQL_FI_KERNEL(name)                                                                   \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,          \
                     sql_vec *out)

typedef unsigned __int128 sql_fi_u128;

static const uint8_t *sql_fi_arg(sql_vec **args, uint32_t k, uint32_t i) {
    return args[k]->b[i].ptr;
}

static uint32_t sql_fi_len(const uint8_t *v) {
    return SQL_INET_HEADER_BYTES + sql_inet_addr_bytes(v);
}

/* A copy of `v` in the result arena for row i, to change in place. */
static uint8_t *sql_fi_result(sql_fctx *f, const uint8_t *v, sql_vec *out, uint32_t i) {
    if (!sql_fn_bytes(f, v, sql_fi_len(v), &out->b[i])) return NULL;
    return (uint8_t *)out->b[i].ptr;
}

static bool sql_fi_same_family(sql_fctx *f, const uint8_t *a, const uint8_t *b,
                               const char *what) {
    if (a[0] == b[0]) return true;
    return rt_err_set(f->err, SQLSTATE_INVALID_PARAMETER_VALUE,
                      "cannot %s inet values of different sizes", what);
}

/* ---- containment and overlap ---- */

typedef enum sql_fi_rel { SQL_FI_SUB, SQL_FI_SUBEQ, SQL_FI_SUP, SQL_FI_SUPEQ, SQL_FI_OVERLAP }
    sql_fi_rel;

static bool sql_fi_related(const uint8_t *a, const uint8_t *b, sql_fi_rel rel) {
    if (a[0] != b[0]) return false;
    const uint8_t *x = a + SQL_INET_HEADER_BYTES, *y = b + SQL_INET_HEADER_BYTES;
    switch (rel) {
    case SQL_FI_SUB: return a[1] > b[1] && sql_inet_prefix_eq(x, y, b[1]);
    case SQL_FI_SUBEQ: return a[1] >= b[1] && sql_inet_prefix_eq(x, y, b[1]);
    case SQL_FI_SUP: return b[1] > a[1] && sql_inet_prefix_eq(x, y, a[1]);
    case SQL_FI_SUPEQ: return b[1] >= a[1] && sql_inet_prefix_eq(x, y, a[1]);
    case SQL_FI_OVERLAP: return sql_inet_prefix_eq(x, y, a[1] < b[1] ? a[1] : b[1]);
    }
    return false;
}

static bool sql_fi_rel_rows(uint32_t n, const uint8_t *active, sql_vec **args, sql_vec *out,
                            sql_fi_rel rel) {
    SQL_FOR_ACTIVE(i) {
        out->i64[i] = sql_fi_related(sql_fi_arg(args, 0, i), sql_fi_arg(args, 1, i), rel);
    }
    return true;
}

#define SQL_FI_REL_KERNEL(name, rel)                                                          \
    SQL_FI_KERNEL(name) {                                                                     \
        (void)f;                                                                              \
        return sql_fi_rel_rows(n, active, args, out, rel);                                    \
    }
SQL_FI_REL_KERNEL(sql_fi_sub, SQL_FI_SUB)
SQL_FI_REL_KERNEL(sql_fi_subeq, SQL_FI_SUBEQ)
SQL_FI_REL_KERNEL(sql_fi_sup, SQL_FI_SUP)
SQL_FI_REL_KERNEL(sql_fi_supeq, SQL_FI_SUPEQ)
SQL_FI_REL_KERNEL(sql_fi_overlap, SQL_FI_OVERLAP)

SQL_FI_KERNEL(sql_fi_same_family_fn) {
    (void)f;
    SQL_FOR_ACTIVE(i) out->i64[i] = sql_fi_arg(args, 0, i)[0] == sql_fi_arg(args, 1, i)[0];
    return true;
}

/* ---- bitwise ---- */

SQL_FI_KERNEL(sql_fi_not) {
    SQL_FOR_ACTIVE(i) {
        uint8_t *r = sql_fi_result(f, sql_fi_arg(args, 0, i), out, i);
        if (r == NULL) return false;
        for (uint32_t k = SQL_INET_HEADER_BYTES; k < sql_fi_len(r); k++) r[k] = (uint8_t)~r[k];
    }
    return true;
}

static bool sql_fi_bitwise(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                           sql_vec *out, bool or) {
    SQL_FOR_ACTIVE(i) {
        const uint8_t *a = sql_fi_arg(args, 0, i), *b = sql_fi_arg(args, 1, i);
        if (!sql_fi_same_family(f, a, b, or ? "OR" : "AND")) return false;
        uint8_t *r = sql_fi_result(f, a, out, i);
        if (r == NULL) return false;
        for (uint32_t k = SQL_INET_HEADER_BYTES; k < sql_fi_len(r); k++) {
            r[k] = or ? (uint8_t)(a[k] | b[k]) : (uint8_t)(a[k] & b[k]);
        }
        if (b[1] > r[1]) r[1] = b[1];
    }
    return true;
}

SQL_FI_KERNEL(sql_fi_and) { return sql_fi_bitwise(f, n, active, args, out, false); }
SQL_FI_KERNEL(sql_fi_or) { return sql_fi_bitwise(f, n, active, args, out, true); }

/* ---- arithmetic: the address as an unsigned number of 32 or 128 bits ---- */

static sql_fi_u128 sql_fi_number(const uint8_t *v) {
    sql_fi_u128 x = 0;
    for (uint32_t k = SQL_INET_HEADER_BYTES; k < sql_fi_len(v); k++) x = x << 8 | v[k];
    return x;
}

/* v's address plus or minus `magnitude` into a result for row i; 22003 past either end. */
static bool sql_fi_add(sql_fctx *f, const uint8_t *v, bool negative, uint64_t magnitude,
                       sql_vec *out, uint32_t i) {
    sql_fi_u128 x = sql_fi_number(v), d = magnitude;
    sql_fi_u128 max = v[0] == SQL_INET_FAMILY_V4 ? 0xffffffffu : ~(sql_fi_u128)0;
    if (negative ? d > x : d > max - x) {
        return rt_err_set(f->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "result is out of range");
    }
    x = negative ? x - d : x + d;
    uint8_t *r = sql_fi_result(f, v, out, i);
    if (r == NULL) return false;
    for (uint32_t k = sql_fi_len(r); k-- > SQL_INET_HEADER_BYTES; x >>= 8) r[k] = (uint8_t)x;
    return true;
}

/* The magnitude of an int8, INT64_MIN included. */
static uint64_t sql_fi_abs(int64_t x) { return x < 0 ? 0u - (uint64_t)x : (uint64_t)x; }

SQL_FI_KERNEL(sql_fi_plus) {          /* inet + int8 */
    SQL_FOR_ACTIVE(i) {
        int64_t d = args[1]->i64[i];
        if (!sql_fi_add(f, sql_fi_arg(args, 0, i), d < 0, sql_fi_abs(d), out, i)) return false;
    }
    return true;
}

SQL_FI_KERNEL(sql_fi_int_plus) {      /* int8 + inet */
    SQL_FOR_ACTIVE(i) {
        int64_t d = args[0]->i64[i];
        if (!sql_fi_add(f, sql_fi_arg(args, 1, i), d < 0, sql_fi_abs(d), out, i)) return false;
    }
    return true;
}

SQL_FI_KERNEL(sql_fi_minus_int) {     /* inet - int8 */
    SQL_FOR_ACTIVE(i) {
        int64_t d = args[1]->i64[i];
        if (!sql_fi_add(f, sql_fi_arg(args, 0, i), d > 0, sql_fi_abs(d), out, i)) return false;
    }
    return true;
}

SQL_FI_KERNEL(sql_fi_minus) {         /* inet - inet: int8 */
    SQL_FOR_ACTIVE(i) {
        const uint8_t *a = sql_fi_arg(args, 0, i), *b = sql_fi_arg(args, 1, i);
        if (!sql_fi_same_family(f, a, b, "subtract")) return false;
        sql_fi_u128 x = sql_fi_number(a), y = sql_fi_number(b);
        sql_fi_u128 d = x >= y ? x - y : y - x;
        if (d > (x >= y ? (sql_fi_u128)INT64_MAX : (sql_fi_u128)INT64_MAX + 1)) {
            return rt_err_set(f->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                              "result is out of range");
        }
        out->i64[i] = x >= y ? (int64_t)d : (int64_t)(0u - (uint64_t)d);
    }
    return true;
}

/* ---- network, broadcast, netmask, hostmask, set_masklen, inet_merge ---- */

typedef enum sql_fi_derive { SQL_FI_NETWORK, SQL_FI_BROADCAST, SQL_FI_NETMASK, SQL_FI_HOSTMASK }
    sql_fi_derive;

static bool sql_fi_derive_rows(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                               sql_vec *out, sql_fi_derive what) {
    SQL_FOR_ACTIVE(i) {
        const uint8_t *v = sql_fi_arg(args, 0, i);
        uint8_t *r = sql_fi_result(f, v, out, i);
        if (r == NULL) return false;
        if (what == SQL_FI_NETMASK || what == SQL_FI_HOSTMASK) {
            bool net = what == SQL_FI_NETMASK;
            memset(r + SQL_INET_HEADER_BYTES, net ? 0xff : 0, sql_inet_addr_bytes(v));
            sql_inet_fill_host(r, v[1], !net);
            r[1] = (uint8_t)sql_inet_max_bits(v);
        } else {
            sql_inet_fill_host(r, v[1], what == SQL_FI_BROADCAST);
        }
    }
    return true;
}

#define SQL_FI_DERIVE_KERNEL(name, what)                                                      \
    SQL_FI_KERNEL(name) { return sql_fi_derive_rows(f, n, active, args, out, what); }
SQL_FI_DERIVE_KERNEL(sql_fi_network, SQL_FI_NETWORK)
SQL_FI_DERIVE_KERNEL(sql_fi_broadcast, SQL_FI_BROADCAST)
SQL_FI_DERIVE_KERNEL(sql_fi_netmask, SQL_FI_NETMASK)
SQL_FI_DERIVE_KERNEL(sql_fi_hostmask, SQL_FI_HOSTMASK)

/* set_masklen(inet, int4) keeps the address, set_masklen(cidr, int4) clears the host bits;
 * -1 is the full length. */
static bool sql_fi_set_masklen(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                               sql_vec *out, bool cidr) {
    SQL_FOR_ACTIVE(i) {
        const uint8_t *v = sql_fi_arg(args, 0, i);
        int64_t bits = args[1]->i64[i];
        if (bits == -1) bits = sql_inet_max_bits(v);
        if (bits < 0 || bits > (int64_t)sql_inet_max_bits(v)) {
            return rt_err_set(f->err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "invalid mask length: %lld", (long long)args[1]->i64[i]);
        }
        uint8_t *r = sql_fi_result(f, v, out, i);
        if (r == NULL) return false;
        r[1] = (uint8_t)bits;
        if (cidr) sql_inet_fill_host(r, r[1], false);
    }
    return true;
}

SQL_FI_KERNEL(sql_fi_set_masklen_inet) {
    return sql_fi_set_masklen(f, n, active, args, out, false);
}
SQL_FI_KERNEL(sql_fi_set_masklen_cidr) {
    return sql_fi_set_masklen(f, n, active, args, out, true);
}

/* The number of leading bits two addresses of one family share. */
static uint32_t sql_fi_common_bits(const uint8_t *a, const uint8_t *b) {
    uint32_t bits = 0;
    for (uint32_t k = SQL_INET_HEADER_BYTES; k < sql_fi_len(a); k++, bits += 8) {
        uint8_t x = a[k] ^ b[k];
        if (x == 0) continue;
        while ((x & 0x80u) == 0) x = (uint8_t)(x << 1), bits++;
        return bits;
    }
    return bits;
}

/* inet_merge: the smallest network holding both. */
SQL_FI_KERNEL(sql_fi_merge) {
    SQL_FOR_ACTIVE(i) {
        const uint8_t *a = sql_fi_arg(args, 0, i), *b = sql_fi_arg(args, 1, i);
        if (a[0] != b[0]) {
            return rt_err_set(f->err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "cannot merge addresses from different families");
        }
        uint32_t bits = sql_fi_common_bits(a, b);
        if (a[1] < bits) bits = a[1];
        if (b[1] < bits) bits = b[1];
        uint8_t *r = sql_fi_result(f, a, out, i);
        if (r == NULL) return false;
        r[1] = (uint8_t)bits;
        sql_inet_fill_host(r, bits, false);
    }
    return true;
}

/* ---- text: host, text, abbrev; masklen, family ---- */

SQL_FI_KERNEL(sql_fi_host) {
    return sql_inet_format_rows(f, n, active, args[0], SQL_INET_MASK_NEVER, out);
}
SQL_FI_KERNEL(sql_fi_text) {
    return sql_inet_format_rows(f, n, active, args[0], SQL_INET_MASK_ALWAYS, out);
}
SQL_FI_KERNEL(sql_fi_abbrev_inet) {
    return sql_inet_format_rows(f, n, active, args[0], SQL_INET_MASK_AUTO, out);
}
SQL_FI_KERNEL(sql_fi_abbrev_cidr) {
    return sql_inet_format_rows(f, n, active, args[0], SQL_INET_MASK_ABBREV, out);
}

SQL_FI_KERNEL(sql_fi_masklen) {
    (void)f;
    SQL_FOR_ACTIVE(i) out->i64[i] = sql_inet_masklen(sql_fi_arg(args, 0, i));
    return true;
}

SQL_FI_KERNEL(sql_fi_family) {
    (void)f;
    SQL_FOR_ACTIVE(i) out->i64[i] = sql_inet_family(sql_fi_arg(args, 0, i));
    return true;
}

#define IN SQL_T_INET
#define CI SQL_T_CIDR
#define ST (SQL_F_STRICT | SQL_F_LEAKPROOF)
#define STX SQL_F_STRICT /* may raise an error from its arguments: not leakproof */
#define OP(sym, a, b, r, fl, k, com, neg, pro)                                                \
    {.name = sym, .is_operator = true, .nargs = 2, .args = {a, b}, .ret = r, .flags = fl,    \
     .fn = k, .commutator = com, .negator = neg, .proname = pro}
#define FN(nm, r, fl, k, ...)                                                                  \
    {.name = nm, .nargs = sizeof((uint32_t[]){__VA_ARGS__}) / 4, .args = {__VA_ARGS__},        \
     .ret = r, .flags = fl, .fn = k}

static const sql_func_def sql_inet_defs[] = {
    OP("<<", IN, IN, SQL_T_BOOL, ST, sql_fi_sub, ">>", NULL, "network_sub"),
    OP("<<=", IN, IN, SQL_T_BOOL, ST, sql_fi_subeq, ">>=", NULL, "network_subeq"),
    OP(">>", IN, IN, SQL_T_BOOL, ST, sql_fi_sup, "<<", NULL, "network_sup"),
    OP(">>=", IN, IN, SQL_T_BOOL, ST, sql_fi_supeq, "<<=", NULL, "network_supeq"),
    OP("&&", IN, IN, SQL_T_BOOL, ST, sql_fi_overlap, "&&", NULL, "network_overlap"),
    {.name = "~", .is_operator = true, .nargs = 1, .args = {IN}, .ret = IN, .flags = ST,
     .fn = sql_fi_not, .proname = "inetnot"},
    OP("&", IN, IN, IN, STX, sql_fi_and, NULL, NULL, "inetand"),
    OP("|", IN, IN, IN, STX, sql_fi_or, NULL, NULL, "inetor"),
    OP("+", IN, SQL_T_INT8, IN, STX, sql_fi_plus, "+", NULL, "inetpl"),
    OP("+", SQL_T_INT8, IN, IN, STX, sql_fi_int_plus, "+", NULL, "int8pl_inet"),
    OP("-", IN, SQL_T_INT8, IN, STX, sql_fi_minus_int, NULL, NULL, "inetmi_int8"),
    OP("-", IN, IN, SQL_T_INT8, STX, sql_fi_minus, NULL, NULL, "inetmi"),
    FN("network", CI, ST, sql_fi_network, IN),
    FN("broadcast", IN, ST, sql_fi_broadcast, IN),
    FN("netmask", IN, ST, sql_fi_netmask, IN),
    FN("hostmask", IN, ST, sql_fi_hostmask, IN),
    FN("set_masklen", IN, STX, sql_fi_set_masklen_inet, IN, SQL_T_INT4),
    FN("set_masklen", CI, STX, sql_fi_set_masklen_cidr, CI, SQL_T_INT4),
    FN("inet_same_family", SQL_T_BOOL, ST, sql_fi_same_family_fn, IN, IN),
    FN("inet_merge", CI, STX, sql_fi_merge, IN, IN),
    FN("host", SQL_T_TEXT, ST, sql_fi_host, IN),
    FN("text", SQL_T_TEXT, ST, sql_fi_text, IN),
    FN("abbrev", SQL_T_TEXT, ST, sql_fi_abbrev_inet, IN),
    FN("abbrev", SQL_T_TEXT, ST, sql_fi_abbrev_cidr, CI),
    FN("masklen", SQL_T_INT4, ST, sql_fi_masklen, IN),
    FN("family", SQL_T_INT4, ST, sql_fi_family, IN),
};

void sql_funcs_register_inet(void) {
    sql_funcs_register(sql_inet_defs, sizeof sql_inet_defs / sizeof sql_inet_defs[0]);
}
