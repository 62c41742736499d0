//! The data and the workloads, identical for every peer (and identical to
//! `bench/happybase_bench.py`).
//!
//! Rows `row-%08d` (0..rows), each with the same 5 cells `cf:c0`..`cf:c4` =
//! `value-<c>-` followed by 16 `x`. Gets read `gets` keys spread evenly over
//! the table (`keys[(i * step) % rows]`, `step = max(1, rows / gets)`); the
//! concurrent workload splits them among `concurrency` workers, worker `w`
//! taking keys `w, w + concurrency, ...`.

use std::fmt;

/// The only column family.
pub(crate) const FAMILY: &str = "cf";
/// Columns per row.
pub(crate) const COLUMNS: usize = 5;
/// Mutations per `mutateRows` call in the bulk load (HappyBase's
/// `batch_size`, which counts mutations: 200 rows of 5 cells).
pub(crate) const BATCH_MUTATIONS: usize = 1000;
/// Rows per scanner round trip (HappyBase's scan `batch_size`).
pub(crate) const SCAN_BATCH: u32 = 1000;

/// The four workloads, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Workload {
    /// Writes every row, in batches of [`BATCH_MUTATIONS`] mutations.
    BulkLoad,
    /// `gets` point gets, one after the other.
    SequentialGets,
    /// The same gets by `concurrency` workers over `pool_size` connections.
    ConcurrentGets,
    /// Reads every row with one scanner.
    FullScan,
}

impl Workload {
    /// Every workload, in order.
    pub(crate) const ALL: [Workload; 4] = [
        Workload::BulkLoad,
        Workload::SequentialGets,
        Workload::ConcurrentGets,
        Workload::FullScan,
    ];

    /// The name used in the report and by the happybase script.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Workload::BulkLoad => "bulk_load",
            Workload::SequentialGets => "sequential_gets",
            Workload::ConcurrentGets => "concurrent_gets",
            Workload::FullScan => "full_scan",
        }
    }

    /// The workload named `name`.
    pub(crate) fn from_name(name: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|w| w.name() == name)
    }
}

impl fmt::Display for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Sizes of a run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sizes {
    pub(crate) rows: usize,
    pub(crate) gets: usize,
    pub(crate) concurrency: usize,
    pub(crate) pool_size: usize,
}

/// Keys and values, built once before anything is measured.
#[derive(Debug)]
pub(crate) struct Data {
    pub(crate) sizes: Sizes,
    /// Every row key, in order.
    pub(crate) keys: Vec<Vec<u8>>,
    /// The `(column, value)` cells of every row.
    pub(crate) cells: Vec<(Vec<u8>, Vec<u8>)>,
    /// The keys read by the get workloads, in order.
    pub(crate) get_keys: Vec<Vec<u8>>,
    /// The workloads measured (`--workloads`); the bulk load runs anyway,
    /// unmeasured, when a later workload needs the rows.
    pub(crate) workloads: Vec<Workload>,
}

impl Data {
    /// The data of a run of `sizes`.
    pub(crate) fn new(sizes: Sizes) -> Data {
        let keys: Vec<Vec<u8>> = (0..sizes.rows).map(row_key).collect();
        let cells = Data::cells();
        let step = (sizes.rows / sizes.gets.max(1)).max(1);
        let get_keys = (0..sizes.gets)
            .map(|i| keys[(i * step) % sizes.rows].clone())
            .collect();
        Data {
            sizes,
            keys,
            cells,
            get_keys,
            workloads: Workload::ALL.to_vec(),
        }
    }

    /// Whether `workload` is measured in this run.
    pub(crate) fn measures(&self, workload: Workload) -> bool {
        self.workloads.contains(&workload)
    }

    /// The `(column, value)` cells every row has.
    pub(crate) fn cells() -> Vec<(Vec<u8>, Vec<u8>)> {
        (0..COLUMNS)
            .map(|c| {
                let column = format!("{FAMILY}:c{c}").into_bytes();
                let mut value = format!("value-{c}-").into_bytes();
                value.extend_from_slice(&[b'x'; 16]);
                (column, value)
            })
            .collect()
    }

    /// The get keys dealt round-robin to `n` workers.
    pub(crate) fn get_slices(&self, n: usize) -> Vec<Vec<Vec<u8>>> {
        let n = n.max(1);
        let mut slices = vec![Vec::new(); n];
        for (i, key) in self.get_keys.iter().enumerate() {
            slices[i % n].push(key.clone());
        }
        slices
    }

    /// The table of peer `peer`: each peer writes its own.
    pub(crate) fn table_name(peer: &str) -> String {
        format!("bench_{peer}")
    }
}

/// The key of row `i`, as the happybase script writes it.
pub(crate) fn row_key(i: usize) -> Vec<u8> {
    format!("row-{i:08}").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_matches_the_python_script() {
        let d = Data::new(Sizes {
            rows: 100,
            gets: 10,
            concurrency: 3,
            pool_size: 2,
        });
        assert_eq!(d.keys[7], b"row-00000007");
        assert_eq!(d.cells[2].0, b"cf:c2");
        assert_eq!(d.cells[2].1, b"value-2-xxxxxxxxxxxxxxxx");
        // step 10: keys 0, 10, 20, ...
        assert_eq!(d.get_keys[3], b"row-00000030");
        let slices = d.get_slices(3);
        assert_eq!(slices.iter().map(Vec::len).collect::<Vec<_>>(), [4, 3, 3]);
        assert_eq!(slices[1][1], b"row-00000040");
    }

    #[test]
    fn more_gets_than_rows_wrap_around() {
        let d = Data::new(Sizes {
            rows: 4,
            gets: 10,
            concurrency: 1,
            pool_size: 1,
        });
        assert_eq!(d.get_keys[5], b"row-00000001");
    }

    #[test]
    fn workload_names_round_trip() {
        for w in Workload::ALL {
            assert_eq!(Workload::from_name(w.name()), Some(w));
        }
    }
}
