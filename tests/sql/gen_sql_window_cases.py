#!/usr/bin/python3
"""gen_sql_window_cases.py: records PostgreSQL 15's answers for the SQL cases of
test_sql_window.c into test_sql_window_cases.h.

Each case is one SELECT over inline VALUES (no tables, so the test needs no engine). This
script runs it on a real PostgreSQL 15 server and stores the rows as text: columns joined by
'|', rows by '\\n', NULL as "NULL"; an error as "ERROR <sqlstate>: <message>". The C test runs
the same text through parse -> bind -> execute and compares.

Usage: start a scratch cluster (initdb --locale=C -E UTF8), then
    tests/sql/gen_sql_window_cases.py --port 55438 > tests/sql/test_sql_window_cases.h
Needs psql on PATH.
"""
import argparse
import subprocess
import sys

T = ("(values (1,1,'x'),(1,2,'y'),(1,2,'z'),(2,5,null),(2,null,'w'),(3,7,'v'),(3,7,'u'),"
     "(3,9,null)) t(a,b,c)")

CASES = [
    # ranking
    f"select a, b, c, row_number() over (partition by a order by b), rank() over (partition by a "
    f"order by b), dense_rank() over (partition by a order by b), percent_rank() over "
    f"(partition by a order by b), cume_dist() over (partition by a order by b) from {T} "
    f"order by a, b, c",
    f"select a, b, c, rank() over (order by a desc), percent_rank() over (order by a desc), "
    f"cume_dist() over (order by b nulls first) from {T} order by a, b, c",
    f"select row_number() over (), rank() over (), percent_rank() over (), cume_dist() over () "
    f"from (values (1)) v(x)",
    f"select a, b, c, ntile(3) over (order by a, b, c), ntile(5) over (partition by a order by "
    f"b, c), ntile(null) over (order by a, b, c) from {T} order by a, b, c",
    # aggregates over frames
    f"select a, b, c, sum(b) over w, count(*) over w, count(b) over w, avg(b) over w, "
    f"min(c) over w, max(b) over w from {T} window w as (order by a, b, c rows between 1 "
    f"preceding and 1 following) order by a, b, c",
    f"select a, b, c, sum(b) over (order by a), sum(b) over (partition by a), sum(b) over (), "
    f"count(*) over (order by a, b) from {T} order by a, b, c",
    f"select b, sum(b) over (order by b range between 2 preceding and 1 following), count(*) "
    f"over (order by b range between current row and 2 following), count(*) over (order by b "
    f"nulls first range between 1 preceding and current row) from {T} order by 1, 2, 3",
    f"select b, sum(b) over (order by b desc range between 1 preceding and 2 following), "
    f"count(*) over (order by b desc nulls last range between unbounded preceding and 1 "
    f"preceding) from {T} order by 1, 2, 3",
    f"select a, b, c, sum(b) over (order by a groups between 1 preceding and current row), "
    f"count(*) over (order by a groups between current row and 1 following), sum(b) over "
    f"(order by a groups 1 preceding) from {T} order by a, b, c",
    f"select a, b, c, count(*) over (order by a rows between unbounded preceding and "
    f"unbounded following exclude current row), sum(b) over (order by a range between "
    f"unbounded preceding and unbounded following exclude group), sum(b) over (order by a "
    f"range between unbounded preceding and current row exclude ties), string_agg(c, ',') "
    f"over (order by a, c rows between 1 preceding and 1 following exclude current row) "
    f"from {T} order by a, b, c",
    f"select a, b, c, sum(b) over (order by a, b, c rows between 2 following and 1 following), "
    f"count(*) over (order by a, b, c rows between 3 preceding and 2 preceding), sum(b) over "
    f"(order by a, b, c rows 9223372036854775807 preceding) from {T} order by a, b, c",
    f"select b, sum(b) over (order by b range between 2147483647 preceding and "
    f"9223372036854775807 following) from {T} order by 1",
    f"select a, b, c, sum(b) over (order by a, b, c rows between current row and unbounded "
    f"following), count(*) over (order by a range between 1 following and unbounded "
    f"following), min(c) over (order by a groups between current row and unbounded "
    f"following), max(b) over (order by a, b, c rows between 2 following and unbounded "
    f"following), bool_and(b > 1) over (order by b desc range between 2 preceding and "
    f"unbounded following) from {T} order by a, b, c",
    f"select a, b, c, case when row_number() over (partition by a order by b, c) = 1 then "
    f"'first' else 'rest' end, rank() over (order by a) from {T} order by 5 desc, a, b, c",
    f"select a, c, string_agg(c, ',') over (partition by a order by c rows between current row "
    f"and unbounded following), array_agg(b) over (partition by a order by c) from {T} "
    f"order by a, c",
    f"select a, b, c, count(*) filter (where b > 2) over (partition by a), sum(b) filter (where "
    f"c is not null) over (order by a, b, c) from {T} order by a, b, c",
    f"select a, sum(b), sum(sum(b)) over (order by a), rank() over (order by count(*) desc), "
    f"avg(a) over (order by sum(b) desc nulls last rows unbounded preceding) from {T} "
    f"group by a order by a",
    # value functions
    f"select a, b, c, lag(b) over w, lead(b, 2) over w, lag(b, 1, -1) over w, lag(c, -1) "
    f"over w, lead(c, 1, 'none') over w, lag(b, null) over w from {T} window w as (order by "
    f"a, b, c) order by a, b, c",
    f"select a, b, c, first_value(c) over w, last_value(c) over w, nth_value(c, 2) over w, "
    f"last_value(c) over (order by a rows between unbounded preceding and unbounded "
    f"following), nth_value(b, 3) over (partition by a order by b, c rows between unbounded "
    f"preceding and unbounded following) from {T} window w as (order by a) order by a, b, c",
    f"select a, b, c, first_value(b) over (order by a, b, c rows between 1 following and 2 "
    f"following exclude current row), last_value(b) over (order by a groups between current "
    f"row and current row exclude ties) from {T} order by a, b, c",
    # windows in expressions, ORDER BY, named windows
    f"select a, b, c, b - lag(b) over (order by a, b, c) as d, 100 * row_number() over "
    f"(order by b desc nulls last, c) as rn from {T} order by row_number() over (order by b "
    f"desc nulls last, c) desc limit 4",
    f"select a, b, c, sum(b) over (w order by b, c), count(*) over w, rank() over w2 from {T} "
    f"window w as (partition by a), w2 as (w order by b) order by a, b, c",
    f"select distinct a, count(*) over (partition by a) from {T} order by 1",
    f"select d, count(*) over (order by d range between '1 day' preceding and current row), "
    f"count(*) over (order by d desc range between current row and '1 day' following) from "
    f"(values (date '2024-01-01'), ('2024-01-02'), ('2024-01-04'), (null)) v(d) order by d",
    f"select n, sum(n) over (order by n range between 1.5 preceding and 1.5 following), "
    f"count(*) over (order by f range between 0.5 preceding and 0 following) from (values "
    f"(1.0, 1.0::float8), (2.5, 2.5), (3.0, 3.0), (5.5, 5.5)) v(n, f) order by n",
    # errors
    f"select a from {T} where row_number() over () > 1",
    f"select a from {T} group by row_number() over ()",
    f"select a from {T} group by a having rank() over () > 1",
    f"select sum(row_number() over ()) from {T}",
    f"select sum(sum(b) over ()) over () from {T}",
    f"select row_number() from {T}",
    f"select lower(c) over () from {T}",
    f"select count(distinct a) over () from {T}",
    f"select string_agg(c, ',' order by c) over () from {T}",
    f"select row_number() filter (where a > 1) over () from {T}",
    f"select sum(a) over w from {T}",
    f"select sum(a) over (w) from {T} window w as (partition by a rows unbounded preceding)",
    f"select sum(a) over w from {T} window w as (partition by a rows unbounded preceding) "
    f"order by 1",
    f"select sum(a) over (w partition by b) from {T} window w as (partition by a)",
    f"select sum(a) over (w order by b) from {T} window w as (order by a)",
    f"select sum(a) over w from {T} window w as (partition by a), w as (order by b)",
    f"select ntile(0) over () from {T}",
    f"select nth_value(a, 0) over () from {T}",
    f"select sum(a) over (order by a rows between -1 preceding and current row) from {T}",
    f"select sum(a) over (order by a rows between current row and null following) from {T}",
    f"select sum(a) over (order by a range between -1 preceding and current row) from {T}",
    f"select sum(a) over (order by a, b range between 1 preceding and current row) from {T}",
    f"select sum(a) over (groups between 1 preceding and current row) from {T}",
    f"select sum(a) over (order by a rows between a preceding and current row) from {T}",
    f"select sum(a) over (order by c range between 1 preceding and current row) from {T}",
    f"select sum(a) over (partition by row_number() over ()) from {T}",
    f"select sum(a) over (order by a range between 1.5 preceding and current row) from {T}",
    f"select ntile(1, 2) over () from {T}",
    "values (row_number() over ())",
    "select first_value(null) over ()",
    "select lag('a') over ()",
    "select lag('a', 1, 'b') over (), ntile('2') over (), count(*) over () + 1",
    "select row_number() over () from (values (1)) v(x) for update",
    "select count(*) filter (where count(*) > 1) from (values (1)) v(x)",
    "select sum(x) over (order by x rows between sum(x) preceding and current row) from "
    "(values (1)) v(x)",
    "select count(*) filter (where row_number() over () > 1) over () from (values (1)) v(x)",
    "select lag(x, 1, 'a') over () from (values (1)) v(x)",
    "select nth_value(x, 1::int8) over () from (values (1)) v(x)",
    "select sum(x) over (order by x rows between 'a' preceding and current row) from "
    "(values (1)) v(x)",
    "select sum(x) over (order by x rows between 1.5 preceding and current row) from "
    "(values (1), (2), (3), (4)) v(x)",
    "select sum(x) over (order by x rows between 'a'::text preceding and current row) from "
    "(values (1)) v(x)",
    "select x, sum(x) over (order by x rows between $$1$$ preceding and current row) from "
    "(values (1), (2), (3), (4)) v(x)",
]


def frame_cases():
    """Every valid frame shape in each mode, both directions, every exclusion."""
    bounds = ["unbounded preceding", "1 preceding", "current row", "1 following",
              "unbounded following"]
    out = []
    for mode in ["rows", "range", "groups"]:
        for si, start in enumerate(bounds):
            for ei, end in enumerate(bounds):
                if si == 4 or ei == 0 or ei < si or (si == 3 and ei < 3):
                    continue
                for excl in ["", " exclude current row", " exclude group", " exclude ties"]:
                    for desc in ["", " desc"]:
                        if mode == "rows":
                            order = f"order by b{desc} nulls first, c"
                            funcs = ("count(*) over w, sum(b) over w, string_agg(c, ',') over "
                                     "w, first_value(c) over w, last_value(c) over w, "
                                     "nth_value(c, 2) over w")
                        else:
                            order = f"order by b{desc}"
                            funcs = ("count(*) over w, sum(b) over w, min(c) over w, max(c) "
                                     "over w, bool_or(c > 'v') over w")
                        out.append(f"select b, c, {funcs} from {T} window w as ({order} "
                                   f"{mode} between {start} and {end}{excl}) order by b, c")
    return out


CASES += frame_cases()


def run(port, sql):
    proc = subprocess.run(
        ["psql", "-X", "-q", "-h", "/tmp", "-p", str(port), "-U", "postgres", "-At", "-F", "|",
         "-P", "null=NULL", "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose", "-c", sql],
        capture_output=True, text=True)
    if proc.returncode != 0:
        for line in proc.stderr.splitlines():
            if line.startswith("ERROR:"):
                return "ERROR " + line[len("ERROR:"):].strip()
        raise SystemExit("psql failed: " + proc.stderr)
    return proc.stdout.rstrip("\n")


def c_string(s):
    out = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + out + '"'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args()
    print("/* test_sql_window_cases.h: generated by gen_sql_window_cases.py from PostgreSQL 15's")
    print(" * answers; do not edit. */")
    print("static const struct tw_case {\n    const char *sql;\n    const char *expect;\n}"
          " tw_cases[] = {")
    for sql in CASES:
        print("    {" + c_string(sql) + ",\n     " + c_string(run(args.port, sql)) + "},")
    print("};")


if __name__ == "__main__":
    sys.exit(main())
