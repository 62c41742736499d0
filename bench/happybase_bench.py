"""The happybase side of the benchmark: same workloads, same data, same emulator.

Usage: python happybase_bench.py HOST PORT ROWS GETS CONCURRENCY POOL_SIZE

Prints one line per workload, read by the bench binary:
    result <workload> <operations> <wall seconds> <cpu seconds of this process>
"""

import sys
import threading
import time

import happybase


def measure(name, ops, fn):
    wall0, cpu0 = time.perf_counter(), time.process_time()
    fn()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    print(f"result {name} {ops} {wall:.6f} {cpu:.6f}", flush=True)


def main():
    host, port, rows, gets, concurrency, pool_size = sys.argv[1:7]
    port, rows, gets = int(port), int(rows), int(gets)
    concurrency, pool_size = int(concurrency), int(pool_size)
    table_name = "bench_happybase"

    conn = happybase.Connection(host, port)
    if table_name.encode() in conn.tables():
        conn.delete_table(table_name, disable=True)
    conn.create_table(table_name, {"cf": dict(max_versions=1)})
    table = conn.table(table_name)
    keys = [b"row-%08d" % i for i in range(rows)]
    values = {b"cf:c%d" % c: b"value-%d-" % c + b"x" * 16 for c in range(5)}

    def bulk_load():
        with table.batch(batch_size=1000) as b:
            for key in keys:
                b.put(key, values)

    measure("bulk_load", rows, bulk_load)

    step = max(1, rows // gets)
    get_keys = [keys[(i * step) % rows] for i in range(gets)]

    def sequential_gets():
        for key in get_keys:
            if not table.row(key):
                raise AssertionError(key)

    measure("sequential_gets", gets, sequential_gets)

    pool = happybase.ConnectionPool(size=pool_size, host=host, port=port)
    per_thread = [get_keys[i::concurrency] for i in range(concurrency)]
    errors = []

    def worker(my_keys):
        try:
            for key in my_keys:
                with pool.connection() as c:
                    if not c.table(table_name).row(key):
                        raise AssertionError(key)
        except Exception as e:  # reported below
            errors.append(e)

    def concurrent_gets():
        threads = [threading.Thread(target=worker, args=(k,)) for k in per_thread]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]

    measure("concurrent_gets", gets, concurrent_gets)

    def full_scan():
        n = sum(1 for _ in table.scan(batch_size=1000))
        if n != rows:
            raise AssertionError(n)

    measure("full_scan", rows, full_scan)
    conn.delete_table(table_name, disable=True)
    conn.close()


if __name__ == "__main__":
    main()
