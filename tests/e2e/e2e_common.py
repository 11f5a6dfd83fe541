"""e2e_common.py: what every Python end-to-end test shares.

The server under test is named by the environment: DB_HOST, DB_PORT, DB_USER, DB_NAME and
optionally DB_PASSWORD (run-e2e sets defaults). Each test names its tables with a suffix unique
to the run (suffix()), so tests may run at the same time against one server, and drops them.
"""

import os
import secrets
import sys
import unittest


def config():
    return {
        "host": os.environ.get("DB_HOST", "127.0.0.1"),
        "port": int(os.environ.get("DB_PORT", "5432")),
        "user": os.environ.get("DB_USER", "postgres"),
        "dbname": os.environ.get("DB_NAME", "postgres"),
        "password": os.environ.get("DB_PASSWORD") or None,
    }


def libpq_kwargs():
    """Connection keywords for psycopg2 and psycopg 3."""
    kwargs = dict(config())
    if kwargs["password"] is None:
        del kwargs["password"]
    return kwargs


def asyncpg_kwargs():
    cfg = config()
    return {"host": cfg["host"], "port": cfg["port"], "user": cfg["user"],
            "database": cfg["dbname"], "password": cfg["password"]}


def sqlalchemy_url(driver="psycopg2"):
    cfg = config()
    auth = cfg["user"] + (f":{cfg['password']}" if cfg["password"] else "")
    return f"postgresql+{driver}://{auth}@{cfg['host']}:{cfg['port']}/{cfg['dbname']}"


def suffix():
    """A short lower-case suffix unique to this run, for table names (identifiers <= 63)."""
    return f"{os.getpid() % 100000}_{secrets.token_hex(3)}"


def main():
    """Runs the unittest cases of the calling module verbosely; the exit code tells failure."""
    result = unittest.main(module="__main__", verbosity=2, exit=False).result
    sys.exit(0 if result.wasSuccessful() else 1)
