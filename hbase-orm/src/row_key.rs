//! Row-key encoding whose byte order equals the typed order. (being written)
