/* sql_types_int.h: helpers shared by the type modules (sql_types*.c, sql_type_*.c). */
#ifndef SQL_TYPES_INT_H
#define SQL_TYPES_INT_H

#include "sql/sql_types.h"

bool sql_io_alloc_fail(sql_io_ctx *io);
uint64_t sql_hash_bytes(const uint8_t *p, uint32_t len);
uint64_t sql_hash_i64(int64_t v);
void sql_put_be16(sql_strbuf *sb, uint16_t v);
void sql_put_be32(sql_strbuf *sb, uint32_t v);
void sql_put_be64(sql_strbuf *sb, uint64_t v);
uint32_t sql_get_be32(const uint8_t *p);
uint64_t sql_get_be64(const uint8_t *p);
int sql_cmp_i64(const sql_value *a, const sql_value *b);
int sql_cmp_bytes(const sql_value *a, const sql_value *b);
uint64_t sql_hash_value_i64(const sql_value *v);
uint64_t sql_hash_value_bytes(const sql_value *v);
bool sql_parse_int(sql_io_ctx *io, const char *text, uint32_t len, int64_t min, int64_t max,
                   const char *type_name, int64_t *out);
uint32_t sql_i64_to_text(int64_t v, char *buf);
int sql_hexval(char c); /* a hexadecimal digit's value, -1 if none */
bool sql_text_check(sql_io_ctx *io, const uint8_t *p, uint32_t len);
uint32_t sql_utf8_chars(const uint8_t *p, uint32_t len);
uint32_t sql_utf8_prefix(const uint8_t *p, uint32_t len, uint32_t chars);

/* Each module fills the function pointers of the types it implements. */
void sql_types_basic_register(sql_type_def *t);
void sql_types_array_register(sql_type_def *t);
void sql_types_vector_register(sql_type_def *t);
void sql_types_float_register(sql_type_def *t);
void sql_types_number_register(sql_type_def *t);
void sql_types_datetime_register(sql_type_def *t);
void sql_types_json_register(sql_type_def *t);
void sql_types_reg_register(sql_type_def *t);
void sql_types_inet_register(sql_type_def *t);
void sql_types_bit_register(sql_type_def *t);
void sql_types_record_register(sql_type_def *t);
void sql_types_range_register(sql_type_def *t);

#endif
