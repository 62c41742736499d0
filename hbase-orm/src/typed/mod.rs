//! The typed layer: models (`#[derive(HRow)]`, the [`row::HRow`] trait),
//! value [`codec`]s, order-preserving [`row_key`]s, typed [`filter`]s and
//! the [`repo::Repo`] that reads and writes models.
//!
//! It may use the clients below it, the value types and
//! [`Error`](crate::Error). Within it: `codec` ← `row_key` ← `filter` ←
//! `row` ← `repo`.

pub mod codec;
pub mod filter;
pub mod repo;
pub mod row;
pub mod row_key;
