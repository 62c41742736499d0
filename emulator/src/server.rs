//! The network side: listener, connections, transports. (being written)

/// A running emulator.
#[derive(Debug)]
pub struct Emulator {}

/// Configures and starts an [`Emulator`].
#[derive(Debug, Default)]
pub struct EmulatorBuilder {}
