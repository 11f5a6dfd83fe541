/* sql_type.h: type identities and the byte-string value shared by every type module.
 * Types are named by PostgreSQL's OIDs: clients (psql, drivers, ORMs) decide how to encode
 * and decode values from these numbers, so they are part of the wire contract.
 * Core:    any; everything here is constant data or pure functions.
 * Memory:  an sql_bytes never owns its bytes; they live in an arena or in the column store. */
#ifndef SQL_TYPE_H
#define SQL_TYPE_H

#include <stdbool.h>
#include <stdint.h>

/* A variable-length value: text, bytea, numeric, jsonb, arrays, vectors. */
typedef struct sql_bytes {
    const uint8_t *ptr;
    uint32_t len;
} sql_bytes;

/* ---- built-in type OIDs (PostgreSQL 15's, fixed) ---- */
#define SQL_T_BOOL 16u
#define SQL_T_BYTEA 17u
#define SQL_T_CHAR 18u          /* "char": one byte */
#define SQL_T_NAME 19u          /* 63-byte identifier type of the catalogs */
#define SQL_T_INT8 20u
#define SQL_T_INT2 21u
#define SQL_T_INT2VECTOR 22u
#define SQL_T_INT4 23u
#define SQL_T_REGPROC 24u
#define SQL_T_TEXT 25u
#define SQL_T_OID 26u
#define SQL_T_TID 27u
#define SQL_T_XID 28u
#define SQL_T_CID 29u
#define SQL_T_OIDVECTOR 30u
#define SQL_T_JSON 114u
#define SQL_T_XML 142u
#define SQL_T_PG_NODE_TREE 194u
#define SQL_T_CIDR 650u
#define SQL_T_FLOAT4 700u
#define SQL_T_FLOAT8 701u
#define SQL_T_UNKNOWN 705u
#define SQL_T_MONEY 790u
#define SQL_T_INET 869u
#define SQL_T_ACLITEM 1033u
#define SQL_T_BPCHAR 1042u
#define SQL_T_VARCHAR 1043u
#define SQL_T_DATE 1082u
#define SQL_T_TIME 1083u
#define SQL_T_TIMESTAMP 1114u
#define SQL_T_TIMESTAMPTZ 1184u
#define SQL_T_INTERVAL 1186u
#define SQL_T_TIMETZ 1266u
#define SQL_T_BIT 1560u
#define SQL_T_VARBIT 1562u
#define SQL_T_NUMERIC 1700u
#define SQL_T_REFCURSOR 1790u
#define SQL_T_REGPROCEDURE 2202u
#define SQL_T_REGOPER 2203u
#define SQL_T_REGOPERATOR 2204u
#define SQL_T_REGCLASS 2205u
#define SQL_T_REGTYPE 2206u
#define SQL_T_RECORD 2249u
#define SQL_T_CSTRING 2275u
#define SQL_T_ANY 2276u
#define SQL_T_ANYARRAY 2277u
#define SQL_T_VOID 2278u
#define SQL_T_TRIGGER 2279u
#define SQL_T_ANYELEMENT 2283u
#define SQL_T_ANYNONARRAY 2776u
#define SQL_T_UUID 2950u
#define SQL_T_ANYENUM 3500u
#define SQL_T_JSONB 3802u
#define SQL_T_ANYRANGE 3831u
/* The built-in range types (sql_range.h) and their multirange types (catalog only). */
#define SQL_T_INT4RANGE 3904u
#define SQL_T_NUMRANGE 3906u
#define SQL_T_TSRANGE 3908u
#define SQL_T_TSTZRANGE 3910u
#define SQL_T_DATERANGE 3912u
#define SQL_T_INT8RANGE 3926u
#define SQL_T_INT4MULTIRANGE 4451u
#define SQL_T_NUMMULTIRANGE 4532u
#define SQL_T_TSMULTIRANGE 4533u
#define SQL_T_TSTZMULTIRANGE 4534u
#define SQL_T_DATEMULTIRANGE 4535u
#define SQL_T_INT8MULTIRANGE 4536u
#define SQL_T_ANYMULTIRANGE 4537u
#define SQL_T_REGNAMESPACE 4089u
#define SQL_T_REGROLE 4096u
#define SQL_T_REGCOLLATION 4191u

/* Array types of the built-ins (the "_int4" family). */
#define SQL_T_BOOL_ARRAY 1000u
#define SQL_T_BYTEA_ARRAY 1001u
#define SQL_T_CHAR_ARRAY 1002u
#define SQL_T_NAME_ARRAY 1003u
#define SQL_T_INT2_ARRAY 1005u
#define SQL_T_INT2VECTOR_ARRAY 1006u
#define SQL_T_INT4_ARRAY 1007u
#define SQL_T_REGPROC_ARRAY 1008u
#define SQL_T_TEXT_ARRAY 1009u
#define SQL_T_OID_ARRAY 1028u
#define SQL_T_BPCHAR_ARRAY 1014u
#define SQL_T_VARCHAR_ARRAY 1015u
#define SQL_T_INT8_ARRAY 1016u
#define SQL_T_FLOAT4_ARRAY 1021u
#define SQL_T_FLOAT8_ARRAY 1022u
#define SQL_T_ACLITEM_ARRAY 1034u
#define SQL_T_INET_ARRAY 1041u
#define SQL_T_CIDR_ARRAY 651u
#define SQL_T_TIMESTAMP_ARRAY 1115u
#define SQL_T_DATE_ARRAY 1182u
#define SQL_T_TIME_ARRAY 1183u
#define SQL_T_TIMESTAMPTZ_ARRAY 1185u
#define SQL_T_INTERVAL_ARRAY 1187u
#define SQL_T_NUMERIC_ARRAY 1231u
#define SQL_T_TIMETZ_ARRAY 1270u
#define SQL_T_BIT_ARRAY 1561u
#define SQL_T_VARBIT_ARRAY 1563u
#define SQL_T_CSTRING_ARRAY 1263u
#define SQL_T_REGTYPE_ARRAY 2211u
#define SQL_T_REGCLASS_ARRAY 2210u
#define SQL_T_UUID_ARRAY 2951u
#define SQL_T_JSON_ARRAY 199u
#define SQL_T_JSONB_ARRAY 3807u
#define SQL_T_RECORD_ARRAY 2287u
#define SQL_T_INT4RANGE_ARRAY 3905u
#define SQL_T_NUMRANGE_ARRAY 3907u
#define SQL_T_TSRANGE_ARRAY 3909u
#define SQL_T_TSTZRANGE_ARRAY 3911u
#define SQL_T_DATERANGE_ARRAY 3913u
#define SQL_T_INT8RANGE_ARRAY 3927u
#define SQL_T_INT4MULTIRANGE_ARRAY 6150u
#define SQL_T_NUMMULTIRANGE_ARRAY 6151u
#define SQL_T_TSMULTIRANGE_ARRAY 6152u
#define SQL_T_TSTZMULTIRANGE_ARRAY 6153u
#define SQL_T_DATEMULTIRANGE_ARRAY 6155u
#define SQL_T_INT8MULTIRANGE_ARRAY 6157u

/* pgvector's types get their OIDs when its extension is created; clients look them up by name
 * (typname 'vector' in schema public). Dreambase creates them at bootstrap, first in the user
 * range, so they are stable across data directories. User objects start after them. */
#define SQL_T_VECTOR 16385u
#define SQL_T_VECTOR_ARRAY 16386u
#define SQL_OID_FIRST_USER 16400u

/* ---- type modifiers, encoded as PostgreSQL does (atttypmod) ---- */
#define SQL_TYPMOD_NONE (-1)
/* numeric(p,s): ((p << 16) | (s & 0x7ff)) + 4, the scale (-1000..1000) in 11 bits as in
 * PostgreSQL 15 (numeric(5,-2) is 329730); varchar(n)/char(n): n + 4; timestamp(p): p;
 * vector(n): n (pgvector's convention). */
#define SQL_TYPMOD_VARHDR 4
static inline int32_t sql_typmod_numeric(int32_t precision, int32_t scale) {
    return ((precision << 16) | (scale & 0x7ff)) + SQL_TYPMOD_VARHDR;
}

/* ---- limits ---- */
#define SQL_NUMERIC_PRECISION_MAX 1000      /* numeric(p,s): p <= 1000 as in PostgreSQL */
#define SQL_NUMERIC_DIGITS_MAX 131072      /* digits before the point, unconstrained numeric */
#define SQL_NUMERIC_DSCALE_MAX 16383       /* digits after the point */
#define SQL_VALUE_BYTES_MAX (256u << 20)   /* one field: 256 MiB (PostgreSQL: 1 GB); 54000 past it */

#endif
