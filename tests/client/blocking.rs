//! The blocking API against the emulator.
