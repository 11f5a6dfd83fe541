#!/usr/bin/python3
"""test_asyncpg.py: asyncpg against the server.

asyncpg speaks the protocol itself: Parse of a named statement + Describe statement + Flush
(it needs ParameterDescription with the parameter types the server inferred), then Bind with
every parameter and result in binary, Execute, Sync; type introspection queries (WITH
RECURSIVE over pg_type) for types it does not know; binary COPY for copy_records_to_table;
portals with a row limit for cursors; a reset query when a pooled connection is released.
These tests check the values that come back through each of those paths, and set_type_codec
for json/jsonb and, when the server has the type, for vector (text codec; skipped on plain
PostgreSQL).
"""

import asyncio
import datetime
import decimal
import ipaddress
import json
import unittest
import uuid

import asyncpg

import e2e_common as common

ROW = ("O'Brien \u00e9\u4e2d", 2**40, 1.5, decimal.Decimal("-12.345"), b"\x00\x01\xff", True,
       datetime.date(1999, 12, 31),
       datetime.datetime(2001, 2, 3, 4, 5, 6, 789000, tzinfo=datetime.timezone.utc),
       uuid.UUID("12345678-1234-5678-1234-567812345678"), ["a", "b,c", None], [1, -2, 3],
       datetime.timedelta(days=1, seconds=3))
COLUMNS = "name, n, f, amount, data, flag, born, at, uid, tags, nums, span"


class AsyncpgTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self):
        self.conn = await asyncpg.connect(**common.asyncpg_kwargs())
        self.table = f"e2e_apg_items_{common.suffix()}"
        await self.conn.execute(f"""CREATE TABLE {self.table} (
            id serial PRIMARY KEY, name text UNIQUE, n int8, f float8, amount numeric(12,3),
            data bytea, flag bool, born date, at timestamptz, uid uuid, tags text[],
            nums int4[], span interval, doc jsonb)""")

    async def asyncTearDown(self):
        await self.conn.execute(f"DROP TABLE IF EXISTS {self.table}")
        await self.conn.close()

    async def test_binary_round_trip_of_common_types(self):
        marks = ", ".join(f"${i + 1}" for i in range(len(ROW)))
        new_id = await self.conn.fetchval(f"INSERT INTO {self.table} ({COLUMNS}) VALUES "
                                          f"({marks}) RETURNING id", *ROW)
        got = await self.conn.fetchrow(f"SELECT {COLUMNS} FROM {self.table} WHERE id = $1",
                                       new_id)
        self.assertEqual(tuple(got), ROW)
        self.assertEqual(got["name"], ROW[0])

    async def test_inet_binary_codec(self):
        # asyncpg reads and writes inet in binary (family, bits, is_cidr, length, address).
        got = await self.conn.fetchrow("SELECT '10.0.0.0/8'::inet AS n, '::1'::inet AS h, "
                                       "'2001:db8::5/32'::inet AS v6, $1::inet::text AS t",
                                       ipaddress.ip_address("192.168.1.5"))
        self.assertEqual(dict(got), {"n": ipaddress.ip_interface("10.0.0.0/8"),
                                     "h": ipaddress.ip_address("::1"),
                                     "v6": ipaddress.ip_interface("2001:db8::5/32"),
                                     "t": "192.168.1.5/32"})
        if common.config()["host"] == "127.0.0.1":  # TCP over IPv4 loopback
            self.assertEqual(await self.conn.fetchval("SELECT inet_client_addr()"),
                             ipaddress.ip_address("127.0.0.1"))

    async def test_cidr_and_inet_arrays_binary_codec(self):
        # asyncpg reads cidr as ip_network (is_cidr set on the wire) and sends it in binary;
        # inet[] / cidr[] go through the array binary format with those element codecs.
        got = await self.conn.fetchrow(
            "SELECT '10/8'::cidr AS c, '2001:db8::/32'::cidr AS c6, $1::cidr::text AS t, "
            "'{10.1.2.3,::1/64}'::inet[] AS ia, $2::cidr[] AS ca, "
            "$1::cidr >> '10.1.2.3'::inet AS sup, network($3::inet) AS net",
            ipaddress.ip_network("10.0.0.0/8"),
            [ipaddress.ip_network("192.168.0.0/16"), None],
            ipaddress.ip_interface("10.1.2.3/24"))
        self.assertEqual(dict(got), {
            "c": ipaddress.ip_network("10.0.0.0/8"),
            "c6": ipaddress.ip_network("2001:db8::/32"),
            "t": "10.0.0.0/8",
            "ia": [ipaddress.ip_address("10.1.2.3"), ipaddress.ip_interface("::1/64")],
            "ca": [ipaddress.ip_network("192.168.0.0/16"), None],
            "sup": True,
            "net": ipaddress.ip_network("10.1.2.0/24")})

    async def test_bit_binary_codec(self):
        # asyncpg reads and writes bit / varbit in binary (bit length, then the bytes) as
        # asyncpg.BitString; a round trip through a bit(n) and a varbit(n) column.
        bs = asyncpg.BitString
        got = await self.conn.fetchrow("SELECT B'101'::bit(3) AS a, X'1F'::varbit AS b, "
                                       "''::varbit AS e, $1::varbit(12) AS p, "
                                       "($2::bit(9) & B'111100000')::text AS t",
                                       bs("1011000011"), bs("101010101"))
        self.assertEqual(dict(got), {"a": bs("101"), "b": bs("00011111"), "e": bs(""),
                                     "p": bs("1011000011"), "t": "101000000"})
        await self.conn.execute("CREATE TEMP TABLE e2e_bits (a bit(4), b varbit(10))")
        await self.conn.execute("INSERT INTO e2e_bits VALUES ($1, $2)", bs("0110"),
                                bs("1111111110"))
        self.assertEqual(tuple(await self.conn.fetchrow("SELECT a, b FROM e2e_bits")),
                         (bs("0110"), bs("1111111110")))
        with self.assertRaises(asyncpg.exceptions.StringDataLengthMismatchError):
            await self.conn.execute("INSERT INTO e2e_bits (a) VALUES ($1)", bs("011"))
        await self.conn.execute("DROP TABLE e2e_bits")

    async def test_range_binary_codec(self):
        # asyncpg introspects int4range (pg_type, pg_range) and reads and writes ranges in
        # binary (flags, then each bound's length and binary form) as asyncpg.Range.
        rg = asyncpg.Range
        got = await self.conn.fetchrow(
            "SELECT int4range(1,5) AS a, int4range(1,5,'[]') AS b, 'empty'::int8range AS e, "
            "numrange(NULL, 2.5) AS n, daterange('2020-01-01','2020-01-31','[]') AS d, "
            "$1::int4range @> 3 AS c", rg(2, 8))
        self.assertEqual(dict(got), {
            "a": rg(1, 5), "b": rg(1, 6), "e": rg(empty=True),
            "n": rg(None, decimal.Decimal("2.5")),
            "d": rg(datetime.date(2020, 1, 1), datetime.date(2020, 2, 1)), "c": True})
        await self.conn.execute("CREATE TEMP TABLE e2e_ranges (id int, seats int4range, "
                                "during tstzrange)")
        at = datetime.datetime(2020, 1, 1, 10, tzinfo=datetime.timezone.utc)
        during = rg(at, at + datetime.timedelta(hours=2), upper_inc=True)
        await self.conn.executemany("INSERT INTO e2e_ranges VALUES ($1, $2, $3)", [
            (1, rg(1, 4, upper_inc=True), during), (2, rg(empty=True), None),
            (3, rg(None, 3), rg(at, None))])
        rows = await self.conn.fetch("SELECT id, seats, during FROM e2e_ranges ORDER BY seats")
        self.assertEqual([tuple(r) for r in rows], [
            (2, rg(empty=True), None), (3, rg(None, 3), rg(at, None)), (1, rg(1, 5), during)])
        self.assertEqual(await self.conn.fetchval(
            "SELECT id FROM e2e_ranges WHERE during && $1", rg(at, at)), None)
        self.assertEqual(await self.conn.fetchval(
            "SELECT array_agg(id ORDER BY id) FROM e2e_ranges WHERE during @> $1::timestamptz",
            at + datetime.timedelta(hours=1)), [1, 3])
        with self.assertRaises(asyncpg.exceptions.DataError):
            await self.conn.fetchval("SELECT $1::int4range", rg(5, 1))
        await self.conn.execute("DROP TABLE e2e_ranges")

    async def test_fetch_nulls_and_expressions(self):
        got = await self.conn.fetchrow("SELECT $1::int4 + 1 AS x, $2::text IS NULL AS n, "
                                       "NULL::int8 AS z", 41, None)
        self.assertEqual(dict(got), {"x": 42, "n": True, "z": None})
        self.assertEqual(await self.conn.fetchval("SELECT 'a' || $1", "b"), "ab")

    async def test_executemany_and_fetch(self):
        await self.conn.executemany(f"INSERT INTO {self.table} (name, n) VALUES ($1, $2)",
                                    [(f"m{i}", i) for i in range(100)])
        rows = await self.conn.fetch(f"SELECT n FROM {self.table} WHERE n < $1 ORDER BY n", 5)
        self.assertEqual([r["n"] for r in rows], [0, 1, 2, 3, 4])

    async def test_copy_records_to_table_binary(self):
        records = [(f"r{i}", i, None if i % 7 == 0 else i / 4) for i in range(1000)]
        result = await self.conn.copy_records_to_table(self.table, records=records,
                                                       columns=["name", "n", "f"])
        self.assertEqual(result, "COPY 1000")
        got = await self.conn.fetchrow(f"SELECT count(*), sum(n), count(f) FROM {self.table}")
        self.assertEqual(tuple(got), (1000, sum(range(1000)), 1000 - 143))
        out = []

        async def sink(chunk):
            out.append(chunk)
        await self.conn.copy_from_query(f"SELECT name, n FROM {self.table} WHERE n < 3 "
                                        "ORDER BY n", output=sink, format="csv")
        self.assertEqual(b"".join(out), b"r0,0\nr1,1\nr2,2\n")

    async def test_prepared_statement(self):
        await self.conn.executemany(f"INSERT INTO {self.table} (name, n) VALUES ($1, $2)",
                                    [("a", 1), ("b", 2), ("c", 3)])
        stmt = await self.conn.prepare(f"SELECT name FROM {self.table} WHERE n > $1 ORDER BY n")
        self.assertEqual([t.name for t in stmt.get_parameters()], ["int8"])
        self.assertEqual([(a.name, a.type.name) for a in stmt.get_attributes()],
                         [("name", "text")])
        self.assertEqual([r[0] for r in await stmt.fetch(1)], ["b", "c"])
        self.assertEqual([r[0] for r in await stmt.fetch(2)], ["c"])
        self.assertEqual(await stmt.fetchval(0), "a")

    async def test_transactions(self):
        async with self.conn.transaction():
            await self.conn.execute(f"INSERT INTO {self.table} (name) VALUES ('kept')")
            with self.assertRaises(asyncpg.UniqueViolationError):
                async with self.conn.transaction():  # a SAVEPOINT
                    await self.conn.execute(f"INSERT INTO {self.table} (name) VALUES ('kept')")
        with self.assertRaises(RuntimeError):
            async with self.conn.transaction(isolation="repeatable_read"):
                await self.conn.execute(f"INSERT INTO {self.table} (name) VALUES ('gone')")
                raise RuntimeError("roll back")
        names = await self.conn.fetch(f"SELECT name FROM {self.table}")
        self.assertEqual([r[0] for r in names], ["kept"])

    async def test_errors_carry_sqlstate(self):
        with self.assertRaises(asyncpg.UndefinedTableError) as ctx:
            await self.conn.fetch("SELECT * FROM e2e_no_such_table_xyz")
        self.assertEqual(ctx.exception.sqlstate, "42P01")
        with self.assertRaises(asyncpg.DivisionByZeroError):
            await self.conn.fetchval("SELECT 1 / $1::int", 0)
        self.assertEqual(await self.conn.fetchval("SELECT 1"), 1)

    async def test_cursor_in_transaction(self):
        await self.conn.executemany(f"INSERT INTO {self.table} (name, n) VALUES ($1, $2)",
                                    [(f"c{i}", i) for i in range(50)])
        async with self.conn.transaction():
            got = [r["n"] async for r in self.conn.cursor(
                f"SELECT n FROM {self.table} ORDER BY n", prefetch=7)]
            self.assertEqual(got, list(range(50)))
            cur = await self.conn.cursor(f"SELECT n FROM {self.table} ORDER BY n")
            self.assertEqual([r[0] for r in await cur.fetch(3)], [0, 1, 2])
            self.assertEqual((await cur.fetchrow())[0], 3)

    async def test_json_codecs(self):
        for typename in ("json", "jsonb"):
            await self.conn.set_type_codec(typename, schema="pg_catalog", encoder=json.dumps,
                                           decoder=json.loads, format="text")
        doc = {"k": [1, "two", None], "n": {"x": 1.5}}
        await self.conn.execute(f"INSERT INTO {self.table} (name, doc) VALUES ('j', $1)", doc)
        self.assertEqual(await self.conn.fetchval(f"SELECT doc FROM {self.table}"), doc)
        self.assertEqual(await self.conn.fetchval("SELECT $1::json", [1, 2]), [1, 2])

    async def test_vector_text_codec_when_the_server_has_it(self):
        exists = await self.conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n "
            "ON n.oid = t.typnamespace WHERE t.typname = 'vector' AND n.nspname = 'public')")
        if not exists:
            self.skipTest("the server has no vector type (plain PostgreSQL without pgvector)")
        await self.conn.set_type_codec("vector", schema="public", encoder=str, decoder=str,
                                       format="text")
        table = f"e2e_apg_vec_{common.suffix()}"
        await self.conn.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, "
                                "embedding vector(3))")
        try:
            await self.conn.executemany(f"INSERT INTO {table} VALUES ($1, $2)",
                                        [(1, "[1,2,3]"), (2, "[10,10,10]")])
            got = await self.conn.fetchrow(f"SELECT id, embedding FROM {table} "
                                           "ORDER BY embedding <-> $1 LIMIT 1", "[1,2,4]")
            self.assertEqual(tuple(got), (1, "[1,2,3]"))
        finally:
            await self.conn.execute(f"DROP TABLE {table}")

    async def test_domain_column_prepared_and_simple(self):
        # A column declared with a domain: values go in and come back as the base type over
        # both protocols, and the domain's CHECK and NOT NULL reject bad values with their
        # SQLSTATEs (23514, 23502) through prepared statements too.
        sfx = common.suffix()
        dom, table = f"e2e_apg_pos_{sfx}", f"e2e_apg_dom_{sfx}"
        await self.conn.execute(f"CREATE DOMAIN {dom} AS int NOT NULL CHECK (VALUE > 0)")
        try:
            await self.conn.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, v {dom}, "
                                    f"w {dom})")
            await self.conn.execute(f"INSERT INTO {table} VALUES (1, 10, 11)")  # simple
            await self.conn.execute(f"INSERT INTO {table} VALUES ($1, $2, $3)", 2, 20, 21)
            stmt = await self.conn.prepare(f"INSERT INTO {table} VALUES ($1, $2, $3)")
            await stmt.fetch(3, 30, 31)
            rows = await self.conn.fetch(f"SELECT id, v, w, v + w AS s FROM {table} "
                                         "WHERE v > $1 ORDER BY id", 5)
            self.assertEqual([tuple(r) for r in rows],
                             [(1, 10, 11, 21), (2, 20, 21, 41), (3, 30, 31, 61)])
            simple = await self.conn.fetch(f"SELECT v FROM {table} ORDER BY id")
            self.assertEqual([r["v"] for r in simple], [10, 20, 30])
            self.assertEqual(await self.conn.fetchval(f"SELECT $1::int::{dom}", 7), 7)
            with self.assertRaises(asyncpg.CheckViolationError):
                await stmt.fetch(4, -1, 1)
            with self.assertRaises(asyncpg.NotNullViolationError):
                await self.conn.execute(f"INSERT INTO {table} VALUES ($1, $2, 1)", 5, None)
            with self.assertRaises(asyncpg.CheckViolationError):
                await self.conn.execute(f"UPDATE {table} SET w = 0 WHERE id = 1")
            self.assertEqual(await self.conn.fetchval(f"SELECT count(*) FROM {table}"), 3)
        finally:
            await self.conn.execute(f"DROP TABLE IF EXISTS {table}")
            await self.conn.execute(f"DROP DOMAIN {dom}")


    async def test_row_values_binary_and_json_agg(self):
        # Composite values come back in binary (record_send): a table's row type is decoded
        # through asyncpg's introspection of its columns, an anonymous record by the OIDs in
        # the value; json_agg of rows is the JSON text PostgreSQL prints.
        table = f"e2e_apg_rows_{common.suffix()}"
        await self.conn.execute(f"CREATE TABLE {table} (a int, b text, c float8)")
        try:
            await self.conn.execute(f"INSERT INTO {table} VALUES (1, 'x y', 1.5), (2, NULL, NULL)")
            rows = await self.conn.fetch(f"SELECT t FROM {table} t ORDER BY a")
            self.assertEqual([tuple(r["t"]) for r in rows], [(1, "x y", 1.5), (2, None, None)])
            self.assertEqual(rows[0]["t"]["b"], "x y")
            rec = await self.conn.fetchval("SELECT ROW(1, 'a'::text, NULL::int)")
            self.assertEqual(tuple(rec), (1, "a", None))
            got = await self.conn.fetchval(
                f"SELECT json_agg(s ORDER BY a) FROM (SELECT a, b FROM {table}) s")
            self.assertEqual(json.loads(got), [{"a": 1, "b": "x y"}, {"a": 2, "b": None}])
            got = await self.conn.fetchval(
                f"SELECT to_jsonb(t) - 'c' FROM {table} t WHERE a = $1", 1)
            self.assertEqual(json.loads(got), {"a": 1, "b": "x y"})
        finally:
            await self.conn.execute(f"DROP TABLE IF EXISTS {table}")

    async def test_enum_introspected_and_round_trips(self):
        # asyncpg learns an unknown type through its introspection query over pg_type (typtype
        # 'e'), then sends and reads enum values in binary: the label's bytes.
        mood = f"e2e_apg_mood_{common.suffix()}"
        table = f"e2e_apg_enum_{common.suffix()}"
        await self.conn.execute(f"CREATE TYPE {mood} AS ENUM ('sad', 'ok', 'happy')")
        try:
            await self.conn.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, m {mood}, "
                                    f"ms {mood}[])")
            await self.conn.executemany(f"INSERT INTO {table} VALUES ($1, $2, $3)",
                                        [(1, "happy", ["ok", "sad"]), (2, "sad", None),
                                         (3, "ok", [])])
            rows = await self.conn.fetch(f"SELECT id, m, ms FROM {table} WHERE m >= $1 "
                                         "ORDER BY m", "ok")
            self.assertEqual([tuple(r) for r in rows], [(3, "ok", []),
                                                      (1, "happy", ["ok", "sad"])])
            stmt = await self.conn.prepare(f"SELECT m FROM {table} WHERE m = $1")
            self.assertEqual([t.name for t in stmt.get_parameters()], [mood])
            self.assertEqual(await stmt.fetchval("sad"), "sad")
            with self.assertRaises(asyncpg.InvalidTextRepresentationError):
                await stmt.fetchval("angry")
            self.assertEqual(await self.conn.fetchval(f"SELECT enum_range(NULL::{mood})"),
                             ["sad", "ok", "happy"])
        finally:
            await self.conn.execute(f"DROP TABLE IF EXISTS {table}")
            await self.conn.execute(f"DROP TYPE {mood}")
    async def test_composite_type_column(self):
        # A column of a CREATE TYPE ... AS (...) type: asyncpg learns its attributes by its
        # introspection query, decodes values (record_send) as Records, NULL composites as
        # None, and encodes a tuple parameter of the type (record_recv); SET c.f = v updates
        # one field; DROP TYPE of the type in use is 2BP01.
        sfx = common.suffix()
        typ, table = f"e2e_apg_ct_{sfx}", f"e2e_apg_ctt_{sfx}"
        await self.conn.execute(f"CREATE TYPE {typ} AS (a int, b text, n numeric)")
        try:
            await self.conn.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, c {typ})")
            await self.conn.execute(f"INSERT INTO {table} VALUES (1, ROW(1, 'x', 1.5)), "
                                    "(2, NULL), (3, ROW(NULL, NULL, NULL))")
            await self.conn.execute(f"INSERT INTO {table} VALUES ($1, $2)", 4, (4, "z", None))
            await self.conn.execute(f"UPDATE {table} SET c.b = $1 WHERE id = 1", "y")
            rows = await self.conn.fetch(f"SELECT id, c, (c).b AS b FROM {table} ORDER BY id")
            self.assertEqual([None if r["c"] is None else tuple(r["c"]) for r in rows],
                             [(1, "y", decimal.Decimal("1.5")), None, (None, None, None),
                              (4, "z", None)])
            self.assertEqual(rows[0]["c"]["b"], "y")
            self.assertEqual([r["b"] for r in rows], ["y", None, None, "z"])
            got = await self.conn.fetchval(f"SELECT id FROM {table} WHERE c = $1::{typ}",
                                         (4, "z", None))
            self.assertEqual(got, 4)
            with self.assertRaises(asyncpg.DependentObjectsStillExistError):
                await self.conn.execute(f"DROP TYPE {typ}")
        finally:
            await self.conn.execute(f"DROP TABLE IF EXISTS {table}")
            await self.conn.execute(f"DROP TYPE IF EXISTS {typ}")


class AsyncpgPoolTest(unittest.IsolatedAsyncioTestCase):
    async def test_pool_acquire_release_and_concurrency(self):
        pool = await asyncpg.create_pool(**common.asyncpg_kwargs(), min_size=1, max_size=3)
        try:
            async with pool.acquire() as conn:
                await conn.execute("SET application_name = 'e2e_pool'")
            # The reset on release (RESET ALL ...) must have undone the SET.
            async with pool.acquire() as conn:
                name = await conn.fetchval("SHOW application_name")
                self.assertNotEqual(name, "e2e_pool")

            async def one(i):
                return await pool.fetchval("SELECT $1::int * 2", i)
            got = await asyncio.gather(*(one(i) for i in range(12)))
            self.assertEqual(got, [i * 2 for i in range(12)])
        finally:
            await pool.close()


if __name__ == "__main__":
    common.main()
