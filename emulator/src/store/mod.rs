//! Storage behind the handler. (being written)
