"""slt_gen.py: the record builder the seeded join generators share (gen_semij_slt.py,
gen_outer_order_slt.py): records that create, fill and analyze their tables of (id, k, v)
rows and drop them again, query records of integer counts whose answers are placeholders for
`tests/sql/run-slt-postgres --rewrite` to fill in from PostgreSQL 15, and writing the file.
A file is a list of lines and multi-line records, joined by newlines; every record ends with
an empty line."""
import sys


def table_lines(tables):
    """CREATE TABLE, INSERT ... FROM generate_series and ANALYZE of each (name, rows, k, v):
    k and v are expressions of the series value g."""
    lines = []
    for name, rows, k, v in tables:
        lines += ["statement ok", f"CREATE TABLE {name} (id int PRIMARY KEY, k int, v int)", ""]
        lines += ["statement ok",
                  f"INSERT INTO {name} SELECT g, {k}, {v} FROM generate_series(1, {rows}) g", ""]
        lines += ["statement ok", f"ANALYZE {name}", ""]
    return lines


def drop_lines(tables):
    """DROP TABLE of each table of table_lines."""
    return [line for name, _, _, _ in tables for line in ("statement ok", f"DROP TABLE {name}", "")]


def count_list(aliases):
    """The select list counting each alias's matched rows: count(t0.id), count(t1.id), ..."""
    return ", ".join(f"count({a}.id)" for a in aliases)


def int_query(sql, column_count):
    """A query record of column_count integer columns, its answer a row of zeros to rewrite."""
    zeros = " | ".join("0" * column_count)
    return f"query {'I' * column_count}\n{sql}\n----\n{zeros}\n"


def explain_lines(sql):
    """A record of EXPLAIN (COSTS OFF) of sql, its plan a placeholder to rewrite."""
    return ["query T", f"EXPLAIN (COSTS OFF) {sql}", "----", "x", ""]


def record_count(default):
    """How many random queries to write: the first argument, else default."""
    return int(sys.argv[1]) if len(sys.argv) > 1 else default


def write(path, lines):
    with open(path, "w") as f:
        f.write("\n".join(lines))
