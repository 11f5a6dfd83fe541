#!/usr/bin/python3
"""param_experiments.py: which ParameterStatus values each client needs, found by experiment.

Runs a small probe of every client (connect, a parameterised query, a date and a timestamptz
round trip, and for psql/pgbench a catalog-reading command) through tests/e2e/pgproxy.py
while the proxy drops or rewrites one ParameterStatus the server sends (--set-param). A probe
that fails shows that the client depends on that value. Writes a table to stdout.

Usage: param_experiments.py --pg-port 55437 --proxy-port 55438
(run by capture-all after capture.py; needs the "capture" database with pgbench's tables.)
"""

import argparse
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
E2E = os.path.dirname(HERE)
PY = "/usr/bin/python3"

PROBE_PSYCOPG2 = """
import psycopg2, datetime, sys
c = psycopg2.connect(host='127.0.0.1', port=int(sys.argv[1]), user='postgres', dbname='capture')
cur = c.cursor()
cur.execute("SELECT %s::int + 1, '2001-02-03'::date, '2001-02-03 04:05:06+00'::timestamptz", (41,))
r = cur.fetchone()
assert r[0] == 42 and r[1] == datetime.date(2001, 2, 3), r
assert r[2].isoformat() == '2001-02-03T04:05:06+00:00', r[2]
"""
PROBE_PSYCOPG3 = """
import psycopg, datetime, sys
c = psycopg.connect(host='127.0.0.1', port=int(sys.argv[1]), user='postgres', dbname='capture')
r = c.execute("SELECT %s::int + 1, '2001-02-03'::date, '2001-02-03 04:05:06+00'::timestamptz, "
              "'1 day 02:00:00'::interval", (41,)).fetchone()
assert r[0] == 42 and r[1] == datetime.date(2001, 2, 3), r
assert r[2] == datetime.datetime(2001, 2, 3, 4, 5, 6, tzinfo=datetime.timezone.utc), r[2]
assert r[3] == datetime.timedelta(days=1, hours=2), r[3]
"""
PROBE_ASYNCPG = """
import asyncio, asyncpg, datetime, sys
async def main():
    c = await asyncpg.connect(host='127.0.0.1', port=int(sys.argv[1]), user='postgres',
                              database='capture')
    r = await c.fetchrow("SELECT $1::int + 1, '2001-02-03'::date", 41)
    assert r[0] == 42 and r[1] == datetime.date(2001, 2, 3), r
    await c.close()
asyncio.run(main())
"""
PROBE_SQLALCHEMY = """
import sqlalchemy as sa, sys
e = sa.create_engine(f'postgresql://postgres@127.0.0.1:{sys.argv[1]}/capture')
with e.connect() as c:
    assert c.execute(sa.text('SELECT :x + 1'), {'x': 41}).scalar() == 42
    assert sa.inspect(e).has_table('pgbench_accounts')
"""
PROBE_NODE = """
const pg = require(process.argv[1] + '/node_modules/pg');
(async () => {
  const c = new pg.Client({host: '127.0.0.1', port: Number(process.argv[2]), user: 'postgres',
                           database: 'capture'});
  await c.connect();
  const r = await c.query("SELECT $1::int + 1 AS x, '2001-02-03 04:05:06+00'::timestamptz AS t",
                          [41]);
  if (r.rows[0].x !== 42) throw new Error('bad ' + r.rows[0].x);
  if (r.rows[0].t.toISOString() !== '2001-02-03T04:05:06.000Z') throw new Error('bad t');
  await c.end();
})().catch((e) => { console.error(e.message); process.exit(1); });
"""


def probes(port):
    sport = str(port)
    psql = ["psql", "-X", "-h", "127.0.0.1", "-p", sport, "-U", "postgres", "-d", "capture",
            "-v", "ON_ERROR_STOP=1"]
    return {
        "psql": psql + ["-c", "select 1", "-c", "\\d pgbench_branches"],
        "pgbench": ["pgbench", "-S", "-t", "2", "-h", "127.0.0.1", "-p", sport, "-U",
                    "postgres", "capture"],
        "psycopg2": [PY, "-c", PROBE_PSYCOPG2, sport],
        "psycopg3": [PY, "-c", PROBE_PSYCOPG3, sport],
        "asyncpg": [PY, "-c", PROBE_ASYNCPG, sport],
        "sqlalchemy": [PY, "-c", PROBE_SQLALCHEMY, sport],
        "node-pg": ["node", "-e", PROBE_NODE, os.path.join(E2E, "node"), sport],
    }


EXPERIMENTS = [
    ("baseline (PostgreSQL 15 as is)", []),
    ("server_version='15.0 (Dreambase 0.1.0)'", ["server_version=15.0 (Dreambase 0.1.0)"]),
    ("server_version='0.1.0'", ["server_version=0.1.0"]),
    ("server_version='Dreambase 0.1.0'", ["server_version=Dreambase 0.1.0"]),
    ("no server_version", ["server_version=-"]),
    ("no client_encoding", ["client_encoding=-"]),
    ("client_encoding='SQL_ASCII'", ["client_encoding=SQL_ASCII"]),
    ("no server_encoding", ["server_encoding=-"]),
    ("no DateStyle", ["DateStyle=-"]),
    ("DateStyle='SQL, DMY' (reported only)", ["DateStyle=SQL, DMY"]),
    ("no IntervalStyle", ["IntervalStyle=-"]),
    ("no integer_datetimes", ["integer_datetimes=-"]),
    ("no standard_conforming_strings", ["standard_conforming_strings=-"]),
    ("no TimeZone", ["TimeZone=-"]),
    ("no is_superuser, session_authorization", ["is_superuser=-",
                                                "session_authorization=-"]),
    ("no application_name, default_transaction_read_only, in_hot_standby",
     ["application_name=-", "default_transaction_read_only=-", "in_hot_standby=-"]),
    ("only server_version, server_encoding, client_encoding, DateStyle, TimeZone, "
     "integer_datetimes, standard_conforming_strings",
     ["application_name=-", "default_transaction_read_only=-", "in_hot_standby=-",
      "is_superuser=-", "session_authorization=-", "IntervalStyle=-"]),
]


def run_probe(cmd):
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        return "FAIL: timeout"
    if res.returncode == 0:
        warn = [l for l in res.stderr.splitlines() if "warning" in l.lower()]
        return "ok" + (f" (warns: {warn[0].strip()[:90]})" if warn else "")
    lines = [l.strip() for l in res.stderr.splitlines() if l.strip()]
    lines = lines or [l.strip() for l in res.stdout.splitlines() if l.strip()]
    errs = [l for l in lines if any(w in l.lower() for w in ("error", "fatal", "assert"))]
    first = [l for l in errs if l.startswith(("ERROR", "FATAL", "psql:"))]
    return "FAIL: " + ((first or errs or lines or ["?"])[-1])[:160]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg-port", type=int, required=True)
    parser.add_argument("--proxy-port", type=int, required=True)
    args = parser.parse_args()
    print("# ParameterStatus experiments: each client probe run through pgproxy.py while the")
    print("# proxy drops ('no X') or rewrites one ParameterStatus of PostgreSQL 15.")
    print("# Generated by tests/e2e/capture/param_experiments.py.\n")
    for title, overrides in EXPERIMENTS:
        cmd = [PY, os.path.join(E2E, "pgproxy.py"), "--listen",
               f"127.0.0.1:{args.proxy_port}", "--upstream", f"127.0.0.1:{args.pg_port}",
               "--log", "/dev/null"]
        for item in overrides:
            cmd += ["--set-param", item]
        proxy = subprocess.Popen(cmd)
        time.sleep(0.5)
        print(f"## {title}")
        try:
            for name, probe in probes(args.proxy_port).items():
                print(f"  {name:11s} {run_probe(probe)}", flush=True)
        finally:
            proxy.send_signal(signal.SIGTERM)
            proxy.wait(timeout=10)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
