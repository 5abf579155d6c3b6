//! The office's fan-out: every connected viewer's [`Link`], in a few shards, each written by one
//! task that follows the relay. A change costs one wake-up per shard and one non-blocking write
//! per viewer of the same bytes, not a task woken per viewer: a news-driven crowd of phones
//! costs the server about what the socket writes cost. Shards let every core write at once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::{broadcast, watch};
use tokio_util::task::TaskTracker;

use super::link::{Link, Offered, WireText};
use super::{FeedMetrics, StateFrames};

/// The viewers of one office, in shards.
#[derive(Debug)]
pub struct FanOut {
    shards: Box<[Shard]>,
    /// The next shard a viewer joins (round robin).
    next: AtomicUsize,
}

/// Some of the viewers, written by one task.
#[derive(Debug, Default)]
struct Shard {
    links: Mutex<Vec<Arc<Link>>>,
}

impl Shard {
    fn links(&self) -> MutexGuard<'_, Vec<Arc<Link>>> {
        self.links
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A viewer's place in the fan-out; leaving it (on drop) takes the link out, so the
/// connection closes with the viewer's task.
#[derive(Debug)]
pub struct Joined {
    fan_out: Arc<FanOut>,
    shard: usize,
    link: Arc<Link>,
}

impl Drop for Joined {
    fn drop(&mut self) {
        let mut links = self.fan_out.shards[self.shard].links();
        if let Some(at) = links.iter().position(|link| Arc::ptr_eq(link, &self.link)) {
            links.swap_remove(at);
        }
    }
}

impl FanOut {
    /// The fan-out of a relay: `shards` tasks on `tasks`, each following `snapshots` and
    /// `calls`, until the relay ends.
    pub fn start(
        snapshots: &watch::Receiver<Arc<StateFrames>>,
        calls: &broadcast::Sender<Arc<WireCall>>,
        metrics: &Arc<FeedMetrics>,
        shards: usize,
        tasks: &TaskTracker,
    ) -> Arc<Self> {
        let fan_out = Arc::new(Self {
            shards: (0..shards.max(1)).map(|_| Shard::default()).collect(),
            next: AtomicUsize::new(0),
        });
        for shard in 0..fan_out.shards.len() {
            let writer = ShardWriter {
                fan_out: fan_out.clone(),
                shard,
                snapshots: snapshots.clone(),
                calls: calls.subscribe(),
                metrics: metrics.clone(),
            };
            tasks.spawn(writer.run());
        }
        fan_out
    }

    /// Adds a viewer: sends it the whole current snapshot and, from then on, every change and
    /// call. Under the shard's lock, so no state falls between the first snapshot and the next.
    pub fn join(
        self: &Arc<Self>,
        link: Arc<Link>,
        snapshots: &watch::Receiver<Arc<StateFrames>>,
    ) -> (Joined, Offered) {
        let shard = self.next.fetch_add(1, Ordering::Relaxed) % self.shards.len();
        let mut links = self.shards[shard].links();
        let latest = snapshots.borrow().clone();
        let offered = link.offer_state(&latest);
        links.push(link.clone());
        drop(links);
        (
            Joined {
                fan_out: self.clone(),
                shard,
                link,
            },
            offered,
        )
    }

    /// Viewers connected now (for tests).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.shards.iter().map(|shard| shard.links().len()).sum()
    }
}

/// A call event as viewers take it: the frame, and when the office published it.
#[derive(Debug)]
pub struct WireCall {
    /// The frame.
    pub frame: WireText,
    /// When the office published it (for the publish-to-send lag).
    pub published_at: std::time::Instant,
}

/// The task that writes one shard.
struct ShardWriter {
    fan_out: Arc<FanOut>,
    shard: usize,
    snapshots: watch::Receiver<Arc<StateFrames>>,
    calls: broadcast::Receiver<Arc<WireCall>>,
    metrics: Arc<FeedMetrics>,
}

impl ShardWriter {
    async fn run(mut self) {
        loop {
            tokio::select! {
                changed = self.snapshots.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    let latest = self.snapshots.borrow_and_update().clone();
                    self.write(latest.published_at, |link| link.offer_state(&latest));
                }
                call = self.calls.recv() => match call {
                    Ok(call) => self.write(call.published_at, |link| link.offer_call(&call.frame)),
                    // The shard fell behind the calls: every viewer resyncs from the snapshot,
                    // which carries the recent calls.
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        tracing::debug!(missed, "fan-out lagged behind calls; resyncing");
                        for link in self.fan_out.shards[self.shard].links().iter() {
                            link.fall_behind();
                        }
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                },
            }
        }
        for link in self.fan_out.shards[self.shard].links().iter() {
            link.office_stopped();
        }
    }

    /// Offers one frame to every viewer of the shard, and counts what was sent.
    fn write(&self, published_at: std::time::Instant, offer: impl Fn(&Link) -> Offered) {
        let links = self.fan_out.shards[self.shard].links();
        let sent = links
            .iter()
            .filter(|link| offer(link) == Offered::Sent)
            .count();
        drop(links);
        self.metrics.record_fan_out(published_at, sent);
    }
}
