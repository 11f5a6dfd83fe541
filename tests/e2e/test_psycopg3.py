#!/usr/bin/python3
"""test_psycopg3.py: psycopg 3 (sync and async) against the server.

psycopg 3 binds parameters on the server (extended protocol: Parse/Bind/Describe/Execute/Sync),
sends numbers, bytea, dates, timestamps, uuid and bool in binary even for %s, all values in
binary for %b, asks for binary results with binary cursors, prepares a statement after 5
executions (prepare_threshold), runs executemany in pipeline mode, uses SAVEPOINTs for nested
transactions, DECLARE/FETCH for named cursors and COPY in text and binary. These tests check
each path returns the right values, plus TypeInfo.fetch (what pgvector's register_vector uses)
and the vector type when the server has one (skipped on plain PostgreSQL).
"""

import asyncio
import datetime
import decimal
import unittest
import uuid

import psycopg
from psycopg.types import TypeInfo
from psycopg.types.json import Jsonb
from psycopg.types.range import Range

import e2e_common as common

ROW = ("O'Brien \\ \u00e9\u4e2d", 2**40, 1.5, decimal.Decimal("-12.345"), b"\x00\x01\xff",
       True, datetime.date(1999, 12, 31),
       datetime.datetime(2001, 2, 3, 4, 5, 6, 789000, tzinfo=datetime.timezone.utc),
       uuid.UUID("12345678-1234-5678-1234-567812345678"), ["a", "b,c", None], [1, -2, 3])
COLUMNS = "name, n, f, amount, data, flag, born, at, uid, tags, nums"


def connect(**kwargs):
    return psycopg.connect(**common.libpq_kwargs(), **kwargs)


class Psycopg3SyncTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.table = f"e2e_pg3_items_{common.suffix()}"
        with connect(autocommit=True) as conn:
            conn.execute(f"""CREATE TABLE {cls.table} (
                id serial PRIMARY KEY, name text UNIQUE, n int8, f float8, amount numeric(12,3),
                data bytea, flag bool, born date, at timestamptz, uid uuid, tags text[],
                nums int4[], doc jsonb)""")

    @classmethod
    def tearDownClass(cls):
        with connect(autocommit=True) as conn:
            conn.execute(f"DROP TABLE IF EXISTS {cls.table}")

    def setUp(self):
        self.conn = connect()

    def tearDown(self):
        self.conn.rollback()
        self.conn.execute(f"DELETE FROM {self.table}")
        self.conn.commit()
        self.conn.close()

    def insert_and_read(self, placeholder, binary_results):
        marks = ", ".join([placeholder] * len(ROW))
        new_id = self.conn.execute(f"INSERT INTO {self.table} ({COLUMNS}) VALUES ({marks}) "
                                   "RETURNING id", ROW).fetchone()[0]
        with self.conn.cursor(binary=binary_results) as cur:
            cur.execute(f"SELECT {COLUMNS} FROM {self.table} WHERE id = {placeholder}", (new_id,))
            got = cur.fetchone()
            self.assertEqual(cur.description[1].type_code, 20)  # int8
        self.assertEqual(got, ROW)

    def test_connection_info(self):
        info = self.conn.info
        self.assertEqual(info.encoding, "utf-8")
        self.assertGreater(info.server_version, 0)
        self.assertEqual(info.transaction_status, psycopg.pq.TransactionStatus.IDLE)

    def test_text_parameters_text_results(self):
        self.insert_and_read("%s", binary_results=False)

    def test_binary_parameters_binary_results(self):
        self.insert_and_read("%b", binary_results=True)

    def test_jsonb_and_null(self):
        self.conn.execute(f"INSERT INTO {self.table} (name, doc, n) VALUES (%s, %s, %s)",
                          ("j", Jsonb({"k": [1, "two", None]}), None))
        for binary in (False, True):
            with self.conn.cursor(binary=binary) as cur:
                cur.execute(f"SELECT doc, n FROM {self.table} WHERE name = %s", ("j",))
                self.assertEqual(cur.fetchone(), ({"k": [1, "two", None]}, None))

    def test_prepared_after_threshold(self):
        self.conn.prepare_threshold = 2
        self.conn.execute(f"INSERT INTO {self.table} (name, n) VALUES ('p', 7)")
        for _ in range(5):
            got = self.conn.execute(f"SELECT n FROM {self.table} WHERE name = %s", ("p",))
            self.assertEqual(got.fetchall(), [(7,)])
        got = self.conn.execute(f"SELECT n + %s FROM {self.table}", (1,), prepare=True)
        self.assertEqual(got.fetchone(), (8,))

    def test_executemany_pipeline(self):
        with self.conn.cursor() as cur:
            cur.executemany(f"INSERT INTO {self.table} (name, n) VALUES (%s, %s)",
                            [(f"m{i}", i) for i in range(50)])
            cur.executemany(f"INSERT INTO {self.table} (name, n) VALUES (%s, %s) RETURNING n",
                            [("r1", 100), ("r2", 200)], returning=True)
            self.assertEqual(cur.fetchone(), (100,))
            self.assertTrue(cur.nextset())
            self.assertEqual(cur.fetchone(), (200,))
        got = self.conn.execute(f"SELECT count(*), sum(n) FROM {self.table}").fetchone()
        self.assertEqual(got, (52, sum(range(50)) + 300))

    def test_transactions_and_savepoints(self):
        self.conn.autocommit = True
        with self.conn.transaction():
            self.conn.execute(f"INSERT INTO {self.table} (name) VALUES ('outer')")
            with self.assertRaises(psycopg.errors.UniqueViolation):
                with self.conn.transaction():
                    self.conn.execute(f"INSERT INTO {self.table} (name) VALUES ('inner')")
                    self.conn.execute(f"INSERT INTO {self.table} (name) VALUES ('outer')")
        names = self.conn.execute(f"SELECT name FROM {self.table}").fetchall()
        self.assertEqual(names, [("outer",)])
        with self.assertRaises(psycopg.errors.DivisionByZero):
            with self.conn.transaction():
                self.conn.execute(f"INSERT INTO {self.table} (name) VALUES ('gone')")
                self.conn.execute("SELECT 1 / 0")
        self.assertEqual(self.conn.execute(f"SELECT count(*) FROM {self.table}").fetchone(),
                         (1,))

    def test_error_sqlstate_and_recovery(self):
        with self.assertRaises(psycopg.errors.UndefinedTable) as ctx:
            self.conn.execute("SELECT * FROM e2e_no_such_table_xyz")
        self.assertEqual(ctx.exception.sqlstate, "42P01")
        with self.assertRaises(psycopg.errors.InFailedSqlTransaction):
            self.conn.execute("SELECT 1")
        self.conn.rollback()
        self.assertEqual(self.conn.execute("SELECT %s::int", (5,)).fetchone(), (5,))

    def test_server_side_cursor(self):
        with self.conn.cursor() as cur:
            cur.executemany(f"INSERT INTO {self.table} (name, n) VALUES (%s, %s)",
                            [(f"s{i}", i) for i in range(500)])
        for binary in (False, True):
            with self.conn.cursor(name=f"e2e_ssc_{int(binary)}", binary=binary) as cur:
                cur.itersize = 64
                cur.execute(f"SELECT n FROM {self.table} WHERE n >= %s ORDER BY n", (100,))
                self.assertEqual([row[0] for row in cur], list(range(100, 500)))

    def test_copy_text_and_binary_round_trip(self):
        rows = [("c1", 1, 0.5), ("tab\tand\nnewline", 2, None), ("c3", None, -1.25)]
        with self.conn.cursor() as cur:
            with cur.copy(f"COPY {self.table} (name, n, f) FROM STDIN") as copy:
                for row in rows[:2]:
                    copy.write_row(row)
            with cur.copy(f"COPY {self.table} (name, n, f) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(["text", "int8", "float8"])
                copy.write_row(rows[2])
            query = f"COPY (SELECT name, n, f FROM {self.table} ORDER BY id) TO STDOUT"
            with cur.copy(query) as copy:
                copy.set_types(["text", "int8", "float8"])
                self.assertEqual(list(copy.rows()), rows)
            with cur.copy(query + " (FORMAT BINARY)") as copy:
                copy.set_types(["text", "int8", "float8"])
                self.assertEqual(list(copy.rows()), rows)

    def test_type_info_fetch(self):
        info = TypeInfo.fetch(self.conn, "int4")
        self.assertEqual((info.oid, info.array_oid), (23, 1007))
        self.assertIsNone(TypeInfo.fetch(self.conn, "e2e_no_such_type_xyz"))
        self.conn.execute("SELECT 1")  # inside a transaction TypeInfo uses a SAVEPOINT
        self.assertEqual(TypeInfo.fetch(self.conn, "text").oid, 25)

    def test_range_types_text_and_binary(self):
        # psycopg's range adapters (psycopg.types.range.Range) in text and binary, with the
        # canonical [) form of discrete ranges and an empty range.
        table = f"e2e_pg3_ranges_{common.suffix()}"
        self.conn.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, seats int4range, "
                          "price numrange, days daterange, during tsrange)")
        row = (Range(1, 4, "[]"), Range(decimal.Decimal("9.5"), None),
               Range(datetime.date(2020, 1, 1), datetime.date(2020, 1, 3), "(]"),
               Range(datetime.datetime(2020, 1, 1, 10), datetime.datetime(2020, 1, 1, 12)))
        self.conn.execute(f"INSERT INTO {table} VALUES (1, %s, %s, %s, %s)", row)
        self.conn.execute(f"INSERT INTO {table} VALUES (2, %b, %b, %b, %b)",
                          (Range(empty=True), None, Range(None, None), row[3]))
        want1 = (Range(1, 5, "[)"), row[1],
                 Range(datetime.date(2020, 1, 2), datetime.date(2020, 1, 4), "[)"), row[3])
        want2 = (Range(empty=True), None, Range(None, None, "()"), row[3])
        for binary in (False, True):
            with self.conn.cursor(binary=binary) as cur:
                cur.execute(f"SELECT seats, price, days, during FROM {table} ORDER BY id")
                self.assertEqual(cur.fetchall(), [want1, want2])
        got = self.conn.execute(f"SELECT id FROM {table} WHERE seats @> %s::int4 "
                                "AND days && %s",
                                (4, Range(datetime.date(2020, 1, 3), None))).fetchall()
        self.assertEqual(got, [(1,)])
        with self.assertRaises(psycopg.errors.DataException):
            self.conn.execute("SELECT int4range(5, 1)")
        self.conn.rollback()

    def test_vector_when_the_server_has_it(self):
        info = TypeInfo.fetch(self.conn, "vector")
        if info is None:
            self.skipTest("the server has no vector type (plain PostgreSQL without pgvector)")
        table = f"e2e_pg3_vec_{common.suffix()}"
        self.conn.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, embedding vector(3))")
        self.conn.execute(f"INSERT INTO {table} VALUES (%s, %s::vector), (%s, %s::vector)",
                          (1, "[1,2,3]", 2, "[10,10,10]"))
        got = self.conn.execute(f"SELECT id, embedding::text FROM {table} ORDER BY embedding "
                                "<-> %s::vector LIMIT 1", ("[1,2,4]",)).fetchone()
        self.assertEqual(got, (1, "[1,2,3]"))
        self.conn.rollback()


class Psycopg3AsyncTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self):
        self.conn = await psycopg.AsyncConnection.connect(**common.libpq_kwargs())
        self.table = f"e2e_pg3a_items_{common.suffix()}"
        await self.conn.execute(f"CREATE TABLE {self.table} (id serial PRIMARY KEY, "
                                "name text UNIQUE, n int8, at timestamptz)")
        await self.conn.commit()

    async def asyncTearDown(self):
        await self.conn.rollback()
        await self.conn.execute(f"DROP TABLE IF EXISTS {self.table}")
        await self.conn.commit()
        await self.conn.close()

    async def test_parameters_text_and_binary(self):
        at = datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
        await self.conn.execute(f"INSERT INTO {self.table} (name, n, at) VALUES (%s, %s, %s)",
                                ("t", 1, at))
        await self.conn.execute(f"INSERT INTO {self.table} (name, n, at) VALUES (%b, %b, %b)",
                                ("b", 2, at))
        cur = await self.conn.execute(f"SELECT name, n, at FROM {self.table} ORDER BY n")
        self.assertEqual(await cur.fetchall(), [("t", 1, at), ("b", 2, at)])
        async with self.conn.cursor(binary=True) as bcur:
            await bcur.execute(f"SELECT name, n, at FROM {self.table} WHERE n = %s", (2,))
            self.assertEqual(await bcur.fetchall(), [("b", 2, at)])
        await self.conn.commit()

    async def test_transaction_rollback_and_executemany(self):
        async with self.conn.cursor() as cur:
            await cur.executemany(f"INSERT INTO {self.table} (name, n) VALUES (%s, %s)",
                                  [("a", 1), ("b", 2), ("c", 3)])
        await self.conn.commit()
        with self.assertRaises(psycopg.errors.UniqueViolation):
            async with self.conn.transaction():
                await self.conn.execute(f"INSERT INTO {self.table} (name) VALUES ('d')")
                await self.conn.execute(f"INSERT INTO {self.table} (name) VALUES ('a')")
        cur = await self.conn.execute(f"SELECT count(*), sum(n) FROM {self.table}")
        self.assertEqual(await cur.fetchone(), (3, 6))

    async def test_server_side_cursor(self):
        async with self.conn.cursor() as cur:
            await cur.executemany(f"INSERT INTO {self.table} (name, n) VALUES (%s, %s)",
                                  [(f"r{i}", i) for i in range(200)])
        async with self.conn.cursor(name="e2e_async_ssc") as scur:
            scur.itersize = 32
            await scur.execute(f"SELECT n FROM {self.table} ORDER BY n")
            self.assertEqual([row[0] async for row in scur], list(range(200)))
        await self.conn.commit()

    async def test_concurrent_connections(self):
        async def one(i):
            async with await psycopg.AsyncConnection.connect(**common.libpq_kwargs()) as conn:
                cur = await conn.execute("SELECT %s::int * 2", (i,))
                return (await cur.fetchone())[0]
        self.assertEqual(await asyncio.gather(*(one(i) for i in range(5))), [0, 2, 4, 6, 8])

    async def test_type_info_fetch_async(self):
        info = await TypeInfo.fetch(self.conn, "uuid")
        self.assertEqual((info.oid, info.array_oid), (2950, 2951))
        self.assertIsNone(await TypeInfo.fetch(self.conn, "e2e_no_such_type_xyz"))


if __name__ == "__main__":
    common.main()
