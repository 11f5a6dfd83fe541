#!/usr/bin/python3
"""pgproxy.py: a tracing proxy for the PostgreSQL wire protocol (v3).

Sits between a client and a server, forwards every byte unchanged, and logs each frontend (F)
and backend (B) message decoded: startup parameters, authentication exchange, ParameterStatus,
Query text, Parse (statement name, text, parameter type OIDs), Bind (parameter formats and
values, result formats), Describe/Execute/Sync/Flush/Close, RowDescription (type OID, type
modifier, format per column), DataRow, CommandComplete, ErrorResponse fields, and COPY
(overall and per-column formats, binary COPY signature). It was written to learn what real
clients send to PostgreSQL 15 and is kept to debug Dreambase's wire protocol.

It answers SSLRequest and GSSENCRequest with 'N' itself (never forwarded), so the traffic it
sees stays in plain text; clients that require TLS (sslmode=require) cannot pass through it.

Usage (stdlib only, run with /usr/bin/python3):
  pgproxy.py --listen 127.0.0.1:55438 --upstream 127.0.0.1:55437 [--log FILE] [--sql FILE]
             [--rows N] [--value-chars N] [--summary]
  --upstream may also be a Unix socket path (/tmp/.s.PGSQL.5432).
  --sql FILE appends every SQL text the clients send (Query, Parse, and fast-path calls) with a
  comment header giving connection, protocol mode, statement name and parameter type OIDs.
  --rows N logs the first N DataRows of each result and the first N CopyData of each COPY
  (default 3); the rest are only counted.
  --summary logs, when a connection closes, its message counts and which statements were
  executed with binary parameters or results.
  --set-param NAME=VALUE (repeatable) rewrites the ParameterStatus NAME the server sends, or
  drops it when VALUE is '-': e.g. --set-param server_version=0.1 shows how clients react.
  Messages are forwarded whole (a partial one is held until its end).
Stop it with SIGINT or SIGTERM.
"""

import argparse
import itertools
import signal
import socket
import struct
import sys
import threading
import time

# Type OIDs of PostgreSQL 15 that clients commonly use, for readable logs. Unknown OIDs are
# printed as numbers only (user types: enums, domains, composite, extension types).
TYPE_NAMES = {
    16: "bool", 17: "bytea", 18: "char", 19: "name", 20: "int8", 21: "int2",
    22: "int2vector", 23: "int4", 24: "regproc", 25: "text", 26: "oid", 27: "tid", 28: "xid",
    29: "cid", 30: "oidvector", 114: "json", 142: "xml", 194: "pg_node_tree", 600: "point",
    650: "cidr", 700: "float4", 701: "float8", 705: "unknown", 790: "money", 829: "macaddr",
    869: "inet", 1033: "aclitem", 1042: "bpchar", 1043: "varchar", 1082: "date", 1083: "time",
    1114: "timestamp", 1184: "timestamptz", 1186: "interval", 1266: "timetz", 1560: "bit",
    1562: "varbit", 1700: "numeric", 1790: "refcursor", 2202: "regprocedure", 2203: "regoper",
    2204: "regoperator", 2205: "regclass", 2206: "regtype", 2249: "record", 2275: "cstring",
    2276: "any", 2277: "anyarray", 2278: "void", 2950: "uuid", 3220: "pg_lsn",
    3361: "pg_ndistinct", 3402: "pg_dependencies", 3614: "tsvector", 3615: "tsquery",
    3802: "jsonb", 3904: "int4range", 4089: "regnamespace", 4096: "regrole",
    4191: "regcollation", 5017: "pg_mcv_list", 1000: "_bool", 1001: "_bytea", 1002: "_char",
    1003: "_name", 1005: "_int2", 1006: "_int2vector", 1007: "_int4", 1009: "_text",
    1014: "_bpchar", 1015: "_varchar", 1016: "_int8", 1021: "_float4", 1022: "_float8",
    1028: "_oid", 1034: "_aclitem", 1115: "_timestamp", 1182: "_date", 1185: "_timestamptz",
    1231: "_numeric", 199: "_json", 2951: "_uuid", 3807: "_jsonb", 1263: "_cstring",
    2211: "_regtype", 4090: "_regnamespace",
}

FRONTEND_NAMES = {
    "B": "Bind", "C": "Close", "d": "CopyData", "c": "CopyDone", "f": "CopyFail",
    "D": "Describe", "E": "Execute", "H": "Flush", "F": "FunctionCall", "P": "Parse",
    "p": "PasswordMessage", "Q": "Query", "S": "Sync", "X": "Terminate",
}
BACKEND_NAMES = {
    "R": "Authentication", "K": "BackendKeyData", "2": "BindComplete", "3": "CloseComplete",
    "C": "CommandComplete", "d": "CopyData", "c": "CopyDone", "G": "CopyInResponse",
    "H": "CopyOutResponse", "W": "CopyBothResponse", "D": "DataRow",
    "I": "EmptyQueryResponse", "E": "ErrorResponse", "V": "FunctionCallResponse",
    "v": "NegotiateProtocolVersion", "n": "NoData", "N": "NoticeResponse",
    "A": "NotificationResponse", "t": "ParameterDescription", "S": "ParameterStatus",
    "1": "ParseComplete", "s": "PortalSuspended", "Z": "ReadyForQuery", "T": "RowDescription",
}
AUTH_NAMES = {
    0: "Ok", 2: "KerberosV5", 3: "CleartextPassword", 5: "MD5Password", 7: "GSS",
    8: "GSSContinue", 9: "SSPI", 10: "SASL", 11: "SASLContinue", 12: "SASLFinal",
}
ERROR_FIELDS = {
    "S": "severity", "V": "severity_nl", "C": "sqlstate", "M": "message", "D": "detail",
    "H": "hint", "P": "position", "p": "internal_position", "q": "internal_query",
    "W": "where", "s": "schema", "t": "table", "c": "column", "d": "datatype",
    "n": "constraint", "F": "file", "L": "line", "R": "routine",
}
SSL_REQUEST_CODE = 80877103
GSSENC_REQUEST_CODE = 80877104
CANCEL_REQUEST_CODE = 80877102
PROTOCOL_3_0 = 196608
BINARY_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
STARTUP_BYTES_MAX = 10000  # a bigger startup packet means this is not the PostgreSQL protocol
RECV_BYTES = 65536


def type_name(oid):
    name = TYPE_NAMES.get(oid)
    return f"{name}({oid})" if name else str(oid)


class Reader:
    """Walks the body of one message; short bodies raise ValueError (logged as undecodable)."""

    def __init__(self, body):
        self.body = body
        self.pos = 0

    def take(self, count):
        if self.pos + count > len(self.body):
            raise ValueError("message body too short")
        chunk = self.body[self.pos:self.pos + count]
        self.pos += count
        return chunk

    def int8(self):
        return self.take(1)[0]

    def int16(self):
        return struct.unpack("!h", self.take(2))[0]

    def int32(self):
        return struct.unpack("!i", self.take(4))[0]

    def cstr(self):
        end = self.body.find(b"\x00", self.pos)
        if end < 0:
            raise ValueError("unterminated string")
        text = self.body[self.pos:end].decode("utf-8", "replace")
        self.pos = end + 1
        return text

    def rest(self):
        chunk = self.body[self.pos:]
        self.pos = len(self.body)
        return chunk

    def done(self):
        return self.pos >= len(self.body)


class Options:
    def __init__(self, args):
        self.rows = args.rows
        self.value_chars = args.value_chars
        self.summary = args.summary
        self.param_overrides = {}
        for item in args.set_param or []:
            name, _, value = item.partition("=")
            self.param_overrides[name] = None if value == "-" else value
        self.log_file = open(args.log, "a", buffering=1) if args.log else sys.stdout
        self.sql_file = open(args.sql, "a", buffering=1) if args.sql else None
        self.lock = threading.Lock()
        self.started = time.monotonic()

    def log(self, conn_id, direction, text):
        stamp = time.monotonic() - self.started
        with self.lock:
            self.log_file.write(f"{stamp:10.4f} c{conn_id} {direction} {text}\n")

    def sql(self, header, text):
        if not self.sql_file:
            return
        body = text if text.rstrip().endswith(";") else text + ";"
        with self.lock:
            self.sql_file.write(f"-- {header}\n{body}\n\n")


class Connection:
    """State shared by the two directions of one proxied connection."""

    def __init__(self, conn_id, opts):
        self.id = conn_id
        self.opts = opts
        self.statements = {}  # statement name -> SQL text (from Parse)
        self.portals = {}  # portal name -> statement name
        self.auth_state = None  # last Authentication request, to decode 'p' messages
        self.rows_in_result = 0
        self.copy_binary = None
        self.copy_messages = 0  # CopyData messages of the COPY in progress
        self.copy_bytes = 0
        self.copy_last = None  # the last CopyData not logged yet
        self.counts = {}
        self.binary_uses = []  # (what, statement text) for the summary
        self.lock = threading.Lock()

    def value(self, raw, fmt):
        limit = self.opts.value_chars
        if fmt == 1:
            shown = raw[:limit // 2].hex()
            more = "..." if len(raw) > limit // 2 else ""
            return f"0x{shown}{more}"
        text = raw.decode("utf-8", "replace")
        return repr(text if len(text) <= limit else text[:limit] + "...")

    def count(self, direction, name):
        with self.lock:
            key = f"{direction} {name}"
            self.counts[key] = self.counts.get(key, 0) + 1

    def log(self, direction, text):
        self.opts.log(self.id, direction, text)


def short(text, limit=200):
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "..."


def formats_text(codes):
    if not codes:
        return "[] (all text)"
    if len(codes) == 1:
        return f"[{codes[0]}] (all {'binary' if codes[0] == 1 else 'text'})"
    return "[" + ",".join(str(c) for c in codes) + "]"


def decode_startup(conn, body):
    """Decodes the first packet of a connection (no type byte). Returns its request code."""
    rd = Reader(body)
    code = rd.int32()
    if code == SSL_REQUEST_CODE:
        conn.log("F", "SSLRequest (proxy answers 'N': no TLS through the proxy)")
    elif code == GSSENC_REQUEST_CODE:
        conn.log("F", "GSSENCRequest (proxy answers 'N')")
    elif code == CANCEL_REQUEST_CODE:
        pid, key = rd.int32(), rd.int32()
        conn.log("F", f"CancelRequest pid={pid} key={key}")
    else:
        major, minor = code >> 16, code & 0xFFFF
        params = []
        while not rd.done():
            name = rd.cstr()
            if not name:
                break
            params.append(f"{name}={rd.cstr()!r}")
        conn.log("F", f"StartupMessage protocol={major}.{minor} " + " ".join(params))
    conn.count("F", "Startup")
    return code


def decode_frontend(conn, kind, body):
    rd = Reader(body)
    name = FRONTEND_NAMES.get(kind, f"Unknown({kind!r})")
    conn.count("F", name)
    opts = conn.opts
    if kind == "Q":
        text = rd.cstr()
        conn.log("F", f"Query {short(text, 2000)!r}")
        opts.sql(f"c{conn.id} simple Query", text)
    elif kind == "P":
        stmt, text = rd.cstr(), rd.cstr()
        oids = [rd.int32() & 0xFFFFFFFF for _ in range(rd.int16())]
        conn.statements[stmt] = text
        types = ",".join(type_name(o) for o in oids)
        conn.log("F", f"Parse stmt={stmt!r} param_types=[{types}] query={short(text, 2000)!r}")
        opts.sql(f"c{conn.id} extended Parse stmt={stmt!r} param_types=[{types}]", text)
    elif kind == "B":
        decode_bind(conn, rd)
    elif kind in ("D", "C"):
        what = rd.int8()
        target = rd.cstr()
        label = "statement" if what == ord("S") else "portal"
        conn.log("F", f"{name} {label}={target!r}")
        if kind == "C" and what == ord("S"):
            conn.statements.pop(target, None)
    elif kind == "E":
        portal, max_rows = rd.cstr(), rd.int32()
        conn.log("F", f"Execute portal={portal!r} max_rows={max_rows}")
    elif kind == "d":
        decode_copy_data(conn, "F", body)
    elif kind == "c":
        decode_copy_done(conn, "F")
    elif kind == "f":
        conn.log("F", f"CopyFail {rd.cstr()!r}")
    elif kind == "p":
        decode_password(conn, rd)
    elif kind == "F":
        decode_function_call(conn, rd)
    else:
        conn.log("F", name)


def decode_bind(conn, rd):
    portal, stmt = rd.cstr(), rd.cstr()
    param_formats = [rd.int16() for _ in range(rd.int16())]
    values = []
    for index in range(rd.int16()):
        length = rd.int32()
        if length < 0:
            values.append("NULL")
            continue
        if not param_formats:
            fmt = 0
        else:
            fmt = param_formats[0] if len(param_formats) == 1 else param_formats[index]
        values.append(conn.value(rd.take(length), fmt))
    result_formats = [rd.int16() for _ in range(rd.int16())]
    conn.portals[portal] = stmt
    text = conn.statements.get(stmt, "?")
    conn.log("F", f"Bind portal={portal!r} stmt={stmt!r} param_formats="
             f"{formats_text(param_formats)} params=[{', '.join(values)}] "
             f"result_formats={formats_text(result_formats)}")
    if 1 in param_formats:
        conn.binary_uses.append(("binary params", text))
    if 1 in result_formats:
        conn.binary_uses.append(("binary results", text))


def decode_password(conn, rd):
    if conn.auth_state == 10:
        mechanism = rd.cstr()
        length = rd.int32()
        data = rd.take(length) if length > 0 else b""
        conn.log("F", f"SASLInitialResponse mechanism={mechanism} "
                 f"data={data.decode('ascii', 'replace')!r}")
    elif conn.auth_state == 11:
        conn.log("F", f"SASLResponse data={rd.rest().decode('ascii', 'replace')!r}")
    else:
        conn.log("F", "PasswordMessage (not shown)")


def decode_function_call(conn, rd):
    oid = rd.int32()
    formats = [rd.int16() for _ in range(rd.int16())]
    nargs = rd.int16()
    for _ in range(nargs):
        length = rd.int32()
        if length > 0:
            rd.take(length)
    result_format = rd.int16()
    conn.log("F", f"FunctionCall function_oid={oid} arg_formats={formats_text(formats)} "
             f"args={nargs} result_format={result_format}")
    conn.opts.sql(f"c{conn.id} fast-path FunctionCall", f"-- function oid {oid}")


def decode_copy_data(conn, direction, body):
    """Logs the first --rows CopyData messages of a COPY; CopyDone reports the totals."""
    conn.copy_messages += 1
    conn.copy_bytes += len(body)
    if conn.copy_messages > conn.opts.rows:
        conn.copy_last = body
        return
    conn.copy_last = None
    head = ""
    if body.startswith(BINARY_COPY_SIGNATURE):
        head = " (binary COPY signature, header)"
    shown = conn.value(body, 1 if conn.copy_binary else 0)
    conn.log(direction, f"CopyData bytes={len(body)}{head} data={shown}")


def decode_copy_done(conn, direction):
    if conn.copy_last is not None:  # the end often matters (e.g. a "\\." end-of-data line)
        shown = conn.value(conn.copy_last, 1 if conn.copy_binary else 0)
        conn.log(direction, f"CopyData (last) bytes={len(conn.copy_last)} data={shown}")
        conn.copy_last = None
    conn.log(direction, f"CopyDone (after {conn.copy_messages} CopyData, "
             f"{conn.copy_bytes} bytes)")
    conn.copy_messages = 0
    conn.copy_bytes = 0


def decode_backend(conn, kind, body):
    rd = Reader(body)
    name = BACKEND_NAMES.get(kind, f"Unknown({kind!r})")
    conn.count("B", name)
    if kind == "R":
        decode_auth(conn, rd)
    elif kind == "S":
        conn.log("B", f"ParameterStatus {rd.cstr()}={rd.cstr()!r}")
    elif kind == "K":
        conn.log("B", f"BackendKeyData pid={rd.int32()} key={rd.int32()}")
    elif kind == "Z":
        conn.log("B", f"ReadyForQuery status={chr(rd.int8())}")
    elif kind == "T":
        decode_row_description(conn, rd)
    elif kind == "D":
        decode_data_row(conn, rd)
    elif kind == "C":
        tag = rd.cstr()
        conn.log("B", f"CommandComplete {tag!r} (rows sent={conn.rows_in_result})")
        conn.rows_in_result = 0
    elif kind == "t":
        oids = [rd.int32() & 0xFFFFFFFF for _ in range(rd.int16())]
        conn.log("B", "ParameterDescription [" + ",".join(type_name(o) for o in oids) + "]")
    elif kind in ("E", "N"):
        decode_error(conn, name, rd)
    elif kind in ("G", "H", "W"):
        overall = rd.int8()
        formats = [rd.int16() for _ in range(rd.int16())]
        conn.copy_binary = overall == 1
        conn.copy_messages = 0
        conn.copy_bytes = 0
        conn.log("B", f"{name} format={'binary' if overall else 'text'} "
                 f"column_formats={formats}")
    elif kind == "d":
        decode_copy_data(conn, "B", body)
    elif kind == "c":
        decode_copy_done(conn, "B")
    elif kind == "A":
        conn.log("B", f"NotificationResponse pid={rd.int32()} channel={rd.cstr()!r} "
                 f"payload={rd.cstr()!r}")
    elif kind == "v":
        minor = rd.int32()
        unknown = [rd.cstr() for _ in range(rd.int32())]
        conn.log("B", f"NegotiateProtocolVersion minor={minor} unrecognized={unknown}")
    elif kind == "V":
        length = rd.int32()
        conn.log("B", f"FunctionCallResponse bytes={length}")
    elif kind == "s":
        conn.log("B", f"PortalSuspended (rows sent={conn.rows_in_result})")
        conn.rows_in_result = 0
    else:
        if kind == "I":
            conn.rows_in_result = 0
        conn.log("B", name)


def decode_auth(conn, rd):
    code = rd.int32()
    conn.auth_state = code
    label = AUTH_NAMES.get(code, str(code))
    extra = ""
    if code == 10:
        mechanisms = []
        while not rd.done():
            mech = rd.cstr()
            if mech:
                mechanisms.append(mech)
        extra = f" mechanisms={mechanisms}"
    elif code in (11, 12):
        extra = f" data={rd.rest().decode('ascii', 'replace')!r}"
    elif code == 5:
        extra = f" salt=0x{rd.take(4).hex()}"
    conn.log("B", f"Authentication{label}{extra}")


def decode_row_description(conn, rd):
    fields = []
    for _ in range(rd.int16()):
        fname = rd.cstr()
        table_oid, column = rd.int32() & 0xFFFFFFFF, rd.int16()
        type_oid, size, typmod, fmt = rd.int32() & 0xFFFFFFFF, rd.int16(), rd.int32(), rd.int16()
        source = f" src={table_oid}.{column}" if table_oid else ""
        mod = f" typmod={typmod}" if typmod != -1 else ""
        fields.append(f"{fname}:{type_name(type_oid)} len={size}{mod} fmt={fmt}{source}")
    conn.rows_in_result = 0
    conn.log("B", "RowDescription [" + "; ".join(fields) + "]")


def decode_data_row(conn, rd):
    conn.rows_in_result += 1
    if conn.rows_in_result > conn.opts.rows:
        return
    values = []
    for _ in range(rd.int16()):
        length = rd.int32()
        if length < 0:
            values.append("NULL")
        else:
            raw = rd.take(length)
            printable = all(32 <= b < 127 or b in (9, 10, 13) or b >= 0x80 for b in raw)
            values.append(conn.value(raw, 0 if printable else 1))
    conn.log("B", "DataRow [" + ", ".join(values) + "]")


def decode_error(conn, name, rd):
    fields = []
    while not rd.done():
        code = chr(rd.int8())
        if code == "\x00":
            break
        value = rd.cstr()
        if code in ("F", "L", "R", "V"):
            continue  # source location of the server: noise for a client trace
        fields.append(f"{ERROR_FIELDS.get(code, code)}={value!r}")
    conn.log("B", f"{name} " + " ".join(fields))


class Stream:
    """Splits one direction's bytes into messages and decodes each one."""

    def __init__(self, conn, direction):
        self.conn = conn
        self.direction = direction
        self.buffer = bytearray()
        self.stopped = False  # set when the stream lost sync; bytes are still forwarded

    def feed(self, data):
        """Decodes the complete messages in `data` and returns the bytes to forward.

        Only complete messages are forwarded (a partial one waits for its end), so that a
        backend ParameterStatus can be rewritten (--set-param) before the client sees it."""
        if self.stopped:
            return data
        self.buffer += data
        out = bytearray()
        pos = 0  # messages are cut from the front once per feed, not once per message
        while len(self.buffer) - pos >= 5:
            kind = chr(self.buffer[pos])
            length = struct.unpack_from("!i", self.buffer, pos + 1)[0]
            if length < 4:
                self.conn.log(self.direction, f"lost sync: length {length}; decoding stops")
                out += self.buffer[pos:]
                self.buffer = bytearray()
                self.stopped = True
                return bytes(out)
            if len(self.buffer) - pos < 1 + length:
                break
            body = bytes(self.buffer[pos + 5:pos + 1 + length])
            raw = self.buffer[pos:pos + 1 + length]
            pos += 1 + length
            self.decode(kind, body)
            out += self.rewrite(kind, body, raw)
        del self.buffer[:pos]
        return bytes(out)

    def rewrite(self, kind, body, raw):
        overrides = self.conn.opts.param_overrides
        if self.direction != "B" or kind != "S" or not overrides:
            return raw
        name = body.split(b"\x00", 1)[0].decode("utf-8", "replace")
        if name not in overrides:
            return raw
        value = overrides[name]
        if value is None:
            self.conn.log("-", f"proxy dropped ParameterStatus {name}")
            return b""
        self.conn.log("-", f"proxy rewrote ParameterStatus {name}={value!r}")
        payload = name.encode() + b"\x00" + value.encode() + b"\x00"
        return b"S" + struct.pack("!i", 4 + len(payload)) + payload

    def decode(self, kind, body):
        try:
            if self.direction == "F":
                decode_frontend(self.conn, kind, body)
            else:
                decode_backend(self.conn, kind, body)
        except (ValueError, struct.error, IndexError) as exc:
            self.conn.log(self.direction, f"undecodable {kind!r} ({exc}): 0x{body[:64].hex()}")


def recv_exact(sock, count):
    data = bytearray()
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def read_startup(client, conn):
    """Reads startup packets until one must go upstream. Returns its bytes or None."""
    while True:
        head = recv_exact(client, 4)
        if head is None:
            return None
        length = struct.unpack("!i", head)[0]
        if length < 8 or length > STARTUP_BYTES_MAX:
            conn.log("F", f"invalid startup packet length {length}")
            return None
        body = recv_exact(client, length - 4)
        if body is None:
            return None
        code = decode_startup(conn, body)
        if code in (SSL_REQUEST_CODE, GSSENC_REQUEST_CODE):
            client.sendall(b"N")
            continue
        return head + body


def pump(src, dst, stream):
    """Copies one direction, decoding before forwarding so the log keeps causal order."""
    try:
        while True:
            data = src.recv(RECV_BYTES)
            if not data:
                break
            out = stream.feed(data)
            if out:
                dst.sendall(out)
    except OSError:
        pass
    finally:
        for sock in (src, dst):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def connect_upstream(target):
    if target.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(target)
        return sock
    host, port = target.rsplit(":", 1)
    return socket.create_connection((host, int(port)))


def serve_connection(client, addr, conn, upstream):
    conn.log("-", f"accepted from {addr}")
    server = None
    try:
        first = read_startup(client, conn)
        if first is None:
            return
        server = connect_upstream(upstream)
        for sock in (client, server):
            if sock.family != socket.AF_UNIX:  # no Nagle delay added to small messages
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        server.sendall(first)
        to_client = Stream(conn, "B")
        to_server = Stream(conn, "F")
        back = threading.Thread(target=pump, args=(server, client, to_client), daemon=True)
        back.start()
        pump(client, server, to_server)
        back.join()
    except OSError as exc:
        conn.log("-", f"error: {exc}")
    finally:
        client.close()
        if server:
            server.close()
        log_summary(conn)
        conn.log("-", "closed")


def log_summary(conn):
    if not conn.opts.summary:
        return
    counts = ", ".join(f"{k}={v}" for k, v in sorted(conn.counts.items()))
    conn.log("-", f"summary messages: {counts}")
    seen = set()
    for what, text in conn.binary_uses:
        key = (what, text)
        if key in seen:
            continue
        seen.add(key)
        conn.log("-", f"summary {what}: {short(text, 300)!r}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--listen", default="127.0.0.1:55438", help="host:port to accept on")
    parser.add_argument("--upstream", default="127.0.0.1:5432", help="host:port or socket path")
    parser.add_argument("--log", help="append the decoded trace here (default stdout)")
    parser.add_argument("--sql", help="append every SQL text clients send here")
    parser.add_argument("--rows", type=int, default=3, help="DataRows logged per result")
    parser.add_argument("--value-chars", type=int, default=120, help="chars shown per value")
    parser.add_argument("--summary", action="store_true", help="per-connection summary")
    parser.add_argument("--set-param", action="append", metavar="NAME=VALUE",
                        help="rewrite a ParameterStatus the server sends (VALUE '-' drops it); "
                        "to test how clients react to other server settings")
    args = parser.parse_args()
    opts = Options(args)
    host, port = args.listen.rsplit(":", 1)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, int(port)))
    listener.listen(64)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    opts.log(0, "-", f"listening on {args.listen}, upstream {args.upstream}")
    ids = itertools.count(1)
    try:
        while True:
            client, addr = listener.accept()
            conn = Connection(next(ids), opts)
            threading.Thread(target=serve_connection, args=(client, addr, conn, args.upstream),
                             daemon=True).start()
    except KeyboardInterrupt:
        pass
    finally:
        listener.close()


if __name__ == "__main__":
    main()
