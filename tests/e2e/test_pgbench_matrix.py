#!/usr/bin/python3
"""test_pgbench_matrix.py: pgbench's query modes, checked for correct results.

`pgbench -i -s 1` loads the four tables once; then the default TPC-B-like script and the
select-only script (-S) run a fixed number of transactions (-t, so the runs are short and
their totals exact) on 4 clients with 2 threads in each of -M simple (Query), extended
(unnamed Parse/Bind/Execute) and prepared (named statements). Every run must process exactly
clients x transactions with 0 failed and nothing aborted. After every TPC-B run the money adds
up: each transaction adds the same delta to one account, one teller and one branch and logs
it in pgbench_history (which pgbench empties before each run), so the three balance sums stay
equal, each grew by sum(delta) of the run, and the history holds one row per transaction of
the run; the select-only runs change no balance. E2E_PGBENCH_TRANSACTIONS changes the 50 transactions per client. pgbench's table
names are fixed: two runs of this test must not share a database at the same time.
"""

import os
import re
import subprocess
import unittest

import e2e_common as common

TRANSACTIONS = int(os.environ.get("E2E_PGBENCH_TRANSACTIONS", "50"))
CLIENTS = 4


def run(program, *args, timeout_s=300):
    cfg = common.config()
    env = dict(os.environ, PGHOST=cfg["host"], PGPORT=str(cfg["port"]), PGUSER=cfg["user"],
               PGDATABASE=cfg["dbname"], PGCONNECT_TIMEOUT="10")
    if cfg["password"]:
        env["PGPASSWORD"] = cfg["password"]
    res = subprocess.run([program, *args], capture_output=True, text=True, env=env,
                         timeout=timeout_s)
    return res.returncode, res.stdout + res.stderr


def sums():
    """(accounts, tellers, branches, history) balance sums and the history row count."""
    code, out = run("psql", "-X", "-A", "-t", "-F", " ", "-c",
                    "SELECT (SELECT sum(abalance) FROM pgbench_accounts),"
                    " (SELECT sum(tbalance) FROM pgbench_tellers),"
                    " (SELECT sum(bbalance) FROM pgbench_branches),"
                    " (SELECT coalesce(sum(delta), 0) FROM pgbench_history),"
                    " (SELECT count(*) FROM pgbench_history)")
    if code != 0:
        raise AssertionError(out)
    return [int(v) for v in out.split()]


class PgbenchMatrixTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        code, out = run("pgbench", "-i", "-s", "1")
        if code != 0:
            raise AssertionError(f"pgbench -i -s 1 failed:\n{out}")

    @classmethod
    def tearDownClass(cls):
        run("pgbench", "-i", "-I", "d")

    def bench(self, mode, select_only):
        args = ["-M", mode, "-c", str(CLIENTS), "-j", "2", "-t", str(TRANSACTIONS)]
        code, out = run("pgbench", *(args + (["-S"] if select_only else [])))
        self.assertEqual(code, 0, out)
        self.assertIn(f"query mode: {mode}", out)
        processed = re.search(r"number of transactions actually processed: (\d+)/(\d+)", out)
        self.assertIsNotNone(processed, out)
        self.assertEqual(int(processed.group(1)), CLIENTS * TRANSACTIONS, out)
        self.assertEqual(int(processed.group(2)), CLIENTS * TRANSACTIONS, out)
        failed = re.search(r"number of failed transactions: (\d+)", out)
        self.assertIsNotNone(failed, out)
        self.assertEqual(int(failed.group(1)), 0, out)
        self.assertNotIn("aborted", out)
        self.assertNotIn("ERROR", out)

    def tpcb(self, mode):
        before = sums()
        self.bench(mode, select_only=False)
        accounts, tellers, branches, history, rows = sums()
        # pgbench empties pgbench_history before each run: it holds this run's transactions
        self.assertEqual(rows, CLIENTS * TRANSACTIONS)
        self.assertEqual(accounts - before[0], history)
        self.assertEqual(tellers - before[1], history)
        self.assertEqual(branches - before[2], history)
        self.assertEqual(accounts, tellers)
        self.assertEqual(tellers, branches)

    def select_only(self, mode):
        before = sums()
        self.bench(mode, select_only=True)
        after = sums()
        self.assertEqual(after[:3], before[:3])
        self.assertEqual(after[3:], [0, 0])

    # unittest runs the cases in name order.
    def test_1_tpcb_simple(self):
        self.tpcb("simple")

    def test_2_tpcb_extended(self):
        self.tpcb("extended")

    def test_3_tpcb_prepared(self):
        self.tpcb("prepared")

    def test_4_select_only_simple(self):
        self.select_only("simple")

    def test_5_select_only_extended(self):
        self.select_only("extended")

    def test_6_select_only_prepared(self):
        self.select_only("prepared")


if __name__ == "__main__":
    common.main()
