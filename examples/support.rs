//! Shared set-up of the examples.
