//! Transports, protocols, bad input, concurrency and shutdown over real sockets.
