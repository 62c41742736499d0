//! The `floor` peer: the least a client can do for each workload on this
//! protocol (buffered transport, binary protocol) and this machine. Its CPU
//! per operation and its wall throughput are the limit the other peers'
//! figures are divided by (`ratio <workload> <ours>/floor ...`).
//!
//! - every request is encoded before the clock starts (the scanner's id,
//!   known only once the scanner is open, is patched into the pre-encoded
//!   `scannerGetList` and `scannerClose` bytes: a 4-byte copy);
//! - one `write` per request, or per pipelined group of requests in the
//!   concurrent workload;
//! - replies are read into one buffer per socket, reused for the whole run;
//! - of a reply only its end is found (a walk of the binary protocol that
//!   resumes where it stopped when more bytes arrive), and a few bytes at a
//!   fixed place are looked at to know that the call succeeded: the message
//!   type, the result field's header, and the count of a list of rows (the
//!   scan needs it to know when to stop). Nothing is decoded or copied;
//! - plain blocking `std::net::TcpStream`s with `TCP_NODELAY`, no runtime.
//!
//! The workloads:
//! - bulk load: the same `mutateRows` calls of 200 rows as the sync peer's;
//! - sequential gets: `getRowWithColumns` with no columns, one at a time;
//! - concurrent gets: `pool_size` threads, each owning one socket and doing
//!   the keys of the workers `t, t + pool_size, ...`; each thread writes
//!   `ceil(concurrency / pool_size)` requests at once (as many as its
//!   workers would have in flight) and then reads their replies;
//! - full scan: `scannerOpenWithScan` (caching 1000), `scannerGetList` of
//!   1000 rows until an empty page, `scannerClose`.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::ops::Range;

use hbase_orm::Connection;
use hbase_orm_idl::hbase::{
    BatchMutation, HbaseGetRowWithColumnsArgs, HbaseMutateRowsArgs, HbaseScannerCloseArgs,
    HbaseScannerGetListArgs, HbaseScannerOpenWithScanArgs, Mutation, TScan,
};
use hbase_orm_idl::thrift;
use hbase_orm_idl::thrift::protocol::TOutputProtocol;
use hbase_orm_idl::wire::{self, Protocol, Transport};

use crate::data::{Data, Workload, BATCH_MUTATIONS, COLUMNS, SCAN_BATCH};
use crate::meter::{Meter, Sample};
use crate::peers::{expect_count, fresh_table, Ctx};
use crate::BenchResult;

/// The reply buffer of each socket: room for a whole page of scanned rows
/// (about 400 KB), allocated once.
const READ_BUFFER: usize = 1 << 20;
/// A scanner id that cannot be a real one, marking where the id goes in the
/// pre-encoded requests.
const ID_MARK: i32 = 0x5CA7_7E57;
/// Nesting of values walked at most.
const MAX_DEPTH: u32 = 64;

/// Runs the four workloads.
pub(crate) fn run(ctx: &Ctx<'_>) -> BenchResult<Vec<Sample>> {
    let data = &*ctx.data;
    let name = Data::table_name("floor");
    with_connection(ctx, |conn| {
        let name = name.clone();
        async move { fresh_table(&conn, &name).await }
    })?;
    let table = name.clone().into_bytes();
    let mut wire = Wire::connect(ctx.addr)?;
    let mut samples = Vec::new();

    let loads = bulk_load_requests(&table, data)?;
    let meter = Meter::start();
    for request in &loads {
        wire.send(request)?;
        let reply = wire.reply()?;
        expect_void(&wire.buf[reply], "mutateRows")?;
    }
    if data.measures(Workload::BulkLoad) {
        samples.push(meter.stop(Workload::BulkLoad, data.keys.len()));
    }
    drop(loads);

    if data.measures(Workload::SequentialGets) {
        let gets = data
            .get_keys
            .iter()
            .enumerate()
            .map(|(i, key)| get_request(&table, key, seq(i)))
            .collect::<BenchResult<Vec<_>>>()?;
        let meter = Meter::start();
        for request in &gets {
            wire.send(request)?;
            let reply = wire.reply()?;
            expect_count(
                "rows of a get",
                list_len(&wire.buf[reply], "getRowWithColumns")?,
                1,
            )?;
        }
        samples.push(meter.stop(Workload::SequentialGets, gets.len()));
        drop(gets);
    }

    if data.measures(Workload::ConcurrentGets) {
        let threads = data.sizes.pool_size.max(1);
        let depth = data.sizes.concurrency.div_ceil(threads).max(1);
        let mut per_thread: Vec<Vec<Vec<u8>>> = vec![Vec::new(); threads];
        for (w, keys) in data
            .get_slices(data.sizes.concurrency)
            .into_iter()
            .enumerate()
        {
            per_thread[w % threads].extend(keys);
        }
        let groups = per_thread
            .iter()
            .map(|keys| pipelined_groups(&table, keys, depth))
            .collect::<BenchResult<Vec<_>>>()?;
        let mut wires = (0..threads)
            .map(|_| Wire::connect(ctx.addr))
            .collect::<BenchResult<Vec<_>>>()?;
        let meter = Meter::start();
        std::thread::scope(|s| {
            let handles: Vec<_> = wires
                .iter_mut()
                .zip(&groups)
                .map(|(wire, groups)| {
                    s.spawn(move || -> BenchResult<()> {
                        for (bytes, calls) in groups {
                            wire.send(bytes)?;
                            for _ in 0..*calls {
                                let reply = wire.reply()?;
                                let rows = list_len(&wire.buf[reply], "getRowWithColumns")?;
                                expect_count("rows of a get", rows, 1)?;
                            }
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
        drop(wires);
    }

    if data.measures(Workload::FullScan) {
        let mut scan = ScanRequests::new(&table)?;
        let meter = Meter::start();
        let rows = full_scan(&mut wire, &mut scan)?;
        samples.push(meter.stop(Workload::FullScan, rows));
        expect_count("rows scanned", rows, data.keys.len())?;
    }

    drop(wire);
    with_connection(ctx, |conn| {
        let name = name.clone();
        async move { Ok(conn.delete_table(&name, true).await?) }
    })?;
    Ok(samples)
}

/// Runs `f` with an hbase-orm connection (for creating and deleting the
/// table, outside the measured workloads).
fn with_connection<F, Fut>(ctx: &Ctx<'_>, f: F) -> BenchResult<()>
where
    F: FnOnce(Connection) -> Fut,
    Fut: std::future::Future<Output = BenchResult<()>>,
{
    let addr = ctx.addr;
    ctx.runtime.block_on(async move {
        let conn = Connection::builder().addr(addr).connect().await?;
        f(conn.clone()).await?;
        conn.close().await;
        Ok(())
    })
}

fn seq(i: usize) -> i32 {
    i32::try_from(i % (i32::MAX as usize)).unwrap_or(0) + 1
}

/// One call message, buffered transport, binary protocol.
fn encode(
    method: &str,
    seq: i32,
    args: impl FnOnce(&mut dyn TOutputProtocol) -> thrift::Result<()>,
) -> BenchResult<Vec<u8>> {
    let mut out = Vec::new();
    wire::encode_call(
        Protocol::Binary,
        Transport::Buffered,
        method,
        seq,
        &mut out,
        args,
    )?;
    Ok(out)
}

/// The `mutateRows` calls of the bulk load, as the sync peer makes them.
fn bulk_load_requests(table: &[u8], data: &Data) -> BenchResult<Vec<Vec<u8>>> {
    let rows_per_call = (BATCH_MUTATIONS / COLUMNS).max(1);
    data.keys
        .chunks(rows_per_call)
        .enumerate()
        .map(|(i, chunk)| {
            let args = HbaseMutateRowsArgs {
                table_name: table.to_vec(),
                row_batches: chunk
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
                    .collect(),
                attributes: BTreeMap::new(),
            };
            encode("mutateRows", seq(i), |o| args.write_to_out_protocol(o))
        })
        .collect()
}

fn get_request(table: &[u8], key: &[u8], seq: i32) -> BenchResult<Vec<u8>> {
    let args = HbaseGetRowWithColumnsArgs {
        table_name: table.to_vec(),
        row: key.to_vec(),
        columns: Vec::new(),
        attributes: BTreeMap::new(),
    };
    encode("getRowWithColumns", seq, |o| args.write_to_out_protocol(o))
}

/// The gets of one thread in groups of `depth` requests written at once:
/// `(bytes, requests in them)`.
fn pipelined_groups(
    table: &[u8],
    keys: &[Vec<u8>],
    depth: usize,
) -> BenchResult<Vec<(Vec<u8>, usize)>> {
    keys.chunks(depth)
        .enumerate()
        .map(|(g, chunk)| {
            let mut bytes = Vec::new();
            for (i, key) in chunk.iter().enumerate() {
                bytes.extend(get_request(table, key, seq(g * depth + i))?);
            }
            Ok((bytes, chunk.len()))
        })
        .collect()
}

/// The requests of the scan; the scanner id is patched in once known.
struct ScanRequests {
    open: Vec<u8>,
    get_list: Vec<u8>,
    get_list_id: usize,
    close: Vec<u8>,
    close_id: usize,
}

impl ScanRequests {
    fn new(table: &[u8]) -> BenchResult<ScanRequests> {
        let batch = i32::try_from(SCAN_BATCH)?;
        let args = HbaseScannerOpenWithScanArgs {
            table_name: table.to_vec(),
            scan: TScan {
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
            },
            attributes: BTreeMap::new(),
        };
        let open = encode("scannerOpenWithScan", 1, |o| args.write_to_out_protocol(o))?;
        let get_list = encode("scannerGetList", 2, |o| {
            HbaseScannerGetListArgs {
                id: ID_MARK,
                nb_rows: batch,
            }
            .write_to_out_protocol(o)
        })?;
        let close = encode("scannerClose", 3, |o| {
            HbaseScannerCloseArgs { id: ID_MARK }.write_to_out_protocol(o)
        })?;
        Ok(ScanRequests {
            get_list_id: id_offset(&get_list)?,
            close_id: id_offset(&close)?,
            open,
            get_list,
            close,
        })
    }

    fn set_id(&mut self, id: i32) {
        let id = id.to_be_bytes();
        self.get_list[self.get_list_id..self.get_list_id + 4].copy_from_slice(&id);
        self.close[self.close_id..self.close_id + 4].copy_from_slice(&id);
    }
}

/// Where [`ID_MARK`] is in `request` (exactly once).
fn id_offset(request: &[u8]) -> BenchResult<usize> {
    let mark = ID_MARK.to_be_bytes();
    let mut found = request
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == mark)
        .map(|(i, _)| i);
    match (found.next(), found.next()) {
        (Some(at), None) => Ok(at),
        _ => Err("the scanner id mark is not once in the request".into()),
    }
}

fn full_scan(wire: &mut Wire, scan: &mut ScanRequests) -> BenchResult<usize> {
    wire.send(&scan.open)?;
    let reply = wire.reply()?;
    let id = scanner_id(&wire.buf[reply])?;
    scan.set_id(id);
    let mut rows = 0;
    loop {
        wire.send(&scan.get_list)?;
        let reply = wire.reply()?;
        match list_len(&wire.buf[reply], "scannerGetList")? {
            0 => break,
            n => rows += n,
        }
    }
    wire.send(&scan.close)?;
    let reply = wire.reply()?;
    expect_void(&wire.buf[reply], "scannerClose")?;
    Ok(rows)
}

/// One socket, its reply buffer and the walk of the reply being read.
struct Wire {
    stream: TcpStream,
    buf: Vec<u8>,
    /// The unread bytes are `buf[start..end]`.
    start: usize,
    end: usize,
    walker: Walker,
}

impl Wire {
    fn connect(addr: SocketAddr) -> BenchResult<Wire> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        Ok(Wire {
            stream,
            buf: vec![0; READ_BUFFER],
            start: 0,
            end: 0,
            walker: Walker::default(),
        })
    }

    fn send(&mut self, bytes: &[u8]) -> BenchResult<()> {
        Ok(self.stream.write_all(bytes)?)
    }

    /// Reads the next reply, whose bytes are then `self.buf[range]` until
    /// the next call.
    fn reply(&mut self) -> BenchResult<Range<usize>> {
        loop {
            if let Some(len) = self.walker.frame_len(&self.buf[self.start..self.end])? {
                let reply = self.start..self.start + len;
                self.start += len;
                if self.start == self.end {
                    // Nothing follows: the next read starts at the front
                    // again (the reply's bytes stay until then).
                    self.start = 0;
                    self.end = 0;
                }
                return Ok(reply);
            }
            if self.end == self.buf.len() {
                if self.start > 0 {
                    self.buf.copy_within(self.start..self.end, 0);
                    self.end -= self.start;
                    self.start = 0;
                } else {
                    self.buf.resize(self.buf.len() * 2, 0);
                }
            }
            match self.stream.read(&mut self.buf[self.end..])? {
                0 => return Err("the gateway closed the connection".into()),
                n => self.end += n,
            }
        }
    }
}

/// Where the body of a reply starts (after its strict binary header), once
/// it was checked to be a reply and not an exception.
fn body(reply: &[u8], method: &str) -> BenchResult<usize> {
    let name_len = be_i32(reply, 4).and_then(|n| usize::try_from(n).ok());
    match (reply.get(3), name_len) {
        (Some(2), Some(n)) => Ok(12 + n),
        (Some(3), _) => Err(format!("`{method}` failed: the gateway sent an exception").into()),
        _ => Err(format!("the reply to `{method}` is not a binary protocol reply").into()),
    }
}

/// Checks that a reply to a `void` method carries no exception.
fn expect_void(reply: &[u8], method: &str) -> BenchResult<()> {
    let at = body(reply, method)?;
    match reply.get(at) {
        Some(0) => Ok(()),
        _ => Err(format!("`{method}` failed: its reply carries an exception").into()),
    }
}

/// The element count of the `list<TRowResult>` result of a reply.
fn list_len(reply: &[u8], method: &str) -> BenchResult<usize> {
    let at = body(reply, method)?;
    match reply.get(at..at + 4) {
        Some([15, 0, 0, 12]) => {}
        _ => return Err(format!("`{method}` failed: its reply has no list of rows").into()),
    }
    be_i32(reply, at + 4)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| format!("the reply to `{method}` has a bad row count").into())
}

/// The `i32` result of a `scannerOpenWithScan` reply.
fn scanner_id(reply: &[u8]) -> BenchResult<i32> {
    let at = body(reply, "scannerOpenWithScan")?;
    match reply.get(at..at + 3) {
        Some([8, 0, 0]) => be_i32(reply, at + 3).ok_or_else(|| "a cut scanner id".into()),
        _ => Err("`scannerOpenWithScan` failed: its reply has no scanner id".into()),
    }
}

fn be_i32(buf: &[u8], at: usize) -> Option<i32> {
    let b = buf.get(at..at.checked_add(4)?)?;
    Some(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// The walk of one binary-protocol message, resumable at the fields of its
/// result struct and at the elements of a top-level list (the rows of a
/// page): a reply arriving in several reads is walked about once.
#[derive(Debug, Default)]
struct Walker {
    /// Where the walk stopped: the offset of the first piece not walked, and
    /// the element type and count left of the list being walked.
    resume: Option<(usize, Option<(u8, usize)>)>,
}

impl Walker {
    /// The length of the message at the start of `buf`, once it is whole.
    fn frame_len(&mut self, buf: &[u8]) -> BenchResult<Option<usize>> {
        let (mut pos, mut list) = match self.resume.take() {
            Some(resume) => resume,
            None => {
                let Some(name_len) = be_i32(buf, 4) else {
                    return Ok(None);
                };
                if buf[..2] != [0x80, 0x01] {
                    return Err("not a strict binary protocol message".into());
                }
                let name_len = usize::try_from(name_len).map_err(|_| "negative name length")?;
                (12 + name_len, None)
            }
        };
        loop {
            if let Some((ty, left)) = list.take() {
                for done in 0..left {
                    match skip(buf, pos, ty, 0)? {
                        Some(next) => pos = next,
                        None => {
                            self.resume = Some((pos, Some((ty, left - done))));
                            return Ok(None);
                        }
                    }
                }
            }
            let Some(&ty) = buf.get(pos) else {
                self.resume = Some((pos, None));
                return Ok(None);
            };
            if ty == 0 {
                return Ok(Some(pos + 1));
            }
            if ty == 14 || ty == 15 {
                match (buf.get(pos + 3), be_i32(buf, pos + 4)) {
                    (Some(&elem), Some(n)) => {
                        let n = usize::try_from(n).map_err(|_| "negative list size")?;
                        pos += 8;
                        list = Some((elem, n));
                        continue;
                    }
                    _ => {
                        self.resume = Some((pos, None));
                        return Ok(None);
                    }
                }
            }
            match skip(buf, pos + 3, ty, 0)? {
                Some(next) => pos = next,
                None => {
                    self.resume = Some((pos, None));
                    return Ok(None);
                }
            }
        }
    }
}

/// The size of a value of fixed-size type `ty`.
fn fixed_size(ty: u8) -> Option<usize> {
    match ty {
        2 | 3 => Some(1),
        6 => Some(2),
        8 => Some(4),
        4 | 10 => Some(8),
        16 => Some(16),
        _ => None,
    }
}

/// The offset just past the value of type `ty` at `pos`; `None` when `buf`
/// ends first.
fn skip(buf: &[u8], mut pos: usize, ty: u8, depth: u32) -> BenchResult<Option<usize>> {
    if depth > MAX_DEPTH {
        return Err("a message nested too deep".into());
    }
    if let Some(size) = fixed_size(ty) {
        return Ok(Some(pos + size).filter(|&end| end <= buf.len()));
    }
    let count = |at: usize| -> BenchResult<Option<usize>> {
        match be_i32(buf, at) {
            None => Ok(None),
            Some(n) => Ok(Some(usize::try_from(n).map_err(|_| "a negative size")?)),
        }
    };
    match ty {
        11 => Ok(count(pos)?
            .map(|n| pos + 4 + n)
            .filter(|&end| end <= buf.len())),
        12 => loop {
            match buf.get(pos) {
                None => return Ok(None),
                Some(0) => return Ok(Some(pos + 1)),
                Some(&field) => match skip(buf, pos + 3, field, depth + 1)? {
                    Some(next) => pos = next,
                    None => return Ok(None),
                },
            }
        },
        14 | 15 => {
            let (Some(&elem), Some(n)) = (buf.get(pos), count(pos + 1)?) else {
                return Ok(None);
            };
            pos += 5;
            if let Some(size) = fixed_size(elem) {
                return Ok(Some(pos + n * size).filter(|&end| end <= buf.len()));
            }
            for _ in 0..n {
                match skip(buf, pos, elem, depth + 1)? {
                    Some(next) => pos = next,
                    None => return Ok(None),
                }
            }
            Ok(Some(pos))
        }
        13 => {
            let (Some(&k), Some(&v), Some(n)) = (buf.get(pos), buf.get(pos + 1), count(pos + 2)?)
            else {
                return Ok(None);
            };
            pos += 6;
            for _ in 0..n {
                for ty in [k, v] {
                    match skip(buf, pos, ty, depth + 1)? {
                        Some(next) => pos = next,
                        None => return Ok(None),
                    }
                }
            }
            Ok(Some(pos))
        }
        _ => Err(format!("unknown binary protocol type {ty}").into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hbase_orm_idl::hbase::{HbaseScannerGetListResult, TCell, TRowResult};
    use hbase_orm_idl::thrift::protocol::{TMessageIdentifier, TMessageType};

    fn page(rows: usize) -> Vec<u8> {
        let result = HbaseScannerGetListResult {
            result_value: Some(
                (0..rows)
                    .map(|i| TRowResult {
                        row: Some(format!("row-{i}").into_bytes()),
                        columns: Some(BTreeMap::from([(
                            b"cf:a".to_vec(),
                            TCell {
                                value: Some(vec![7; i]),
                                timestamp: Some(5),
                            },
                        )])),
                        sorted_columns: None,
                    })
                    .collect(),
            ),
            io: None,
            ia: None,
        };
        let mut out = Vec::new();
        let ident = TMessageIdentifier::new("scannerGetList", TMessageType::Reply, 9);
        wire::encode(
            Protocol::Binary,
            Transport::Buffered,
            &ident,
            &mut out,
            |o| result.write_to_out_protocol(o),
        )
        .unwrap();
        out
    }

    #[test]
    fn the_walk_finds_the_end_from_any_reads() {
        let one = page(5);
        let mut stream = one.clone();
        stream.extend(page(0));
        for cut in 0..one.len() {
            let mut walker = Walker::default();
            assert_eq!(walker.frame_len(&stream[..cut]).unwrap(), None, "cut {cut}");
            assert_eq!(
                walker.frame_len(&stream).unwrap(),
                Some(one.len()),
                "cut {cut}"
            );
        }
        assert_eq!(list_len(&one, "scannerGetList").unwrap(), 5);
        assert_eq!(list_len(&page(0), "scannerGetList").unwrap(), 0);
    }

    #[test]
    fn the_scanner_id_goes_where_the_mark_was() {
        let mut scan = ScanRequests::new(b"t").unwrap();
        scan.set_id(42);
        let args = wire::decode(Protocol::Binary, &scan.get_list, |_, i| {
            HbaseScannerGetListArgs::read_from_in_protocol(i)
        })
        .unwrap();
        assert_eq!((args.id, args.nb_rows), (42, 1000));
        let close = wire::decode(Protocol::Binary, &scan.close, |_, i| {
            HbaseScannerCloseArgs::read_from_in_protocol(i)
        })
        .unwrap();
        assert_eq!(close.id, 42);
    }

    #[test]
    fn bad_bytes_are_errors_not_panics() {
        let mut walker = Walker::default();
        assert!(walker.frame_len(b"\x00\x00\x00\x01xxxx").is_err());
        let mut bad = page(1);
        bad[12 + "scannerGetList".len()] = 99; // an unknown type as the result field's
        let mut walker = Walker::default();
        assert!(walker.frame_len(&bad).is_err());
        assert!(body(b"\x80\x01\x00\x03\x00\x00\x00\x00", "m").is_err());
    }
}
