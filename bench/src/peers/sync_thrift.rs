//! The `sync` peer: the synchronous client the `thrift` crate generates
//! (`HbaseSyncClient`), as a user would write it without hbase-orm.
//!
//! Stock thrift 0.25 pieces: a `TTcpChannel` over a `std::net::TcpStream`
//! (with `TCP_NODELAY`, as HappyBase's socket has), split into
//! `TBufferedReadTransport` / `TBufferedWriteTransport` with their default
//! buffer sizes, and `TBinaryInputProtocol` / `TBinaryOutputProtocol`.
//!
//! - bulk load: `mutateRows` calls of 200 rows (1000 mutations);
//! - sequential gets: `getRowWithColumns` with no columns, each checked;
//! - concurrent gets: the client has no pool and no pipelining, so
//!   `pool_size` OS threads each own one connection and do the keys of the
//!   workers `t, t + pool_size, ...` (the same keys in all);
//! - full scan: `scannerOpenWithScan` (caching 1000), `scannerGetList` of
//!   1000 rows until empty, `scannerClose`.

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpStream};

use hbase_orm_idl::hbase::{BatchMutation, ColumnDescriptor, HbaseSyncClient, Mutation, TScan};
use hbase_orm_idl::hbase::{THbaseSyncClient, TRowResult};
use hbase_orm_idl::thrift::protocol::{TBinaryInputProtocol, TBinaryOutputProtocol};
use hbase_orm_idl::thrift::transport::{
    ReadHalf, TBufferedReadTransport, TBufferedWriteTransport, TIoChannel, TTcpChannel, WriteHalf,
};

use crate::data::{Data, Workload, BATCH_MUTATIONS, COLUMNS, FAMILY, SCAN_BATCH};
use crate::meter::{Meter, Sample};
use crate::peers::{expect_count, Ctx};
use crate::BenchResult;

type Client = HbaseSyncClient<
    TBinaryInputProtocol<TBufferedReadTransport<ReadHalf<TTcpChannel>>>,
    TBinaryOutputProtocol<TBufferedWriteTransport<WriteHalf<TTcpChannel>>>,
>;

/// Runs the four workloads.
pub(crate) fn run(ctx: &Ctx<'_>) -> BenchResult<Vec<Sample>> {
    let data = &*ctx.data;
    let mut client = connect(ctx.addr)?;
    let name = Data::table_name("sync").into_bytes();
    fresh_table(&mut client, &name)?;
    let mut samples = Vec::new();

    let meter = Meter::start();
    bulk_load(&mut client, &name, data)?;
    samples.push(meter.stop(Workload::BulkLoad, data.keys.len()));

    let meter = Meter::start();
    for key in &data.get_keys {
        get(&mut client, &name, key)?;
    }
    samples.push(meter.stop(Workload::SequentialGets, data.get_keys.len()));

    let threads = data.sizes.pool_size.max(1);
    let mut per_thread: Vec<Vec<Vec<u8>>> = vec![Vec::new(); threads];
    for (w, keys) in data
        .get_slices(data.sizes.concurrency)
        .into_iter()
        .enumerate()
    {
        per_thread[w % threads].extend(keys);
    }
    let mut clients = (0..threads)
        .map(|_| connect(ctx.addr))
        .collect::<BenchResult<Vec<_>>>()?;
    let meter = Meter::start();
    std::thread::scope(|s| {
        let handles: Vec<_> = clients
            .iter_mut()
            .zip(&per_thread)
            .map(|(client, keys)| {
                let name = &name;
                s.spawn(move || -> BenchResult<()> {
                    for key in keys {
                        get(client, name, key)?;
                    }
                    Ok(())
                })
            })
            .collect();
        handles
            .into_iter()
            .try_for_each(|h| h.join().map_err(|_| "a get thread panicked")?)
    })?;
    samples.push(meter.stop(Workload::ConcurrentGets, data.get_keys.len()));
    drop(clients);

    let meter = Meter::start();
    let (rows, cells) = full_scan(&mut client, &name)?;
    samples.push(meter.stop(Workload::FullScan, rows));
    expect_count("rows scanned", rows, data.keys.len())?;
    expect_count("cells scanned", cells, data.keys.len() * COLUMNS)?;

    client.disable_table(name.clone())?;
    client.delete_table(name)?;
    Ok(samples)
}

fn connect(addr: SocketAddr) -> BenchResult<Client> {
    let stream = TcpStream::connect(addr)?;
    stream.set_nodelay(true)?;
    let (read, write) = TTcpChannel::with_stream(stream).split()?;
    Ok(HbaseSyncClient::new(
        TBinaryInputProtocol::new(TBufferedReadTransport::new(read), true),
        TBinaryOutputProtocol::new(TBufferedWriteTransport::new(write), true),
    ))
}

fn fresh_table(client: &mut Client, name: &[u8]) -> BenchResult<()> {
    if client.get_table_names()?.iter().any(|t| t == name) {
        if client.is_table_enabled(name.to_vec())? {
            client.disable_table(name.to_vec())?;
        }
        client.delete_table(name.to_vec())?;
    }
    let family = ColumnDescriptor {
        name: Some(format!("{FAMILY}:").into_bytes()),
        max_versions: Some(1),
        compression: Some("NONE".to_owned()),
        in_memory: Some(false),
        bloom_filter_type: Some("NONE".to_owned()),
        bloom_filter_vector_size: Some(0),
        bloom_filter_nb_hashes: Some(0),
        block_cache_enabled: Some(false),
        time_to_live: Some(i32::MAX),
    };
    client.create_table(name.to_vec(), vec![family])?;
    Ok(())
}

fn bulk_load(client: &mut Client, name: &[u8], data: &Data) -> BenchResult<()> {
    let rows_per_call = (BATCH_MUTATIONS / COLUMNS).max(1);
    for chunk in data.keys.chunks(rows_per_call) {
        let batches = chunk
            .iter()
            .map(|key| BatchMutation {
                row: Some(key.clone()),
                mutations: Some(
                    data.cells
                        .iter()
                        .map(|(c, v)| Mutation {
                            is_delete: Some(false),
                            column: Some(c.clone()),
                            value: Some(v.clone()),
                            write_to_w_a_l: Some(true),
                        })
                        .collect(),
                ),
            })
            .collect();
        client.mutate_rows(name.to_vec(), batches, BTreeMap::new())?;
    }
    Ok(())
}

fn get(client: &mut Client, name: &[u8], key: &[u8]) -> BenchResult<()> {
    let rows =
        client.get_row_with_columns(name.to_vec(), key.to_vec(), Vec::new(), BTreeMap::new())?;
    let cells = rows.first().map_or(0, cell_count);
    if cells == COLUMNS {
        Ok(())
    } else {
        Err(format!(
            "row {} has {cells} cells, expected {COLUMNS}",
            String::from_utf8_lossy(key)
        )
        .into())
    }
}

fn cell_count(row: &TRowResult) -> usize {
    row.columns.as_ref().map_or(0, BTreeMap::len) + row.sorted_columns.as_ref().map_or(0, Vec::len)
}

fn full_scan(client: &mut Client, name: &[u8]) -> BenchResult<(usize, usize)> {
    let batch = i32::try_from(SCAN_BATCH)?;
    let scan = TScan {
        start_row: Some(Vec::new()),
        stop_row: None,
        timestamp: None,
        columns: None,
        caching: Some(batch),
        filter_string: None,
        batch_size: None,
        sort_columns: None,
        reversed: None,
        cache_blocks: None,
    };
    let id = client.scanner_open_with_scan(name.to_vec(), scan, BTreeMap::new())?;
    let (mut rows, mut cells) = (0, 0);
    loop {
        let page = client.scanner_get_list(id, batch)?;
        if page.is_empty() {
            break;
        }
        rows += page.len();
        cells += page.iter().map(cell_count).sum::<usize>();
    }
    client.scanner_close(id)?;
    Ok((rows, cells))
}
