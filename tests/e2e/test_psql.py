#!/usr/bin/python3
"""test_psql.py: psql (PostgreSQL 15's) against the server: queries, the \\d family, \\copy.

Runs psql as a user would (-X, ON_ERROR_STOP) on tables of its own and checks what it prints:
query results, \\d/\\dt/\\d+/\\di/\\dn/\\du/\\l listing the expected names and column types (psql
builds these from pg_catalog queries, see captured/psql-describe.sql), and \\copy in and out
(COPY FROM STDIN / TO STDOUT, text and csv) round-tripping awkward values.
"""

import os
import subprocess
import tempfile
import unittest

import e2e_common as common


def psql(*args, stdin=None, check=True, unaligned=True):
    cfg = common.config()
    env = dict(os.environ, PGHOST=cfg["host"], PGPORT=str(cfg["port"]), PGUSER=cfg["user"],
               PGDATABASE=cfg["dbname"], PGCONNECT_TIMEOUT="10")
    if cfg["password"]:
        env["PGPASSWORD"] = cfg["password"]
    cmd = ["psql", "-X", "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose"]
    if unaligned:
        cmd.append("-A")
    res = subprocess.run(cmd + list(args), input=stdin, capture_output=True, text=True,
                         env=env, timeout=60)
    if check and res.returncode != 0:
        raise AssertionError(f"psql {args} exited {res.returncode}: {res.stderr}")
    return res


class PsqlTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sfx = common.suffix()
        cls.author = f"e2e_psql_author_{sfx}"
        cls.book = f"e2e_psql_book_{sfx}"
        cls.index = f"e2e_psql_book_title_{sfx}"
        cls.copy = f"e2e_psql_copy_{sfx}"
        psql("-c", f"""
            CREATE TABLE {cls.author} (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
            CREATE TABLE {cls.book} (id bigint PRIMARY KEY,
                author_id int NOT NULL REFERENCES {cls.author}(id),
                title varchar(200) NOT NULL, price numeric(8,2) DEFAULT 0,
                published timestamptz);
            CREATE INDEX {cls.index} ON {cls.book} (title);
            COMMENT ON TABLE {cls.book} IS 'e2e books';
            CREATE TABLE {cls.copy} (id int PRIMARY KEY, name text, score float8, note text);
            INSERT INTO {cls.author} (name) VALUES ('Ann'), ('Bob');
            INSERT INTO {cls.book} VALUES (1, 1, 'First', 9.50, '2001-02-03 04:05:06+00');
        """)

    @classmethod
    def tearDownClass(cls):
        psql("-c", f"DROP TABLE IF EXISTS {cls.book}, {cls.author}, {cls.copy}")

    def test_query_results(self):
        out = psql("-t", "-c", f"SELECT id, name FROM {self.author} ORDER BY id").stdout
        self.assertEqual(out.splitlines(), ["1|Ann", "2|Bob"])
        out = psql("-t", "-c", "SELECT 6 * 7, 'x' || 'y', NULL IS NULL").stdout
        self.assertEqual(out.strip(), "42|xy|t")

    def test_aligned_output_has_header_and_row_count(self):
        out = psql("-c", f"SELECT name FROM {self.author} ORDER BY 1", unaligned=False).stdout
        lines = [line.strip() for line in out.splitlines()]
        self.assertEqual(lines[0], "name")
        self.assertIn("Ann", lines)
        self.assertIn("(2 rows)", lines)

    def test_error_reports_sqlstate_and_stops(self):
        res = psql("-c", "SELECT * FROM e2e_no_such_table_xyz", check=False)
        self.assertEqual(res.returncode, 1)
        self.assertIn("42P01", res.stderr)
        self.assertIn('relation "e2e_no_such_table_xyz" does not exist', res.stderr)

    def test_backslash_d_lists_relations(self):
        out = psql("-c", "\\d").stdout
        self.assertIn(f"public|{self.author}|table|", out)
        self.assertIn(f"public|{self.author}_id_seq|sequence|", out)

    def test_backslash_dt_lists_tables_only(self):
        out = psql("-c", "\\dt").stdout
        self.assertIn(f"public|{self.author}|table|", out)
        self.assertIn(f"public|{self.book}|table|", out)
        self.assertNotIn(f"{self.author}_id_seq", out)

    def test_backslash_d_table_shows_columns_indexes_constraints(self):
        out = psql("-c", f"\\d {self.book}").stdout
        self.assertIn(f'Table "public.{self.book}"', out)
        self.assertIn("id|bigint||not null|", out)
        self.assertIn("author_id|integer||not null|", out)
        self.assertIn("title|character varying(200)||not null|", out)
        self.assertIn("price|numeric(8,2)|||0", out)
        self.assertIn("published|timestamp with time zone|||", out)
        self.assertIn(f'"{self.book}_pkey" PRIMARY KEY', out)
        self.assertIn(f'"{self.index}"', out)
        self.assertIn("(title)", out)
        self.assertIn("Foreign-key constraints:", out)
        self.assertIn(f"FOREIGN KEY (author_id) REFERENCES {self.author}(id)", out)

    def test_backslash_d_shows_expression_and_partial_indexes(self):
        # psql builds these lines from pg_get_indexdef(oid, 0, true) and the pretty
        # pg_get_expr: PostgreSQL 15's text exactly, CASE on lines of its own.
        table = f"e2e_psql_ixd_{common.suffix()}"
        psql("-c", f"""
            CREATE TABLE {table} (a int, b text, c int);
            CREATE INDEX {table}_e ON {table} ((a + 1)) WHERE c > 2 AND b IS NOT NULL;
            CREATE INDEX {table}_f ON {table} (lower(b), a) WHERE a IN (1, 2) OR b LIKE 'x%';
            CREATE INDEX {table}_c ON {table} ((CASE WHEN a > 0 THEN b ELSE 'n' END));
        """)
        try:
            out = psql("-c", f"\\d {table}", unaligned=False).stdout
            self.assertIn(f'"{table}_e" btree ((a + 1)) WHERE c > 2 AND b IS NOT NULL\n', out)
            self.assertIn(f'"{table}_f" btree (lower(b), a) WHERE (a = ANY (ARRAY[1, 2])) OR '
                          "b ~~ 'x%'::text\n", out)
            self.assertIn(f'"{table}_c" btree ((\nCASE\n    WHEN a > 0 THEN b\n'
                          "    ELSE 'n'::text\nEND))\n", out)
        finally:
            psql("-c", f"DROP TABLE {table}")

    def test_backslash_d_shows_serial_default_and_referencing_tables(self):
        out = psql("-c", f"\\d {self.author}").stdout
        self.assertIn(f"id|integer||not null|nextval('{self.author}_id_seq'::regclass)", out)
        self.assertIn(f'"{self.author}_name_key" UNIQUE CONSTRAINT', out)
        self.assertIn("Referenced by:", out)
        self.assertIn(f'TABLE "{self.book}" CONSTRAINT', out)

    def test_backslash_d_plus_adds_storage_and_comment(self):
        out = psql("-c", f"\\d+ {self.book}").stdout
        header = next(line for line in out.splitlines() if line.startswith("Column|"))
        self.assertIn("Storage", header)
        self.assertIn("Description", header)
        self.assertIn("title|character varying(200)||not null||extended|", out)
        self.assertIn("id|bigint||not null||plain|", out)
        out = psql("-c", "\\dt+").stdout
        self.assertIn("e2e books", out)

    def test_backslash_di_lists_indexes_with_their_table(self):
        out = psql("-c", "\\di").stdout
        self.assertIn(f"public|{self.index}|index|", out)
        self.assertIn(f"|{self.book}", out)
        self.assertIn(f"public|{self.book}_pkey|index|", out)

    def test_backslash_d_missing_relation_fails(self):
        res = psql("-c", "\\d e2e_no_such_table_xyz", check=False)
        self.assertIn('Did not find any relation named "e2e_no_such_table_xyz".', res.stderr)

    def test_backslash_dn_du_l(self):
        cfg = common.config()
        self.assertIn("public|", psql("-c", "\\dn").stdout)
        self.assertIn(f"{cfg['user']}|", psql("-c", "\\du").stdout)
        self.assertIn(f"{cfg['dbname']}|", psql("-c", "\\l").stdout)

    def test_backslash_dp_du_show_grants_and_membership(self):
        cfg = common.config()
        sfx = common.suffix()
        group, reader, table = f"e2e_grp_{sfx}", f"e2e_reader_{sfx}", f"e2e_priv_{sfx}"
        psql("-c", f"CREATE ROLE {group}", "-c", f"CREATE ROLE {reader} LOGIN",
             "-c", f"GRANT {group} TO {reader}", "-c", f"CREATE TABLE {table} (a int)",
             "-c", f"GRANT SELECT ON {table} TO {group}",
             "-c", f"GRANT INSERT ON {table} TO {reader} WITH GRANT OPTION")
        try:
            dp = psql("-c", f"\\dp {table}").stdout
            self.assertIn(f"{cfg['user']}=arwdDxt/{cfg['user']}", dp)
            self.assertIn(f"{group}=r/{cfg['user']}", dp)
            self.assertIn(f"{reader}=a*/{cfg['user']}", dp)
            du = psql("-c", f"\\du {reader}").stdout
            self.assertIn(f"{reader}||{{{group}}}", du)
            ok = psql("-c", f"SET ROLE {reader}", "-c", f"SELECT count(*) FROM {table}").stdout
            self.assertIn("count\n0", ok)
            psql("-c", f"REVOKE {group} FROM {reader}")
            res = psql("-c", f"SET ROLE {reader}", "-c", f"SELECT * FROM {table}", check=False)
            self.assertIn(f"42501: permission denied for table {table}", res.stderr)
        finally:
            psql("-c", f"DROP TABLE IF EXISTS {table}", "-c", f"DROP ROLE IF EXISTS {reader}",
                 "-c", f"DROP ROLE IF EXISTS {group}")

    def test_copy_text_round_trip(self):
        rows = ("1\tplain\t1.5\t\\N\n"
                "2\ttab\\there\t-2.25\tback\\\\slash\n"
                "3\tnew\\nline\t0\tunicode \u00e9\u4e2d\n")
        with tempfile.TemporaryDirectory() as tmp:
            src, dst = os.path.join(tmp, "in.txt"), os.path.join(tmp, "out.txt")
            with open(src, "w", encoding="utf-8") as f:
                f.write(rows)
            out = psql("-c", f"\\copy {self.copy} FROM '{src}'").stdout
            self.assertIn("COPY 3", out)
            psql("-c", f"\\copy (SELECT * FROM {self.copy} ORDER BY id) TO '{dst}'")
            with open(dst, encoding="utf-8") as f:
                self.assertEqual(f.read(), rows)
        out = psql("-t", "-c", f"SELECT name, note IS NULL FROM {self.copy} WHERE id = 2 "
                   "OR id = 1 ORDER BY id").stdout
        self.assertEqual(out.splitlines(), ["plain|t", "tab\there|f"])
        psql("-c", f"DELETE FROM {self.copy}")

    def test_copy_csv_with_header_and_stdin(self):
        data = "id,name,score,note\n10,\"comma, inside\",3.5,\n11,\"quote \"\"q\"\"\",4,x\n"
        out = psql("-c", f"\\copy {self.copy} FROM STDIN WITH (FORMAT csv, HEADER)",
                   stdin=data).stdout
        self.assertIn("COPY 2", out)
        out = psql("-c", f"\\copy (SELECT id, name, note FROM {self.copy} WHERE id >= 10 "
                   "ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)").stdout
        self.assertEqual(out, 'id,name,note\n10,"comma, inside",\n11,"quote ""q""",x\n')
        psql("-c", f"DELETE FROM {self.copy}")


if __name__ == "__main__":
    common.main()
