#!/usr/bin/python3
"""tls_close_drain.py HOST PORT LIMIT_BYTES: a TLS client sends a Query message longer than the
server's max_message_size (LIMIT_BYTES), its body in small TLS records (ciphertext more than
twice the plaintext), and checks that the FATAL 08P01 "invalid message length" comes back and
that the server keeps reading until the whole message has arrived before it ends its side
(close_notify, then end of stream): an end seen while the client still sends makes libpq drop
the FATAL. A server that counted ciphertext against the
message's plaintext length would end its side after about 40% of the body. Exit 0 when all
holds; otherwise the reason on stderr. Run by test_net_server (trust over hostssl)."""
import socket
import ssl
import struct
import sys

RECORD_BYTES = 16  # plaintext per TLS record: 16 + 22 bytes of ciphertext with TLS 1.3 GCM


def read_message(tls):
    head = read_exact(tls, 5)
    return head[:1], read_exact(tls, struct.unpack("!i", head[1:])[0] - 4)


def read_exact(tls, n):
    data = b""
    while len(data) < n:
        chunk = tls.recv(n - len(data))
        if not chunk:
            raise EOFError("end of stream")
        data += chunk
    return data


def send_in_records(tls, data):
    for at in range(0, len(data), RECORD_BYTES):
        tls.sendall(data[at:at + RECORD_BYTES])


def main():
    host, port, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    raw = socket.create_connection((host, port), timeout=30)
    raw.sendall(struct.pack("!ii", 8, 80877103))  # SSLRequest
    if raw.recv(1) != b"S":
        sys.exit("the server refused TLS")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    tls = ctx.wrap_socket(raw)
    params = b"user\0postgres\0database\0postgres\0\0"
    tls.sendall(struct.pack("!ii", 8 + len(params), 196608) + params)
    while True:
        kind, body = read_message(tls)
        if kind == b"E":
            sys.exit("startup failed: %r" % body)
        if kind == b"Z":
            break
    body_len = limit + 1  # one byte over the limit
    tls.sendall(b"Q" + struct.pack("!i", 4 + body_len))
    body = b"x" * body_len
    sent = body_len * 9 // 10
    send_in_records(tls, body[:sent])
    kind, err = read_message(tls)
    fields = {chr(f[0]): f[1:].decode() for f in err.split(b"\0") if f}
    if kind != b"E" or fields.get("C") != "08P01" or "invalid message length" not in fields.get(
            "M", ""):
        sys.exit("not the FATAL expected: %r %r" % (kind, fields))
    # 90% of the body sent: the server must still be reading it, its side open.
    tls.settimeout(0.5)
    try:
        early = tls.recv(1)
        sys.exit("the server ended its side before the message's end (%r)" % early)
    except (socket.timeout, TimeoutError):
        pass
    except ssl.SSLZeroReturnError:
        sys.exit("the server sent close_notify before the message's end")
    tls.settimeout(30)
    send_in_records(tls, body[sent:])
    try:
        rest = tls.recv(1)
    except ssl.SSLZeroReturnError:
        rest = b""
    if rest != b"":
        sys.exit("more than the end after the FATAL: %r" % rest)
    tls.close()


if __name__ == "__main__":
    main()
