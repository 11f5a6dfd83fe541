/* sql_jsonb_check.c: sql_jsonb_validate, the full structural check of a binary jsonb value
 * that was read back from storage. Every other function trusts the format (offsets, types,
 * sorted keys), so bytes that did not come from our own encoder must pass here first: a bad
 * value is reported as XX001 data_corrupted, never asserted. */
#include "sql/sql_jsonb_int.h"

static bool jb_corrupt(rt_err *err, const char *what) {
    rt_err_set(err, SQLSTATE_DATA_CORRUPTED, "invalid jsonb value");
    rt_err_detail(err, "%s", what);
    return false;
}

static bool jb_check_text(const uint8_t *p, uint32_t len) {
    for (uint32_t i = 0; i < len;) {
        if (p[i] == 0) return false; /* text cannot hold NUL */
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t n = jb_utf8_len(p, i, len);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

/* Canonical number text: -?(0|[1-9][0-9]*)(\.[0-9]+)? */
static bool jb_check_number(const uint8_t *p, uint32_t len) {
    uint32_t i = 0;
    if (i < len && p[i] == '-') i++;
    uint32_t int_start = i;
    while (i < len && p[i] >= '0' && p[i] <= '9') i++;
    if (i == int_start || (p[int_start] == '0' && i - int_start > 1)) return false;
    if (i < len && p[i] == '.') {
        uint32_t frac_start = ++i;
        while (i < len && p[i] >= '0' && p[i] <= '9') i++;
        if (i == frac_start) return false;
    }
    return i == len;
}

static bool jb_check_cont(const uint8_t *p, uint32_t len, uint32_t depth, bool top, rt_err *err);

/* Checks one entry; *levels is raised to a nested container's levels. */
static bool jb_check_val(jb_val v, uint32_t depth, uint32_t *levels, rt_err *err) {
    switch (v.type) {
    case JB_NULL:
    case JB_FALSE:
    case JB_TRUE:
        return v.len == 0 || jb_corrupt(err, "A literal has a payload.");
    case JB_STRING:
        return jb_check_text(v.ptr, v.len) || jb_corrupt(err, "A string is not valid text.");
    case JB_NUMBER:
        return jb_check_number(v.ptr, v.len) || jb_corrupt(err, "A number is malformed.");
    case JB_CONTAINER:
        if (!jb_check_cont(v.ptr, v.len, depth + 1, false, err)) return false;
        if (jb_cont_levels(v.ptr) > *levels) *levels = jb_cont_levels(v.ptr);
        return true;
    default:
        return jb_corrupt(err, "An entry has an unknown type.");
    }
}

/* The container occupying exactly p[0, len). */
static bool jb_check_cont(const uint8_t *p, uint32_t len, uint32_t depth, bool top, rt_err *err) {
    /* Stored levels are checked against the real ones, so the limit bounds this recursion. */
    if (depth > SQL_JSONB_DEPTH_MAX) return jb_corrupt(err, "Containers nest too deep.");
    if (len < JB_HEADER_BYTES) return jb_corrupt(err, "A container is truncated.");
    uint32_t h = jb_load32(p);
    if ((h >> JB_VERSION_SHIFT) != JB_FORMAT_VERSION) {
        return jb_corrupt(err, "A container has an unknown format version.");
    }
    jb_cont c = jb_cont_open(p);
    if (c.kind > JB_KIND_SCALAR || (c.kind == JB_KIND_SCALAR && (!top || c.count != 1))) {
        return jb_corrupt(err, "A container has a bad kind.");
    }
    uint64_t entries = jb_cont_entries(&c);
    if (JB_HEADER_BYTES + JB_ENTRY_BYTES * entries > len) {
        return jb_corrupt(err, "A container's entries overrun it.");
    }
    uint32_t data_len = len - JB_HEADER_BYTES - JB_ENTRY_BYTES * (uint32_t)entries;
    uint32_t prev = 0, levels = 0;
    for (uint32_t i = 0; i < entries; i++) {
        uint32_t end = jb_load32(p + JB_HEADER_BYTES + JB_ENTRY_BYTES * i) & JB_OFFSET_MASK;
        if (end < prev || end > data_len) return jb_corrupt(err, "An entry's offset is wrong.");
        prev = end;
    }
    if (prev != data_len) return jb_corrupt(err, "A container's data has trailing bytes.");
    for (uint32_t i = 0; i < entries; i++) {
        jb_val v = jb_cont_get(&c, i);
        if (!jb_check_val(v, depth, &levels, err)) return false;
        if (c.kind == JB_KIND_SCALAR && v.type == JB_CONTAINER) {
            return jb_corrupt(err, "A scalar container holds a container.");
        }
        if (c.kind != JB_KIND_OBJECT || i >= c.count) continue;
        if (v.type != JB_STRING) return jb_corrupt(err, "An object key is not a string.");
        if (i > 0) {
            jb_val prev_key = jb_cont_get(&c, i - 1);
            if (jb_key_order(prev_key.ptr, prev_key.len, v.ptr, v.len) >= 0) {
                return jb_corrupt(err, "Object keys are not sorted and unique.");
            }
        }
    }
    if (jb_cont_levels(p) != levels + 1) return jb_corrupt(err, "A container's levels are wrong.");
    return true;
}

bool sql_jsonb_validate(sql_bytes jb, rt_err *err) {
    if (jb.ptr == NULL) return jb_corrupt(err, "The value is missing.");
    return jb_check_cont(jb.ptr, jb.len, 1, true, err);
}
