/* sql_vector_items.h: the clustered `items` table (id, cat, v vector(DIMS)) that the vector
 * tests load through a session (sql_session_harness.h), its query vectors and a reader of
 * the ids a query returns. Define ROWS and DIMS before including it.
 * Rows fall into 40 clusters (id % 40); cat = id % 1000. */
#ifndef SQL_VECTOR_ITEMS_H
#define SQL_VECTOR_ITEMS_H

#include "tests/sql/sql_session_harness.h"

/* Component j of row `id`: its cluster's centre plus a small deterministic offset. */
static void vector_expr(char *buf, size_t cap, const char *id) {
    size_t off = (size_t)snprintf(buf, cap, "('[' ");
    for (int j = 1; j <= DIMS; j++) {
        off += (size_t)snprintf(buf + off, cap - off,
                                "|| %s(((%s %% 40) * %d + %d) %% 23) / 23.0 + 0.03 * sin(%s * %d)"
                                "%s", j > 1 ? "',' || " : "", id, 7 + j, j * 5, id, j,
                                j < DIMS ? " " : " || ']')::vector");
    }
}

/* The query vector near cluster q's centre. */
static void query_vector(char *buf, size_t cap, int q) {
    size_t off = (size_t)snprintf(buf, cap, "'[");
    for (int j = 1; j <= DIMS; j++) {
        double c = (double)(((q % 40) * (7 + j) + j * 5) % 23) / 23.0 + 0.01 * (j % 3);
        off += (size_t)snprintf(buf + off, cap - off, "%s%.4f", j > 1 ? "," : "", c);
    }
    snprintf(buf + off, cap - off, "]'");
}

/* The ids a query returns, in order. */
static uint32_t ids_of(capture *c, const char *sql, long *ids, uint32_t cap) {
    const char *out = run(c, sql);
    uint32_t n = 0;
    const char *p = strchr(out, '\n'); /* skip the column names */
    while (p != NULL && n < cap) {
        p++;
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p) break;
        ids[n++] = v;
        p = strchr(p, '\n');
    }
    return n;
}

/* Creates and fills `items` with ROWS rows, then ANALYZE. */
static void load(capture *c) {
    expect(c, "CREATE TABLE items (id bigint PRIMARY KEY, cat int, v vector(16))",
           "CREATE TABLE\n");
    static char sql[8192], vec[6000];
    vector_expr(vec, sizeof vec, "g");
    snprintf(sql, sizeof sql,
             "INSERT INTO items SELECT g, g %% 1000, %s FROM generate_series(1, %d) g", vec,
             ROWS);
    char want[32];
    snprintf(want, sizeof want, "INSERT 0 %d\n", ROWS);
    expect(c, sql, want);
    expect(c, "ANALYZE items", "ANALYZE\n");
}

#endif
