//! A loopback TCP proxy between a phone and the office that counts the bytes the phone sends
//! and can cut every connection once a byte budget is spent: a network that drops in the
//! middle of an upload.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A running proxy. Dropping it stops accepting.
pub struct CutProxy {
    pub addr: SocketAddr,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

struct State {
    upstream: SocketAddr,
    /// Bytes forwarded from clients to the office.
    sent: AtomicU64,
    /// Bytes still allowed before every connection is cut; negative means no limit.
    budget: AtomicI64,
}

impl CutProxy {
    /// Starts a proxy to `upstream` on a free loopback port.
    pub async fn start(upstream: SocketAddr) -> CutProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State {
            upstream,
            sent: AtomicU64::new(0),
            budget: AtomicI64::new(-1),
        });
        let s = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(relay(client, s.clone()));
            }
        });
        CutProxy { addr, state, task }
    }

    /// `http://ADDR`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Cuts every connection after `bytes` more client bytes (`None`: never).
    pub fn cut_after(&self, bytes: Option<u64>) {
        let b = bytes.map_or(-1, |b| b as i64);
        self.state.budget.store(b, Ordering::SeqCst);
    }

    /// Client bytes forwarded so far.
    pub fn sent(&self) -> u64 {
        self.state.sent.load(Ordering::SeqCst)
    }
}

impl Drop for CutProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn relay(client: TcpStream, state: Arc<State>) {
    let Ok(server) = TcpStream::connect(state.upstream).await else {
        return; // the office is down: the phone sees a dropped connection
    };
    let (mut client_rx, mut client_tx) = client.into_split();
    let (mut server_rx, mut server_tx) = server.into_split();
    let up = async {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match client_rx.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            let budget = state.budget.load(Ordering::SeqCst);
            let allowed = if budget < 0 {
                n
            } else {
                n.min(budget as usize)
            };
            if budget >= 0 {
                state.budget.fetch_sub(allowed as i64, Ordering::SeqCst);
            }
            if allowed > 0 {
                if server_tx.write_all(&buf[..allowed]).await.is_err() {
                    return;
                }
                state.sent.fetch_add(allowed as u64, Ordering::SeqCst);
            }
            if allowed < n {
                return; // budget spent: cut
            }
        }
    };
    let down = async {
        let _ = tokio::io::copy(&mut server_rx, &mut client_tx).await;
    };
    // Whichever direction ends first ends the connection (both halves drop).
    tokio::select! {
        _ = up => {}
        _ = down => {}
    }
}
