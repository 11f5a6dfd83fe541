/* test_sql_parse_fuzz.c: robustness of the lexer and parser against hostile input.
 * How: feeds (1) every prefix of a corpus of valid statements, (2) random byte strings and
 * (3) random mutations of the corpus (tokens and bytes deleted, duplicated, swapped, replaced
 * by keywords and punctuation) to sql_parse for a few seconds (DB_FUZZ_SECONDS, default 3),
 * some with a tiny arena budget so that out-of-memory paths run too. Every call must either
 * succeed (its tree is then printed in full, which reads every node) or fail with an rt_err
 * whose position lies inside the input; in the asan build ASan/UBSan catch any memory error
 * or leak. The seed is printed so a failure can be replayed (DB_FUZZ_SEED).
 * ctest: TIMEOUT 300 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "runtime/rt_time.h"
#include "sql/sql_ast.h"
#include "sql_ast_dump.h"

static const char *const corpus[] = {
    "SELECT * FROM pgbench_accounts WHERE aid = $1",
    "INSERT INTO documents (user_id, content, embedding) VALUES ($1, $2, $3)",
    "SELECT category, count(*), avg(x) FROM t WHERE a > 10 AND b = 'x' GROUP BY category",
    "SELECT id, content FROM documents WHERE user_id = 'u_441' ORDER BY embedding NEAR $1 LIMIT 5",
    "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 5) SELECT * FROM t",
    "SELECT a.x, (SELECT max(y) FROM b WHERE b.k = a.k), CASE WHEN z THEN 1 ELSE 2 END "
    "FROM a LEFT JOIN c USING (k) WHERE a.v IN (1, 2) AND NOT EXISTS (SELECT 1) "
    "ORDER BY 1 DESC NULLS LAST LIMIT 10 OFFSET 5 FOR UPDATE SKIP LOCKED",
    "SELECT extract(year FROM ts), substring(s FROM 2 FOR 3), trim(both 'x' FROM s), "
    "position('a' IN s), overlay(s PLACING 'z' FROM 1), ts AT TIME ZONE 'UTC', "
    "x::numeric(10, 2)[], CAST(y AS double precision), INTERVAL '1' DAY TO SECOND(3)",
    "SELECT sum(x) FILTER (WHERE x > 0) OVER (PARTITION BY g ORDER BY t ROWS BETWEEN 1 "
    "PRECEDING AND CURRENT ROW), percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM t "
    "GROUP BY ROLLUP(a, (b, c)), GROUPING SETS ((), a) HAVING count(*) > 1",
    "SELECT E'\\x41\\u263A', U&'\\0041' UESCAPE '!', $tag$ x $tag$, B'101', X'1F', 1.5e-3, "
    "'a' || 'b', a <-> b, a @> b, a->>'k', ARRAY[[1, 2], [3, 4]], ROW(1, 2), (a).f, a[1:2]",
    "INSERT INTO t AS x (a, b) VALUES (1, DEFAULT), (2, 3) ON CONFLICT (a) DO UPDATE SET "
    "b = excluded.b WHERE x.b IS DISTINCT FROM excluded.b RETURNING *",
    "UPDATE t SET (a, b) = (SELECT 1, 2), c = c + 1 FROM u WHERE t.id = u.id RETURNING a",
    "DELETE FROM t USING u WHERE t.a = u.a AND t.b BETWEEN 1 AND 10 RETURNING t.*",
    "CREATE TABLE IF NOT EXISTS s.t (id bigserial PRIMARY KEY, a text NOT NULL DEFAULT 'x', "
    "b int REFERENCES u (id) ON DELETE CASCADE, c vector(3), d int GENERATED ALWAYS AS "
    "IDENTITY (START WITH 1), CHECK (b > 0), UNIQUE (a, b)) WITH (fillfactor = 70)",
    "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON t USING hnsw (c vector_l2_ops) "
    "WITH (m = 16) WHERE a IS NOT NULL",
    "ALTER TABLE t ADD COLUMN e int, ALTER COLUMN a TYPE varchar(10) USING a::varchar, "
    "DROP CONSTRAINT IF EXISTS k CASCADE",
    "BEGIN ISOLATION LEVEL REPEATABLE READ; SAVEPOINT s; ROLLBACK TO s; COMMIT AND CHAIN",
    "SET search_path TO public, \"$user\"; SHOW TRANSACTION ISOLATION LEVEL; RESET ALL",
    "EXPLAIN (ANALYZE, FORMAT JSON) HYBRID SELECT 1; EXPLAIN ANALYZE VERBOSE SELECT 2",
    "COPY t (a, b) FROM STDIN WITH (FORMAT csv, HEADER true); COPY t TO STDOUT CSV HEADER",
    "PREPARE q (int) AS SELECT $1; EXECUTE q (1); DEALLOCATE q; DECLARE c CURSOR FOR "
    "SELECT 1; FETCH FORWARD 5 FROM c; CLOSE c",
    "GRANT SELECT ON t TO bob; DO $$ BEGIN END $$; LOCK t IN SHARE MODE; VACUUM (FULL) t",
};

static const char *const fragments[] = {
    "SELECT", "FROM", "WHERE", "(", ")", ",", ";", "'", "\"", "$$", "$1", "::", "[", "]",
    "/*", "*/", "--", "\n", " AND ", " OR ", "NOT", "IS", "NULL", "IN", "BETWEEN", "CASE",
    "WHEN", "END", "ARRAY", "ROW", "E'\\", "U&'", "UESCAPE", "ORDER BY", "NEAR", "UNION",
    "JOIN", "ON", "USING", "LIMIT", "WITH", "AS", "=", "<->", "+", "-", "*", ".", "1e",
    "0x", "\xc3\xa9", "\xe2\x82\xac", "DEFAULT", "VALUES", "INTERVAL", "TIMESTAMP", "OVER",
};

static uint64_t rng_state;

static uint64_t rng_next(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint32_t rng_below(uint32_t n) { return (uint32_t)(rng_next() % n); }

static uint64_t parses, successes;

/* One input: success with a readable tree, or an error with a position inside the input. */
static void fuzz_one(const char *sql, uint32_t len, size_t budget) {
    rt_arena *arena = rt_arena_create(budget);
    rt_err err;
    rt_err_clear(&err);
    sql_stmt_list out;
    parses++;
    if (sql_parse(arena, sql, len, &out, &err)) {
        successes++;
        assert_false(rt_err_is_set(&err));
        for (uint32_t i = 0; i < out.count; i++) {
            assert_non_null(out.stmts[i].node);
            assert_true(out.stmts[i].text_start + out.stmts[i].text_len <= len);
            free(sql_ast_dump(out.stmts[i].node));
        }
    } else {
        if (!rt_err_is_set(&err)) fail_msg("failure without an error for: %.*s", (int)len, sql);
        assert_true(err.message[0] != '\0');
        assert_true(err.position <= len + 1);
    }
    rt_arena_destroy(arena);
}

static size_t fuzz_budget(void) {
    /* one call in eight runs on a budget just past the arena's first chunk */
    return rng_below(8) == 0 ? RT_ARENA_CHUNK_BYTES + rng_below(64 * 1024)
                             : RT_QUERY_ARENA_BYTES_MAX;
}

static void fuzz_random_bytes(char *buf, uint32_t cap) {
    uint32_t len = rng_below(cap);
    bool ascii = rng_below(2) == 0;
    for (uint32_t i = 0; i < len; i++) {
        buf[i] = ascii ? (char)(32 + rng_below(95)) : (char)rng_below(256);
    }
    fuzz_one(buf, len, fuzz_budget());
}

/* Applies a few random edits to a corpus statement. */
static uint32_t fuzz_mutate(char *buf, uint32_t cap) {
    const char *src = corpus[rng_below(sizeof corpus / sizeof corpus[0])];
    uint32_t len = (uint32_t)strlen(src);
    memcpy(buf, src, len);
    uint32_t edits = 1 + rng_below(4);
    for (uint32_t e = 0; e < edits && len > 0; e++) {
        uint32_t at = rng_below(len), span = 1 + rng_below(len - at < 12 ? len - at : 12);
        const char *frag = fragments[rng_below(sizeof fragments / sizeof fragments[0])];
        uint32_t flen = (uint32_t)strlen(frag);
        switch (rng_below(4)) {
        case 0: /* delete a span */
            memmove(buf + at, buf + at + span, len - at - span);
            len -= span;
            break;
        case 1: /* insert a fragment */
            if (len + flen >= cap) break;
            memmove(buf + at + flen, buf + at, len - at);
            memcpy(buf + at, frag, flen);
            len += flen;
            break;
        case 2: /* duplicate a span */
            if (len + span >= cap) break;
            memmove(buf + at + span, buf + at, len - at);
            len += span;
            break;
        default: /* replace one byte */
            buf[at] = (char)rng_below(256);
            break;
        }
    }
    return len;
}

static double fuzz_seconds(void) {
    const char *s = getenv("DB_FUZZ_SECONDS");
    return s != NULL ? atof(s) : 3.0;
}

static void test_sql_parse_fuzz_prefixes(void **state) {
    for (size_t i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
        uint32_t len = (uint32_t)strlen(corpus[i]);
        fuzz_one(corpus[i], len, RT_QUERY_ARENA_BYTES_MAX); /* the whole statement parses */
        assert_int_equal(successes, parses);
        for (uint32_t n = 0; n < len; n++) fuzz_one(corpus[i], n, RT_QUERY_ARENA_BYTES_MAX);
        successes = parses;
    }
}

static void test_sql_parse_fuzz_random(void **state) {
    const char *seed = getenv("DB_FUZZ_SEED");
    rng_state = seed != NULL ? strtoull(seed, NULL, 10) : (uint64_t)time(NULL) | 1;
    fprintf(stderr, "fuzz seed %llu (replay with DB_FUZZ_SEED)\n", (unsigned long long)rng_state);
    static char buf[4096];
    uint64_t end = rt_time_mono_ns() + (uint64_t)(fuzz_seconds() * 1e9);
    parses = successes = 0;
    while (rt_time_mono_ns() < end) {
        for (int i = 0; i < 64; i++) {
            if (rng_below(4) == 0) {
                fuzz_random_bytes(buf, sizeof buf);
            } else {
                fuzz_one(buf, fuzz_mutate(buf, sizeof buf), fuzz_budget());
            }
        }
    }
    fprintf(stderr, "fuzz: %llu inputs, %llu parsed\n", (unsigned long long)parses,
            (unsigned long long)successes);
    assert_true(parses > 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_parse_fuzz_prefixes),
        cmocka_unit_test(test_sql_parse_fuzz_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
