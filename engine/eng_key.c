/* eng_key.c: order-preserving key encodings.
 * Layout per value: a marker byte (0x01 value, 0x02 NULL) then the body:
 *   integers and timestamps: 8 bytes big-endian with the sign bit flipped;
 *   floats: 8 bytes of the IEEE bits, sign-adjusted so byte order is numeric order, -0 = +0,
 *           every NaN equal and greater than all numbers (PostgreSQL's float order);
 *   strings and byte strings: the bytes with 0x00 escaped as 0x00 0xFF, ended by 0x00 0x01
 *           (prefix-free, and a shorter string sorts first); char(n) drops trailing spaces;
 *   uuid: its 16 bytes; interval: a 128-bit count of microseconds (months as 30 days, as
 *           PostgreSQL compares intervals);
 *   numeric: sql_numeric's order-preserving, prefix-free key (equal values, equal keys
 *           whatever their display scale);
 *   inet, cidr: family, the network (host bits zeroed), masklen, the whole address: byte order is
 *           PostgreSQL's inet order (sql_inet_cmp), and the family fixes the length;
 *   bit, varbit: the bytes as a string (above), then the bit length big-endian: equal bytes
 *           over the shorter length order by length (sql_bit_cmp);
 *   ranges: 0x00 for empty, else 0x01, the lower bound (0x00 infinite, else 0x01, the
 *           subtype's body, 0x00 inclusive or 0x01 exclusive), the upper bound (0x01, the body,
 *           0x00 exclusive or 0x01 inclusive; 0x02 infinite): sql_range_cmp's order. */
#include "engine/eng_key.h"

#include <math.h>
#include <string.h>

#include "sql/sql_bit.h"
#include "sql/sql_inet.h"
#include "sql/sql_numeric.h"
#include "sql/sql_range.h"

#define ENG_KEY_VALUE 0x01
#define ENG_KEY_NULL 0x02

static void eng_key_be64(uint8_t *out, uint64_t v) {
    for (int i = 7; i >= 0; i--) {
        out[i] = (uint8_t)v;
        v >>= 8;
    }
}

static void eng_key_bytes(eng_codec_w *w, const uint8_t *p, uint32_t len) {
    for (uint32_t i = 0; i < len; i++) {
        eng_w_u8(w, p[i]);
        if (p[i] == 0) eng_w_u8(w, 0xFF);
    }
    eng_w_u8(w, 0x00);
    eng_w_u8(w, 0x01);
}

static uint64_t eng_key_double_bits(double d) {
    if (isnan(d)) return UINT64_MAX;
    if (d == 0) d = 0; /* -0 -> +0 */
    uint64_t bits;
    memcpy(&bits, &d, 8);
    return (bits & (1ull << 63)) ? ~bits : bits | (1ull << 63);
}

static void eng_key_interval(uint8_t *out, const uint8_t *iv) {
    int64_t us;
    int32_t days, months;
    memcpy(&us, iv, 8);
    memcpy(&days, iv + 8, 4);
    memcpy(&months, iv + 12, 4);
    __int128 total = (__int128)us + ((__int128)months * 30 + days) * 86400000000LL;
    unsigned __int128 u = (unsigned __int128)total ^ ((unsigned __int128)1 << 127);
    eng_key_be64(out, (uint64_t)(u >> 64));
    eng_key_be64(out + 8, (uint64_t)u);
}

static bool eng_key_body(eng_codec_w *w, const sql_value *v, rt_err *err);

/* A range's bounds in sql_range_cmp_bounds' order (infinite lower first, infinite upper last;
 * at one value an inclusive lower bound before an exclusive one, an exclusive upper bound
 * before an inclusive one). */
static bool eng_key_range(eng_codec_w *w, const sql_value *v, rt_err *err) {
    sql_range r;
    sql_range_decode(v, &r);
    eng_w_u8(w, r.empty ? 0x00 : 0x01);
    if (r.empty) return true;
    if (r.lower.infinite) {
        eng_w_u8(w, 0x00);
    } else {
        eng_w_u8(w, 0x01);
        if (!eng_key_body(w, &r.lower.val, err)) return false;
        eng_w_u8(w, r.lower.inclusive ? 0x00 : 0x01);
    }
    if (r.upper.infinite) {
        eng_w_u8(w, 0x02);
        return true;
    }
    eng_w_u8(w, 0x01);
    if (!eng_key_body(w, &r.upper.val, err)) return false;
    eng_w_u8(w, r.upper.inclusive ? 0x01 : 0x00);
    return true;
}

bool eng_key_type_supported(uint32_t type_oid) {
    switch (type_oid) {
    case SQL_T_JSON: case SQL_T_JSONB: case SQL_T_VECTOR:
    case SQL_T_XML: case SQL_T_TIMETZ:
        return false;
    default:
        return sql_phys_of_type(type_oid) != SQL_PHYS_BYTES || type_oid == SQL_T_TEXT ||
               type_oid == SQL_T_VARCHAR || type_oid == SQL_T_BPCHAR || type_oid == SQL_T_NAME ||
               type_oid == SQL_T_BYTEA || type_oid == SQL_T_UUID || type_oid == SQL_T_INTERVAL ||
               type_oid == SQL_T_BIT || type_oid == SQL_T_VARBIT || type_oid == SQL_T_NUMERIC ||
               type_oid == SQL_T_INET || type_oid == SQL_T_CIDR || sql_type_is_range(type_oid);
    }
}

static void eng_key_inet(eng_codec_w *w, const uint8_t *v) {
    uint32_t nb = sql_inet_addr_bytes(v);
    uint8_t net[SQL_INET_BYTES_MAX];
    memcpy(net, v, SQL_INET_HEADER_BYTES + nb);
    sql_inet_fill_host(net, v[1], false);
    eng_w_u8(w, v[0]);
    eng_w_raw(w, net + SQL_INET_HEADER_BYTES, nb);
    eng_w_u8(w, v[1]);
    eng_w_raw(w, v + SQL_INET_HEADER_BYTES, nb);
}

static bool eng_key_body(eng_codec_w *w, const sql_value *v, rt_err *err) {
    uint8_t buf[16];
    switch (sql_phys_of_type(v->type_oid)) {
    case SQL_PHYS_I64:
        eng_key_be64(buf, (uint64_t)v->i64 ^ (1ull << 63));
        eng_w_raw(w, buf, 8);
        return true;
    case SQL_PHYS_F64:
        eng_key_be64(buf, eng_key_double_bits(v->f64));
        eng_w_raw(w, buf, 8);
        return true;
    case SQL_PHYS_BYTES:
        break;
    }
    if (!eng_key_type_supported(v->type_oid)) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "indexes on columns of type %u are not supported yet", v->type_oid);
    }
    if (v->type_oid == SQL_T_NUMERIC) {
        uint32_t len = sql_numeric_key_len(v->b);
        uint32_t wrote = sql_numeric_key_buf(v->b, eng_w_reserve(w, len));
        RT_ASSERT(wrote == len);
    } else if (v->type_oid == SQL_T_UUID) {
        eng_w_raw(w, v->b.ptr, 16);
    } else if (v->type_oid == SQL_T_INET || v->type_oid == SQL_T_CIDR) {
        eng_key_inet(w, v->b.ptr);
    } else if (v->type_oid == SQL_T_BIT || v->type_oid == SQL_T_VARBIT) {
        eng_key_bytes(w, v->b.ptr + SQL_BIT_HEADER_BYTES, v->b.len - SQL_BIT_HEADER_BYTES);
        eng_w_raw(w, v->b.ptr, SQL_BIT_HEADER_BYTES);
    } else if (sql_type_is_range(v->type_oid)) {
        return eng_key_range(w, v, err);
    } else if (v->type_oid == SQL_T_INTERVAL) {
        eng_key_interval(buf, v->b.ptr);
        eng_w_raw(w, buf, 16);
    } else {
        uint32_t len = v->b.len;
        if (v->type_oid == SQL_T_BPCHAR) {
            while (len > 0 && v->b.ptr[len - 1] == ' ') len--;
        }
        eng_key_bytes(w, v->b.ptr, len);
    }
    return true;
}

bool eng_key_append(eng_codec_w *w, const sql_value *v, bool desc, rt_err *err) {
    uint64_t start = w->len;
    if (v->is_null) {
        eng_w_u8(w, ENG_KEY_NULL);
    } else {
        eng_w_u8(w, ENG_KEY_VALUE);
        if (!eng_key_body(w, v, err)) {
            w->len = start;
            return false;
        }
    }
    if (desc) {
        for (uint64_t i = start; i < w->len; i++) w->buf[i] = (uint8_t)~w->buf[i];
    }
    return true;
}

uint64_t eng_key_hash(const uint8_t *key, uint32_t len) {
    /* FNV-1a then a murmur finaliser: cheap and well spread for short keys. */
    uint64_t h = 1469598103934665603ull;
    for (uint32_t i = 0; i < len; i++) h = (h ^ key[i]) * 1099511628211ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}
