/* sql_types.c: the type registry (PostgreSQL 15's pg_type rows for the built-in types Dreambase
 * knows, plus pgvector's vector in schema public) and the dispatch of value I/O. */
#include <stdio.h>
#include <string.h>

#include "sql/sql_enum.h"
#include "sql/sql_record.h"
#include "sql/sql_types_int.h"

#define PGC 11u   /* pg_catalog */
#define PUB 2200u /* public */

/* Base types: oid, name, namespace, typlen, byval, category, preferred, align, storage, array,
 * collation, in, out, recv, send, typmodin, typmodout. */
#define BASE(oid, name, len, byval, cat, pref, align, stor, arr, coll, in, out, rc, sd, tmi, tmo) \
    {oid, name, PGC, len, byval, 'b', cat, pref, align, stor, 0, arr, coll, in, out, rc, sd,     \
     tmi, tmo, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL}
#define ARRAY(oid, name, elem, align)                                                            \
    {oid, name, PGC, -1, false, 'b', 'A', false, align, 'x', elem, 0, 0, "array_in",             \
     "array_out", "array_recv", "array_send", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,    \
     NULL, NULL, NULL}
/* Range ('r') and multirange ('m') types: category R, storage x; multirange values are not
 * supported (no I/O functions here: 0A000). */
#define RANGE(oid, name, kind, align, arr, in, out, rc, sd)                                   \
    {oid, name, PGC, -1, false, kind, 'R', false, align, 'x', 0, arr, 0, in, out, rc, sd,     \
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL}
#define RNG(oid, name, align, arr)                                                            \
    RANGE(oid, name, 'r', align, arr, "range_in", "range_out", "range_recv", "range_send")
#define MULTIRNG(oid, name, align, arr)                                                       \
    RANGE(oid, name, 'm', align, arr, "multirange_in", "multirange_out", "multirange_recv",  \
          "multirange_send")
#define PSEUDO(oid, name, len, byval, in, out)                                                   \
    {oid, name, PGC, len, byval, 'p', 'P', false, 'i', 'p', 0, 0, 0, in, out, "-", "-", NULL,   \
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL}

static sql_type_def sql_types[] = {
    BASE(SQL_T_BOOL, "bool", 1, true, 'B', true, 'c', 'p', SQL_T_BOOL_ARRAY, 0, "boolin",
         "boolout", "boolrecv", "boolsend", NULL, NULL),
    BASE(SQL_T_BYTEA, "bytea", -1, false, 'U', false, 'i', 'x', SQL_T_BYTEA_ARRAY, 0, "byteain",
         "byteaout", "bytearecv", "byteasend", NULL, NULL),
    BASE(SQL_T_CHAR, "char", 1, true, 'Z', false, 'c', 'p', SQL_T_CHAR_ARRAY, 0, "charin",
         "charout", "charrecv", "charsend", NULL, NULL),
    BASE(SQL_T_NAME, "name", 64, false, 'S', false, 'c', 'p', SQL_T_NAME_ARRAY, 950, "namein",
         "nameout", "namerecv", "namesend", NULL, NULL),
    BASE(SQL_T_INT8, "int8", 8, true, 'N', false, 'd', 'p', SQL_T_INT8_ARRAY, 0, "int8in",
         "int8out", "int8recv", "int8send", NULL, NULL),
    BASE(SQL_T_INT2, "int2", 2, true, 'N', false, 's', 'p', SQL_T_INT2_ARRAY, 0, "int2in",
         "int2out", "int2recv", "int2send", NULL, NULL),
    BASE(SQL_T_INT2VECTOR, "int2vector", -1, false, 'A', false, 'i', 'p', SQL_T_INT2VECTOR_ARRAY,
         0, "int2vectorin", "int2vectorout", "int2vectorrecv", "int2vectorsend", NULL, NULL),
    BASE(SQL_T_INT4, "int4", 4, true, 'N', false, 'i', 'p', SQL_T_INT4_ARRAY, 0, "int4in",
         "int4out", "int4recv", "int4send", NULL, NULL),
    BASE(SQL_T_REGPROC, "regproc", 4, true, 'N', false, 'i', 'p', SQL_T_REGPROC_ARRAY, 0,
         "regprocin", "regprocout", "regprocrecv", "regprocsend", NULL, NULL),
    BASE(SQL_T_TEXT, "text", -1, false, 'S', true, 'i', 'x', SQL_T_TEXT_ARRAY, 100, "textin",
         "textout", "textrecv", "textsend", NULL, NULL),
    BASE(SQL_T_OID, "oid", 4, true, 'N', true, 'i', 'p', SQL_T_OID_ARRAY, 0, "oidin", "oidout",
         "oidrecv", "oidsend", NULL, NULL),
    BASE(SQL_T_TID, "tid", 6, false, 'U', false, 's', 'p', 0, 0, "tidin", "tidout", "tidrecv",
         "tidsend", NULL, NULL),
    BASE(SQL_T_XID, "xid", 4, true, 'U', false, 'i', 'p', 0, 0, "xidin", "xidout", "xidrecv",
         "xidsend", NULL, NULL),
    BASE(SQL_T_CID, "cid", 4, true, 'U', false, 'i', 'p', 0, 0, "cidin", "cidout", "cidrecv",
         "cidsend", NULL, NULL),
    BASE(SQL_T_OIDVECTOR, "oidvector", -1, false, 'A', false, 'i', 'p', 0, 0, "oidvectorin",
         "oidvectorout", "oidvectorrecv", "oidvectorsend", NULL, NULL),
    BASE(SQL_T_JSON, "json", -1, false, 'U', false, 'i', 'x', SQL_T_JSON_ARRAY, 0, "json_in",
         "json_out", "json_recv", "json_send", NULL, NULL),
    BASE(SQL_T_XML, "xml", -1, false, 'U', false, 'i', 'x', 0, 0, "xml_in", "xml_out",
         "xml_recv", "xml_send", NULL, NULL),
    BASE(SQL_T_PG_NODE_TREE, "pg_node_tree", -1, false, 'Z', false, 'i', 'x', 0, 100,
         "pg_node_tree_in", "pg_node_tree_out", "pg_node_tree_recv", "pg_node_tree_send", NULL,
         NULL),
    BASE(SQL_T_FLOAT4, "float4", 4, true, 'N', false, 'i', 'p', SQL_T_FLOAT4_ARRAY, 0,
         "float4in", "float4out", "float4recv", "float4send", NULL, NULL),
    BASE(SQL_T_FLOAT8, "float8", 8, true, 'N', true, 'd', 'p', SQL_T_FLOAT8_ARRAY, 0,
         "float8in", "float8out", "float8recv", "float8send", NULL, NULL),
    BASE(SQL_T_MONEY, "money", 8, true, 'N', false, 'd', 'p', 0, 0, "cash_in", "cash_out",
         "cash_recv", "cash_send", NULL, NULL),
    BASE(SQL_T_INET, "inet", -1, false, 'I', true, 'i', 'm', SQL_T_INET_ARRAY, 0, "inet_in",
         "inet_out", "inet_recv", "inet_send", NULL, NULL),
    BASE(SQL_T_CIDR, "cidr", -1, false, 'I', false, 'i', 'm', SQL_T_CIDR_ARRAY, 0, "cidr_in",
         "cidr_out", "cidr_recv", "cidr_send", NULL, NULL),
    BASE(SQL_T_ACLITEM, "aclitem", 12, false, 'U', false, 'i', 'p', SQL_T_ACLITEM_ARRAY, 0,
         "aclitemin", "aclitemout", "-", "-", NULL, NULL),
    BASE(SQL_T_BPCHAR, "bpchar", -1, false, 'S', false, 'i', 'x', SQL_T_BPCHAR_ARRAY, 100,
         "bpcharin", "bpcharout", "bpcharrecv", "bpcharsend", "bpchartypmodin",
         "bpchartypmodout"),
    BASE(SQL_T_VARCHAR, "varchar", -1, false, 'S', false, 'i', 'x', SQL_T_VARCHAR_ARRAY, 100,
         "varcharin", "varcharout", "varcharrecv", "varcharsend", "varchartypmodin",
         "varchartypmodout"),
    BASE(SQL_T_DATE, "date", 4, true, 'D', false, 'i', 'p', SQL_T_DATE_ARRAY, 0, "date_in",
         "date_out", "date_recv", "date_send", NULL, NULL),
    BASE(SQL_T_TIME, "time", 8, true, 'D', false, 'd', 'p', SQL_T_TIME_ARRAY, 0, "time_in",
         "time_out", "time_recv", "time_send", "timetypmodin", "timetypmodout"),
    BASE(SQL_T_TIMESTAMP, "timestamp", 8, true, 'D', false, 'd', 'p', SQL_T_TIMESTAMP_ARRAY, 0,
         "timestamp_in", "timestamp_out", "timestamp_recv", "timestamp_send",
         "timestamptypmodin", "timestamptypmodout"),
    BASE(SQL_T_TIMESTAMPTZ, "timestamptz", 8, true, 'D', true, 'd', 'p',
         SQL_T_TIMESTAMPTZ_ARRAY, 0, "timestamptz_in", "timestamptz_out", "timestamptz_recv",
         "timestamptz_send", "timestamptztypmodin", "timestamptztypmodout"),
    BASE(SQL_T_INTERVAL, "interval", 16, false, 'T', true, 'd', 'p', SQL_T_INTERVAL_ARRAY, 0,
         "interval_in", "interval_out", "interval_recv", "interval_send", "intervaltypmodin",
         "intervaltypmodout"),
    BASE(SQL_T_TIMETZ, "timetz", 12, false, 'D', false, 'd', 'p', SQL_T_TIMETZ_ARRAY, 0,
         "timetz_in", "timetz_out", "timetz_recv", "timetz_send", "timetztypmodin",
         "timetztypmodout"),
    BASE(SQL_T_BIT, "bit", -1, false, 'V', false, 'i', 'x', SQL_T_BIT_ARRAY, 0, "bit_in",
         "bit_out", "bit_recv", "bit_send", "bittypmodin", "bittypmodout"),
    BASE(SQL_T_VARBIT, "varbit", -1, false, 'V', true, 'i', 'x', SQL_T_VARBIT_ARRAY, 0,
         "varbit_in", "varbit_out", "varbit_recv", "varbit_send", "varbittypmodin",
         "varbittypmodout"),
    BASE(SQL_T_NUMERIC, "numeric", -1, false, 'N', false, 'i', 'm', SQL_T_NUMERIC_ARRAY, 0,
         "numeric_in", "numeric_out", "numeric_recv", "numeric_send", "numerictypmodin",
         "numerictypmodout"),
    BASE(SQL_T_REFCURSOR, "refcursor", -1, false, 'U', false, 'i', 'x', 0, 0, "textin",
         "textout", "textrecv", "textsend", NULL, NULL),
    BASE(SQL_T_REGPROCEDURE, "regprocedure", 4, true, 'N', false, 'i', 'p', 0, 0,
         "regprocedurein", "regprocedureout", "regprocedurerecv", "regproceduresend", NULL,
         NULL),
    BASE(SQL_T_REGOPER, "regoper", 4, true, 'N', false, 'i', 'p', 0, 0, "regoperin",
         "regoperout", "regoperrecv", "regopersend", NULL, NULL),
    BASE(SQL_T_REGOPERATOR, "regoperator", 4, true, 'N', false, 'i', 'p', 0, 0, "regoperatorin",
         "regoperatorout", "regoperatorrecv", "regoperatorsend", NULL, NULL),
    BASE(SQL_T_REGCLASS, "regclass", 4, true, 'N', false, 'i', 'p', SQL_T_REGCLASS_ARRAY, 0,
         "regclassin", "regclassout", "regclassrecv", "regclasssend", NULL, NULL),
    BASE(SQL_T_REGTYPE, "regtype", 4, true, 'N', false, 'i', 'p', SQL_T_REGTYPE_ARRAY, 0,
         "regtypein", "regtypeout", "regtyperecv", "regtypesend", NULL, NULL),
    BASE(SQL_T_REGNAMESPACE, "regnamespace", 4, true, 'N', false, 'i', 'p', 0, 0,
         "regnamespacein", "regnamespaceout", "regnamespacerecv", "regnamespacesend", NULL,
         NULL),
    BASE(SQL_T_REGROLE, "regrole", 4, true, 'N', false, 'i', 'p', 0, 0, "regrolein",
         "regroleout", "regrolerecv", "regrolesend", NULL, NULL),
    BASE(SQL_T_REGCOLLATION, "regcollation", 4, true, 'N', false, 'i', 'p', 0, 0,
         "regcollationin", "regcollationout", "regcollationrecv", "regcollationsend", NULL,
         NULL),
    BASE(SQL_T_UUID, "uuid", 16, false, 'U', false, 'c', 'p', SQL_T_UUID_ARRAY, 0, "uuid_in",
         "uuid_out", "uuid_recv", "uuid_send", NULL, NULL),
    BASE(SQL_T_JSONB, "jsonb", -1, false, 'U', false, 'i', 'x', SQL_T_JSONB_ARRAY, 0,
         "jsonb_in", "jsonb_out", "jsonb_recv", "jsonb_send", NULL, NULL),
    {SQL_T_UNKNOWN, "unknown", PGC, -2, false, 'p', 'X', false, 'c', 'p', 0, 0, 0, "unknownin",
     "unknownout", "unknownrecv", "unknownsend", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL},
    PSEUDO(SQL_T_RECORD, "record", -1, false, "record_in", "record_out"),
    PSEUDO(SQL_T_CSTRING, "cstring", -2, false, "cstring_in", "cstring_out"),
    PSEUDO(SQL_T_ANY, "any", 4, true, "any_in", "any_out"),
    PSEUDO(SQL_T_ANYARRAY, "anyarray", -1, false, "anyarray_in", "anyarray_out"),
    PSEUDO(SQL_T_VOID, "void", 4, true, "void_in", "void_out"),
    PSEUDO(SQL_T_TRIGGER, "trigger", 4, true, "trigger_in", "trigger_out"),
    PSEUDO(SQL_T_ANYELEMENT, "anyelement", 4, true, "anyelement_in", "anyelement_out"),
    PSEUDO(SQL_T_ANYNONARRAY, "anynonarray", 4, true, "anynonarray_in", "anynonarray_out"),
    PSEUDO(SQL_T_ANYENUM, "anyenum", 4, true, "anyenum_in", "anyenum_out"),
    PSEUDO(SQL_T_ANYRANGE, "anyrange", -1, false, "anyrange_in", "anyrange_out"),
    PSEUDO(SQL_T_ANYMULTIRANGE, "anymultirange", -1, false, "anymultirange_in",
           "anymultirange_out"),
    RNG(SQL_T_INT4RANGE, "int4range", 'i', SQL_T_INT4RANGE_ARRAY),
    RNG(SQL_T_NUMRANGE, "numrange", 'i', SQL_T_NUMRANGE_ARRAY),
    RNG(SQL_T_TSRANGE, "tsrange", 'd', SQL_T_TSRANGE_ARRAY),
    RNG(SQL_T_TSTZRANGE, "tstzrange", 'd', SQL_T_TSTZRANGE_ARRAY),
    RNG(SQL_T_DATERANGE, "daterange", 'i', SQL_T_DATERANGE_ARRAY),
    RNG(SQL_T_INT8RANGE, "int8range", 'd', SQL_T_INT8RANGE_ARRAY),
    MULTIRNG(SQL_T_INT4MULTIRANGE, "int4multirange", 'i', SQL_T_INT4MULTIRANGE_ARRAY),
    MULTIRNG(SQL_T_NUMMULTIRANGE, "nummultirange", 'i', SQL_T_NUMMULTIRANGE_ARRAY),
    MULTIRNG(SQL_T_TSMULTIRANGE, "tsmultirange", 'd', SQL_T_TSMULTIRANGE_ARRAY),
    MULTIRNG(SQL_T_TSTZMULTIRANGE, "tstzmultirange", 'd', SQL_T_TSTZMULTIRANGE_ARRAY),
    MULTIRNG(SQL_T_DATEMULTIRANGE, "datemultirange", 'i', SQL_T_DATEMULTIRANGE_ARRAY),
    MULTIRNG(SQL_T_INT8MULTIRANGE, "int8multirange", 'd', SQL_T_INT8MULTIRANGE_ARRAY),
    /* pgvector's type, as its extension creates it: in schema public, category 'U'. */
    {SQL_T_VECTOR, "vector", PUB, -1, false, 'b', 'U', false, 'i', 'x', 0, SQL_T_VECTOR_ARRAY,
     0, "vector_in", "vector_out", "vector_recv", "vector_send", "vector_typmod_in", NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    ARRAY(SQL_T_BOOL_ARRAY, "_bool", SQL_T_BOOL, 'i'),
    ARRAY(SQL_T_BYTEA_ARRAY, "_bytea", SQL_T_BYTEA, 'i'),
    ARRAY(SQL_T_CHAR_ARRAY, "_char", SQL_T_CHAR, 'i'),
    ARRAY(SQL_T_NAME_ARRAY, "_name", SQL_T_NAME, 'i'),
    ARRAY(SQL_T_INT2_ARRAY, "_int2", SQL_T_INT2, 'i'),
    ARRAY(SQL_T_INT2VECTOR_ARRAY, "_int2vector", SQL_T_INT2VECTOR, 'i'),
    ARRAY(SQL_T_INT4_ARRAY, "_int4", SQL_T_INT4, 'i'),
    ARRAY(SQL_T_REGPROC_ARRAY, "_regproc", SQL_T_REGPROC, 'i'),
    ARRAY(SQL_T_TEXT_ARRAY, "_text", SQL_T_TEXT, 'i'),
    ARRAY(SQL_T_OID_ARRAY, "_oid", SQL_T_OID, 'i'),
    ARRAY(SQL_T_BPCHAR_ARRAY, "_bpchar", SQL_T_BPCHAR, 'i'),
    ARRAY(SQL_T_VARCHAR_ARRAY, "_varchar", SQL_T_VARCHAR, 'i'),
    ARRAY(SQL_T_INT8_ARRAY, "_int8", SQL_T_INT8, 'd'),
    ARRAY(SQL_T_FLOAT4_ARRAY, "_float4", SQL_T_FLOAT4, 'i'),
    ARRAY(SQL_T_FLOAT8_ARRAY, "_float8", SQL_T_FLOAT8, 'd'),
    ARRAY(SQL_T_ACLITEM_ARRAY, "_aclitem", SQL_T_ACLITEM, 'i'),
    ARRAY(SQL_T_TIMESTAMP_ARRAY, "_timestamp", SQL_T_TIMESTAMP, 'd'),
    ARRAY(SQL_T_DATE_ARRAY, "_date", SQL_T_DATE, 'i'),
    ARRAY(SQL_T_TIME_ARRAY, "_time", SQL_T_TIME, 'd'),
    ARRAY(SQL_T_TIMESTAMPTZ_ARRAY, "_timestamptz", SQL_T_TIMESTAMPTZ, 'd'),
    ARRAY(SQL_T_INTERVAL_ARRAY, "_interval", SQL_T_INTERVAL, 'd'),
    ARRAY(SQL_T_NUMERIC_ARRAY, "_numeric", SQL_T_NUMERIC, 'i'),
    ARRAY(SQL_T_TIMETZ_ARRAY, "_timetz", SQL_T_TIMETZ, 'd'),
    ARRAY(SQL_T_BIT_ARRAY, "_bit", SQL_T_BIT, 'i'),
    ARRAY(SQL_T_VARBIT_ARRAY, "_varbit", SQL_T_VARBIT, 'i'),
    ARRAY(SQL_T_CSTRING_ARRAY, "_cstring", SQL_T_CSTRING, 'i'),
    ARRAY(SQL_T_REGTYPE_ARRAY, "_regtype", SQL_T_REGTYPE, 'i'),
    ARRAY(SQL_T_REGCLASS_ARRAY, "_regclass", SQL_T_REGCLASS, 'i'),
    ARRAY(SQL_T_UUID_ARRAY, "_uuid", SQL_T_UUID, 'i'),
    ARRAY(SQL_T_INET_ARRAY, "_inet", SQL_T_INET, 'i'),
    ARRAY(SQL_T_CIDR_ARRAY, "_cidr", SQL_T_CIDR, 'i'),
    ARRAY(SQL_T_JSON_ARRAY, "_json", SQL_T_JSON, 'i'),
    ARRAY(SQL_T_JSONB_ARRAY, "_jsonb", SQL_T_JSONB, 'i'),
    ARRAY(SQL_T_RECORD_ARRAY, "_record", SQL_T_RECORD, 'd'),
    ARRAY(SQL_T_INT4RANGE_ARRAY, "_int4range", SQL_T_INT4RANGE, 'i'),
    ARRAY(SQL_T_NUMRANGE_ARRAY, "_numrange", SQL_T_NUMRANGE, 'i'),
    ARRAY(SQL_T_TSRANGE_ARRAY, "_tsrange", SQL_T_TSRANGE, 'd'),
    ARRAY(SQL_T_TSTZRANGE_ARRAY, "_tstzrange", SQL_T_TSTZRANGE, 'd'),
    ARRAY(SQL_T_DATERANGE_ARRAY, "_daterange", SQL_T_DATERANGE, 'i'),
    ARRAY(SQL_T_INT8RANGE_ARRAY, "_int8range", SQL_T_INT8RANGE, 'd'),
    ARRAY(SQL_T_INT4MULTIRANGE_ARRAY, "_int4multirange", SQL_T_INT4MULTIRANGE, 'i'),
    ARRAY(SQL_T_NUMMULTIRANGE_ARRAY, "_nummultirange", SQL_T_NUMMULTIRANGE, 'i'),
    ARRAY(SQL_T_TSMULTIRANGE_ARRAY, "_tsmultirange", SQL_T_TSMULTIRANGE, 'd'),
    ARRAY(SQL_T_TSTZMULTIRANGE_ARRAY, "_tstzmultirange", SQL_T_TSTZMULTIRANGE, 'd'),
    ARRAY(SQL_T_DATEMULTIRANGE_ARRAY, "_datemultirange", SQL_T_DATEMULTIRANGE, 'i'),
    ARRAY(SQL_T_INT8MULTIRANGE_ARRAY, "_int8multirange", SQL_T_INT8MULTIRANGE, 'd'),
    {SQL_T_VECTOR_ARRAY, "_vector", PUB, -1, false, 'b', 'A', false, 'i', 'x', SQL_T_VECTOR, 0,
     0, "array_in", "array_out", "array_recv", "array_send", "vector_typmod_in", NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

#define SQL_TYPE_COUNT (sizeof sql_types / sizeof sql_types[0])

/* oid -> index, for the oids below 20000 that built-ins use. */
#define SQL_TYPE_OID_INDEX_MAX 20000u
static int16_t sql_type_index[SQL_TYPE_OID_INDEX_MAX];

void sql_types_init(void) {
    memset(sql_type_index, -1, sizeof sql_type_index);
    for (uint32_t i = 0; i < SQL_TYPE_COUNT; i++) {
        sql_type_def *t = &sql_types[i];
        RT_ASSERT(t->oid < SQL_TYPE_OID_INDEX_MAX);
        sql_type_index[t->oid] = (int16_t)i;
        sql_types_basic_register(t);
        sql_types_array_register(t);
        sql_types_vector_register(t);
        sql_types_float_register(t);
        sql_types_number_register(t);
        sql_types_datetime_register(t);
        sql_types_json_register(t);
        sql_types_inet_register(t);
        sql_types_bit_register(t);
        sql_types_range_register(t);
        sql_types_record_register(t);
        sql_types_reg_register(t); /* after basic: names instead of numbers for reg* */
    }
}

const sql_type_def *sql_type_by_oid(uint32_t oid) {
    if (oid >= SQL_TYPE_OID_INDEX_MAX || sql_type_index[oid] < 0) return NULL;
    return &sql_types[sql_type_index[oid]];
}

const sql_type_def *sql_type_by_name(const char *name) {
    for (uint32_t i = 0; i < SQL_TYPE_COUNT; i++) {
        if (strcmp(sql_types[i].name, name) == 0) return &sql_types[i];
    }
    return NULL;
}

uint32_t sql_type_count(void) { return SQL_TYPE_COUNT; }
const sql_type_def *sql_type_at(uint32_t i) { return &sql_types[i]; }

uint32_t sql_type_array_of(uint32_t elem_oid) {
    const sql_type_def *t = sql_type_by_oid(elem_oid);
    return t != NULL ? t->array_oid : sql_enum_array_of(elem_oid);
}

uint32_t sql_type_elem_of(uint32_t array_oid) {
    const sql_type_def *t = sql_type_by_oid(array_oid);
    if (t == NULL) return sql_enum_elem_of(array_oid);
    return t->category == 'A' ? t->elem_oid : 0;
}

bool sql_type_is_string(uint32_t oid) {
    return oid == SQL_T_TEXT || oid == SQL_T_VARCHAR || oid == SQL_T_BPCHAR ||
           oid == SQL_T_NAME;
}

bool sql_type_is_integer(uint32_t oid) {
    return oid == SQL_T_INT2 || oid == SQL_T_INT4 || oid == SQL_T_INT8;
}

/* ---- format_type ---- */

static const char *sql_type_sql_name(uint32_t oid) {
    switch (oid) {
    case SQL_T_BOOL: return "boolean";
    case SQL_T_INT2: return "smallint";
    case SQL_T_INT4: return "integer";
    case SQL_T_INT8: return "bigint";
    case SQL_T_FLOAT4: return "real";
    case SQL_T_FLOAT8: return "double precision";
    case SQL_T_VARCHAR: return "character varying";
    case SQL_T_BIT: return "bit";
    case SQL_T_VARBIT: return "bit varying";
    case SQL_T_CHAR: return "\"char\"";
    default: return NULL;
    }
}

static void sql_type_format_base(uint32_t oid, int32_t typmod, sql_strbuf *sb) {
    const sql_type_def *t = sql_type_by_oid(oid);
    if (t == NULL) {
        sql_strbuf_puts(sb, "???");
        return;
    }
    bool has_mod = typmod >= 0;
    switch (oid) {
    case SQL_T_BPCHAR:
        if (has_mod) sql_strbuf_printf(sb, "character(%d)", typmod - SQL_TYPMOD_VARHDR);
        else sql_strbuf_puts(sb, "bpchar");
        return;
    case SQL_T_VARCHAR:
        sql_strbuf_puts(sb, "character varying");
        if (has_mod) sql_strbuf_printf(sb, "(%d)", typmod - SQL_TYPMOD_VARHDR);
        return;
    case SQL_T_NUMERIC: case SQL_T_INTERVAL: {
        /* The type module prints its modifier: numeric's scale may be negative (11 bits),
         * interval's names its fields ("interval year to month"). */
        sql_strbuf_puts(sb, t->name);
        char mod[64] = "";
        if (has_mod && t->typmod_out != NULL) t->typmod_out(typmod, mod, sizeof mod);
        sql_strbuf_puts(sb, mod);
        return;
    }
    case SQL_T_TIMESTAMP: case SQL_T_TIMESTAMPTZ: case SQL_T_TIME: case SQL_T_TIMETZ:
        sql_strbuf_puts(sb, oid == SQL_T_TIME || oid == SQL_T_TIMETZ ? "time" : "timestamp");
        if (has_mod) sql_strbuf_printf(sb, "(%d)", typmod);
        sql_strbuf_puts(sb, oid == SQL_T_TIMESTAMPTZ || oid == SQL_T_TIMETZ
                                ? " with time zone" : " without time zone");
        return;
    case SQL_T_VECTOR:
        sql_strbuf_puts(sb, "vector");
        if (has_mod) sql_strbuf_printf(sb, "(%d)", typmod);
        return;
    case SQL_T_BIT: case SQL_T_VARBIT:
        sql_strbuf_puts(sb, sql_type_sql_name(oid));
        if (has_mod) sql_strbuf_printf(sb, "(%d)", typmod);
        return;
    default:
        break;
    }
    const char *sql_name = sql_type_sql_name(oid);
    sql_strbuf_puts(sb, sql_name != NULL ? sql_name : t->name);
}

void sql_type_format(uint32_t oid, int32_t typmod, sql_strbuf *sb) {
    const sql_type_def *t = sql_type_by_oid(oid);
    if (t == NULL && (sql_enum_is(oid) || sql_enum_elem_of(oid) != 0)) {
        char name[2 * ENG_NAME_BYTES];
        sql_enum_type_name(oid, name, sizeof name);
        sql_strbuf_puts(sb, name);
        return;
    }
    if (t != NULL && t->category == 'A' && t->elem_oid != 0 && t->typlen == -1 &&
        oid != SQL_T_INT2VECTOR && oid != SQL_T_OIDVECTOR) {
        sql_type_format_base(t->elem_oid, typmod, sb);
        sql_strbuf_puts(sb, "[]");
        return;
    }
    sql_type_format_base(oid, typmod, sb);
}

/* ---- dispatch ---- */

static bool sql_type_unsupported(sql_io_ctx *io, uint32_t oid, const char *what) {
    const sql_type_def *t = sql_type_by_oid(oid);
    return rt_err_set(io->err, SQLSTATE_FEATURE_NOT_SUPPORTED, "%s of type %s is not supported",
                      what, t != NULL ? t->name : "unknown");
}

const sql_type_def *sql_type_for_values(uint32_t oid) {
    const sql_type_def *t = sql_type_by_oid(oid);
    if (t != NULL || oid < SQL_OID_FIRST_USER) return t;
    if (sql_enum_is(oid)) return sql_enum_type_def();
    /* An enum's array type: any array type's functions read the element type from the
     * value (or from the type oid, through sql_type_elem_of). */
    if (sql_enum_elem_of(oid) != 0) return sql_type_by_oid(SQL_T_INT4_ARRAY);
    return sql_type_by_oid(SQL_T_RECORD);
}

bool sql_value_in(sql_io_ctx *io, uint32_t oid, const char *text, uint32_t len, int32_t typmod,
                  sql_value *out) {
    const sql_type_def *t = sql_type_by_oid(oid);
    if (t == NULL && oid != SQL_T_RECORD && sql_type_is_record(oid)) {
        return sql_record_in_rowtype(io, oid, text, len, out);
    }
    if (t == NULL && oid >= SQL_OID_FIRST_USER) t = sql_type_for_values(oid);
    if (t == NULL || t->in == NULL) return sql_type_unsupported(io, oid, "text input");
    out->type_oid = oid;
    out->is_null = false;
    if (!t->in(io, text, len, typmod, out)) return false;
    return typmod < 0 || t->coerce == NULL || t->coerce(io, out, typmod, false);
}

bool sql_value_out(sql_io_ctx *io, const sql_value *v, int32_t typmod, sql_strbuf *sb) {
    const sql_type_def *t = sql_type_for_values(v->type_oid);
    if (t == NULL || t->out == NULL) return sql_type_unsupported(io, v->type_oid, "text output");
    return t->out(io, v, typmod, sb);
}

bool sql_value_recv(sql_io_ctx *io, uint32_t oid, const uint8_t *p, uint32_t len, int32_t typmod,
                    sql_value *out) {
    const sql_type_def *t = sql_type_by_oid(oid);
    if (t == NULL && oid != SQL_T_RECORD && sql_type_is_record(oid)) {
        return sql_record_recv_rowtype(io, oid, p, len, out);
    }
    if (t == NULL && oid >= SQL_OID_FIRST_USER) t = sql_type_for_values(oid);
    if (t == NULL || t->recv == NULL) return sql_type_unsupported(io, oid, "binary input");
    out->type_oid = oid;
    out->is_null = false;
    if (!t->recv(io, p, len, typmod, out)) return false;
    return typmod < 0 || t->coerce == NULL || t->coerce(io, out, typmod, false);
}

bool sql_value_send(sql_io_ctx *io, const sql_value *v, sql_strbuf *sb) {
    const sql_type_def *t = sql_type_for_values(v->type_oid);
    if (t == NULL || t->send_fn == NULL) {
        return sql_type_unsupported(io, v->type_oid, "binary output");
    }
    return t->send_fn(io, v, sb);
}

int sql_value_cmp(const sql_value *a, const sql_value *b) {
    const sql_type_def *t = sql_type_for_values(a->type_oid);
    RT_ASSERT(t != NULL && t->cmp != NULL);
    return t->cmp(a, b);
}

uint64_t sql_value_hash(const sql_value *v) {
    const sql_type_def *t = sql_type_for_values(v->type_oid);
    RT_ASSERT(t != NULL && t->hash != NULL);
    return t->hash(v);
}

bool sql_value_coerce(sql_io_ctx *io, sql_value *v, int32_t typmod, bool is_explicit) {
    if (v->is_null || typmod < 0) return true;
    const sql_type_def *t = sql_type_by_oid(v->type_oid);
    return t == NULL || t->coerce == NULL || t->coerce(io, v, typmod, is_explicit);
}

bool sql_value_copy(rt_arena *arena, sql_value *v) {
    if (v->is_null || sql_phys_of_type(v->type_oid) != SQL_PHYS_BYTES) return true;
    return sql_bytes_dup(arena, v->b.ptr, v->b.len, &v->b);
}
