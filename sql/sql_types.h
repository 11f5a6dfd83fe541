/* sql_types.h: the registry of SQL types: what PostgreSQL's pg_type says about each built-in
 * type, and how its values are read and written (text and binary), compared, hashed and fitted
 * to a type modifier.
 * Core:    any; the registry is built once at start and read-only afterwards.
 * Memory:  I/O results are allocated in the caller's arena (sql_io_ctx.arena).
 * Errors:  22P02 invalid_text_representation, 22P03 invalid_binary_representation, 22003,
 *          22001 string_data_right_truncation, with PostgreSQL's messages. */
#ifndef SQL_TYPES_H
#define SQL_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/rt_err.h"
#include "runtime/rt_mem.h"
#include "sql/sql_batch.h"
#include "sql/sql_strbuf.h"

/* Session settings that change how values are read and written. */
typedef enum sql_datestyle { SQL_DATESTYLE_ISO = 0, SQL_DATESTYLE_SQL, SQL_DATESTYLE_POSTGRES,
                             SQL_DATESTYLE_GERMAN } sql_datestyle;
typedef enum sql_dateorder { SQL_DATEORDER_MDY = 0, SQL_DATEORDER_DMY, SQL_DATEORDER_YMD }
    sql_dateorder;
typedef enum sql_intervalstyle { SQL_INTERVALSTYLE_POSTGRES = 0, SQL_INTERVALSTYLE_POSTGRES_VERBOSE,
                                 SQL_INTERVALSTYLE_SQL_STANDARD, SQL_INTERVALSTYLE_ISO_8601 }
    sql_intervalstyle;

typedef struct sql_fmt {
    sql_datestyle datestyle;
    sql_dateorder dateorder;
    sql_intervalstyle intervalstyle;
    int extra_float_digits;     /* -15..3, default 1 */
    bool bytea_escape;          /* bytea_output = escape (default hex) */
    const void *timezone;       /* the session's zone (sql_tz.h), NULL = UTC */
    const char *timezone_name;
} sql_fmt;

typedef struct sql_io_ctx {
    rt_arena *arena;
    const sql_fmt *fmt;
    int64_t now_us;             /* statement timestamp, for 'now' and 'today' */
    rt_err *err;
    const struct sql_names *names; /* catalog and search path for the reg* types (regclass,
                                      regtype, ...; sql_pgcat.h); NULL: OIDs as numbers */
} sql_io_ctx;

typedef bool (*sql_in_fn)(sql_io_ctx *io, const char *text, uint32_t len, int32_t typmod,
                          sql_value *out);
typedef bool (*sql_out_fn)(sql_io_ctx *io, const sql_value *v, int32_t typmod, sql_strbuf *sb);
typedef bool (*sql_recv_fn)(sql_io_ctx *io, const uint8_t *p, uint32_t len, int32_t typmod,
                            sql_value *out);
typedef bool (*sql_send_fn)(sql_io_ctx *io, const sql_value *v, sql_strbuf *sb);
typedef int (*sql_cmp_fn)(const sql_value *a, const sql_value *b);
typedef uint64_t (*sql_hash_fn)(const sql_value *v);
/* Fits a value to a typmod (varchar(n) length, numeric(p,s) rounding, vector(n) dims); an
 * explicit cast truncates strings where an assignment errors, as PostgreSQL does. */
typedef bool (*sql_coerce_fn)(sql_io_ctx *io, sql_value *v, int32_t typmod, bool is_explicit);
/* typmod from the integers written in the type name (varchar(10) -> 14); out: "(10,2)". */
typedef bool (*sql_typmod_in_fn)(const int32_t *mods, uint32_t n, int32_t *typmod, rt_err *err);
typedef void (*sql_typmod_out_fn)(int32_t typmod, char *buf, uint32_t cap);

typedef struct sql_type_def {
    uint32_t oid;
    const char *name;        /* pg_type.typname */
    uint32_t namespace_oid;  /* pg_catalog (11), or public (2200) for vector */
    int16_t typlen;          /* -1 varlena, -2 cstring */
    bool byval;
    char typtype;            /* 'b' base, 'p' pseudo */
    char category;           /* typcategory: 'N' numeric, 'S' string, 'B' bool, 'D' date/time,
                                'T' timespan, 'U' user, 'A' array, 'V' bit string, 'X' unknown,
                                'P' pseudo, 'Z' internal-use, 'I' network, 'G' geometric */
    bool preferred;
    char align;              /* 'c', 's', 'i', 'd' */
    char storage;            /* 'p', 'x', 'm', 'e' */
    uint32_t elem_oid;       /* arrays: element type */
    uint32_t array_oid;      /* the array type of this type, 0 if none */
    uint32_t collation;      /* 100 (default) for collatable string types, else 0 */
    const char *input, *output, *receive, *send; /* pg_proc names for pg_type rows */
    const char *typmodin, *typmodout;
    sql_in_fn in;
    sql_out_fn out;
    sql_recv_fn recv;
    sql_send_fn send_fn;
    sql_cmp_fn cmp;
    sql_hash_fn hash;
    sql_coerce_fn coerce;
    sql_typmod_in_fn typmod_in;
    sql_typmod_out_fn typmod_out;
} sql_type_def;

void sql_types_init(void);
const sql_type_def *sql_type_by_oid(uint32_t oid);
/* By pg_type.typname (and a few aliases: "integer", "int", "varchar", ...), NULL if unknown. */
const sql_type_def *sql_type_by_name(const char *name);
/* The definition that reads, writes and orders values of `oid`: as sql_type_by_oid, and a
 * table's row type as record (user OIDs that reach values are row types; domain values are of
 * their base type). */
const sql_type_def *sql_type_for_values(uint32_t oid);
uint32_t sql_type_count(void);
const sql_type_def *sql_type_at(uint32_t i);

static inline bool sql_type_is_array(const sql_type_def *t) { return t->elem_oid != 0 &&
                                                                     t->category == 'A'; }
uint32_t sql_type_array_of(uint32_t elem_oid);   /* 0 if the type has no array type */
uint32_t sql_type_elem_of(uint32_t array_oid);   /* 0 if not an array */
bool sql_type_is_string(uint32_t oid);           /* text, varchar, bpchar, name */
bool sql_type_is_integer(uint32_t oid);          /* int2, int4, int8 */

/* SQL name of a type with its modifier as format_type() prints it: "character varying(10)",
 * "numeric(10,2)", "integer[]", "timestamp(3) with time zone", "vector(3)". */
void sql_type_format(uint32_t oid, int32_t typmod, sql_strbuf *sb);

/* Text I/O of one value (any registered type). */
bool sql_value_in(sql_io_ctx *io, uint32_t oid, const char *text, uint32_t len, int32_t typmod,
                  sql_value *out);
bool sql_value_out(sql_io_ctx *io, const sql_value *v, int32_t typmod, sql_strbuf *sb);
/* Binary I/O of one value (PostgreSQL's wire formats). */
bool sql_value_recv(sql_io_ctx *io, uint32_t oid, const uint8_t *p, uint32_t len, int32_t typmod,
                    sql_value *out);
bool sql_value_send(sql_io_ctx *io, const sql_value *v, sql_strbuf *sb);
/* Total order of non-NULL values of one type, and a hash consistent with it. */
int sql_value_cmp(const sql_value *a, const sql_value *b);
uint64_t sql_value_hash(const sql_value *v);
/* Applies a typmod (assignment or explicit cast semantics). */
bool sql_value_coerce(sql_io_ctx *io, sql_value *v, int32_t typmod, bool is_explicit);
/* Copies a value's bytes into the arena (for operators that keep rows). */
bool sql_value_copy(rt_arena *arena, sql_value *v);

/* Helpers for type modules. */
bool sql_bad_input(sql_io_ctx *io, const char *type_name, const char *text, uint32_t len);
bool sql_bytes_dup(rt_arena *arena, const void *p, uint32_t len, sql_bytes *out);

#endif
