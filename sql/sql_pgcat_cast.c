/* sql_pgcat_cast.c: pg_catalog.pg_cast, PostgreSQL 15's rows (their OIDs, contexts and methods)
 * for every cast between two types of the registry, so that psql's \dC and clients reading the
 * catalog see the casts PostgreSQL lists. castfunc is the OID our pg_proc gives the function of
 * that name taking the source type (0 when pg_proc has none). */
#include <string.h>

#include "sql/sql_pgcat_int.h"

typedef struct pc_cast {
    uint32_t oid, source, target;
    const char *func; /* the cast function's name, NULL for binary or I/O casts */
    char context;     /* e explicit, a assignment, i implicit */
    char method;      /* f function, b binary coercible, i I/O conversion */
} pc_cast;

/* From PostgreSQL 15's pg_cast, the rows whose source and target are both types we have. */
static const pc_cast pc_casts[] = {
    {10000, 20, 21, "int2", 'a', 'f'}, {10001, 20, 23, "int4", 'a', 'f'},
    {10002, 20, 700, "float4", 'i', 'f'}, {10003, 20, 701, "float8", 'i', 'f'},
    {10004, 20, 1700, "numeric", 'i', 'f'}, {10005, 21, 20, "int8", 'i', 'f'},
    {10006, 21, 23, "int4", 'i', 'f'}, {10007, 21, 700, "float4", 'i', 'f'},
    {10008, 21, 701, "float8", 'i', 'f'}, {10009, 21, 1700, "numeric", 'i', 'f'},
    {10010, 23, 20, "int8", 'i', 'f'}, {10011, 23, 21, "int2", 'a', 'f'},
    {10012, 23, 700, "float4", 'i', 'f'}, {10013, 23, 701, "float8", 'i', 'f'},
    {10014, 23, 1700, "numeric", 'i', 'f'}, {10015, 700, 20, "int8", 'a', 'f'},
    {10016, 700, 21, "int2", 'a', 'f'}, {10017, 700, 23, "int4", 'a', 'f'},
    {10018, 700, 701, "float8", 'i', 'f'}, {10019, 700, 1700, "numeric", 'a', 'f'},
    {10020, 701, 20, "int8", 'a', 'f'}, {10021, 701, 21, "int2", 'a', 'f'},
    {10022, 701, 23, "int4", 'a', 'f'}, {10023, 701, 700, "float4", 'a', 'f'},
    {10024, 701, 1700, "numeric", 'a', 'f'}, {10025, 1700, 20, "int8", 'a', 'f'},
    {10026, 1700, 21, "int2", 'a', 'f'}, {10027, 1700, 23, "int4", 'a', 'f'},
    {10028, 1700, 700, "float4", 'i', 'f'}, {10029, 1700, 701, "float8", 'i', 'f'},
    {10030, 790, 1700, "numeric", 'a', 'f'}, {10031, 1700, 790, "money", 'a', 'f'},
    {10032, 23, 790, "money", 'a', 'f'}, {10033, 20, 790, "money", 'a', 'f'},
    {10034, 23, 16, "bool", 'e', 'f'}, {10035, 16, 23, "int4", 'e', 'f'},
    {10037, 20, 26, "oid", 'i', 'f'}, {10038, 21, 26, "int4", 'i', 'f'},
    {10039, 23, 26, NULL, 'i', 'b'}, {10040, 26, 20, "int8", 'a', 'f'},
    {10041, 26, 23, NULL, 'a', 'b'}, {10042, 26, 24, NULL, 'i', 'b'},
    {10043, 24, 26, NULL, 'i', 'b'}, {10044, 20, 24, "oid", 'i', 'f'},
    {10045, 21, 24, "int4", 'i', 'f'}, {10046, 23, 24, NULL, 'i', 'b'},
    {10047, 24, 20, "int8", 'a', 'f'}, {10048, 24, 23, NULL, 'a', 'b'},
    {10049, 24, 2202, NULL, 'i', 'b'}, {10050, 2202, 24, NULL, 'i', 'b'},
    {10051, 26, 2202, NULL, 'i', 'b'}, {10052, 2202, 26, NULL, 'i', 'b'},
    {10053, 20, 2202, "oid", 'i', 'f'}, {10054, 21, 2202, "int4", 'i', 'f'},
    {10055, 23, 2202, NULL, 'i', 'b'}, {10056, 2202, 20, "int8", 'a', 'f'},
    {10057, 2202, 23, NULL, 'a', 'b'}, {10058, 26, 2203, NULL, 'i', 'b'},
    {10059, 2203, 26, NULL, 'i', 'b'}, {10060, 20, 2203, "oid", 'i', 'f'},
    {10061, 21, 2203, "int4", 'i', 'f'}, {10062, 23, 2203, NULL, 'i', 'b'},
    {10063, 2203, 20, "int8", 'a', 'f'}, {10064, 2203, 23, NULL, 'a', 'b'},
    {10065, 2203, 2204, NULL, 'i', 'b'}, {10066, 2204, 2203, NULL, 'i', 'b'},
    {10067, 26, 2204, NULL, 'i', 'b'}, {10068, 2204, 26, NULL, 'i', 'b'},
    {10069, 20, 2204, "oid", 'i', 'f'}, {10070, 21, 2204, "int4", 'i', 'f'},
    {10071, 23, 2204, NULL, 'i', 'b'}, {10072, 2204, 20, "int8", 'a', 'f'},
    {10073, 2204, 23, NULL, 'a', 'b'}, {10074, 26, 2205, NULL, 'i', 'b'},
    {10075, 2205, 26, NULL, 'i', 'b'}, {10076, 20, 2205, "oid", 'i', 'f'},
    {10077, 21, 2205, "int4", 'i', 'f'}, {10078, 23, 2205, NULL, 'i', 'b'},
    {10079, 2205, 20, "int8", 'a', 'f'}, {10080, 2205, 23, NULL, 'a', 'b'},
    {10081, 26, 4191, NULL, 'i', 'b'}, {10082, 4191, 26, NULL, 'i', 'b'},
    {10083, 20, 4191, "oid", 'i', 'f'}, {10084, 21, 4191, "int4", 'i', 'f'},
    {10085, 23, 4191, NULL, 'i', 'b'}, {10086, 4191, 20, "int8", 'a', 'f'},
    {10087, 4191, 23, NULL, 'a', 'b'}, {10088, 26, 2206, NULL, 'i', 'b'},
    {10089, 2206, 26, NULL, 'i', 'b'}, {10090, 20, 2206, "oid", 'i', 'f'},
    {10091, 21, 2206, "int4", 'i', 'f'}, {10092, 23, 2206, NULL, 'i', 'b'},
    {10093, 2206, 20, "int8", 'a', 'f'}, {10094, 2206, 23, NULL, 'a', 'b'},
    {10109, 25, 2205, "regclass", 'i', 'f'}, {10110, 1043, 2205, "regclass", 'i', 'f'},
    {10111, 26, 4096, NULL, 'i', 'b'}, {10112, 4096, 26, NULL, 'i', 'b'},
    {10113, 20, 4096, "oid", 'i', 'f'}, {10114, 21, 4096, "int4", 'i', 'f'},
    {10115, 23, 4096, NULL, 'i', 'b'}, {10116, 4096, 20, "int8", 'a', 'f'},
    {10117, 4096, 23, NULL, 'a', 'b'}, {10118, 26, 4089, NULL, 'i', 'b'},
    {10119, 4089, 26, NULL, 'i', 'b'}, {10120, 20, 4089, "oid", 'i', 'f'},
    {10121, 21, 4089, "int4", 'i', 'f'}, {10122, 23, 4089, NULL, 'i', 'b'},
    {10123, 4089, 20, "int8", 'a', 'f'}, {10124, 4089, 23, NULL, 'a', 'b'},
    {10125, 25, 1042, NULL, 'i', 'b'}, {10126, 25, 1043, NULL, 'i', 'b'},
    {10127, 1042, 25, "text", 'i', 'f'}, {10128, 1042, 1043, "text", 'i', 'f'},
    {10129, 1043, 25, NULL, 'i', 'b'}, {10130, 1043, 1042, NULL, 'i', 'b'},
    {10131, 18, 25, "text", 'i', 'f'}, {10132, 18, 1042, "bpchar", 'a', 'f'},
    {10133, 18, 1043, "text", 'a', 'f'}, {10134, 19, 25, "text", 'i', 'f'},
    {10135, 19, 1042, "bpchar", 'a', 'f'}, {10136, 19, 1043, "varchar", 'a', 'f'},
    {10137, 25, 18, "char", 'a', 'f'}, {10138, 1042, 18, "char", 'a', 'f'},
    {10139, 1043, 18, "char", 'a', 'f'}, {10140, 25, 19, "name", 'i', 'f'},
    {10141, 1042, 19, "name", 'i', 'f'}, {10142, 1043, 19, "name", 'i', 'f'},
    {10143, 18, 23, "int4", 'e', 'f'}, {10144, 23, 18, "char", 'e', 'f'},
    {10145, 194, 25, NULL, 'i', 'b'}, {10152, 1082, 1114, "timestamp", 'i', 'f'},
    {10153, 1082, 1184, "timestamptz", 'i', 'f'}, {10154, 1083, 1186, "interval", 'i', 'f'},
    {10155, 1083, 1266, "timetz", 'i', 'f'}, {10156, 1114, 1082, "date", 'a', 'f'},
    {10157, 1114, 1083, "time", 'a', 'f'}, {10158, 1114, 1184, "timestamptz", 'i', 'f'},
    {10159, 1184, 1082, "date", 'a', 'f'}, {10160, 1184, 1083, "time", 'a', 'f'},
    {10161, 1184, 1114, "timestamp", 'a', 'f'}, {10162, 1184, 1266, "timetz", 'a', 'f'},
    {10163, 1186, 1083, "time", 'a', 'f'}, {10164, 1266, 1083, "time", 'a', 'f'},
    {10181, 650, 869, NULL, 'i', 'b'}, {10182, 869, 650, "cidr", 'a', 'f'},
    {10183, 1560, 1562, NULL, 'i', 'b'}, {10184, 1562, 1560, NULL, 'i', 'b'},
    {10185, 20, 1560, "bit", 'e', 'f'}, {10186, 23, 1560, "bit", 'e', 'f'},
    {10187, 1560, 20, "int8", 'e', 'f'}, {10188, 1560, 23, "int4", 'e', 'f'},
    {10189, 650, 25, "text", 'a', 'f'}, {10190, 869, 25, "text", 'a', 'f'},
    {10191, 16, 25, "text", 'a', 'f'}, {10192, 142, 25, NULL, 'a', 'b'},
    {10193, 25, 142, "xml", 'e', 'f'}, {10194, 650, 1043, "text", 'a', 'f'},
    {10195, 869, 1043, "text", 'a', 'f'}, {10196, 16, 1043, "text", 'a', 'f'},
    {10197, 142, 1043, NULL, 'a', 'b'}, {10198, 1043, 142, "xml", 'e', 'f'},
    {10199, 650, 1042, "text", 'a', 'f'}, {10200, 869, 1042, "text", 'a', 'f'},
    {10201, 16, 1042, "text", 'a', 'f'}, {10202, 142, 1042, NULL, 'a', 'b'},
    {10203, 1042, 142, "xml", 'e', 'f'}, {10204, 1042, 1042, "bpchar", 'i', 'f'},
    {10205, 1043, 1043, "varchar", 'i', 'f'}, {10206, 1083, 1083, "time", 'i', 'f'},
    {10207, 1114, 1114, "timestamp", 'i', 'f'}, {10208, 1184, 1184, "timestamptz", 'i', 'f'},
    {10209, 1186, 1186, "interval", 'i', 'f'}, {10210, 1266, 1266, "timetz", 'i', 'f'},
    {10211, 1560, 1560, "bit", 'i', 'f'}, {10212, 1562, 1562, "varbit", 'i', 'f'},
    {10213, 1700, 1700, "numeric", 'i', 'f'}, {10214, 114, 3802, NULL, 'a', 'i'},
    {10215, 3802, 114, NULL, 'a', 'i'}, {10216, 3802, 16, "bool", 'e', 'f'},
    {10217, 3802, 1700, "numeric", 'e', 'f'}, {10218, 3802, 21, "int2", 'e', 'f'},
    {10219, 3802, 23, "int4", 'e', 'f'}, {10220, 3802, 20, "int8", 'e', 'f'},
    {10221, 3802, 700, "float4", 'e', 'f'}, {10222, 3802, 701, "float8", 'e', 'f'},
};

/* The pg_proc OID of `name` taking `source` first: casts to a type with a typmod take a second
 * (typmod) and third (explicit) argument, so only the first is compared. */
static uint32_t pc_cast_func_oid(const char *name, uint32_t source) {
    for (uint32_t i = 0; i < pc_proc_count(); i++) {
        const pc_proc *p = pc_proc_at(i);
        if (p->def == NULL || strcmp(p->name, name) != 0 || p->def->nargs == 0) continue;
        if (p->def->args[0] == source) return p->oid;
    }
    return 0;
}

bool pc_scan_cast(pc_row *r) {
    for (uint32_t i = 0; i < sizeof pc_casts / sizeof pc_casts[0]; i++) {
        const pc_cast *c = &pc_casts[i];
        pc_clear(r);
        pc_int(r, "oid", c->oid);
        pc_int(r, "castsource", c->source);
        pc_int(r, "casttarget", c->target);
        pc_int(r, "castfunc", c->func != NULL ? pc_cast_func_oid(c->func, c->source) : 0);
        pc_char(r, "castcontext", c->context);
        pc_char(r, "castmethod", c->method);
        if (!pc_add(r)) return false;
    }
    return true;
}
