/* sql_funcs_int.h: helpers for modules that implement functions and operators. */
#ifndef SQL_FUNCS_INT_H
#define SQL_FUNCS_INT_H

#include "sql/sql_expr.h"
#include "sql/sql_types_int.h"

/* Loops over the rows a kernel must compute. */
#define SQL_FOR_ACTIVE(i)                                                                    \
    for (uint32_t i = 0; i < n; i++)                                                         \
        if (active == NULL || active[i])

/* The kernel of a set-returning function called where one value is expected: 0A000, as
 * PostgreSQL's "set-valued function called in context that cannot accept a set". */
bool sql_func_srf_scalar(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                         sql_vec *out);

/* Registration entry points of the function modules (called once by sql_funcs_init). */
void sql_funcs_register_cmp(void);
void sql_funcs_register_arith(void);
void sql_funcs_register_string(void);
void sql_funcs_register_array(void);
void sql_funcs_register_misc(void);
void sql_funcs_register_activity(void);
void sql_funcs_register_vector(void);
void sql_funcs_register_catalog(void);
void sql_funcs_register_numeric(void);
void sql_funcs_register_datetime(void);
void sql_funcs_register_json(void);
void sql_funcs_register_jsonrec(void);
void sql_funcs_register_type_conv(void); /* with numeric's (sql_cast_types.c) */
void sql_funcs_register_float48(void);   /* with numeric's (sql_fn_float48.c) */
void sql_funcs_register_numfmt(void);    /* with numeric's (sql_fn_numfmt.c) */
void sql_funcs_register_bit(void);       /* sql_fn_bit.c */
void sql_funcs_register_range(void);     /* sql_fn_range.c */
void sql_funcs_register_enum(void);      /* sql_fn_enum.c */

/* The numeric lane operator (SQL_NUMERIC_LANE_ADD/_SUB/_MUL of sql_numeric.h) a definition
 * computes, or -1 when it is not numeric + - * (sql_fn_numeric.c). */
int sql_fn_numeric_lane_op(const sql_func_def *def);

/* The casts of numeric, date/time and jsonb done by functions (sql_cast_types.c); *done is
 * false when the pair is not one of them. */
bool sql_cast_typed(sql_fctx *f, uint32_t n, const uint8_t *active, const sql_vec *in,
                    uint32_t to, sql_vec *out, bool *done);
/* The casts of bit and varbit (sql_fn_bit.c): int4 / int8 -> bit(typmod), bit -> int4 / int8,
 * bit <-> varbit; *done stays false for others. */
bool sql_bit_cast(sql_fctx *f, uint32_t n, const uint8_t *active, const sql_vec *in, uint32_t to,
                  int32_t typmod, sql_vec *out, bool *done);

/* One SQL value as the json builders take it (sql_jsonb.h's sql_json_arg): its text in ISO
 * DateStyle, json/jsonb and strings as they are (sql_fn_json.c). */
struct sql_json_arg;
bool sql_json_arg_of(sql_io_ctx *io, const sql_value *v, struct sql_json_arg *out);

/* A fresh arena copy of bytes for a result. */
static inline bool sql_fn_bytes(sql_fctx *f, const void *p, uint32_t len, sql_bytes *out) {
    if (!sql_bytes_dup(f->arena, p, len, out)) return rt_arena_fail(f->arena, f->err);
    return true;
}

/* Result of a text function: `len` bytes at p (copied into the arena). */
static inline bool sql_fn_text(sql_fctx *f, sql_vec *out, uint32_t i, const void *p,
                               uint32_t len) {
    out->nulls[i] = 0;
    return sql_fn_bytes(f, p, len, &out->b[i]);
}

#endif
