#!/usr/bin/python3
"""capture.py: records exactly what each PostgreSQL client sends, through tests/e2e/pgproxy.py.

For every scenario it starts the tracing proxy in front of a running PostgreSQL, runs one
client doing one group of actions, and writes two files:
  captured/<scenario>.sql           every SQL text the client sent, in order, each with a
                                    comment giving the connection, the protocol mode (simple
                                    Query or extended Parse with its parameter type OIDs);
                                    "-- ACTION:" lines say which client call produced what follows
  captured/traces/<scenario>.trace  the decoded message flow (startup parameters,
                                    ParameterStatus, Parse/Bind/Describe/Execute/Sync, formats,
                                    RowDescription, COPY) from pgproxy.py

Usage: capture.py --pg-port 55437 --proxy-port 55438 [--out DIR] [scenario ...]
The PostgreSQL on --pg-port must trust user postgres on 127.0.0.1 (tests/e2e/capture/
capture-all starts one). Scenarios run in the database "capture", created here.
"""

import argparse
import asyncio
import decimal
import datetime
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
E2E = os.path.dirname(HERE)
PROXY = os.path.join(E2E, "pgproxy.py")
PYTHON = "/usr/bin/python3"
DB = "capture"
USER = "postgres"

# pgvector's `vector` is replaced by vector-standin.sql (a base type in public, like pgvector's:
# clients discover it by name through pg_type). Other user types exercise introspection.
VECTOR_STANDIN_SQL = open(os.path.join(E2E, "vector-standin.sql")).read()
USER_TYPES_SQL = """
CREATE TYPE e2e_mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE e2e_pair AS (label text, amount numeric(10,2));
CREATE DOMAIN e2e_posint AS int4 CHECK (VALUE > 0);
"""


class Capture:
    """Files of the scenario being captured; mark() labels what the client does next."""

    def __init__(self, out_dir, name):
        self.sql_path = os.path.join(out_dir, name + ".sql")
        self.trace_path = os.path.join(out_dir, "traces", name + ".trace")

    def mark(self, action):
        time.sleep(0.05)  # let the proxy finish logging the previous action's replies
        for path in (self.sql_path, self.trace_path):
            with open(path, "a") as f:
                f.write(f"\n-- ACTION: {action}\n" if path.endswith(".sql")
                        else f"---------- ACTION: {action}\n")


def wait_listening(trace_path, timeout_s=10):
    """Waits for the proxy's "listening" line (probing the port would add a connection)."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if os.path.exists(trace_path) and "listening on" in open(trace_path).read(4096):
            return
        time.sleep(0.05)
    raise RuntimeError("the proxy did not start")


def setup_database(pg_port):
    import psycopg2
    admin = psycopg2.connect(host="127.0.0.1", port=pg_port, user=USER, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {DB}")
        cur.execute(f"CREATE DATABASE {DB}")
    admin.close()
    conn = psycopg2.connect(host="127.0.0.1", port=pg_port, user=USER, dbname=DB)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(VECTOR_STANDIN_SQL)
        cur.execute(USER_TYPES_SQL)
    conn.close()


# ---------------------------------------------------------------- psql and pgbench


def run(cmd, env=None, stdin=None, check=True):
    full_env = dict(os.environ, **(env or {}))
    res = subprocess.run(cmd, env=full_env, input=stdin, capture_output=True, text=True)
    if check and res.returncode != 0:
        raise RuntimeError(f"{cmd} failed: {res.stdout}\n{res.stderr}")
    return res.stdout


def psql_cmd(port, *args):
    return ["psql", "-X", "-h", "127.0.0.1", "-p", str(port), "-U", USER, "-d", DB,
            "-v", "ON_ERROR_STOP=1", *args]


PSQL_SETUP = """
CREATE TABLE cap_author (id serial PRIMARY KEY, name text NOT NULL UNIQUE,
    born date, CONSTRAINT cap_author_name_check CHECK (name <> ''));
CREATE TABLE cap_book (id bigserial PRIMARY KEY, author_id int NOT NULL REFERENCES cap_author(id),
    title varchar(200) NOT NULL, price numeric(8,2) DEFAULT 0, tags text[],
    embedding vector(3), published timestamptz DEFAULT now());
CREATE INDEX cap_book_title_idx ON cap_book (title);
COMMENT ON TABLE cap_book IS 'books for the capture';
CREATE VIEW cap_book_titles AS SELECT id, title FROM cap_book;
INSERT INTO cap_author (name, born) VALUES ('Ann', '1970-01-02'), ('Bob', NULL);
INSERT INTO cap_book (author_id, title, price, tags, embedding)
    VALUES (1, 'First', 9.50, '{a,b}', '[1,2,3]');
"""


def scenario_psql_describe(cap, port):
    cap.mark("psql -c (non-interactive connection) running the setup DDL")
    run(psql_cmd(port, "-c", PSQL_SETUP))
    for meta in ["\\d", "\\dt", "\\dt+", "\\d cap_book", "\\d+ cap_book",
                 "\\d cap_book_title_idx", "\\d cap_book_titles", "\\d+ cap_book_titles",
                 "\\di", "\\dn", "\\du", "\\l", "\\dx", "\\dT", "\\df vector_in",
                 "\\ds", "\\dv", "\\d+ cap_author", "\\d no_such_table"]:
        cap.mark(f"psql {meta}")
        run(psql_cmd(port, "-c", meta), check=not meta.endswith("no_such_table"))


def scenario_psql_interactive(cap, port):
    """An interactive psql (on a terminal) sets client_encoding=auto and reads the prompt's
    variables; `script` gives it a pseudo-terminal."""
    cap.mark("interactive psql on a terminal: start, one query, \\q")
    line = " ".join(psql_cmd(port)[:-2])  # without ON_ERROR_STOP
    run(["script", "-qec", line, "/dev/null"], stdin="select 1 as one;\n\\q\n",
        env={"PAGER": "cat", "TERM": "dumb"})


def scenario_psql_copy(cap, port):
    cap.mark("psql -c 'CREATE TABLE cap_copy ...'")
    run(psql_cmd(port, "-c", "CREATE TABLE cap_copy (id int PRIMARY KEY, name text, "
                 "score float8, note text)"))
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.txt")
        with open(src, "w") as f:
            f.write("1\tone\t1.5\t\\N\n2\ttwo\t2.5\ttab\\there\n")
        csv = os.path.join(tmp, "in.csv")
        with open(csv, "w") as f:
            f.write("id,name,score,note\n3,three,3.5,\"comma, inside\"\n")
        cap.mark(f"psql \\copy cap_copy FROM file (text format)")
        run(psql_cmd(port, "-c", f"\\copy cap_copy FROM '{src}'"))
        cap.mark("psql \\copy cap_copy FROM file WITH (FORMAT csv, HEADER)")
        run(psql_cmd(port, "-c", f"\\copy cap_copy FROM '{csv}' WITH (FORMAT csv, HEADER)"))
        cap.mark("psql \\copy cap_copy TO file (text format)")
        run(psql_cmd(port, "-c", f"\\copy cap_copy TO '{os.path.join(tmp, 'out.txt')}'"))
        cap.mark("psql \\copy (SELECT ...) TO STDOUT WITH CSV HEADER")
        run(psql_cmd(port, "-c", "\\copy (SELECT id, name FROM cap_copy ORDER BY id) "
                     "TO STDOUT WITH CSV HEADER"))
        cap.mark("psql \\copy cap_copy FROM STDIN (data on psql's stdin)")
        run(psql_cmd(port, "-c", "\\copy cap_copy FROM STDIN"), stdin="9\tnine\t9\t\\N\n\\.\n")


def scenario_pgbench_init(cap, port):
    cap.mark("pgbench -i -s 1 (client-side data generation: COPY)")
    run(["pgbench", "-i", "-s", "1", "-h", "127.0.0.1", "-p", str(port), "-U", USER, DB])


def pgbench_run(cap, port, mode):
    for select_only in (False, True):
        label = "-S (select-only)" if select_only else "default (tpcb-like)"
        cap.mark(f"pgbench -M {mode} {label} -c 1 -t 2")
        args = ["pgbench", "-M", mode, "-c", "1", "-t", "2", "-h", "127.0.0.1",
                "-p", str(port), "-U", USER, DB]
        if select_only:
            args.insert(1, "-S")
        run(args)


# ---------------------------------------------------------------- psycopg2


def scenario_psycopg2(cap, port):
    import psycopg2
    import psycopg2.extras
    cap.mark("psycopg2.connect()")
    conn = psycopg2.connect(host="127.0.0.1", port=port, user=USER, dbname=DB)
    cur = conn.cursor()
    cap.mark("cursor.execute DDL (first statement opens a transaction: BEGIN)")
    cur.execute("CREATE TABLE cap_pg2 (id serial PRIMARY KEY, name text, amount numeric(10,2), "
                "data bytea, born date, at timestamptz, tags text[], doc jsonb, uid uuid)")
    conn.commit()
    cap.mark("cursor.execute INSERT with parameters of many types (client-side interpolation)")
    psycopg2.extras.register_uuid()
    cur.execute("INSERT INTO cap_pg2 (name, amount, data, born, at, tags, doc, uid) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
                ("O'Brien", decimal.Decimal("12.34"), b"\x00\x01\xff",
                 datetime.date(2001, 2, 3),
                 datetime.datetime(2001, 2, 3, 4, 5, 6, tzinfo=datetime.timezone.utc),
                 ["a", "b"], psycopg2.extras.Json({"k": [1, 2]}), uuid.UUID(int=1)))
    cur.fetchone()
    cap.mark("cursor.executemany INSERT")
    cur.executemany("INSERT INTO cap_pg2 (name) VALUES (%s)", [("x",), ("y",)])
    cap.mark("psycopg2.extras.execute_values INSERT")
    psycopg2.extras.execute_values(cur, "INSERT INTO cap_pg2 (name) VALUES %s",
                                   [("v1",), ("v2",)])
    cap.mark("cursor.execute SELECT with %s parameter; fetchall; commit")
    cur.execute("SELECT id, name, amount, data, born, at, tags, doc, uid FROM cap_pg2 "
                "WHERE name = %s", ("O'Brien",))
    cur.fetchall()
    conn.commit()
    cap.mark("error then rollback")
    try:
        cur.execute("SELECT 1/0")
    except psycopg2.Error:
        conn.rollback()
    cap.mark("named (server-side) cursor: conn.cursor('cap_named'), itersize 2")
    named = conn.cursor("cap_named")
    named.itersize = 2
    named.execute("SELECT id, name FROM cap_pg2 ORDER BY id")
    for _ in named:
        pass
    named.close()
    conn.commit()
    cap.mark("set_session(isolation_level='REPEATABLE READ', readonly=True) then a query")
    conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
    cur.execute("SELECT count(*) FROM cap_pg2")
    conn.commit()
    conn.set_session(isolation_level="DEFAULT", readonly="DEFAULT")
    cap.mark("autocommit = True; query")
    conn.autocommit = True
    cur.execute("SELECT 1")
    conn.autocommit = False
    cap.mark("copy_expert COPY ... FROM STDIN and TO STDOUT (text), copy_from")
    import io
    cur.copy_expert("COPY cap_pg2 (name, amount) FROM STDIN", io.StringIO("c1\t1.00\nc2\t\\N\n"))
    cur.copy_from(io.StringIO("c3\n"), "cap_pg2", columns=("name",))
    out = io.StringIO()
    cur.copy_expert("COPY (SELECT id, name FROM cap_pg2 ORDER BY id) TO STDOUT WITH CSV", out)
    conn.commit()
    cap.mark("psycopg2.extras.register_composite('e2e_pair')")
    psycopg2.extras.register_composite("e2e_pair", cur)
    cur.execute("SELECT ROW('a', 1.5)::e2e_pair")
    cur.fetchone()
    conn.commit()
    cap.mark("the query of pgvector-python's psycopg2 register_vector (not installable here: "
             "no PyPI), replayed verbatim")
    cur.execute("SELECT typname, oid FROM pg_type WHERE oid IN (to_regtype('vector'), "
                "to_regtype('_vector'), to_regtype('halfvec'), to_regtype('_halfvec'), "
                "to_regtype('sparsevec'), to_regtype('_sparsevec'))")
    conn.commit()
    cap.mark("DROP TABLE; close")
    cur.execute("DROP TABLE cap_pg2")
    conn.commit()
    conn.close()


# ---------------------------------------------------------------- psycopg 3


def scenario_psycopg3_sync(cap, port):
    import psycopg
    from psycopg.types import TypeInfo
    from psycopg.types.enum import EnumInfo, register_enum
    from psycopg.types.composite import CompositeInfo, register_composite
    cap.mark("psycopg.connect()")
    conn = psycopg.connect(host="127.0.0.1", port=port, user=USER, dbname=DB)
    cap.mark("execute DDL (implicit BEGIN) + commit")
    conn.execute("CREATE TABLE cap_pg3 (id serial PRIMARY KEY, name text, n int8, f float8, "
                 "amount numeric, data bytea, at timestamptz, d date, tags text[], doc jsonb, "
                 "uid uuid, flag bool)")
    conn.commit()
    cap.mark("execute INSERT with %s parameters (server-side binding, text params)")
    row = ("a", 1, 1.5, decimal.Decimal("2.50"), b"\x00\xff",
           datetime.datetime(2001, 2, 3, 4, 5, 6, tzinfo=datetime.timezone.utc),
           datetime.date(2001, 2, 3), ["x", "y"], psycopg.types.json.Jsonb({"k": 1}),
           uuid.UUID(int=2), True)
    conn.execute("INSERT INTO cap_pg3 (name, n, f, amount, data, at, d, tags, doc, uid, flag) "
                 "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", row)
    cap.mark("execute INSERT with %b parameters (binary params)")
    conn.execute("INSERT INTO cap_pg3 (name, n, f, amount, data, at, d, tags, doc, uid, flag) "
                 "VALUES (%b, %b, %b, %b, %b, %b, %b, %b, %b, %b, %b)", row)
    cap.mark("cursor(binary=True) SELECT (binary results)")
    with conn.cursor(binary=True) as cur:
        cur.execute("SELECT * FROM cap_pg3 WHERE n = %s", (1,))
        cur.fetchall()
    cap.mark("text SELECT with %(name)s parameters")
    conn.execute("SELECT * FROM cap_pg3 WHERE name = %(name)s", {"name": "a"}).fetchall()
    conn.commit()
    cap.mark("same query 6 times (prepare_threshold=5: the 6th prepares a named statement)")
    for i in range(6):
        conn.execute("SELECT name FROM cap_pg3 WHERE id = %s", (i,)).fetchall()
    conn.commit()
    cap.mark("executemany INSERT (pipeline mode)")
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO cap_pg3 (name, n) VALUES (%s, %s)",
                        [("m1", 10), ("m2", 20), ("m3", 30)])
    conn.commit()
    cap.mark("with conn.transaction(): nested transaction() (SAVEPOINT), rollback of inner")
    with conn.transaction():
        conn.execute("INSERT INTO cap_pg3 (name) VALUES ('t1')")
        try:
            with conn.transaction():
                conn.execute("INSERT INTO cap_pg3 (name) VALUES ('t2')")
                raise RuntimeError("roll back the savepoint")
        except RuntimeError:
            pass
    cap.mark("server-side cursor conn.cursor(name='cap_ssc'), itersize 2")
    with conn.cursor(name="cap_ssc") as cur:
        cur.itersize = 2
        cur.execute("SELECT id, name FROM cap_pg3 WHERE id > %s ORDER BY id", (0,))
        for _ in cur:
            pass
    conn.commit()
    cap.mark("copy FROM STDIN text (write_row) and binary (FORMAT BINARY)")
    with conn.cursor() as cur:
        with cur.copy("COPY cap_pg3 (name, n, f) FROM STDIN") as cp:
            cp.write_row(("c1", 1, 0.5))
        with cur.copy("COPY cap_pg3 (name, n, f) FROM STDIN (FORMAT BINARY)") as cp:
            cp.set_types(["text", "int8", "float8"])
            cp.write_row(("c2", 2, 1.5))
        cap.mark("copy TO STDOUT text and binary")
        with cur.copy("COPY (SELECT name, n FROM cap_pg3 ORDER BY id) TO STDOUT") as cp:
            list(cp.rows())
        with cur.copy("COPY (SELECT name, n FROM cap_pg3 ORDER BY id) TO STDOUT "
                      "(FORMAT BINARY)") as cp:
            cp.set_types(["text", "int8"])
            list(cp.rows())
    conn.commit()
    cap.mark("TypeInfo.fetch(conn, 'vector') (what pgvector's psycopg register_vector does)")
    TypeInfo.fetch(conn, "vector")
    cap.mark("TypeInfo.fetch(conn, 'halfvec'): missing type, error 42704 caught -> None")
    assert TypeInfo.fetch(conn, "halfvec") is None
    cap.mark("TypeInfo.fetch inside an open transaction (SAVEPOINT instead of BEGIN)")
    conn.execute("SELECT 1")
    TypeInfo.fetch(conn, "vector")
    conn.commit()
    cap.mark("EnumInfo.fetch(conn, 'e2e_mood') + register_enum")
    info = EnumInfo.fetch(conn, "e2e_mood")
    register_enum(info, conn)
    cap.mark("CompositeInfo.fetch(conn, 'e2e_pair') + register_composite; query")
    cinfo = CompositeInfo.fetch(conn, "e2e_pair")
    register_composite(cinfo, conn)
    conn.execute("SELECT ROW('a', 1.5)::e2e_pair, 'ok'::e2e_mood").fetchall()
    conn.commit()
    cap.mark("conn.cancel() from another thread during SELECT pg_sleep(5) (libpq PQcancel)")
    import threading
    threading.Timer(0.3, conn.cancel).start()
    try:
        conn.execute("SELECT pg_sleep(5)")
    except psycopg.errors.QueryCanceled:
        conn.rollback()
    cap.mark("autocommit = True; DROP TABLE; close")
    conn.autocommit = True
    conn.execute("DROP TABLE cap_pg3")
    conn.close()


def scenario_psycopg3_async(cap, port):
    import psycopg

    async def main():
        cap.mark("await psycopg.AsyncConnection.connect()")
        conn = await psycopg.AsyncConnection.connect(host="127.0.0.1", port=port, user=USER,
                                                     dbname=DB)
        cap.mark("execute CREATE TABLE; commit")
        await conn.execute("CREATE TABLE cap_pg3a (id serial PRIMARY KEY, name text, n int4)")
        await conn.commit()
        cap.mark("execute INSERT %s / %b params; SELECT fetchall; binary cursor")
        await conn.execute("INSERT INTO cap_pg3a (name, n) VALUES (%s, %s)", ("a", 1))
        await conn.execute("INSERT INTO cap_pg3a (name, n) VALUES (%b, %b)", ("b", 2))
        cur = await conn.execute("SELECT * FROM cap_pg3a ORDER BY id")
        await cur.fetchall()
        async with conn.cursor(binary=True) as bcur:
            await bcur.execute("SELECT * FROM cap_pg3a WHERE n = %s", (2,))
            await bcur.fetchall()
        await conn.commit()
        cap.mark("async with conn.transaction(): failing statement rolled back")
        try:
            async with conn.transaction():
                await conn.execute("INSERT INTO cap_pg3a (name, n) VALUES ('x', 'not int')")
        except psycopg.errors.InvalidTextRepresentation:
            pass
        cap.mark("async server-side cursor")
        async with conn.cursor(name="cap_assc") as scur:
            await scur.execute("SELECT id FROM cap_pg3a")
            await scur.fetchall()
        await conn.commit()
        cap.mark("async executemany (pipeline); DROP; close")
        async with conn.cursor() as cur2:
            await cur2.executemany("INSERT INTO cap_pg3a (name, n) VALUES (%s, %s)",
                                   [("p", 1), ("q", 2)])
        await conn.execute("DROP TABLE cap_pg3a")
        await conn.commit()
        await conn.close()

    asyncio.run(main())


# ---------------------------------------------------------------- asyncpg


def scenario_asyncpg(cap, port):
    import asyncpg

    async def main():
        cap.mark("await asyncpg.connect()")
        conn = await asyncpg.connect(host="127.0.0.1", port=port, user=USER, database=DB)
        cap.mark("execute (no args: simple Query) CREATE TABLE")
        await conn.execute("CREATE TABLE cap_apg (id serial PRIMARY KEY, name text, n int8, "
                           "amount numeric, at timestamptz, tags text[], doc jsonb, "
                           "mood e2e_mood)")
        cap.mark("fetch with args: builtin types only")
        await conn.fetch("SELECT $1::int4 + 1 AS x, $2::text AS t", 41, "hi")
        cap.mark("execute INSERT with args incl. enum e2e_mood (type introspection)")
        await conn.execute("INSERT INTO cap_apg (name, n, amount, at, tags, doc, mood) "
                           "VALUES ($1, $2, $3, $4, $5, $6, $7)", "a", 1,
                           decimal.Decimal("1.5"),
                           datetime.datetime(2001, 2, 3, tzinfo=datetime.timezone.utc),
                           ["x"], json.dumps({"k": 1}), "ok")
        cap.mark("executemany INSERT")
        await conn.executemany("INSERT INTO cap_apg (name, n) VALUES ($1, $2)",
                               [("b", 2), ("c", 3)])
        cap.mark("copy_records_to_table (binary COPY)")
        await conn.copy_records_to_table("cap_apg", records=[("r1", 10), ("r2", 20)],
                                         columns=["name", "n"])
        cap.mark("copy_from_query to a file-like (COPY TO STDOUT)")
        import io
        await conn.copy_from_query("SELECT name, n FROM cap_apg ORDER BY id", output=io.BytesIO())
        cap.mark("prepare + fetch twice (named statement __asyncpg_stmt_N__)")
        stmt = await conn.prepare("SELECT name FROM cap_apg WHERE n > $1 ORDER BY n")
        await stmt.fetch(1)
        await stmt.fetch(2)
        cap.mark("transaction(): BEGIN ... COMMIT; and one rolled back")
        async with conn.transaction():
            await conn.execute("UPDATE cap_apg SET n = n + 1 WHERE name = $1", "a")
        try:
            async with conn.transaction(isolation="repeatable_read"):
                await conn.execute("DELETE FROM cap_apg")
                raise RuntimeError("rollback")
        except RuntimeError:
            pass
        cap.mark("cursor inside a transaction (server-side portal fetches)")
        async with conn.transaction():
            async for _ in conn.cursor("SELECT id FROM cap_apg", prefetch=2):
                pass
        cap.mark("fetch a composite e2e_pair and an array of enum (introspection)")
        await conn.fetch("SELECT ROW('a', 1.5)::e2e_pair AS p, ARRAY['ok']::e2e_mood[] AS m")
        cap.mark("set_type_codec('json', schema='pg_catalog', text codec) then fetch json")
        await conn.set_type_codec("json", schema="pg_catalog", encoder=json.dumps,
                                  decoder=json.loads, format="text")
        await conn.fetchval("SELECT $1::json", {"a": 1})
        cap.mark("set_type_codec('e2e_mood', schema='public', text codec) then fetch")
        await conn.set_type_codec("e2e_mood", encoder=str, decoder=str, format="text")
        await conn.fetchval("SELECT $1::e2e_mood", "happy")
        cap.mark("fetch vector column WITHOUT a codec (stand-in type, typtype 'b')")
        await conn.execute("CREATE TABLE cap_apg_vec (id int PRIMARY KEY, embedding vector(3))")
        await conn.execute("INSERT INTO cap_apg_vec VALUES (1, '[1,2,3]')")
        try:
            await conn.fetch("SELECT embedding FROM cap_apg_vec")
        except Exception as exc:  # the client's behaviour is what we record
            cap.mark(f"(that raised {type(exc).__name__}: {exc})")
        cap.mark("set_type_codec('vector', schema='public', text codec) then fetch/insert")
        await conn.set_type_codec("vector", schema="public", encoder=str, decoder=str,
                                  format="text")
        await conn.fetch("SELECT id, embedding FROM cap_apg_vec")
        await conn.execute("INSERT INTO cap_apg_vec VALUES ($1, $2)", 2, "[4,5,6]")
        cap.mark("set_type_codec('vector', format='binary') as pgvector-python does")
        await conn.set_type_codec("vector", schema="public", encoder=lambda v: v,
                                  decoder=lambda b: b, format="binary")
        await conn.fetch("SELECT embedding FROM cap_apg_vec")
        cap.mark("fetch('SELECT pg_sleep(5)', timeout=0.3): asyncpg sends a CancelRequest")
        try:
            await conn.fetch("SELECT pg_sleep(5)", timeout=0.3)
        except asyncio.TimeoutError:
            pass
        cap.mark("reload_schema_state(); DROP; close")
        await conn.reload_schema_state()
        await conn.execute("DROP TABLE cap_apg; DROP TABLE cap_apg_vec")
        await conn.close()

    asyncio.run(main())


def scenario_asyncpg_pool(cap, port):
    import asyncpg

    async def main():
        cap.mark("asyncpg.create_pool(min_size=1, max_size=2)")
        pool = await asyncpg.create_pool(host="127.0.0.1", port=port, user=USER, database=DB,
                                         min_size=1, max_size=2)
        cap.mark("pool.acquire(); fetchval; release (reset query)")
        async with pool.acquire() as conn:
            await conn.fetchval("SELECT 1")
        cap.mark("pool.fetch (acquire + release)")
        await pool.fetch("SELECT $1::int AS x", 5)
        cap.mark("pool.close()")
        await pool.close()

    asyncio.run(main())


# ---------------------------------------------------------------- SQLAlchemy 1.4


def sqlalchemy_tables():
    import sqlalchemy as sa
    md = sa.MetaData()
    parent = sa.Table("cap_sa_parent", md,
                      sa.Column("id", sa.Integer, primary_key=True),
                      sa.Column("name", sa.String(50), nullable=False, unique=True),
                      sa.Column("created", sa.DateTime(timezone=True),
                                server_default=sa.func.now()),
                      comment="parents")
    child = sa.Table("cap_sa_child", md,
                     sa.Column("id", sa.BigInteger, primary_key=True),
                     sa.Column("parent_id", sa.Integer,
                               sa.ForeignKey("cap_sa_parent.id", ondelete="CASCADE")),
                     sa.Column("score", sa.Numeric(10, 2)),
                     sa.Column("flag", sa.Boolean, default=False),
                     sa.Column("payload", sa.JSON),
                     sa.Index("cap_sa_child_score_idx", "score"),
                     sa.CheckConstraint("score >= 0", name="cap_sa_child_score_ck"))
    return md, parent, child


def scenario_sqlalchemy_core(cap, port):
    import sqlalchemy as sa
    md, parent, child = sqlalchemy_tables()
    cap.mark("create_engine(postgresql://...) (psycopg2 dialect) + engine.connect() "
             "(dialect initialize on first connect)")
    engine = sa.create_engine(f"postgresql://{USER}@127.0.0.1:{port}/{DB}")
    conn = engine.connect()
    conn.close()
    cap.mark("metadata.create_all(engine) (has_table checks, CREATE TABLE, CREATE INDEX)")
    md.create_all(engine)
    with engine.begin() as conn:
        cap.mark("insert().values(...) single row, returning primary key")
        conn.execute(parent.insert().values(name="p1"))
        cap.mark("insert() executemany")
        conn.execute(child.insert(), [{"id": 1, "parent_id": 1, "score": 1.5, "payload": {"a": 1}},
                                      {"id": 2, "parent_id": 1, "score": 2.5, "payload": None}])
        cap.mark("select with join/where/order")
        conn.execute(sa.select(child.c.id, parent.c.name)
                     .join(parent, child.c.parent_id == parent.c.id)
                     .where(child.c.score > 1).order_by(child.c.id)).fetchall()
        cap.mark("update / delete")
        conn.execute(child.update().where(child.c.id == 1).values(score=9))
        conn.execute(child.delete().where(child.c.id == 2))
    cap.mark("metadata.drop_all(engine)")
    md.drop_all(engine)
    engine.dispose()


def scenario_sqlalchemy_reflection(cap, port):
    import sqlalchemy as sa
    md, parent, child = sqlalchemy_tables()
    engine = sa.create_engine(f"postgresql://{USER}@127.0.0.1:{port}/{DB}")
    cap.mark("(setup) create_all")
    md.create_all(engine)
    insp = sa.inspect(engine)
    cap.mark("inspect(engine).has_table('cap_sa_child')")
    insp.has_table("cap_sa_child")
    for call in ["get_schema_names()", "get_table_names()", "get_view_names()",
                 "get_columns('cap_sa_child')", "get_pk_constraint('cap_sa_child')",
                 "get_foreign_keys('cap_sa_child')", "get_indexes('cap_sa_child')",
                 "get_unique_constraints('cap_sa_parent')",
                 "get_check_constraints('cap_sa_child')", "get_table_comment('cap_sa_parent')"]:
        cap.mark(f"inspect(engine).{call}")
        eval(f"insp.{call}")
    cap.mark("Table('cap_sa_child', MetaData(), autoload_with=engine) (full reflection)")
    sa.Table("cap_sa_child", sa.MetaData(), autoload_with=engine)
    cap.mark("(cleanup) drop_all")
    md.drop_all(engine)
    engine.dispose()


def scenario_sqlalchemy_orm(cap, port):
    import sqlalchemy as sa
    from sqlalchemy.orm import Session, declarative_base, relationship
    Base = declarative_base()

    class Owner(Base):
        __tablename__ = "cap_orm_owner"
        id = sa.Column(sa.Integer, primary_key=True)
        name = sa.Column(sa.String(40), nullable=False)
        pets = relationship("Pet", back_populates="owner", cascade="all, delete-orphan")

    class Pet(Base):
        __tablename__ = "cap_orm_pet"
        id = sa.Column(sa.Integer, primary_key=True)
        owner_id = sa.Column(sa.ForeignKey("cap_orm_owner.id"))
        kind = sa.Column(sa.String(20))
        owner = relationship("Owner", back_populates="pets")

    engine = sa.create_engine(f"postgresql://{USER}@127.0.0.1:{port}/{DB}", future=True)
    cap.mark("Base.metadata.create_all(engine)")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        cap.mark("session.add_all + commit (INSERT ... RETURNING id, executemany of children)")
        session.add_all([Owner(name="o1", pets=[Pet(kind="cat"), Pet(kind="dog")]),
                         Owner(name="o2")])
        session.commit()
        cap.mark("session.execute(select(Owner).where(...)).scalars(); lazy load pets")
        owner = session.execute(sa.select(Owner).where(Owner.name == "o1")).scalar_one()
        len(owner.pets)
        cap.mark("modify attribute + commit (UPDATE)")
        owner.name = "o1b"
        session.commit()
        cap.mark("session.delete + commit (DELETE children then parent)")
        session.delete(owner)
        session.commit()
        cap.mark("session.get(Owner, id) / query().filter_by().count()")
        session.query(Owner).filter_by(name="o2").count()
    cap.mark("drop_all")
    Base.metadata.drop_all(engine)
    engine.dispose()


def scenario_sqlalchemy_asyncpg(cap, port):
    import sqlalchemy as sa
    from sqlalchemy.ext.asyncio import create_async_engine
    md, parent, child = sqlalchemy_tables()

    async def main():
        cap.mark("create_async_engine(postgresql+asyncpg://...); first connect (initialize)")
        engine = create_async_engine(f"postgresql+asyncpg://{USER}@127.0.0.1:{port}/{DB}")
        async with engine.begin() as conn:
            cap.mark("run_sync(metadata.create_all)")
            await conn.run_sync(md.create_all)
            cap.mark("insert + select with a bound parameter")
            await conn.execute(parent.insert().values(name="a1"))
            await conn.execute(sa.select(parent.c.id).where(parent.c.name == "a1"))
            cap.mark("run_sync(lambda c: inspect(c).get_columns('cap_sa_child'))")
            await conn.run_sync(lambda c: sa.inspect(c).get_columns("cap_sa_child"))
            cap.mark("run_sync(metadata.drop_all)")
            await conn.run_sync(md.drop_all)
        cap.mark("engine.dispose() (pool reset on checkin: ROLLBACK)")
        await engine.dispose()

    asyncio.run(main())


# ---------------------------------------------------------------- node


def node_scenario(which):
    def scenario(cap, port):
        env = {"DB_HOST": "127.0.0.1", "DB_PORT": str(port), "DB_USER": USER, "DB_NAME": DB,
               "CAPTURE_SQL": cap.sql_path, "CAPTURE_TRACE": cap.trace_path}
        run(["node", os.path.join(HERE, "capture_node.js"), which], env=env)
    return scenario


SCENARIOS = {
    "psql-describe": scenario_psql_describe,
    "psql-interactive": scenario_psql_interactive,
    "psql-copy": scenario_psql_copy,
    "pgbench-init": scenario_pgbench_init,
    "pgbench-simple": lambda cap, port: pgbench_run(cap, port, "simple"),
    "pgbench-extended": lambda cap, port: pgbench_run(cap, port, "extended"),
    "pgbench-prepared": lambda cap, port: pgbench_run(cap, port, "prepared"),
    "psycopg2": scenario_psycopg2,
    "psycopg3-sync": scenario_psycopg3_sync,
    "psycopg3-async": scenario_psycopg3_async,
    "asyncpg": scenario_asyncpg,
    "asyncpg-pool": scenario_asyncpg_pool,
    "sqlalchemy-core": scenario_sqlalchemy_core,
    "sqlalchemy-reflection": scenario_sqlalchemy_reflection,
    "sqlalchemy-orm": scenario_sqlalchemy_orm,
    "sqlalchemy-asyncpg": scenario_sqlalchemy_asyncpg,
    "node-pg": node_scenario("pg"),
    "prisma": node_scenario("prisma"),
}

DESCRIPTIONS = {
    "psql-describe": "psql 15 (libpq, simple Query protocol only): meta-commands \\d family",
    "psql-interactive": "psql 15 started on a terminal (startup differs: client_encoding=auto)",
    "psql-copy": "psql 15 \\copy (COPY ... FROM STDIN / TO STDOUT, text and csv)",
    "pgbench-init": "pgbench 15 -i -s 1 (simple Query protocol, COPY FROM STDIN text)",
    "pgbench-simple": "pgbench 15 -M simple: partition probe, scale probe, scripts",
    "pgbench-extended": "pgbench 15 -M extended: unnamed statements, text parameters",
    "pgbench-prepared": "pgbench 15 -M prepared: named statements P_0..",
    "psycopg2": "psycopg2 2.9.5 (libpq 15; client-side parameter interpolation, simple Query)",
    "psycopg3-sync": "psycopg 3.1.7 sync (libpq 15 via ctypes; extended protocol by default)",
    "psycopg3-async": "psycopg 3.1.7 AsyncConnection",
    "asyncpg": "asyncpg 0.27.0 (own protocol implementation; extended protocol, binary)",
    "asyncpg-pool": "asyncpg 0.27.0 Pool (connection reset on release)",
    "sqlalchemy-core": "SQLAlchemy 1.4.46 Core with the psycopg2 dialect",
    "sqlalchemy-reflection": "SQLAlchemy 1.4.46 inspect() reflection, psycopg2 dialect",
    "sqlalchemy-orm": "SQLAlchemy 1.4.46 ORM (Session), psycopg2 dialect",
    "sqlalchemy-asyncpg": "SQLAlchemy 1.4.46 asyncio engine with the asyncpg dialect",
    "node-pg": "node-postgres (pg 8.x) on Node 20, plus pgvector's registerTypes",
    "prisma": "Prisma Client 7 through @prisma/adapter-pg (node-postgres underneath)",
}


def capture(name, out_dir, pg_port, proxy_port):
    cap = Capture(out_dir, name)
    for path in (cap.sql_path, cap.trace_path):
        if os.path.exists(path):
            os.remove(path)
    with open(cap.sql_path, "w") as f:
        f.write(f"-- Captured by tests/e2e/capture/capture.py, scenario '{name}', against "
                f"PostgreSQL 15.\n-- Client: {DESCRIPTIONS[name]}\n"
                "-- Each statement is the exact text the client sent. Its header gives the\n"
                "-- connection (c1, c2...) and the protocol: 'simple Query' or 'extended Parse'\n"
                "-- with the parameter type OIDs the client declared ([] = server infers).\n"
                "-- A ';' was appended where the client sent none. Message-level detail\n"
                f"-- (formats, Describe, Sync, COPY) is in traces/{name}.trace.\n")
    proxy = subprocess.Popen([PYTHON, PROXY, "--listen", f"127.0.0.1:{proxy_port}",
                              "--upstream", f"127.0.0.1:{pg_port}", "--log", cap.trace_path,
                              "--sql", cap.sql_path, "--rows", "2", "--summary"])
    try:
        wait_listening(cap.trace_path)
        SCENARIOS[name](cap, proxy_port)
        time.sleep(0.5)
    finally:
        proxy.send_signal(signal.SIGTERM)
        proxy.wait(timeout=10)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg-port", type=int, required=True)
    parser.add_argument("--proxy-port", type=int, required=True)
    parser.add_argument("--out", default=os.path.join(E2E, "captured"))
    parser.add_argument("scenarios", nargs="*")
    args = parser.parse_args()
    os.makedirs(os.path.join(args.out, "traces"), exist_ok=True)
    setup_database(args.pg_port)
    for name in args.scenarios or list(SCENARIOS):
        print(f"capture: {name}", flush=True)
        capture(name, args.out, args.pg_port, args.proxy_port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
