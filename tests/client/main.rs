//! Integration tests: client.

mod blocking;
mod pool;
