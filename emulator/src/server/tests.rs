//! Tests of the server that need its insides (a slow disk), over real
//! sockets.

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hbase_orm_idl::hbase::{ColumnDescriptor, HbaseSyncClient, Mutation, THbaseSyncClient};
use hbase_orm_idl::thrift::protocol::{
    TBinaryInputProtocol, TBinaryOutputProtocol, TInputProtocol, TOutputProtocol,
};
use hbase_orm_idl::thrift::transport::{
    TBufferedReadTransport, TBufferedWriteTransport, TIoChannel, TTcpChannel,
};

use super::Emulator;

type Client = HbaseSyncClient<Box<dyn TInputProtocol + Send>, Box<dyn TOutputProtocol + Send>>;

fn client(addr: SocketAddr) -> Client {
    let stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let (read, write) = TTcpChannel::with_stream(stream).split().expect("split");
    let input: Box<dyn TInputProtocol + Send> = Box::new(TBinaryInputProtocol::new(
        TBufferedReadTransport::new(read),
        true,
    ));
    let output: Box<dyn TOutputProtocol + Send> = Box::new(TBinaryOutputProtocol::new(
        TBufferedWriteTransport::new(write),
        true,
    ));
    HbaseSyncClient::new(input, output)
}

/// A fresh directory, removed on drop.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn temp_dir() -> TempDir {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    TempDir(std::env::temp_dir().join(format!(
        "hbase-emulator-server-{}-{nanos}",
        std::process::id()
    )))
}

/// With a disk whose syncs take a second, a write waits for its sync on the
/// blocking pool: on the emulator's one-thread runtime another connection
/// is still answered meanwhile, and does not see the write before it is
/// synced.
#[test]
fn a_slow_sync_stalls_neither_other_connections_nor_shows_the_change_early() {
    let dir = temp_dir();
    let mut builder = Emulator::builder().data_dir(&dir.0);
    builder.durable.sync_delay = Duration::from_millis(1500);
    // start_blocking: a current-thread runtime, one worker for everything.
    let emulator = builder.start_blocking().expect("start");
    let addr = emulator.addr();
    let mut reader = client(addr);
    let cf = ColumnDescriptor {
        name: Some(b"f".to_vec()),
        ..ColumnDescriptor::default()
    };
    reader
        .create_table(b"t".to_vec(), vec![cf])
        .expect("createTable");

    let sent = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(AtomicBool::new(false));
    let writer = {
        let (sent, acked) = (Arc::clone(&sent), Arc::clone(&acked));
        thread::spawn(move || {
            let mut c = client(addr);
            let put = Mutation::new(false, b"f:q".to_vec(), b"v".to_vec(), true);
            sent.store(true, Ordering::SeqCst);
            c.mutate_row(b"t".to_vec(), b"r".to_vec(), vec![put], BTreeMap::new())
                .expect("mutateRow");
            acked.store(true, Ordering::SeqCst);
        })
    };
    let mut answered_while_pending = 0;
    let mut seen_while_pending = 0;
    loop {
        let was_pending = sent.load(Ordering::SeqCst) && !acked.load(Ordering::SeqCst);
        let rows = reader
            .get_row(b"t".to_vec(), b"r".to_vec(), BTreeMap::new())
            .expect("getRow");
        let still_pending = !acked.load(Ordering::SeqCst);
        if was_pending && still_pending {
            answered_while_pending += 1;
            seen_while_pending += usize::from(!rows.is_empty());
        }
        if acked.load(Ordering::SeqCst) {
            break;
        }
        thread::sleep(Duration::from_millis(5));
    }
    writer.join().expect("writer");
    assert!(
        answered_while_pending >= 3,
        "only {answered_while_pending} reads answered while a write waited for its sync"
    );
    // Synced, applied, then acknowledged: at most the read that fell
    // between the last two saw it before the reply.
    assert!(
        seen_while_pending <= 1,
        "{seen_while_pending} of {answered_while_pending} reads saw the write before its sync"
    );
    let rows = reader
        .get_row(b"t".to_vec(), b"r".to_vec(), BTreeMap::new())
        .expect("getRow");
    assert_eq!(rows.len(), 1, "acknowledged and visible");
}
