#!/usr/bin/python3
"""test_pgbench.py: pgbench (PostgreSQL 15's) against the server.

`pgbench -i -s 1` creates and fills pgbench's four tables (COPY FROM STDIN for 100000
accounts, VACUUM, ALTER TABLE ... ADD PRIMARY KEY); then the default TPC-B-like script (three
UPDATEs on contended rows, a SELECT, an INSERT in one transaction) and the select-only script
(-S) each run for 5 seconds on 4 clients in every query mode: simple (Query), extended
(unnamed Parse/Bind/Execute) and prepared (named statements). Each run must process
transactions and report 0 failed ones: under READ COMMITTED concurrent updates of the one
pgbench_branches row wait for each other, they do not fail. pgbench's table names are fixed,
so two runs of this test must not share a database at the same time. Tables are dropped at
the end (pgbench -i -I d). E2E_PGBENCH_SECONDS shortens or lengthens the runs.
"""

import os
import re
import subprocess
import unittest

import e2e_common as common

SECONDS = os.environ.get("E2E_PGBENCH_SECONDS", "5")


def pgbench(*args, timeout_s=120):
    cfg = common.config()
    env = dict(os.environ, PGHOST=cfg["host"], PGPORT=str(cfg["port"]), PGUSER=cfg["user"],
               PGDATABASE=cfg["dbname"], PGCONNECT_TIMEOUT="10")
    if cfg["password"]:
        env["PGPASSWORD"] = cfg["password"]
    res = subprocess.run(["pgbench", *args], capture_output=True, text=True, env=env,
                         timeout=timeout_s)
    return res.returncode, res.stdout + res.stderr


class PgbenchTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        code, out = pgbench("-i", "-s", "1")
        if code != 0:
            raise AssertionError(f"pgbench -i -s 1 failed:\n{out}")
        cls.init_output = out

    @classmethod
    def tearDownClass(cls):
        pgbench("-i", "-I", "d")

    def test_initialisation_steps_completed(self):
        out = self.init_output
        self.assertIn("100000 of 100000 tuples (100%) done", out)
        self.assertRegex(out, r"done in [0-9.]+ s \(drop tables [0-9.]+ s, create tables "
                              r"[0-9.]+ s, client-side generate [0-9.]+ s, vacuum [0-9.]+ s, "
                              r"primary keys [0-9.]+ s\)")

    def run_mode(self, mode, select_only):
        args = ["-M", mode, "-c", "4", "-T", SECONDS] + (["-S"] if select_only else [])
        code, out = pgbench(*args, timeout_s=int(SECONDS) + 120)
        self.assertEqual(code, 0, out)
        self.assertIn(f"query mode: {mode}", out)
        self.assertIn("number of clients: 4", out)
        processed = re.search(r"number of transactions actually processed: (\d+)", out)
        self.assertIsNotNone(processed, out)
        self.assertGreater(int(processed.group(1)), 0, out)
        failed = re.search(r"number of failed transactions: (\d+)", out)
        self.assertIsNotNone(failed, out)
        self.assertEqual(int(failed.group(1)), 0, out)
        self.assertNotIn("aborted", out)

    def test_default_script_simple(self):
        self.run_mode("simple", select_only=False)

    def test_default_script_extended(self):
        self.run_mode("extended", select_only=False)

    def test_default_script_prepared(self):
        self.run_mode("prepared", select_only=False)

    def test_select_only_simple(self):
        self.run_mode("simple", select_only=True)

    def test_select_only_extended(self):
        self.run_mode("extended", select_only=True)

    def test_select_only_prepared(self):
        self.run_mode("prepared", select_only=True)


if __name__ == "__main__":
    common.main()
