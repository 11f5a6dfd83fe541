#!/usr/bin/python3
"""gen_semij_slt.py: writes tests/sql/slt/select_joins_semi.slt, queries mixing inner and LEFT
joins with EXISTS, NOT EXISTS, IN, = ANY and NOT IN subqueries, which Dreambase (as PostgreSQL)
runs as semi- and anti-joins where that is allowed (sql_plan_semij.c) and as subqueries where
not (uncorrelated EXISTS, correlation outside WHERE, aggregates, LIMIT/OFFSET, NOT IN, OR).
Tables hold NULL keys, duplicate keys and rows without partners, so NULLs in the compared
columns, repeated matches and empty matches are counted in every answer.
It also writes tests/sql/slt/select_joins_semi_order.slt: three to five tables joined inner,
LEFT and RIGHT with one to three EXISTS / NOT EXISTS / IN subqueries each (so the semi- and
anti-joins are ordered with the other joins, sql_plan_ojorder.c), IS NOT DISTINCT FROM join
conditions, and EXPLAIN (COSTS OFF) of plans over VALUES and functions whose shape is
PostgreSQL's. Expected results are filled in from PostgreSQL 15:
    /usr/bin/python3 tests/sql/gen_semij_slt.py
    tests/sql/run-slt-postgres --rewrite tests/sql/slt/select_joins_semi.slt
    tests/sql/run-slt-postgres --rewrite tests/sql/slt/select_joins_semi_order.slt
"""
import random

from slt_gen import (count_list, drop_lines, explain_lines, int_query, record_count,
                     table_lines, write)

OUT = "tests/sql/slt/select_joins_semi.slt"
OUT_ORDER = "tests/sql/slt/select_joins_semi_order.slt"
TABLES = [  # name, rows, k (join key, NULL for some rows, repeated), v
    ("sj_a", 400, "CASE WHEN g % 13 = 0 THEN NULL ELSE g % 150 END", "g % 7"),
    ("sj_b", 90, "CASE WHEN g % 9 = 0 THEN NULL ELSE g % 40 END",
     "CASE WHEN g % 5 = 0 THEN NULL ELSE g % 8 END"),
    ("sj_c", 50, "CASE WHEN g % 7 = 0 THEN NULL ELSE g % 45 END", "g % 4"),
    ("sj_d", 30, "CASE WHEN g % 6 = 0 THEN NULL ELSE g % 35 END",
     "CASE WHEN g % 8 = 0 THEN NULL ELSE g % 5 END"),
    ("sj_e", 12, "CASE WHEN g % 4 = 0 THEN NULL ELSE g END", "g % 3"),
]


def outer_from(rng, n):
    """FROM of n tables joined inner or LEFT on k: (sql, aliases)."""
    names = [f"t{i}" for i in range(n)]
    sql = f"{rng.choice(TABLES)[0]} t0"
    for i in range(1, n):
        jt = "JOIN" if rng.random() < 0.6 else "LEFT JOIN"
        prev = names[rng.randrange(i)]
        cond = f"t{i}.k = {prev}.k" if rng.random() < 0.8 else f"t{i}.v = {prev}.v"
        sql += f" {jt} {rng.choice(TABLES)[0]} t{i} ON {cond}"
    return sql, names


def sub_where(rng, s, outer):
    """The WHERE of a subquery with alias s correlated to one of the outer aliases."""
    o = rng.choice(outer)
    r = rng.random()
    if r < 0.45:
        c = f"{s}.k = {o}.k"
    elif r < 0.55:
        c = f"{s}.v = {o}.v AND {s}.k = {o}.k"
    elif r < 0.65:
        c = f"{s}.k = {o}.v"
    elif r < 0.72:
        c = f"{s}.k > {o}.k"  # no hash key: a nested loop
    elif r < 0.8:
        c = f"{s}.k IS NOT DISTINCT FROM {o}.k"
    else:
        c = f"{s}.k = {o}.k + 1"
    extra = rng.random()
    if extra < 0.3:
        c += f" AND {s}.v > 1"
    elif extra < 0.4:
        c += f" AND {o}.v <> 2"
    elif extra < 0.45:
        c += f" AND ({s}.v = 1 OR {o}.v IS NULL)"
    return c


def sub_from(rng, depth, s):
    if rng.random() < 0.2:  # a join inside the subquery
        return f"{rng.choice(TABLES)[0]} {s} JOIN {rng.choice(TABLES)[0]} {s}x ON {s}x.k = {s}.k"
    return f"{rng.choice(TABLES)[0]} {s}"


def predicate(rng, outer, i):
    s = f"s{i}"
    o = rng.choice(outer)
    r = rng.random()
    if r < 0.3:
        return f"EXISTS (SELECT 1 FROM {sub_from(rng, 0, s)} WHERE {sub_where(rng, s, outer)})"
    if r < 0.5:
        return f"NOT EXISTS (SELECT 1 FROM {sub_from(rng, 0, s)} WHERE {sub_where(rng, s, outer)})"
    if r < 0.62:
        filt = f" WHERE {s}.v < 5" if rng.random() < 0.5 else ""
        return f"{o}.k IN (SELECT {s}.k FROM {rng.choice(TABLES)[0]} {s}{filt})"
    if r < 0.68:
        return f"{o}.v = ANY (SELECT {s}.v + 1 FROM {rng.choice(TABLES)[0]} {s})"
    if r < 0.73:
        return f"({o}.k, {o}.v) IN (SELECT {s}.k, {s}.v FROM {rng.choice(TABLES)[0]} {s})"
    if r < 0.78:
        return f"{o}.k NOT IN (SELECT {s}.k FROM {rng.choice(TABLES)[0]} {s} WHERE {s}.k IS NOT NULL)"
    if r < 0.82:  # stays a subquery: uncorrelated EXISTS
        return f"EXISTS (SELECT 1 FROM {rng.choice(TABLES)[0]} {s} WHERE {s}.v = 3)"
    if r < 0.86:  # stays a subquery: aggregate
        return (f"EXISTS (SELECT count(*) FROM {rng.choice(TABLES)[0]} {s} "
                f"WHERE {s}.k = {o}.k HAVING count(*) > 1)")
    if r < 0.9:  # a constant LIMIT drops out; OFFSET keeps it a subquery
        lim = "LIMIT 1" if rng.random() < 0.5 else "OFFSET 1"
        return f"EXISTS (SELECT {s}.v FROM {rng.choice(TABLES)[0]} {s} WHERE {s}.k = {o}.k {lim})"
    if r < 0.94:  # inside OR: stays a subquery
        return (f"(EXISTS (SELECT 1 FROM {rng.choice(TABLES)[0]} {s} WHERE {s}.k = {o}.k) "
                f"OR {o}.v = 2)")
    # a correlated IN: stays a subquery in PostgreSQL
    return f"{o}.k IN (SELECT {s}.k FROM {rng.choice(TABLES)[0]} {s} WHERE {s}.v = {o}.v)"


def query(rng):
    n = rng.randint(1, 4)
    from_, outer = outer_from(rng, n)
    preds = [predicate(rng, outer, i) for i in range(rng.randint(1, 3))]
    if rng.random() < 0.4:
        preds.append(f"{rng.choice(outer)}.v <> 1")
    return count_record(from_, outer, preds)


def count_record(from_, outer, preds):
    """A query record counting the rows and each table's matches (answers filled in later)."""
    return int_query(f"SELECT count(*), sum({outer[0]}.id), {count_list(outer)} FROM {from_} "
                     f"WHERE {' AND '.join(preds)}", len(outer) + 2)


# Plans over functions (no Gather): the same shapes as PostgreSQL's.
EXPLAINS = [
    "SELECT * FROM generate_series(1, 10) g WHERE EXISTS "
    "(SELECT 1 FROM generate_series(1, 5) x WHERE x = g)",
    "SELECT * FROM generate_series(1, 10) g WHERE NOT EXISTS "
    "(SELECT 1 FROM generate_series(1, 5) x WHERE x = g AND x > 2)",
    "SELECT * FROM generate_series(1, 10) g WHERE g IN (SELECT x FROM generate_series(1, 5) x)",
    "SELECT * FROM generate_series(1, 10) g WHERE EXISTS "
    "(SELECT 1 FROM generate_series(1, 5) x WHERE x < g)",
    "SELECT * FROM generate_series(1, 10) g WHERE EXISTS "
    "(SELECT 1 FROM generate_series(1, 5) x WHERE x = g LIMIT 1)",
    "SELECT * FROM generate_series(1, 10) g WHERE EXISTS "
    "(SELECT 1 FROM generate_series(1, 5) x WHERE x = g OFFSET 1)",
    "SELECT * FROM generate_series(1, 10) g WHERE EXISTS "
    "(SELECT 1 FROM generate_series(1, 5) x WHERE x = g) AND g > 3",
    "SELECT * FROM generate_series(1, 10) g WHERE g NOT IN (SELECT x FROM generate_series(1, 5) x)",
    "SELECT * FROM generate_series(1, 10) g WHERE EXISTS "
    "(SELECT 1 FROM generate_series(1, 5) x WHERE x = g AND random() < 2)",
]


def order_from(rng, n):
    """FROM of n tables joined inner, LEFT or RIGHT on k (sometimes IS NOT DISTINCT FROM)."""
    names = [f"t{i}" for i in range(n)]
    sql = f"{rng.choice(TABLES)[0]} t0"
    for i in range(1, n):
        jt = rng.choices(["JOIN", "LEFT JOIN", "RIGHT JOIN"], [5, 3, 1])[0]
        prev = names[rng.randrange(i)]
        r = rng.random()
        cond = (f"t{i}.k = {prev}.k" if r < 0.65 else
                f"t{i}.k IS NOT DISTINCT FROM {prev}.k" if r < 0.8 else f"t{i}.v = {prev}.v")
        if rng.random() < 0.2:
            cond += f" AND t{i}.v > 1"
        sql += f" {jt} {rng.choice(TABLES)[0]} t{i} ON {cond}"
    return sql, names


def order_predicate(rng, outer, i):
    """A subquery PostgreSQL pulls up as a semi- or anti-join, reading one or two outer tables."""
    s = f"s{i}"
    a, b = rng.choice(outer), rng.choice(outer)
    t = rng.choice(TABLES)[0]
    r = rng.random()
    cond = f"{s}.k = {a}.k"
    if r < 0.15:
        cond += f" AND {s}.v <> {b}.v"  # Q21's shape: a second table's column, no hash key
    elif r < 0.25:
        cond = f"{s}.k IS NOT DISTINCT FROM {a}.k"
    elif r < 0.35:
        cond += f" AND {s}.v > 1"
    r = rng.random()
    if r < 0.4:
        return f"EXISTS (SELECT 1 FROM {t} {s} WHERE {cond})"
    if r < 0.75:
        return f"NOT EXISTS (SELECT 1 FROM {t} {s} WHERE {cond})"
    if r < 0.9:
        return f"{a}.k IN (SELECT {s}.k FROM {t} {s} WHERE {s}.v < 4)"
    return f"({a}.k, {b}.v) IN (SELECT {s}.k, {s}.v FROM {t} {s})"


def order_query(rng):
    n = rng.randint(2, 4)
    from_, outer = order_from(rng, n)
    preds = [order_predicate(rng, outer, i) for i in range(rng.randint(1, 3))]
    if rng.random() < 0.4:
        preds.append(f"{rng.choice(outer)}.v <> 1")
    rng.shuffle(preds)
    return count_record(from_, outer, preds)


# Plans over VALUES and functions (no Gather), the shapes PostgreSQL 15 gives them: the small
# VALUES list (3 rows) and generate_series (its count) are estimated as PostgreSQL does.
ORDER_EXPLAINS = [
    # the semi-join below the inner join, as the hash build side
    "SELECT count(*) FROM generate_series(1, 1000) a JOIN generate_series(1, 1000) b ON a = b "
    "WHERE EXISTS (SELECT 1 FROM (VALUES (1), (2), (3)) v(x) WHERE v.x = a)",
    # IN likewise; an anti-join reading the other table stays above the inner join
    "SELECT count(*) FROM generate_series(1, 1000) a JOIN generate_series(1, 1000) b ON a = b "
    "WHERE a IN (SELECT c FROM generate_series(1, 5) c)",
    "SELECT count(*) FROM generate_series(1, 1000) a JOIN generate_series(1, 1000) b ON a = b "
    "WHERE EXISTS (SELECT 1 FROM generate_series(1, 5) c WHERE c = a) "
    "AND NOT EXISTS (SELECT 1 FROM generate_series(1, 2) d WHERE d = b)",
]


# A few distinct keys from a small side looking a table up by its primary key: the semi-join
# runs as index lookups over the inner side made unique (duplicate and NULL keys there).
UNIQUE_QUERIES = [
    "SELECT count(*), sum(t.v), sum(t.id) FROM sj_a t WHERE t.id IN (SELECT s.k FROM sj_e s WHERE s.v = 1)",
    "SELECT count(*), sum(t.v), sum(t.id) FROM sj_a t WHERE t.id IN (SELECT s.k FROM sj_d s WHERE s.v = 2)",
    "SELECT count(*), sum(t.v), sum(t.id) FROM sj_b t WHERE t.id = ANY (SELECT s.k + 1 FROM sj_e s WHERE s.v = 1)",
    "SELECT count(*), sum(t.v), sum(t.id) FROM sj_a t WHERE EXISTS (SELECT 1 FROM sj_e s WHERE s.k = t.id AND s.v = 1)",
    "SELECT count(*), sum(t.v), sum(t.id) FROM sj_a t WHERE EXISTS (SELECT 1 FROM sj_e s WHERE s.k = t.id AND s.v = 1) AND t.v <> 3",
    "SELECT count(*), sum(t.v), sum(t.id) FROM sj_a t JOIN sj_c c ON c.k = t.k WHERE t.id IN (SELECT s.k FROM sj_e s WHERE s.v = 1)",
    "SELECT count(*), sum(t.v), sum(t.id) FROM sj_a t WHERE NOT EXISTS (SELECT 1 FROM sj_e s WHERE s.k = t.id AND s.v = 1)",
]


def order_file():
    rng = random.Random(20261126)
    lines = [
        "# select_joins_semi_order.slt: three to five tables joined inner, LEFT and RIGHT (some",
        "# on IS NOT DISTINCT FROM) with EXISTS, NOT EXISTS and IN subqueries pulled up as",
        "# semi- and anti-joins, which the join order search orders with the other joins; keys",
        "# hold NULLs, duplicates and rows without partners. Generated by",
        "# tests/sql/gen_semij_slt.py; results from PostgreSQL 15.",
        "",
    ]
    lines += table_lines(TABLES)
    for q in ORDER_EXPLAINS:
        lines += explain_lines(q)
    for q in UNIQUE_QUERIES:
        lines.append(int_query(q, 3))
    for _ in range(150):
        lines.append(order_query(rng))
    lines += drop_lines(TABLES)
    write(OUT_ORDER, lines)


def main():
    rng = random.Random(20261125)
    lines = [
        "# select_joins_semi.slt: EXISTS, NOT EXISTS, IN, = ANY and NOT IN subqueries over",
        "# inner and LEFT joins of one to four tables, run as semi- and anti-joins where",
        "# PostgreSQL pulls them up and as subqueries where not; keys hold NULLs, duplicates and",
        "# rows without partners. Generated by tests/sql/gen_semij_slt.py; results from",
        "# PostgreSQL 15.",
        "",
    ]
    lines += table_lines(TABLES)
    for q in EXPLAINS:
        lines += explain_lines(q)
    for _ in range(record_count(200)):
        lines.append(query(rng))
    lines += drop_lines(TABLES)
    write(OUT, lines)
    order_file()


main()
