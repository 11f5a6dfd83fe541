#!/usr/bin/python3
"""test_protocol.py: protocol details a client sees, checked with a raw v3 socket and psycopg 3.

Each case was found by comparing the server's messages with PostgreSQL 15's for the same
input, and passes on both: the ParameterStatus names sent at startup and on SET, the
NegotiateProtocolVersion answer to a newer minor version (libpq 18's max_protocol_version), what
RESET returns to for settings given in the startup packet, LISTEN / UNLISTEN / NOTIFY taking
effect at commit (and not after a rollback, to a savepoint included), and a CancelRequest (and a
new connection) served while a long join keeps a shard busy.
"""

import socket
import struct
import threading
import time
import unittest

import psycopg

import e2e_common as common

# What PostgreSQL 15 reports at startup (src/backend/utils/misc/guc.c, GUC_REPORT).
REPORTED = {"application_name", "client_encoding", "DateStyle", "default_transaction_read_only",
            "in_hot_standby", "integer_datetimes", "IntervalStyle", "is_superuser",
            "server_encoding", "server_version", "session_authorization",
            "standard_conforming_strings", "TimeZone"}


class Raw:
    """A v3 connection that records every message the server sends."""

    def __init__(self, params=None, version=196608):
        cfg = common.config()
        self.sock = socket.create_connection((cfg["host"], cfg["port"]), timeout=30)
        p = {"user": cfg["user"], "database": cfg["dbname"], **(params or {})}
        body = struct.pack("!i", version)
        body += b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in p.items()) + b"\0"
        self.sock.sendall(struct.pack("!i", len(body) + 4) + body)
        self.buf = b""

    def read(self):
        while len(self.buf) < 5 or len(self.buf) < 1 + struct.unpack("!i", self.buf[1:5])[0]:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("server closed the connection")
            self.buf += data
        n = struct.unpack("!i", self.buf[1:5])[0]
        t, body, self.buf = self.buf[:1], self.buf[5:1 + n], self.buf[1 + n:]
        return t, body

    def until_ready(self):
        msgs = []
        while True:
            t, body = self.read()
            msgs.append((t, body))
            if t == b"Z":
                return msgs

    def query(self, sql):
        body = sql.encode() + b"\0"
        self.sock.sendall(b"Q" + struct.pack("!i", len(body) + 4) + body)
        return self.until_ready()

    def close(self):
        self.sock.sendall(b"X\0\0\0\4")
        self.sock.close()


def statuses(msgs):
    """The ParameterStatus messages among msgs, in order, as (name, value)."""
    return [tuple(b.decode() for b in body.split(b"\0")[:2]) for t, body in msgs if t == b"S"]


class ProtocolTest(unittest.TestCase):
    def test_startup_reports_what_postgresql_reports(self):
        c = Raw()
        names = [name for name, _ in statuses(c.until_ready())]
        self.assertEqual(set(names), REPORTED)
        self.assertEqual(len(names), len(REPORTED))
        reported = statuses(c.query("SET default_transaction_read_only = on"))
        self.assertEqual(reported, [("default_transaction_read_only", "on")])
        c.close()

    def test_newer_minor_version_is_negotiated_down_to_3_0(self):
        c = Raw({"_pq_.unknown_option": "x"}, version=196610)
        t, body = c.read()
        self.assertEqual(t, b"v")
        newest, count = struct.unpack("!ii", body[:8])
        self.assertEqual(newest, 196608)  # 3.0, as PostgreSQL 15 sends it
        self.assertEqual(count, 1)
        self.assertEqual(body[8:], b"_pq_.unknown_option\0")
        c.until_ready()
        rows = [body for t, body in c.query("SELECT 1") if t == b"D"]
        self.assertEqual(len(rows), 1)
        c.close()

    def test_reset_returns_to_the_startup_packet_values(self):
        c = Raw({"application_name": "e2e-proto", "options": "-c DateStyle=SQL -c work_mem=5MB"})
        c.until_ready()
        c.query("SET application_name = 'other'; SET DateStyle = 'German'; SET work_mem = '7MB'")
        reported = dict(statuses(c.query("RESET ALL")))
        self.assertEqual(reported["application_name"], "e2e-proto")
        self.assertEqual(reported["DateStyle"], "SQL, MDY")
        c.query("SET work_mem = '9MB'")
        c.query("RESET work_mem")
        rows = [body for t, body in c.query("SHOW work_mem") if t == b"D"]
        self.assertEqual(rows[0][6:], b"5MB")
        c.close()

    def test_listen_and_notify_take_effect_at_commit(self):
        got = []
        listener = psycopg.connect(**common.libpq_kwargs(), autocommit=True)
        listener.add_notify_handler(lambda n: got.append((n.channel, n.payload)))
        notifier = psycopg.connect(**common.libpq_kwargs(), autocommit=True)

        def received():
            time.sleep(0.3)
            listener.execute("SELECT 1")  # notifications arrive with its answer
            out = list(got)
            got.clear()
            return out

        listener.execute("BEGIN")
        listener.execute("LISTEN e2e_rolled_back")
        listener.execute("ROLLBACK")
        listener.execute("BEGIN")
        listener.execute("LISTEN e2e_committed")
        notifier.execute("NOTIFY e2e_committed, 'before the commit'")
        listener.execute("COMMIT")
        notifier.execute("NOTIFY e2e_rolled_back, 'never heard'")
        notifier.execute("NOTIFY e2e_committed, 'after the commit'")
        self.assertEqual(received(), [("e2e_committed", "after the commit")])
        listener.execute("BEGIN")
        listener.execute("UNLISTEN *")
        listener.execute("ROLLBACK")
        notifier.execute("BEGIN")
        notifier.execute("NOTIFY e2e_committed, 'kept'")
        notifier.execute("SAVEPOINT s")
        notifier.execute("NOTIFY e2e_committed, 'rolled back to the savepoint'")
        notifier.execute("ROLLBACK TO SAVEPOINT s")
        notifier.execute("COMMIT")
        self.assertEqual(received(), [("e2e_committed", "kept")])
        listener.close()
        notifier.close()

    def test_cancel_and_connect_while_a_long_join_runs(self):
        table = f"e2e_proto_big_{common.suffix()}"
        with psycopg.connect(**common.libpq_kwargs(), autocommit=True) as setup:
            setup.execute(f"CREATE TABLE {table} AS SELECT g FROM generate_series(1, 20000) g")
        try:
            busy = psycopg.connect(**common.libpq_kwargs(), autocommit=True)
            waits = []

            def cancel_soon():
                time.sleep(1)
                t0 = time.monotonic()
                # Several connections: each lands on some shard, the busy one included.
                for _ in range(4):
                    with psycopg.connect(**common.libpq_kwargs()) as other:
                        other.execute("SELECT 1")
                waits.append(time.monotonic() - t0)
                busy.cancel()

            helper = threading.Thread(target=cancel_soon)
            helper.start()
            t0 = time.monotonic()
            with self.assertRaises(psycopg.errors.QueryCanceled):
                busy.execute(f"SELECT count(*) FROM {table} a, {table} b")
            elapsed = time.monotonic() - t0
            helper.join()
            self.assertLess(waits[0], 5.0)
            self.assertLess(elapsed, 10.0)
            self.assertEqual(busy.execute("SELECT 1").fetchone(), (1,))
            busy.close()
        finally:
            with psycopg.connect(**common.libpq_kwargs(), autocommit=True) as setup:
                setup.execute(f"DROP TABLE {table}")


if __name__ == "__main__":
    common.main()
