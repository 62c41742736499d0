//! The emulator as a separate process, so that the CPU time of the bench
//! process is the clients' alone.
//!
//! Started with `--bind 127.0.0.1:0`; its address is read from the line it
//! prints once listening. Stopped with SIGTERM (through `kill`, as the
//! workspace forbids `unsafe` and so direct `libc` calls), or killed when it
//! does not exit within a few seconds.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use crate::BenchResult;

/// A running `hbase-emulator` process; stopped when dropped.
#[derive(Debug)]
pub(crate) struct EmulatorProcess {
    child: Child,
    addr: SocketAddr,
    /// Kept open so that a later write of the emulator does not fail.
    _stdout: BufReader<ChildStdout>,
}

impl EmulatorProcess {
    /// Starts the emulator binary at `path` and waits for its listening line.
    pub(crate) fn start(path: &Path) -> BenchResult<EmulatorProcess> {
        let mut child = Command::new(path)
            .args(["--bind", "127.0.0.1:0"])
            .env(
                "RUST_LOG",
                std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".to_owned()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start the emulator `{}`: {e}", path.display()))?;
        let mut stdout = BufReader::new(child.stdout.take().ok_or("no emulator stdout")?);
        let mut line = String::new();
        stdout.read_line(&mut line)?;
        let addr = match parse_listening_line(&line) {
            Some(addr) => addr,
            None => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("unexpected first line from the emulator: {line:?}").into());
            }
        };
        Ok(EmulatorProcess {
            child,
            addr,
            _stdout: stdout,
        })
    }

    /// The address it listens on.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let terminated = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        if terminated {
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The address in `hbase-emulator listening on ADDR (TRANSPORT, PROTOCOL)`.
fn parse_listening_line(line: &str) -> Option<SocketAddr> {
    line.trim()
        .strip_prefix("hbase-emulator listening on ")?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listening_line() {
        assert_eq!(
            parse_listening_line("hbase-emulator listening on 127.0.0.1:4567 (buffered, binary)\n"),
            Some("127.0.0.1:4567".parse().unwrap())
        );
        assert_eq!(parse_listening_line("something else"), None);
    }
}
