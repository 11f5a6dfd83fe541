"""bench_server: how the Python bench scripts (cte-bench, index-build-bench, explain-overhead,
tpch/tpch-bench) start a Dreambase server, connect to it and stop it.

    sys.path.insert(0, <the bench directory>); import bench_server
    proc = bench_server.start(binary, data_dir, port, log, ["--shards", "2"], fresh=True)
    conn = bench_server.connect(port, proc=proc, what=log_path)   # autocommit, once it answers
    bench_server.stop(proc)
"""
import shutil
import signal
import socket
import subprocess
import sys
import time

import psycopg2

POLL_S = 0.005  # between connection attempts: index-build-bench times the start with them


def free_port():
    """A TCP port no one listens on now."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start(binary, data, port, log, args=(), fresh=False):
    """`binary -D data -p port args...`, its output to the file `log`; `fresh` empties `data`
    first."""
    if fresh:
        shutil.rmtree(data, ignore_errors=True)
    return subprocess.Popen([binary, "-D", data, "-p", str(port)] + list(args), stdout=log,
                            stderr=log)


def connect(port, host="127.0.0.1", dbname="postgres", deadline_s=120, proc=None, what=None):
    """A connection as postgres (autocommit) once the server answers. Exits, naming `what`
    (e.g. the server's log), when it does not within deadline_s or its process `proc` ended."""
    t0 = time.perf_counter()
    while True:
        try:
            conn = psycopg2.connect(host=host, port=port, user="postgres", dbname=dbname)
            conn.autocommit = True
            return conn
        except psycopg2.OperationalError as e:
            ended = proc is not None and proc.poll() is not None
            if ended or time.perf_counter() - t0 >= deadline_s:
                sys.exit("%s: no server answers on %s:%d (%s)%s" % (
                    sys.argv[0], host, port, str(e).strip().splitlines()[0],
                    "; see " + what if what else ""))
            time.sleep(POLL_S)


def stop(proc, timeout_s=600):
    """SIGTERM (a clean stop: shutdown checkpoint), then waits for the process to end."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=timeout_s)
