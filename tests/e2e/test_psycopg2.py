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
import threading
import time
import unittest
import uuid

import psycopg2
import psycopg2.errorcodes
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

    def test_null_and_named_parameters(self):
        self.cur.execute("SELECT %(a)s::int IS NULL, %(b)s::text", {"a": None, "b": "x"})
        self.assertEqual(self.cur.fetchone(), (True, "x"))

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


if __name__ == "__main__":
    common.main()
