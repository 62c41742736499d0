//! The blocking API (placeholder while it is written).
