//! The Hbase service methods against the emulator, call by call.
