"""Drives the emulator with the stock `happybase` client through a realistic flow.

Usage:
    python happybase_flow.py EMULATOR_BINARY            # the flow, on all four
                                                         # transport x protocol pairs
    python happybase_flow.py EMULATOR_BINARY --bench-scan 100000
                                                         # rows/s of a full scan

Starts one `hbase-emulator` process per transport/protocol pair on a free
loopback port, runs the flow, stops it with SIGTERM and checks it exits 0.
Every step asserts what a real HBase Thrift gateway answers. Prints
'N passed, N failed' at the end and exits non-zero on any failure.
"""

import os
import signal
import subprocess
import sys
import time
import traceback

import happybase


def start_emulator(binary, transport, protocol):
    proc = subprocess.Popen(
        [binary, "--bind", "127.0.0.1:0", "--transport", transport, "--protocol", protocol],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = proc.stdout.readline()
    if "listening on" not in line:
        proc.kill()
        raise RuntimeError(f"emulator did not start: {line!r}")
    addr = line.split("listening on", 1)[1].split()[0]
    host, port = addr.rsplit(":", 1)
    return proc, host, int(port)


def stop_emulator(proc):
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=10)
    assert code == 0, f"emulator exited with {code}"


def flow(conn):
    name = "hb_flow"
    assert name.encode() not in conn.tables()
    conn.create_table(name, {"cf1": dict(max_versions=10), "cf2": dict(), "cnt": dict()})
    assert name.encode() in conn.tables()
    assert conn.is_table_enabled(name)
    try:
        conn.create_table(name, {"cf1": dict()})
        raise AssertionError("creating an existing table must fail")
    except Exception as e:  # AlreadyExists
        assert "AlreadyExists" in type(e).__name__ or "exist" in str(e).lower(), e

    t = conn.table(name)
    fams = t.families()
    assert set(fams) == {b"cf1", b"cf2", b"cnt"}, fams
    assert fams[b"cf1"]["max_versions"] == 10, fams[b"cf1"]
    regions = t.regions()
    assert len(regions) == 1 and regions[0]["start_key"] == b"" and regions[0]["end_key"] == b"", regions

    # put / row / rows
    t.put(b"row1", {b"cf1:a": b"v1", b"cf2:b": b"v2"})
    assert t.row(b"row1") == {b"cf1:a": b"v1", b"cf2:b": b"v2"}
    assert t.row(b"row1", columns=[b"cf1"]) == {b"cf1:a": b"v1"}
    assert t.row(b"row1", columns=[b"cf2:b"]) == {b"cf2:b": b"v2"}
    assert t.row(b"missing") == {}
    t.put(b"row2", {b"cf1:a": b"w1"})
    rows = t.rows([b"row1", b"nope", b"row2"])
    assert [k for k, _ in rows] == [b"row1", b"row2"], rows
    assert rows[1][1] == {b"cf1:a": b"w1"}

    # timestamps: exclusive read bound, include_timestamp
    t.put(b"ts", {b"cf1:x": b"old"}, timestamp=100)
    t.put(b"ts", {b"cf1:x": b"new"}, timestamp=200)
    assert t.row(b"ts") == {b"cf1:x": b"new"}
    assert t.row(b"ts", timestamp=200) == {b"cf1:x": b"old"}
    assert t.row(b"ts", timestamp=201) == {b"cf1:x": b"new"}
    assert t.row(b"ts", timestamp=100) == {}
    assert t.row(b"ts", include_timestamp=True) == {b"cf1:x": (b"new", 200)}

    # cells with versions
    for i in range(15):
        t.put(b"ver", {b"cf1:v": b"%d" % i}, timestamp=1000 + i)
    cells = t.cells(b"ver", b"cf1:v")
    assert cells == [b"%d" % i for i in range(14, 4, -1)], cells  # max_versions=10
    assert t.cells(b"ver", b"cf1:v", versions=3) == [b"14", b"13", b"12"]
    assert t.cells(b"ver", b"cf1:v", versions=2, timestamp=1010) == [b"9", b"8"]
    with_ts = t.cells(b"ver", b"cf1:v", versions=2, include_timestamp=True)
    assert with_ts == [(b"14", 1014), (b"13", 1013)], with_ts

    # batch with batch_size, then scans
    with t.batch(batch_size=7) as b:
        for i in range(50):
            b.put(b"scan-%03d" % i, {b"cf1:n": b"%d" % i, b"cf2:m": b"x" * (i % 5)})
    keys = [k for k, _ in t.scan(row_prefix=b"scan-")]
    assert keys == [b"scan-%03d" % i for i in range(50)], keys[:5]
    keys = [k for k, _ in t.scan(row_start=b"scan-010", row_stop=b"scan-020")]
    assert keys == [b"scan-%03d" % i for i in range(10, 20)]
    assert len(list(t.scan(row_prefix=b"scan-", limit=5))) == 5
    assert len(list(t.scan(row_prefix=b"scan-", batch_size=3))) == 50
    only = list(t.scan(row_prefix=b"scan-", columns=[b"cf2:m"], limit=2))
    assert all(set(d) <= {b"cf2:m"} for _, d in only), only
    rev = [k for k, _ in t.scan(row_prefix=b"scan-", reverse=True)]
    assert rev == [b"scan-%03d" % i for i in range(49, -1, -1)], rev[:5]
    filtered = [k for k, _ in t.scan(row_prefix=b"scan-", filter=b"ValueFilter(=, 'binary:7')")]
    assert filtered == [b"scan-007"], filtered
    filtered = [k for k, _ in t.scan(filter=b"PrefixFilter('scan-04') AND KeyOnlyFilter()")]
    assert filtered == [b"scan-%03d" % i for i in range(40, 50)], filtered
    sc = list(t.scan(row_prefix=b"scan-001", sorted_columns=True))
    assert list(sc[0][1].keys()) == [b"cf1:n", b"cf2:m"], sc
    wide = list(t.scan(row_prefix=b"scan-001", scan_batching=1))
    assert [k for k, _ in wide] == [b"scan-001", b"scan-001"], wide

    # transaction: nothing sent when the block fails
    try:
        with t.batch(transaction=True) as b:
            b.put(b"tx", {b"cf1:a": b"1"})
            raise ValueError("abort")
    except ValueError:
        pass
    assert t.row(b"tx") == {}

    # counters, including negatives
    assert t.counter_get(b"c", b"cnt:hits") == 0
    assert t.counter_inc(b"c", b"cnt:hits") == 1
    assert t.counter_inc(b"c", b"cnt:hits", 10) == 11
    assert t.counter_dec(b"c", b"cnt:hits", 20) == -9
    t.counter_set(b"c", b"cnt:hits", 42)
    assert t.counter_get(b"c", b"cnt:hits") == 42
    try:
        t.counter_inc(b"row1", b"cf1:a")
        raise AssertionError("incrementing a non-counter cell must fail")
    except Exception as e:
        assert "not a long" in str(e), e

    # deletes
    t.delete(b"row1", columns=[b"cf2:b"])
    assert t.row(b"row1") == {b"cf1:a": b"v1"}
    t.delete(b"row1")
    assert t.row(b"row1") == {}
    with t.batch() as b:
        b.delete(b"row2")
        b.put(b"row3", {b"cf1:a": b"z"})
    assert t.row(b"row2") == {} and t.row(b"row3") == {b"cf1:a": b"z"}

    # admin
    conn.compact_table(name)
    conn.compact_table(name, major=True)
    conn.disable_table(name)
    assert not conn.is_table_enabled(name)
    conn.enable_table(name)
    conn.delete_table(name, disable=True)
    assert name.encode() not in conn.tables()


def bench_scan(binary, rows):
    proc, host, port = start_emulator(binary, "buffered", "binary")
    try:
        conn = happybase.Connection(host, port)
        conn.create_table("bench", {"cf": dict()})
        t = conn.table("bench")
        with t.batch(batch_size=1000) as b:
            for i in range(rows):
                b.put(b"row-%08d" % i, {b"cf:c%d" % c: b"value-%d" % c for c in range(5)})
        start = time.perf_counter()
        n = sum(1 for _ in t.scan(batch_size=1000))
        elapsed = time.perf_counter() - start
        assert n == rows, n
        print(f"happybase full scan: {rows} rows x 5 cells in {elapsed:.2f}s = {rows / elapsed:.0f} rows/s")
        conn.close()
    finally:
        stop_emulator(proc)


def main():
    binary = sys.argv[1]
    if len(sys.argv) > 3 and sys.argv[2] == "--bench-scan":
        bench_scan(binary, int(sys.argv[3]))
        return 0
    passed = failed = 0
    for transport in ("buffered", "framed"):
        for protocol in ("binary", "compact"):
            label = f"{transport}/{protocol}"
            proc, host, port = start_emulator(binary, transport, protocol)
            try:
                conn = happybase.Connection(host, port, transport=transport, protocol=protocol)
                flow(conn)
                conn.close()
                print(f"ok   happybase flow over {label}")
                passed += 1
            except Exception:
                print(f"FAIL happybase flow over {label}")
                traceback.print_exc()
                failed += 1
            finally:
                stop_emulator(proc)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
