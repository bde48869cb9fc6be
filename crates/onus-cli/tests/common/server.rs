//! A running `onus serve`, the real binary, for the end-to-end tests of
//! the portal: started on a free port, killed and waited for when dropped
//! (also on a panic).

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};

pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    /// What it printed before listening.
    pub lines: Vec<String>,
}

impl Server {
    /// `onus serve --listen 127.0.0.1:0 ARGS`, run in `home` (also its
    /// `XDG_DATA_HOME`); returns once it listens.
    pub fn start(args: &[&str], home: &Path) -> Server {
        let child = Command::new(env!("CARGO_BIN_EXE_onus"))
            .arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .current_dir(home)
            .env("XDG_DATA_HOME", home)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Owned by a Server from the start: killed and waited for on any panic.
        let mut server = Server {
            child,
            addr: "127.0.0.1:0".parse().unwrap(),
            lines: Vec::new(),
        };
        let mut reader = BufReader::new(server.child.stdout.take().unwrap());
        loop {
            let mut line = String::new();
            assert!(
                reader.read_line(&mut line).unwrap() > 0,
                "onus serve stopped early: {:?}",
                server.lines
            );
            let line = line.trim_end().to_string();
            if let Some(addr) = line.strip_prefix("onus portal: listening on http://") {
                server.addr = addr.parse().unwrap();
                server.lines.push(line);
                // Keep reading its output so it never blocks on a full pipe.
                std::thread::spawn(move || for _ in reader.lines() {});
                return server;
            }
            server.lines.push(line);
        }
    }

    /// The first-admin setup token it printed, if it printed one.
    pub fn setup_token(&self) -> Option<String> {
        self.lines
            .iter()
            .find_map(|l| l.split_once("/setup?token=").map(|(_, t)| t.to_string()))
    }

    /// SIGTERM, then the exit status.
    pub fn stop(mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        self.child.wait().unwrap()
    }

    /// SIGKILL: no handler runs, no connection is closed cleanly.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        let status = self.child.wait().unwrap();
        assert_eq!(status.signal(), Some(9), "killed by SIGKILL: {status:?}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
