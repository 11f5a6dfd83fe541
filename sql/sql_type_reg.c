/* sql_type_reg.c: the object identifier types that read and print names: regclass, regtype,
 * regproc, regprocedure, regnamespace, regrole, regoper, regoperator, regcollation.
 * Input resolves a (possibly qualified) name through the catalog and search path of the
 * statement (sql_io_ctx.names) with PostgreSQL's errors; a number is taken as the OID itself,
 * whatever it names, and "-" is 0. Output prints the name (schema-qualified when the search
 * path would not find it), "-" for 0, and the number for an OID nothing has. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "sql/sql_pgcat_int.h"
#include "sql/sql_types_int.h"

#define PC_NAME_PARTS_MAX 3 /* database.schema.name */

typedef struct pc_qname {
    char parts[PC_NAME_PARTS_MAX][ENG_NAME_BYTES];
    uint32_t n;
} pc_qname;

static bool pc_reg_fail(sql_io_ctx *io, const char *state, const char *fmt, const char *arg) {
    return rt_err_set(io->err, state, fmt, arg);
}

static bool pc_reg_bad_name(sql_io_ctx *io) {
    return rt_err_set(io->err, SQLSTATE_INVALID_NAME, "invalid name syntax");
}

/* Splits "a.B."x.y"" into identifiers (unquoted ones folded to lower case, each truncated to
 * 63 bytes as identifiers are): 42602 on a bad quote or an empty part. */
static bool pc_parse_qname(sql_io_ctx *io, const char *text, uint32_t len, pc_qname *q) {
    uint32_t i = 0;
    q->n = 0;
    while (i < len && isspace((unsigned char)text[i])) i++;
    for (;;) {
        if (q->n == PC_NAME_PARTS_MAX + 1) break;
        char buf[ENG_NAME_BYTES];
        uint32_t k = 0;
        if (i < len && text[i] == '"') {
            for (i++;; i++) {
                if (i >= len) return pc_reg_bad_name(io);
                if (text[i] == '"' && (i + 1 >= len || text[i + 1] != '"')) break;
                if (text[i] == '"') i++;
                if (k + 1 < sizeof buf) buf[k++] = text[i];
            }
            i++;
            if (k == 0) return pc_reg_bad_name(io);
        } else {
            while (i < len && text[i] != '.' && !isspace((unsigned char)text[i])) {
                if (k + 1 < sizeof buf) buf[k++] = (char)tolower((unsigned char)text[i]);
                i++;
            }
            if (k == 0) return pc_reg_bad_name(io);
        }
        buf[k] = '\0';
        if (q->n < PC_NAME_PARTS_MAX) memcpy(q->parts[q->n], buf, k + 1);
        q->n++;
        while (i < len && isspace((unsigned char)text[i])) i++;
        if (i >= len) break;
        if (text[i] != '.') return pc_reg_bad_name(io);
        i++;
    }
    return true;
}

/* A plain number: the OID itself. */
static bool pc_reg_number(const char *text, uint32_t len, int64_t *out) {
    if (len == 1 && text[0] == '-') {
        *out = 0;
        return true;
    }
    if (len == 0 || len > 10) return false;
    int64_t v = 0;
    for (uint32_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)text[i])) return false;
        v = v * 10 + (text[i] - '0');
    }
    if (v > UINT32_MAX) return false;
    *out = v;
    return true;
}

static bool pc_need_names(sql_io_ctx *io, const char *type, const char *text, uint32_t len) {
    if (io->names != NULL && io->names->db != NULL) return true;
    return sql_bad_input(io, type, text, len);
}

/* ---- regclass ---- */

static bool pc_regclass_in(sql_io_ctx *io, const char *text, uint32_t len, int32_t typmod,
                           sql_value *out) {
    (void)typmod;
    if (pc_reg_number(text, len, &out->i64)) return true;
    if (!pc_need_names(io, "regclass", text, len)) return false;
    pc_qname q;
    if (!pc_parse_qname(io, text, len, &q)) return false;
    const sql_names *nm = io->names;
    if (q.n > 3) {
        return rt_err_set(io->err, SQLSTATE_SYNTAX_ERROR,
                          "improper relation name (too many dotted names): %.*s", (int)len, text);
    }
    if (q.n == 3 && strcmp(q.parts[0], nm->db->name) != 0) {
        return rt_err_set(io->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "cross-database references are not implemented: \"%.*s\"", (int)len,
                          text);
    }
    pc_path p;
    if (q.n == 1) {
        pc_path_build(nm, &p);
    } else {
        const char *schema = q.parts[q.n - 2];
        const eng_schema *s = eng_db_schema_by_name(nm->db, schema);
        uint32_t oid = s != NULL                         ? s->oid
                       : strcmp(schema, "pg_temp") == 0 ? nm->temp_schema_oid
                                                        : 0;
        if (oid == 0) {
            return pc_reg_fail(io, SQLSTATE_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist",
                               schema);
        }
        p = (pc_path){.oids = {oid}, .n = 1};
    }
    out->i64 = pc_rel_lookup(nm->db, &p, q.parts[q.n - 1]);
    if (out->i64 != 0) return true;
    return pc_reg_fail(io, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist",
                       q.parts[q.n - 1]);
}

static void pc_out_number(const sql_value *v, sql_strbuf *sb) {
    char buf[16];
    sql_strbuf_append(sb, buf, (uint32_t)snprintf(buf, sizeof buf, "%u", (uint32_t)v->i64));
}

static bool pc_regclass_out(sql_io_ctx *io, const sql_value *v, int32_t typmod, sql_strbuf *sb) {
    (void)typmod;
    const char *schema, *name;
    uint32_t oid = (uint32_t)v->i64;
    if (oid == 0) {
        sql_strbuf_putc(sb, '-');
        return true;
    }
    if (io->names == NULL || !pc_relation_name(io->names->db, oid, &schema, &name)) {
        pc_out_number(v, sb);
        return true;
    }
    pc_path p;
    pc_path_build(io->names, &p);
    pc_qualified(sb, schema, name, !pc_rel_visible(io->names->db, &p, oid));
    return true;
}

/* ---- regtype ---- */

/* SQL spellings of the built-in types (format_type's names and the grammar's aliases). */
static const struct { const char *sql, *name; } pc_type_aliases[] = {
    {"integer", "int4"}, {"int", "int4"}, {"smallint", "int2"}, {"bigint", "int8"},
    {"real", "float4"}, {"float", "float8"}, {"double precision", "float8"},
    {"boolean", "bool"}, {"decimal", "numeric"}, {"dec", "numeric"},
    {"character varying", "varchar"}, {"character", "bpchar"}, {"char", "bpchar"},
    {"\"char\"", "char"}, {"bit varying", "varbit"},
    {"timestamp with time zone", "timestamptz"}, {"timestamp without time zone", "timestamp"},
    {"time with time zone", "timetz"}, {"time without time zone", "time"},
};

/* The OID of a type name as regtype reads it: "int4", "pg_catalog.int4", "integer[]",
 * "character varying(10)", "timestamp(3) with time zone"; 0 if unknown. */
static uint32_t pc_type_lookup(const char *text, uint32_t len) {
    char buf[128];
    uint32_t k = 0;
    bool quoted = false, array = false;
    for (uint32_t i = 0; i < len && k + 1 < sizeof buf; i++) {
        char c = text[i];
        if (c == '"') quoted = !quoted;
        if (!quoted && c == '(') { /* typmods do not change the type */
            while (i < len && text[i] != ')') i++;
            continue;
        }
        if (!quoted && c == '[') {
            array = true;
            break;
        }
        if (!quoted && isspace((unsigned char)c) && (k == 0 || buf[k - 1] == ' ')) continue;
        buf[k++] = quoted ? c : (char)tolower((unsigned char)c);
    }
    while (k > 0 && buf[k - 1] == ' ') k--;
    buf[k] = '\0';
    const char *name = buf;
    if (strncmp(name, "pg_catalog.", 11) == 0) name += 11;
    else if (strncmp(name, "public.", 7) == 0) name += 7;
    for (uint32_t i = 0; i < sizeof pc_type_aliases / sizeof pc_type_aliases[0]; i++) {
        if (strcmp(name, pc_type_aliases[i].sql) == 0) name = pc_type_aliases[i].name;
    }
    if (name[0] == '"' && strlen(name) >= 2) { /* "int4" quoted: the name as written */
        static _Thread_local char unq[128];
        snprintf(unq, sizeof unq, "%.*s", (int)strlen(name) - 2, name + 1);
        name = unq;
    }
    const sql_type_def *t = sql_type_by_name(name);
    if (t == NULL) return 0;
    return array ? sql_type_array_of(t->oid) : t->oid;
}

static bool pc_regtype_in(sql_io_ctx *io, const char *text, uint32_t len, int32_t typmod,
                          sql_value *out) {
    (void)typmod;
    if (pc_reg_number(text, len, &out->i64)) return true;
    out->i64 = pc_type_lookup(text, len);
    if (out->i64 != 0) return true;
    if (io->names != NULL && io->names->db != NULL) {
        pc_qname q;
        rt_err ignored;
        rt_err_clear(&ignored);
        sql_io_ctx quiet = *io;
        quiet.err = &ignored;
        if (pc_parse_qname(&quiet, text, len, &q) && q.n <= 2) {
            pc_path p;
            pc_path_build(io->names, &p);
            out->i64 = pc_user_type_lookup(io->names->db, &p, q.n == 2 ? q.parts[0] : NULL,
                                        q.parts[q.n - 1]);
            if (out->i64 != 0) return true;
        }
    }
    return rt_err_set(io->err, SQLSTATE_UNDEFINED_OBJECT, "type \"%.*s\" does not exist",
                      (int)len, text);
}

static bool pc_regtype_out(sql_io_ctx *io, const sql_value *v, int32_t typmod, sql_strbuf *sb) {
    (void)typmod;
    uint32_t oid = (uint32_t)v->i64;
    pc_path p;
    if (io->names != NULL) pc_path_build(io->names, &p);
    if (oid == 0) sql_strbuf_putc(sb, '-');
    else if (io->names != NULL && pc_format_user_type(io->names->db, &p, oid, sb)) {}
    else if (sql_type_by_oid(oid) == NULL) pc_out_number(v, sb);
    else pc_format_type_nomod(oid, sb);
    return true;
}

/* ---- regproc, regprocedure ---- */

static bool pc_regproc_in(sql_io_ctx *io, const char *text, uint32_t len, int32_t typmod,
                          sql_value *out) {
    (void)typmod;
    if (pc_reg_number(text, len, &out->i64)) return true;
    pc_qname q;
    if (!pc_parse_qname(io, text, len, &q)) return false;
    const char *name = q.parts[q.n < PC_NAME_PARTS_MAX ? q.n - 1 : PC_NAME_PARTS_MAX - 1];
    uint32_t found = 0, count = 0;
    for (uint32_t i = 0; i < pc_proc_count(); i++) {
        const pc_proc *p = pc_proc_at(i);
        if (strcmp(p->name, name) == 0 && count++ == 0) found = p->oid;
    }
    if (count > 1) {
        return pc_reg_fail(io, SQLSTATE_AMBIGUOUS_FUNCTION, "more than one function named \"%s\"",
                           name);
    }
    if (count == 0) {
        return rt_err_set(io->err, SQLSTATE_UNDEFINED_FUNCTION, "function \"%.*s\" does not exist",
                          (int)len, text);
    }
    out->i64 = found;
    return true;
}

static bool pc_regproc_out(sql_io_ctx *io, const sql_value *v, int32_t typmod, sql_strbuf *sb) {
    (void)io;
    (void)typmod;
    const pc_proc *p = pc_proc_by_oid((uint32_t)v->i64);
    if (v->i64 == 0) sql_strbuf_putc(sb, '-');
    else if (p == NULL) pc_out_number(v, sb);
    else pc_quote_ident(sb, p->name);
    return true;
}

/* The argument types of "name(type, type)" (*nargs UINT32_MAX: a type does not exist). */
static void pc_proc_signature(const char *text, uint32_t len, uint32_t *args, uint32_t *nargs) {
    const char *open = memchr(text, '(', len);
    *nargs = 0;
    const char *s = open + 1, *end = text + len;
    while (end > s && end[-1] != ')') end--;
    if (end > s) end--;
    while (s < end) {
        const char *comma = s;
        int depth = 0;
        while (comma < end && (depth > 0 || *comma != ',')) {
            depth += (*comma == '(') - (*comma == ')');
            comma++;
        }
        uint32_t t = pc_type_lookup(s, (uint32_t)(comma - s));
        if (t == 0 || *nargs == SQL_FUNC_ARGS_MAX) {
            *nargs = UINT32_MAX;
            return;
        }
        args[(*nargs)++] = t;
        s = comma < end ? comma + 1 : end;
        while (s < end && isspace((unsigned char)*s)) s++;
    }
}

static bool pc_regprocedure_in(sql_io_ctx *io, const char *text, uint32_t len, int32_t typmod,
                               sql_value *out) {
    if (pc_reg_number(text, len, &out->i64)) return true;
    const char *open = memchr(text, '(', len);
    if (open == NULL) return pc_regproc_in(io, text, len, typmod, out);
    pc_qname q;
    if (!pc_parse_qname(io, text, (uint32_t)(open - text), &q)) return false;
    uint32_t args[SQL_FUNC_ARGS_MAX], nargs;
    pc_proc_signature(text, len, args, &nargs);
    const char *name = q.parts[q.n < PC_NAME_PARTS_MAX ? q.n - 1 : PC_NAME_PARTS_MAX - 1];
    for (uint32_t i = 0; nargs != UINT32_MAX && i < pc_proc_count(); i++) {
        const pc_proc *p = pc_proc_at(i);
        if (p->def == NULL || p->def->nargs != nargs || strcmp(p->name, name) != 0) continue;
        if (memcmp(p->def->args, args, nargs * sizeof args[0]) == 0) {
            out->i64 = p->oid;
            return true;
        }
    }
    return rt_err_set(io->err, SQLSTATE_UNDEFINED_FUNCTION, "function \"%.*s\" does not exist",
                      (int)len, text);
}

static bool pc_regprocedure_out(sql_io_ctx *io, const sql_value *v, int32_t typmod,
                                sql_strbuf *sb) {
    const pc_proc *p = pc_proc_by_oid((uint32_t)v->i64);
    if (p == NULL || p->def == NULL) return pc_regproc_out(io, v, typmod, sb);
    pc_quote_ident(sb, p->name);
    sql_strbuf_putc(sb, '(');
    for (uint32_t i = 0; i < p->def->nargs; i++) {
        if (i > 0) sql_strbuf_putc(sb, ',');
        pc_format_type_nomod(p->def->args[i], sb);
    }
    sql_strbuf_putc(sb, ')');
    return true;
}

/* ---- regnamespace, regrole, regcollation, regoper ---- */

static bool pc_regnamespace_in(sql_io_ctx *io, const char *text, uint32_t len, int32_t typmod,
                               sql_value *out) {
    (void)typmod;
    if (pc_reg_number(text, len, &out->i64)) return true;
    if (!pc_need_names(io, "regnamespace", text, len)) return false;
    pc_qname q;
    if (!pc_parse_qname(io, text, len, &q)) return false;
    if (q.n != 1) return pc_reg_bad_name(io);
    const eng_schema *s = eng_db_schema_by_name(io->names->db, q.parts[0]);
    if (s != NULL) {
        out->i64 = s->oid;
        return true;
    }
    return pc_reg_fail(io, SQLSTATE_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist",
                       q.parts[0]);
}

static bool pc_regnamespace_out(sql_io_ctx *io, const sql_value *v, int32_t typmod,
                                sql_strbuf *sb) {
    (void)typmod;
    const char *name = io->names != NULL ? pc_schema_name(io->names->db, (uint32_t)v->i64) : NULL;
    if (v->i64 == 0) sql_strbuf_putc(sb, '-');
    else if (name == NULL) pc_out_number(v, sb);
    else pc_quote_ident(sb, name);
    return true;
}

static bool pc_regrole_in(sql_io_ctx *io, const char *text, uint32_t len, int32_t typmod,
                          sql_value *out) {
    (void)typmod;
    if (pc_reg_number(text, len, &out->i64)) return true;
    if (!pc_need_names(io, "regrole", text, len)) return false;
    pc_qname q;
    if (!pc_parse_qname(io, text, len, &q)) return false;
    if (q.n != 1) return pc_reg_bad_name(io);
    const eng_role *r = eng_catalog_role_by_name(io->names->catalog, q.parts[0]);
    if (r != NULL) {
        out->i64 = r->oid;
        return true;
    }
    return pc_reg_fail(io, SQLSTATE_UNDEFINED_OBJECT, "role \"%s\" does not exist", q.parts[0]);
}

static bool pc_regrole_out(sql_io_ctx *io, const sql_value *v, int32_t typmod, sql_strbuf *sb) {
    (void)typmod;
    const char *name = io->names != NULL ? pc_role_name(io->names->catalog, (uint32_t)v->i64)
                                         : NULL;
    if (v->i64 == 0) sql_strbuf_putc(sb, '-');
    else if (name == NULL) pc_out_number(v, sb);
    else pc_quote_ident(sb, name);
    return true;
}

static const struct { uint32_t oid; const char *name; } pc_collations[] = {
    {PC_OID_DEFAULT_COLL, "default"}, {PC_OID_C_COLL, "C"}, {PC_OID_POSIX_COLL, "POSIX"}};

static bool pc_regcollation_in(sql_io_ctx *io, const char *text, uint32_t len, int32_t typmod,
                               sql_value *out) {
    (void)typmod;
    if (pc_reg_number(text, len, &out->i64)) return true;
    pc_qname q;
    if (!pc_parse_qname(io, text, len, &q)) return false;
    for (uint32_t i = 0; i < 3; i++) {
        if (strcmp(q.parts[q.n > 1 ? 1 : 0], pc_collations[i].name) == 0) {
            out->i64 = pc_collations[i].oid;
            return true;
        }
    }
    return rt_err_set(io->err, SQLSTATE_UNDEFINED_OBJECT,
                      "collation \"%.*s\" for encoding \"UTF8\" does not exist", (int)len, text);
}

static bool pc_regcollation_out(sql_io_ctx *io, const sql_value *v, int32_t typmod,
                                sql_strbuf *sb) {
    (void)io;
    (void)typmod;
    for (uint32_t i = 0; i < 3; i++) {
        if (v->i64 == pc_collations[i].oid) {
            sql_strbuf_printf(sb, "\"%s\"", pc_collations[i].name);
            return true;
        }
    }
    if (v->i64 == 0) sql_strbuf_putc(sb, '-');
    else pc_out_number(v, sb);
    return true;
}

/* Operators have no OIDs in the registry: only numbers read and print. */
static bool pc_regoper_in(sql_io_ctx *io, const char *text, uint32_t len, int32_t typmod,
                          sql_value *out) {
    (void)typmod;
    if (pc_reg_number(text, len, &out->i64)) return true;
    return rt_err_set(io->err, SQLSTATE_UNDEFINED_FUNCTION, "operator does not exist: %.*s",
                      (int)len, text);
}

static bool pc_regoper_out(sql_io_ctx *io, const sql_value *v, int32_t typmod, sql_strbuf *sb) {
    (void)io;
    (void)typmod;
    pc_out_number(v, sb);
    return true;
}

void sql_types_reg_register(sql_type_def *t) {
    switch (t->oid) {
    case SQL_T_REGCLASS: t->in = pc_regclass_in, t->out = pc_regclass_out; break;
    case SQL_T_REGTYPE: t->in = pc_regtype_in, t->out = pc_regtype_out; break;
    case SQL_T_REGPROC: t->in = pc_regproc_in, t->out = pc_regproc_out; break;
    case SQL_T_REGPROCEDURE: t->in = pc_regprocedure_in, t->out = pc_regprocedure_out; break;
    case SQL_T_REGNAMESPACE: t->in = pc_regnamespace_in, t->out = pc_regnamespace_out; break;
    case SQL_T_REGROLE: t->in = pc_regrole_in, t->out = pc_regrole_out; break;
    case SQL_T_REGCOLLATION: t->in = pc_regcollation_in, t->out = pc_regcollation_out; break;
    case SQL_T_REGOPER: case SQL_T_REGOPERATOR:
        t->in = pc_regoper_in, t->out = pc_regoper_out;
        break;
    default: break;
    }
}
