//! `run --profile`: where the time goes, per stage, summed over all worker threads.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use qingxi_core::StageName;

/// A phase of work on one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Reading the input (file I/O, JSONL parsing happens in the source).
    Read,
    /// One stage (decode included).
    Stage(StageName),
    /// Splitting into blocks and assembling the output record.
    Assemble,
}

impl Phase {
    const COUNT: usize = StageName::ALL.len() + 2;

    fn index(self) -> usize {
        match self {
            Phase::Read => 0,
            Phase::Stage(s) => 1 + s as usize,
            Phase::Assemble => Self::COUNT - 1,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Phase::Read => "read",
            Phase::Stage(s) => s.as_str(),
            Phase::Assemble => "split+assemble",
        }
    }

    /// Every phase in pipeline order.
    pub fn all() -> impl Iterator<Item = Phase> {
        std::iter::once(Phase::Read)
            .chain(StageName::ALL.into_iter().map(Phase::Stage))
            .chain(std::iter::once(Phase::Assemble))
    }
}

/// CPU time per phase, in nanoseconds, shared by all workers.
#[derive(Debug, Default)]
pub struct Profile {
    nanos: [AtomicU64; Phase::COUNT],
}

impl Profile {
    pub fn add(&self, phase: Phase, d: Duration) {
        let n = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.nanos[phase.index()].fetch_add(n, Ordering::Relaxed);
    }

    /// Run `f`, charging its time to `phase`.
    pub fn time<T>(&self, phase: Phase, f: impl FnOnce() -> T) -> T {
        let t = Instant::now();
        let r = f();
        self.add(phase, t.elapsed());
        r
    }

    /// Time per phase, in pipeline order, phases that took no time left out.
    pub fn report(&self) -> Vec<(Phase, Duration)> {
        Phase::all()
            .map(|p| (p, Duration::from_nanos(self.nanos[p.index()].load(Ordering::Relaxed))))
            .filter(|(_, d)| !d.is_zero())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_have_distinct_slots_in_order() {
        let idx: Vec<usize> = Phase::all().map(Phase::index).collect();
        assert_eq!(idx, (0..Phase::COUNT).collect::<Vec<_>>());
        let p = Profile::default();
        p.add(Phase::Stage(StageName::Spam), Duration::from_millis(3));
        p.add(Phase::Read, Duration::from_millis(1));
        let r = p.report();
        assert_eq!(r.iter().map(|(p, _)| p.name()).collect::<Vec<_>>(), ["read", "spam"]);
    }
}
