"""Drives `hbase-emulator --transport http` with the stock `aiohappybase` client
in its HTTP mode (`client='http'`, backed by the `thriftpy2-httpx-client`
package) through a realistic asyncio flow.

Usage:
    python aiohappybase_http_flow.py EMULATOR_BINARY

Starts one emulator on a free loopback port, runs the flow on one
connection and then on a connection pool hit by concurrent tasks, stops the
emulator with SIGTERM and checks it exits 0. Every step asserts what a real
gateway in HTTP mode answers. Prints 'N passed, N failed' at the end and
exits non-zero on any failure.
"""

import asyncio
import signal
import subprocess
import sys
import traceback

import aiohappybase


def start_emulator(binary):
    proc = subprocess.Popen(
        [binary, "--bind", "127.0.0.1:0", "--transport", "http"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = proc.stdout.readline()
    if "listening on" not in line or "(http, binary" not in line:
        proc.kill()
        raise RuntimeError(f"emulator did not start in HTTP mode: {line!r}")
    addr = line.split("listening on", 1)[1].split()[0]
    host, port = addr.rsplit(":", 1)
    return proc, host, int(port)


def stop_emulator(proc):
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=10)
    assert code == 0, f"emulator exited with {code}"


async def collect(agen):
    return [item async for item in agen]


async def flow(conn):
    name = "aio_http"
    assert name.encode() not in await conn.tables()
    await conn.create_table(name, {"cf": dict(max_versions=5), "meta": dict(), "cnt": dict()})
    assert name.encode() in await conn.tables()
    assert await conn.is_table_enabled(name)
    try:
        await conn.create_table(name, {"cf": dict()})
        raise AssertionError("creating an existing table must fail")
    except Exception as e:  # AlreadyExists, carried in a 200 answer
        assert "AlreadyExists" in type(e).__name__ or "exist" in str(e).lower(), e

    t = conn.table(name)
    families = await t.families()
    assert set(families) == {b"cf", b"meta", b"cnt"}, families
    assert families[b"cf"]["max_versions"] == 5, families[b"cf"]
    regions = await t.regions()
    assert len(regions) == 1, regions

    # Writes and reads of single rows.
    await t.put(b"user-1", {b"cf:name": b"Ann", b"meta:plan": b"pro"})
    assert await t.row(b"user-1") == {b"cf:name": b"Ann", b"meta:plan": b"pro"}
    assert await t.row(b"user-1", columns=[b"meta"]) == {b"meta:plan": b"pro"}
    assert await t.row(b"nobody") == {}
    await t.put(b"user-2", {b"cf:name": b"Bob"})
    rows = await t.rows([b"user-1", b"nobody", b"user-2"])
    assert [k for k, _ in rows] == [b"user-1", b"user-2"], rows

    # Versions and timestamps (read bounds are exclusive).
    for i in range(8):
        await t.put(b"doc", {b"cf:body": b"rev%d" % i}, timestamp=1000 + i)
    cells = await t.cells(b"doc", b"cf:body")
    assert cells == [b"rev7", b"rev6", b"rev5", b"rev4", b"rev3"], cells
    assert await t.cells(b"doc", b"cf:body", versions=2, timestamp=1005) == [b"rev4", b"rev3"]
    assert await t.row(b"doc", include_timestamp=True) == {b"cf:body": (b"rev7", 1007)}

    # A batch, then scans: prefix, range, limit, reversed, filter.
    async with t.batch(batch_size=10) as b:
        for i in range(40):
            await b.put(b"event-%03d" % i, {b"cf:n": b"%d" % i})
    keys = [k for k, _ in await collect(t.scan(row_prefix=b"event-"))]
    assert keys == [b"event-%03d" % i for i in range(40)], keys[:3]
    keys = [k for k, _ in await collect(t.scan(row_start=b"event-010", row_stop=b"event-015"))]
    assert keys == [b"event-%03d" % i for i in range(10, 15)], keys
    assert len(await collect(t.scan(row_prefix=b"event-", limit=7))) == 7
    assert len(await collect(t.scan(row_prefix=b"event-", batch_size=4))) == 40
    rev = [k for k, _ in await collect(t.scan(row_prefix=b"event-", reverse=True))]
    assert rev[:3] == [b"event-039", b"event-038", b"event-037"], rev[:3]
    hit = [k for k, _ in await collect(
        t.scan(row_prefix=b"event-", filter=b"SingleColumnValueFilter('cf', 'n', =, 'binary:21')"))]
    assert hit == [b"event-021"], hit

    # Counters.
    assert await t.counter_get(b"stats", b"cnt:views") == 0
    assert await t.counter_inc(b"stats", b"cnt:views", 5) == 5
    assert await t.counter_dec(b"stats", b"cnt:views", 7) == -2
    try:
        await t.counter_inc(b"user-1", b"cf:name")
        raise AssertionError("incrementing a non-counter cell must fail")
    except Exception as e:
        assert "not a long" in str(e), e

    # Deletes.
    await t.delete(b"user-1", columns=[b"meta:plan"])
    assert await t.row(b"user-1") == {b"cf:name": b"Ann"}
    await t.delete(b"user-2")
    assert await t.row(b"user-2") == {}

    # Admin.
    await conn.disable_table(name)
    assert not await conn.is_table_enabled(name)
    await conn.delete_table(name)
    assert name.encode() not in await conn.tables()


async def pool_flow(host, port):
    pool = aiohappybase.ConnectionPool(size=3, host=host, port=port, client="http")
    async with pool.connection() as conn:
        await conn.create_table("aio_pool", {"cf": dict()})

    async def writer(n):
        async with pool.connection() as conn:
            t = conn.table("aio_pool")
            for i in range(20):
                await t.put(b"w%d-%02d" % (n, i), {b"cf:v": b"%d" % i})

    await asyncio.gather(*(writer(n) for n in range(6)))
    async with pool.connection() as conn:
        rows = await collect(conn.table("aio_pool").scan())
        assert len(rows) == 120, len(rows)
        await conn.delete_table("aio_pool", disable=True)
    pool.close()
    await asyncio.sleep(0)  # let the HTTP clients' close tasks run


async def run(host, port):
    passed = failed = 0
    for label, step in (
        ("aiohappybase flow over HTTP", lambda: one_connection(host, port)),
        ("aiohappybase pool of 3 over HTTP, 6 concurrent writers", lambda: pool_flow(host, port)),
    ):
        try:
            await step()
            print(f"ok   {label}")
            passed += 1
        except Exception:
            print(f"FAIL {label}")
            traceback.print_exc()
            failed += 1
    return passed, failed


async def one_connection(host, port):
    conn = aiohappybase.Connection(host, port, client="http")
    await conn.open()
    try:
        await flow(conn)
    finally:
        conn.close()
        await asyncio.sleep(0)  # let the HTTP client's close task run


def main():
    binary = sys.argv[1]
    proc, host, port = start_emulator(binary)
    try:
        passed, failed = asyncio.run(run(host, port))
    finally:
        stop_emulator(proc)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
