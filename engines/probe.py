#!/usr/bin/env python3
"""Ready check of the real engines: one real Thrift call, answered in full.

A port that accepts a connection is not a server that is ready: HBase's
gateways listen long before the master has finished starting, and the
Accumulo proxy listens before its cluster can log anyone in. This probe makes
one call the server can only answer once it is ready, and exits

  0  the call returned its success value,
  1  not ready yet (refused, reset, timed out, or the server answered with its
     declared error, e.g. an IOError while the master initialises),
  2  a reply that makes no sense (wrong protocol, unknown method): retrying
     will not help.

The calls are encoded by hand (Python's standard library only, so the probe
runs before any virtualenv exists):

  probe.py hbase1 HOST:PORT {buffered|framed|http} {binary|compact}
      getTableNames() on a Thrift1 gateway
  probe.py hbase2 HOST:PORT [http]
      listNamespaceDescriptors() on a Thrift2 gateway (buffered, binary;
      with http: over HTTP, binary)
  probe.py accumulo HOST:PORT USER PASSWORD
      login(user, {"password": PASSWORD}) on the Accumulo proxy
      (framed, compact)
"""

import http.client
import socket
import struct
import sys

TIMEOUT = 10.0


class NotReady(Exception):
    """The server is not (yet) able to answer."""


class Garbled(Exception):
    """The reply is not the one the call expects."""


# ---------------------------------------------------------------- encoding


def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def binary_call(name):
    """A CALL message with an empty argument struct, binary protocol."""
    encoded = name.encode()
    return (struct.pack(">I", 0x80010001) + struct.pack(">i", len(encoded)) + encoded
            + struct.pack(">i", 1) + b"\x00")


def compact_call(name, args=b"\x00"):
    """A CALL message, compact protocol; `args` is the encoded struct."""
    encoded = name.encode()
    return b"\x82" + bytes([0x01 | (1 << 5)]) + varint(1) + varint(len(encoded)) + encoded + args


def compact_string(s):
    data = s.encode()
    return varint(len(data)) + data


def login_args(user, password):
    """login's arguments: 1: string principal, 2: map<string,string> properties."""
    out = bytearray()
    out.append((1 << 4) | 8)  # field 1, binary/string
    out += compact_string(user)
    out.append((1 << 4) | 11)  # field 2 (delta 1), map
    out += varint(1) + bytes([(8 << 4) | 8])
    out += compact_string("password") + compact_string(password)
    out.append(0)
    return bytes(out)


# ---------------------------------------------------------------- decoding


class Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def take(self, n):
        if self.pos + n > len(self.data):
            raise Garbled("reply ends early")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def byte(self):
        return self.take(1)[0]

    def varint(self):
        shift = value = 0
        while True:
            b = self.byte()
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                return value
            shift += 7


def first_field_binary(data, name):
    """(message type, id of the result struct's first field or None)."""
    r = Reader(data)
    (head,) = struct.unpack(">I", r.take(4))
    if head & 0xFFFF0000 != 0x80010000:
        raise Garbled("not a binary-protocol message (first word %08x)" % head)
    mtype = head & 0xFF
    (nlen,) = struct.unpack(">i", r.take(4))
    got = r.take(nlen).decode(errors="replace")
    r.take(4)
    if got != name:
        raise Garbled("reply names %r, not %r" % (got, name))
    ftype = r.byte()
    if ftype == 0:
        return mtype, None
    (fid,) = struct.unpack(">h", r.take(2))
    return mtype, fid


def first_field_compact(data, name):
    r = Reader(data)
    if r.byte() != 0x82:
        raise Garbled("not a compact-protocol message")
    mtype = r.byte() >> 5
    r.varint()
    got = r.take(r.varint()).decode(errors="replace")
    if got != name:
        raise Garbled("reply names %r, not %r" % (got, name))
    head = r.byte()
    if head == 0:
        return mtype, None
    delta = head >> 4
    if delta:
        return mtype, delta
    z = r.varint()
    return mtype, (z >> 1) ^ -(z & 1)


def judge(mtype, fid, what):
    if mtype == 3:
        raise Garbled("%s: the server raised an application exception "
                      "(unknown method or bad arguments)" % what)
    if mtype != 2:
        raise Garbled("%s: message type %d is not a reply" % (what, mtype))
    if fid == 0:
        return
    if fid is None:
        raise Garbled("%s: the reply holds neither a value nor an error" % what)
    raise NotReady("%s: the server answered with its declared error (field %d)" % (what, fid))


# ---------------------------------------------------------------- transport


def split(addr):
    host, _, port = addr.rpartition(":")
    return host, int(port)


def exchange(addr, payload, framed):
    host, port = split(addr)
    try:
        with socket.create_connection((host, port), timeout=TIMEOUT) as sock:
            sock.sendall(struct.pack(">i", len(payload)) + payload if framed else payload)
            if framed:
                (length,) = struct.unpack(">i", recv_exact(sock, 4))
                return recv_exact(sock, length)
            # Buffered: read until the reply parses (a reply is small).
            data = b""
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    if data:
                        return data
                    raise NotReady("connection closed without a reply")
                data += chunk
                if len(data) >= 12:
                    return data
    except (ConnectionError, socket.timeout, OSError) as e:
        raise NotReady("%s: %s" % (addr, e))


def recv_exact(sock, n):
    out = b""
    while len(out) < n:
        chunk = sock.recv(n - len(out))
        if not chunk:
            raise NotReady("connection closed mid-reply")
        out += chunk
    return out


def http_exchange(addr, payload):
    host, port = split(addr)
    try:
        conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
        conn.request("POST", "/", body=payload,
                     headers={"Content-Type": "application/x-thrift"})
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
    except (ConnectionError, socket.timeout, OSError, http.client.HTTPException) as e:
        raise NotReady("%s: %s" % (addr, e))
    if resp.status != 200:
        raise NotReady("%s: HTTP %d" % (addr, resp.status))
    return body


# ---------------------------------------------------------------- commands


def hbase1(addr, transport, protocol):
    name = "getTableNames"
    payload = binary_call(name) if protocol == "binary" else compact_call(name)
    if transport == "http":
        reply = http_exchange(addr, payload)
    else:
        reply = exchange(addr, payload, framed=transport == "framed")
    decode = first_field_binary if protocol == "binary" else first_field_compact
    judge(*decode(reply, name), what=name)


def hbase2(addr, transport="buffered"):
    name = "listNamespaceDescriptors"
    if transport == "http":
        reply = http_exchange(addr, binary_call(name))
    else:
        reply = exchange(addr, binary_call(name), framed=False)
    judge(*first_field_binary(reply, name), what=name)


def accumulo(addr, user, password):
    name = "login"
    reply = exchange(addr, compact_call(name, login_args(user, password)), framed=True)
    judge(*first_field_compact(reply, name), what=name)


def main(argv):
    try:
        if len(argv) == 4 and argv[0] == "hbase1" and argv[2] in ("buffered", "framed", "http") \
                and argv[3] in ("binary", "compact"):
            hbase1(argv[1], argv[2], argv[3])
        elif len(argv) == 2 and argv[0] == "hbase2":
            hbase2(argv[1])
        elif len(argv) == 3 and argv[0] == "hbase2" and argv[2] == "http":
            hbase2(argv[1], "http")
        elif len(argv) == 4 and argv[0] == "accumulo":
            accumulo(argv[1], argv[2], argv[3])
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except NotReady as e:
        print("not ready: %s" % e, file=sys.stderr)
        return 1
    except Garbled as e:
        print("bad reply: %s" % e, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
