#!/usr/bin/python3
"""test_psycopg2.py: psycopg2 (libpq, simple Query protocol) against the server.

psycopg2 interpolates parameters into the SQL text on the client and sends every statement as
a simple Query, opening transactions with BEGIN itself. These tests round-trip values of the
common types through such literals, check transaction and error behaviour (SQLSTATEs), a
server-side (named) cursor read in batches, COPY in and out, and the vector type when the
server has one (skipped on plain PostgreSQL).
"""

import datetime
import decimal
import io
import json
import socket
import struct
import threading
import time
import unittest
import uuid
import xml.etree.ElementTree as ElementTree

import psycopg2
import psycopg2.errorcodes
import psycopg2.errors
import psycopg2.extras

import e2e_common as common


def connect():
    return psycopg2.connect(**common.libpq_kwargs())


class Psycopg2Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        psycopg2.extras.register_uuid()
        cls.table = f"e2e_pg2_items_{common.suffix()}"
        with connect() as conn, conn.cursor() as cur:
            cur.execute(f"""CREATE TABLE {cls.table} (
                id serial PRIMARY KEY, name text UNIQUE, n int8, f float8, amount numeric(12,3),
                data bytea, flag bool, born date, at timestamptz, t time, uid uuid,
                tags text[], nums int4[], doc jsonb)""")
        conn.close()

    @classmethod
    def tearDownClass(cls):
        conn = connect()
        conn.autocommit = True
        conn.cursor().execute(f"DROP TABLE IF EXISTS {cls.table}")
        conn.close()

    def setUp(self):
        self.conn = connect()
        self.cur = self.conn.cursor()

    def tearDown(self):
        self.conn.rollback()
        self.cur.execute(f"DELETE FROM {self.table}")
        self.conn.commit()
        self.conn.close()

    def test_connection_reports_server_settings(self):
        self.assertEqual(self.conn.encoding, "UTF8")
        self.assertGreater(self.conn.server_version, 0)
        self.assertEqual(self.conn.status, psycopg2.extensions.STATUS_READY)

    def test_parameters_round_trip(self):
        row = ("O'Brien \\ \u00e9\u4e2d", 2**40, 1.5, decimal.Decimal("-12.345"),
               b"\x00\x01\xff'\\", True, datetime.date(1999, 12, 31),
               datetime.datetime(2001, 2, 3, 4, 5, 6, 789000, tzinfo=datetime.timezone.utc),
               datetime.time(23, 59, 58), uuid.UUID("12345678-1234-5678-1234-567812345678"),
               ["a", "b,c", None], [1, -2, 3])
        self.cur.execute(f"INSERT INTO {self.table} (name, n, f, amount, data, flag, born, at, "
                         "t, uid, tags, nums, doc) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, "
                         "%s, %s, %s, %s) RETURNING id",
                         row + (psycopg2.extras.Json({"k": [1, "two", None]}),))
        new_id = self.cur.fetchone()[0]
        self.cur.execute(f"SELECT name, n, f, amount, data, flag, born, at, t, uid, tags, nums, "
                         f"doc FROM {self.table} WHERE id = %s", (new_id,))
        got = self.cur.fetchone()
        self.assertEqual(got[:4], row[:4])
        self.assertEqual(bytes(got[4]), row[4])
        self.assertEqual(got[5:12], row[5:12])
        self.assertEqual(got[12], {"k": [1, "two", None]})
        self.assertEqual([d.name for d in self.cur.description][:3], ["name", "n", "f"])

    def test_enum_values(self):
        # psycopg2 reads an enum as its text and sends strings, which the server reads as
        # labels of the column's or the cast's type.
        mood = f"e2e_pg2_mood_{common.suffix()}"
        self.cur.execute(f"CREATE TYPE {mood} AS ENUM ('sad', 'ok', 'happy'); "
                         f"CREATE TEMP TABLE e2e_pg2_enum (id int, m {mood})")
        self.cur.executemany("INSERT INTO e2e_pg2_enum VALUES (%s, %s)",
                             [(1, "happy"), (2, "sad"), (3, "ok")])
        self.cur.execute("SELECT id, m, m::text AS t FROM e2e_pg2_enum WHERE m < %s ORDER BY m",
                         ("happy",))
        self.assertEqual(self.cur.fetchall(), [(2, "sad", "sad"), (3, "ok", "ok")])
        self.cur.execute(f"SELECT oid FROM pg_type WHERE typname = %s", (mood,))
        self.assertEqual(self.cur.description[0].type_code, 26)
        oid = self.cur.fetchone()[0]
        self.cur.execute("SELECT m FROM e2e_pg2_enum LIMIT 1")
        self.assertEqual(self.cur.description[0].type_code, oid)
        with self.assertRaises(psycopg2.errors.InvalidTextRepresentation):
            self.cur.execute("INSERT INTO e2e_pg2_enum VALUES (4, %s)", ("angry",))

    def test_null_and_named_parameters(self):
        self.cur.execute("SELECT %(a)s::int IS NULL, %(b)s::text", {"a": None, "b": "x"})
        self.assertEqual(self.cur.fetchone(), (True, "x"))

    def test_bit_types(self):
        # psycopg2 reads bit / varbit as their text (binary digits) and sends strings.
        self.cur.execute("SELECT B'101'::bit(3), X'1F'::varbit, %s::bit(4), %s::varbit(3)",
                         ("0110", "10111"))
        self.assertEqual(self.cur.fetchone(), ("101", "00011111", "0110", "101"))
        with self.assertRaises(psycopg2.errors.StringDataLengthMismatch):
            self.cur.execute("CREATE TEMP TABLE e2e_bits (a bit(4)); "
                             "INSERT INTO e2e_bits VALUES (%s)", ("011",))
        self.conn.rollback()

    def test_executemany_and_execute_values(self):
        self.cur.executemany(f"INSERT INTO {self.table} (name, n) VALUES (%s, %s)",
                             [("m1", 1), ("m2", 2)])
        psycopg2.extras.execute_values(self.cur, f"INSERT INTO {self.table} (name, n) VALUES %s",
                                       [("v1", 10), ("v2", 20)])
        self.cur.execute(f"SELECT count(*), sum(n) FROM {self.table}")
        self.assertEqual(self.cur.fetchone(), (4, 33))

    def test_commit_and_rollback(self):
        self.cur.execute(f"INSERT INTO {self.table} (name) VALUES ('kept')")
        self.conn.commit()
        self.cur.execute(f"INSERT INTO {self.table} (name) VALUES ('dropped')")
        self.conn.rollback()
        other = connect()
        with other.cursor() as cur:
            cur.execute(f"SELECT name FROM {self.table} ORDER BY name")
            self.assertEqual(cur.fetchall(), [("kept",)])
        other.close()

    def test_errors_carry_sqlstate_and_abort_the_transaction(self):
        self.cur.execute(f"INSERT INTO {self.table} (name) VALUES ('dup')")
        with self.assertRaises(psycopg2.errors.UniqueViolation) as ctx:
            self.cur.execute(f"INSERT INTO {self.table} (name) VALUES ('dup')")
        self.assertEqual(ctx.exception.pgcode, psycopg2.errorcodes.UNIQUE_VIOLATION)
        with self.assertRaises(psycopg2.errors.InFailedSqlTransaction):
            self.cur.execute("SELECT 1")
        self.conn.rollback()
        with self.assertRaises(psycopg2.errors.DivisionByZero):
            self.cur.execute("SELECT 1 / 0")
        self.conn.rollback()
        self.cur.execute("SELECT 2")
        self.assertEqual(self.cur.fetchone(), (2,))

    def test_named_server_side_cursor(self):
        psycopg2.extras.execute_values(self.cur, f"INSERT INTO {self.table} (name, n) VALUES %s",
                                       [(f"r{i}", i) for i in range(1000)], page_size=500)
        named = self.conn.cursor(f"e2e_cursor_{common.suffix()}")
        named.itersize = 128
        named.execute(f"SELECT n FROM {self.table} WHERE n >= %s ORDER BY n", (10,))
        values = [row[0] for row in named]
        named.close()
        self.assertEqual(values, list(range(10, 1000)))

    def test_isolation_and_read_only(self):
        self.conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        self.cur.execute("SHOW transaction_isolation")
        self.assertEqual(self.cur.fetchone(), ("repeatable read",))
        with self.assertRaises(psycopg2.errors.ReadOnlySqlTransaction):
            self.cur.execute(f"INSERT INTO {self.table} (name) VALUES ('ro')")
        self.conn.rollback()
        self.conn.set_session(isolation_level="DEFAULT", readonly="DEFAULT")

    def test_explain_documents_parse(self):
        # EXPLAIN's JSON (json.loads, as psycopg2 reads a json column) and XML documents
        # parse; every node carries PostgreSQL's estimate keys; EXPLAIN ANALYZE's times are
        # ordered and the rows the scan's filter removed are counted (per loop, as PostgreSQL).
        t = f"{self.table}_explain"
        self.cur.execute(f"CREATE TABLE {t} (a int PRIMARY KEY, b int)")
        self.cur.execute(f"INSERT INTO {t} SELECT g, g % 10 FROM generate_series(1, 1000) g")
        q = f"SELECT b, count(*) FROM {t} WHERE b < 3 GROUP BY b ORDER BY b"

        def nodes(plan):
            yield plan
            for child in plan.get("Plans", []):
                yield from nodes(child)

        self.cur.execute(f"EXPLAIN (FORMAT JSON) {q}")
        doc = self.cur.fetchone()[0]
        doc = json.loads(doc) if isinstance(doc, str) else doc
        for node in nodes(doc[0]["Plan"]):
            for key in ("Startup Cost", "Total Cost", "Plan Rows", "Plan Width"):
                self.assertIn(key, node)
            self.assertLessEqual(node["Startup Cost"], node["Total Cost"])
            self.assertGreaterEqual(node["Plan Rows"], 1)
        self.cur.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {q}")
        doc = self.cur.fetchone()[0]
        doc = json.loads(doc) if isinstance(doc, str) else doc
        self.assertGreaterEqual(doc[0]["Execution Time"], 0)
        for node in nodes(doc[0]["Plan"]):
            self.assertGreater(node["Actual Loops"], 0)
            self.assertGreaterEqual(node["Actual Startup Time"], 0)
            self.assertLessEqual(node["Actual Startup Time"], node["Actual Total Time"])
        scans = [n for n in nodes(doc[0]["Plan"]) if n["Node Type"] == "Seq Scan"]
        self.assertEqual(len(scans), 1)
        loops = scans[0]["Actual Loops"]
        self.assertAlmostEqual(scans[0]["Rows Removed by Filter"] * loops, 700, delta=loops / 2)
        self.assertAlmostEqual(scans[0]["Actual Rows"] * loops, 300, delta=loops / 2)
        self.cur.execute(f"EXPLAIN (ANALYZE, FORMAT XML) {q}")
        root = ElementTree.fromstring(self.cur.fetchone()[0])
        ns = "{http://www.postgresql.org/2009/explain}"
        plans = root.findall(f".//{ns}Plan")
        self.assertTrue(plans)
        for plan in plans:
            self.assertIsNotNone(plan.find(f"{ns}Total-Cost"))
            self.assertIsNotNone(plan.find(f"{ns}Actual-Total-Time"))

    def test_autocommit(self):
        self.conn.autocommit = True
        self.cur.execute(f"INSERT INTO {self.table} (name) VALUES ('auto')")
        self.assertEqual(self.conn.get_transaction_status(),
                         psycopg2.extensions.TRANSACTION_STATUS_IDLE)
        self.conn.autocommit = False

    def test_copy_in_and_out(self):
        # COPY text escapes (\N, \t) inside an array literal: the element holds a real tab.
        data = 'c1\t1\t\\N\nc2\t2\t{"tab\\there"}\n'
        self.cur.copy_expert(f"COPY {self.table} (name, n, tags) FROM STDIN", io.StringIO(data))
        self.cur.copy_from(io.StringIO("c3\t3\n"), self.table, columns=("name", "n"))
        out = io.StringIO()
        self.cur.copy_expert(f"COPY (SELECT name, n FROM {self.table} ORDER BY n) TO STDOUT "
                             "WITH (FORMAT csv, HEADER)", out)
        self.assertEqual(out.getvalue(), "name,n\nc1,1\nc2,2\nc3,3\n")
        self.cur.execute(f"SELECT tags FROM {self.table} WHERE name = 'c2'")
        self.assertEqual(self.cur.fetchone(), (["tab\there"],))

    def test_pg_cancel_backend(self):
        # A query another session runs is cancelled by its pid (57014 there); a pid that is no
        # backend gives false.
        other = connect()
        other.autocommit = True
        ocur = other.cursor()
        ocur.execute("SELECT pg_backend_pid()")
        pid = ocur.fetchone()[0]
        outcome = {}

        def sleep():
            try:
                ocur.execute("SELECT pg_sleep(60)")
                outcome["code"] = "finished"
            except psycopg2.Error as e:
                outcome["code"] = e.pgcode

        sleeper = threading.Thread(target=sleep)
        sleeper.start()
        self.conn.autocommit = True
        cancelled = False
        for _ in range(200):  # until the sleep has begun (the first try may come before it)
            time.sleep(0.05)
            self.cur.execute("SELECT pg_cancel_backend(%s)", (pid,))
            self.assertTrue(self.cur.fetchone()[0])
            if not sleeper.is_alive() or outcome:
                cancelled = True
                break
        sleeper.join(30)
        self.assertTrue(cancelled)
        self.assertEqual(outcome.get("code"), psycopg2.errorcodes.QUERY_CANCELED)
        ocur.execute("SELECT 1")  # the cancelled session goes on
        self.assertEqual(ocur.fetchone(), (1,))
        other.close()
        self.cur.execute("SELECT pg_cancel_backend(2147483647)")
        self.assertFalse(self.cur.fetchone()[0])
        self.conn.autocommit = False

    def _pid_of(self, conn):
        with conn.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            return cur.fetchone()[0]

    def _terminate(self, pid):
        self.conn.autocommit = True
        self.cur.execute("SELECT pg_terminate_backend(%s, 30000)", (pid,))
        self.assertTrue(self.cur.fetchone()[0])
        self.conn.autocommit = False

    def _assert_closed(self, conn, error):
        # psycopg2 reports a connection that ended as OperationalError (libpq drops the FATAL
        # when the socket closes right after it), and the connection is closed.
        self.assertIsInstance(error, psycopg2.OperationalError)
        self.assertNotEqual(conn.closed, 0)

    def _assert_fatal_57p01(self, raw):
        # What a client reading the wire sees: ErrorResponse FATAL 57P01, then end of stream.
        fields = raw.error()
        self.assertEqual((fields.get("S"), fields.get("C"), fields.get("M")),
                         ("FATAL", "57P01", "terminating connection due to administrator "
                                            "command"))
        self.assertTrue(raw.at_eof())
        raw.close()

    def _still_serving(self):
        fresh = connect()
        with fresh.cursor() as cur:
            cur.execute("SELECT 1")
            self.assertEqual(cur.fetchone(), (1,))
        fresh.close()

    def test_pg_terminate_backend_idle_session(self):
        raw = RawClient()
        self._terminate(raw.pid)  # waits until the backend is gone
        self._assert_fatal_57p01(raw)
        other = connect()
        other.autocommit = True
        self._terminate(self._pid_of(other))
        error = None
        try:
            other.cursor().execute("SELECT 1")
        except psycopg2.Error as e:
            error = e
        self._assert_closed(other, error)
        self._still_serving()
        self.cur.execute("SELECT pg_terminate_backend(2147483647)")
        self.assertFalse(self.cur.fetchone()[0])
        self.assertEqual(self.conn.notices[-1],
                         "WARNING:  PID 2147483647 is not a PostgreSQL backend process\n")
        self.conn.rollback()
        with self.assertRaises(psycopg2.Error) as neg:
            self.cur.execute("SELECT pg_terminate_backend(%s, -1)", (raw.pid,))
        self.assertEqual(neg.exception.pgcode, psycopg2.errorcodes.NUMERIC_VALUE_OUT_OF_RANGE)
        self.assertIn('"timeout" must not be negative', str(neg.exception))

    def _wait_running(self, pid, prefix):
        self.conn.autocommit = True
        for _ in range(600):  # until pg_stat_activity shows the statement running
            self.cur.execute("SELECT state, query FROM pg_stat_activity WHERE pid = %s", (pid,))
            row = self.cur.fetchone()
            if row is not None and row[0] == "active" and row[1].startswith(prefix):
                return
            time.sleep(0.05)
        self.fail(f"backend {pid} never ran {prefix}")

    def test_pg_terminate_backend_busy_session(self):
        raw = RawClient()
        raw.send_query("SELECT pg_sleep(60)")
        self._wait_running(raw.pid, "SELECT pg_sleep(60)")
        self._terminate(raw.pid)
        self._assert_fatal_57p01(raw)
        other = connect()
        other.autocommit = True
        pid = self._pid_of(other)
        outcome = {}

        def sleep():
            try:
                other.cursor().execute("SELECT pg_sleep(60)")
                outcome["error"] = None
            except psycopg2.Error as e:
                outcome["error"] = e

        sleeper = threading.Thread(target=sleep)
        sleeper.start()
        self._wait_running(pid, "SELECT pg_sleep(60)")
        self._terminate(pid)
        sleeper.join(30)
        self.assertFalse(sleeper.is_alive())
        self._assert_closed(other, outcome.get("error"))
        self._still_serving()

    def test_pg_terminate_backend_client_not_reading(self):
        # A backend blocked sending rows to a client that does not read ends all the same,
        # over TCP and over the Unix socket (where the server must cancel the waiting send).
        self.cur.execute("SHOW unix_socket_directories")
        socket_dir = self.cur.fetchone()[0].split(",")[0].strip()
        self.conn.rollback()
        for unix in (False, True):
            raw = RawClient(socket_dir if unix else None)
            raw.send_query("SELECT repeat('x', 1000) FROM generate_series(1, 100000)")
            self._wait_running(raw.pid, "SELECT repeat")
            time.sleep(0.5)  # lets the socket fill up (the test holds either way)
            self._terminate(raw.pid)
            raw.drain()  # whatever was sent, then the end of the stream
            raw.close()
        self._still_serving()

    def test_pg_terminate_backend_releases_row_locks(self):
        self.cur.execute(f"INSERT INTO {self.table} (name, n) VALUES ('locked', 1)")
        self.conn.commit()
        holder = connect()
        hcur = holder.cursor()
        hcur.execute(f"UPDATE {self.table} SET n = 100 WHERE name = 'locked'")  # idle in txn
        hpid = self._pid_of(holder)
        waiter = connect()
        waiter.autocommit = True
        wpid = self._pid_of(waiter)
        outcome = {}

        def update():
            try:
                with waiter.cursor() as wcur:
                    wcur.execute(f"UPDATE {self.table} SET n = n + 1 WHERE name = 'locked'")
                    outcome["rows"] = wcur.rowcount
            except psycopg2.Error as e:
                outcome["error"] = e

        blocked = threading.Thread(target=update)
        blocked.start()
        self._wait_running(wpid, "UPDATE")
        self.cur.execute("SELECT state FROM pg_stat_activity WHERE pid = %s", (hpid,))
        self.assertEqual(self.cur.fetchone(), ("idle in transaction",))
        self.assertTrue(blocked.is_alive())
        self._terminate(hpid)
        blocked.join(30)
        self.assertFalse(blocked.is_alive())
        self.assertEqual(outcome, {"rows": 1})
        self.cur.execute(f"SELECT n FROM {self.table} WHERE name = 'locked'")
        self.assertEqual(self.cur.fetchone(), (2,))  # the holder's update was rolled back
        error = None
        try:
            hcur.execute("SELECT 1")
        except psycopg2.Error as e:
            error = e
        self._assert_closed(holder, error)
        waiter.close()

    def test_pg_stat_activity_shows_other_sessions(self):
        other = connect()
        other.autocommit = False
        ocur = other.cursor()
        ocur.execute("SELECT 41 + 1")
        pid = self._pid_of(other)
        self.conn.autocommit = True
        self.cur.execute("SELECT datname, usename, state, query, backend_type, "
                         "wait_event_type, wait_event, xact_start IS NOT NULL, "
                         "backend_start <= now() FROM pg_stat_activity WHERE pid = %s", (pid,))
        cfg = common.config()
        self.assertEqual(self.cur.fetchone(),
                         (cfg["dbname"], cfg["user"], "idle in transaction",
                          "SELECT pg_backend_pid()", "client backend", "Client", "ClientRead",
                          True, True))
        if cfg["host"] == "127.0.0.1":  # TCP over IPv4 loopback: the address PostgreSQL shows
            self.cur.execute("SELECT client_addr, client_port > 0, inet_client_addr(), "
                             "inet_server_addr(), inet_server_port() = %s "
                             "FROM pg_stat_activity WHERE pid = %s", (cfg["port"], pid))
            self.assertEqual(self.cur.fetchone(),
                             ("127.0.0.1", True, "127.0.0.1", "127.0.0.1", True))
        other.rollback()
        self.cur.execute("SELECT state, xact_start FROM pg_stat_activity WHERE pid = %s", (pid,))
        self.assertEqual(self.cur.fetchone(), ("idle", None))
        self.cur.execute("SELECT state, query FROM pg_stat_activity WHERE pid = "
                         "pg_backend_pid()")
        self.assertEqual(self.cur.fetchone(),
                         ("active", "SELECT state, query FROM pg_stat_activity WHERE pid = "
                                    "pg_backend_pid()"))
        # A role that is not a member of the other session's user sees no details.
        role = f"e2e_pg2_watcher_{common.suffix()}"
        self.cur.execute(f"CREATE ROLE {role} LOGIN")
        try:
            kwargs = common.libpq_kwargs()
            kwargs["user"] = role
            kwargs.pop("password", None)
            watcher = psycopg2.connect(**kwargs)
            watcher.autocommit = True
            wcur = watcher.cursor()
            wcur.execute("SELECT usename, state, query, backend_type, client_port "
                         "FROM pg_stat_activity WHERE pid = %s", (pid,))
            self.assertEqual(wcur.fetchone(),
                             (cfg["user"], None, "<insufficient privilege>", None, None))
            wcur.execute("SELECT state, query FROM pg_stat_activity WHERE pid = "
                         "pg_backend_pid()")
            self.assertEqual(wcur.fetchone()[0], "active")
            with self.assertRaises(psycopg2.Error) as denied:
                wcur.execute("SELECT pg_terminate_backend(%s)", (pid,))
            self.assertEqual(denied.exception.pgcode,
                             psycopg2.errorcodes.INSUFFICIENT_PRIVILEGE)
            self.assertIn("must be a superuser to terminate superuser process",
                          str(denied.exception))
            watcher.close()
        finally:
            self.cur.execute(f"DROP ROLE {role}")
        other.close()
        self.conn.autocommit = False

    def test_row_values_and_json_of_rows(self):
        # A row value reads as record_out's text; row_to_json / json_agg of rows as JSON that
        # psycopg2 decodes (json and jsonb columns are parsed by default).
        with connect() as conn, conn.cursor() as cur:
            cur.execute(f"SELECT t, row_to_json(t) FROM (SELECT 1 AS id, 'a b' AS name, "
                        f"NULL::int AS n) t")
            self.assertEqual(cur.fetchone(), ('(1,"a b",)', {"id": 1, "name": "a b", "n": None}))
            cur.execute(f"SELECT json_agg(s ORDER BY k) FROM (SELECT k, k * 2 AS d "
                        f"FROM generate_series(1, 3) k) s")
            self.assertEqual(cur.fetchone()[0], [{"k": 1, "d": 2}, {"k": 2, "d": 4},
                                                 {"k": 3, "d": 6}])
            cur.execute("SELECT ROW(1, 'x'::text), pg_typeof(ROW(1, 2))::text")
            self.assertEqual(cur.fetchone(), ("(1,x)", "record"))
        conn.close()

    def test_composite_type_column_as_text(self):
        # A column of a CREATE TYPE ... AS (...) type reads as record_out's text; a value sent
        # as a literal string is read by record_in; COPY reads and writes the same text.
        sfx = common.suffix()
        typ, table = f"e2e_pg2_ct_{sfx}", f"e2e_pg2_ctt_{sfx}"
        with connect() as conn, conn.cursor() as cur:
            cur.execute(f"CREATE TYPE {typ} AS (a int, b text)")
            try:
                cur.execute(f"CREATE TABLE {table} (id int, c {typ})")
                cur.execute(f"INSERT INTO {table} VALUES (%s, %s), (%s, %s), (3, NULL)",
                            (1, '(1,"x y")', 2, "(,)"))
                cur.copy_from(io.StringIO('4\t(4,"q,r")\n'), table)
                cur.execute(f"SELECT c, (c).b FROM {table} ORDER BY id")
                self.assertEqual(cur.fetchall(), [('(1,"x y")', "x y"), ("(,)", None),
                                                  (None, None), ('(4,"q,r")', "q,r")])
                out = io.StringIO()
                cur.copy_expert(f"COPY (SELECT c FROM {table} ORDER BY id) TO STDOUT", out)
                self.assertEqual(out.getvalue(), '(1,"x y")\n(,)\n\\N\n(4,"q,r")\n')
            finally:
                conn.rollback()
        conn.close()

    def test_vector_when_the_server_has_it(self):
        self.cur.execute("SELECT typname, oid FROM pg_type WHERE oid IN (to_regtype('vector'), "
                         "to_regtype('_vector'))")
        types = dict(self.cur.fetchall())
        self.conn.rollback()
        if "vector" not in types:
            self.skipTest("the server has no vector type (plain PostgreSQL without pgvector)")
        table = f"e2e_pg2_vec_{common.suffix()}"
        self.cur.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, embedding vector(3))")
        self.cur.execute(f"INSERT INTO {table} VALUES (%s, %s), (%s, %s)",
                         (1, "[1,2,3]", 2, "[10,10,10]"))
        self.cur.execute(f"SELECT id, embedding::text FROM {table} "
                         "ORDER BY embedding <-> %s::vector LIMIT 1", ("[1,2,4]",))
        self.assertEqual(self.cur.fetchone(), (1, "[1,2,3]"))
        self.cur.execute(f"SELECT embedding FROM {table} WHERE id = 2")
        self.assertEqual(self.cur.description[0].type_code, types["vector"])
        self.conn.rollback()


class RawClient:
    """A client that speaks the protocol itself, to see exactly what the server sends when it
    ends a connection (libpq-based drivers hide a FATAL that is followed by the close)."""

    def __init__(self, unix_dir=None):
        cfg = common.config()
        if unix_dir is None:
            self.sock = socket.create_connection((cfg["host"], cfg["port"]), timeout=60)
        else:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(60)
            self.sock.connect(f"{unix_dir}/.s.PGSQL.{cfg['port']}")
        params = b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in
                          (("user", cfg["user"]), ("database", cfg["dbname"]))) + b"\0"
        self.sock.sendall(struct.pack("!ii", 8 + len(params), 196608) + params)
        self.pid = None
        while True:
            kind, body = self.read()
            if kind == b"R" and struct.unpack("!i", body[:4])[0] != 0:
                raise RuntimeError("the server asks for a password")
            if kind == b"K":
                self.pid = struct.unpack("!i", body[:4])[0]
            if kind == b"E":
                raise RuntimeError(body)
            if kind == b"Z":
                return

    def read_exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                return None
            data += chunk
        return data

    def read(self):
        head = self.read_exact(5)
        if head is None:
            return None, None
        return head[:1], self.read_exact(struct.unpack("!i", head[1:])[0] - 4)

    def send_query(self, sql):
        body = sql.encode() + b"\0"
        self.sock.sendall(b"Q" + struct.pack("!i", 4 + len(body)) + body)

    def error(self):
        """The fields of the next ErrorResponse (skipping other messages), {} at the end."""
        while True:
            kind, body = self.read()
            if kind is None:
                return {}
            if kind == b"E":
                return {chr(f[0]): f[1:].decode() for f in body.split(b"\0") if f}

    def drain(self):
        """Reads to the end of the stream."""
        while self.sock.recv(1 << 20):
            pass

    def at_eof(self):
        return self.read_exact(1) is None

    def close(self):
        self.sock.close()


if __name__ == "__main__":
    common.main()
