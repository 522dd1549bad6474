//! The parallel runner: batches of pending inputs cleaned on a rayon pool, results handed
//! back in input order.

use std::ops::ControlFlow;
use std::sync::mpsc;

use qingxi_core::{Failure, Output, Pending};
use qingxi_filter::LineCounts;
use rayon::prelude::*;

use crate::profile::Phase;
use crate::spool::{SpoolEntry, SpoolReader, SpoolWriter, Spooled};
use crate::{Pipeline, Rejection};

/// What became of one input.
#[derive(Debug)]
pub enum Outcome {
    /// Cleaned; ready for the sink.
    Done(Box<Output>),
    /// Not text; skipped and listed.
    Skipped { origin: String, reason: String },
    /// Could not be read or cleaned; reported as `origin: reason`.
    Failed(Failure),
}

/// What the runner reports to its caller.
#[derive(Debug)]
pub enum Event {
    /// One input's outcome, in input order.
    Outcome(Outcome),
    /// Every outcome so far has been delivered; `items_done` inputs (of this shard,
    /// counting those skipped on resume) are finished. A safe point to checkpoint.
    BatchDone { items_done: u64 },
    /// Sent once before any outcome when `skip > 0`: the origin of the last input skipped,
    /// so the caller can check the inputs are the ones the earlier run saw.
    Resumed { last_origin: Option<String> },
}

/// `--shard I/N`: this process handles inputs whose id hashes to `I` modulo `N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Parse `I/N` with `0 <= I < N`.
    pub fn parse(s: &str) -> Result<Shard, String> {
        let (i, n) = s.split_once('/').ok_or_else(|| format!("shard `{s}` is not I/N"))?;
        let index: u64 =
            i.trim().parse().map_err(|_| format!("shard index `{i}` is not a number"))?;
        let count: u64 =
            n.trim().parse().map_err(|_| format!("shard count `{n}` is not a number"))?;
        if count == 0 || index >= count {
            return Err(format!("shard `{s}` needs 0 <= I < N"));
        }
        Ok(Shard { index, count })
    }

    /// Whether an input with this id belongs to this shard. The hash (FNV-1a, 64-bit) is
    /// fixed, so every machine agrees on the assignment.
    pub fn owns(&self, id: &str) -> bool {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in id.as_bytes() {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h % self.count == self.index
    }
}

/// How the runner batches work.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Worker threads; 0 means one per core.
    pub jobs: usize,
    /// Most inputs in flight at once.
    pub batch_docs: usize,
    /// Most input bytes in flight at once (bounds memory on large documents).
    pub batch_bytes: u64,
    pub shard: Option<Shard>,
    /// Inputs (after shard selection) already done by an interrupted run: skipped unread.
    pub skip: u64,
    /// Serialize each record to JSON on the worker ([`Output::json_line`]), for JSONL sinks.
    pub render_json: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            jobs: 0,
            // Small batches keep a batch's documents in cache between stages and bound
            // memory: against 1024 documents / 64 MB, peak RSS on the 50 MB bench corpus
            // fell from 100-170 to 47-64 MB (216 -> 161 MB on 1 GB of JSONL) and the run got
            // no slower (bench/RESULTS.md).
            batch_docs: 256,
            batch_bytes: 16 << 20,
            shard: None,
            skip: 0,
            render_json: false,
        }
    }
}

impl Pipeline {
    fn handle<P: Pending>(&self, item: Result<P, Failure>) -> Outcome {
        let input = match self.timed(Phase::Read, || item.and_then(Pending::load)) {
            Ok(input) => input,
            Err(f) => return Outcome::Failed(f),
        };
        outcome(self.clean(input))
    }

    /// The corpus pass: count the lines of every input (of `opts.shard` if set). Inputs that
    /// fail here are reported by the cleaning pass, not twice.
    pub fn count_lines<P, I>(&self, items: I, opts: &RunOptions) -> Result<LineCounts, String>
    where
        P: Pending,
        I: Iterator<Item = Result<P, Failure>>,
    {
        let pool = thread_pool(opts)?;
        let mut total = self.new_line_counts();
        let mut items = items
            .filter_map(Result::ok)
            .filter(|p| opts.shard.as_ref().is_none_or(|s| s.owns(p.id())));
        loop {
            let batch = next_batch(&mut items, opts, |p| p.size_hint());
            if batch.is_empty() {
                return Ok(total);
            }
            let counts = pool.install(|| {
                batch
                    .into_par_iter()
                    .fold(
                        || self.new_line_counts(),
                        |mut counts, item| {
                            if let Ok(input) = item.load() {
                                self.observe(&mut counts, input);
                            }
                            counts
                        },
                    )
                    .reduce(
                        || self.new_line_counts(),
                        |mut a, b| {
                            a.merge(b);
                            a
                        },
                    )
            });
            total.merge(counts);
        }
    }

    /// Clean every item, calling `each` with the events of the run: the outcomes in input
    /// order, and the end of each batch (where a caller can checkpoint). `each` may stop the
    /// run early by returning `ControlFlow::Break` (the output pipe closed, say).
    pub fn run<P, I, F>(&self, items: I, opts: &RunOptions, each: F) -> Result<(), String>
    where
        P: Pending,
        I: Iterator<Item = Result<P, Failure>>,
        F: FnMut(Event) -> ControlFlow<()>,
    {
        let items = items.filter(|item| owned(opts, item));
        self.drive(
            items,
            opts,
            |item| item.as_ref().map_or(0, |p| p.size_hint()),
            |item| item.as_ref().map_or_else(|f| f.origin.clone(), |p| p.origin().to_string()),
            |item| self.handle(item),
            each,
        )
    }

    /// The first of two passes when the template stage needs corpus line counts: prepare
    /// every input (decode + text stages) once, count its lines, and spool the prepared
    /// documents of this shard to `spool` for [`Pipeline::run_spooled`]. Every input is
    /// counted, whatever the shard, so all shards see the same statistics.
    pub fn spool_corpus<P, I>(
        &self,
        items: I,
        opts: &RunOptions,
        spool: &std::path::Path,
    ) -> Result<(LineCounts, SpoolReader), String>
    where
        P: Pending,
        I: Iterator<Item = Result<P, Failure>>,
    {
        let pool = thread_pool(opts)?;
        let fail = |e: std::io::Error| format!("{}: cannot write spool file: {e}", spool.display());
        let mut writer = SpoolWriter::new(spool, self.config.limits.spool_memory);
        let mut total = self.new_line_counts();
        let mut items = items;
        // As in `drive`: the pool prepares batch N+1 while this thread spools batch N.
        pool.in_place_scope(|scope| -> Result<(), String> {
            let mut in_flight: Option<(mpsc::Receiver<PreparedBatch>, u64)> = None;
            // Once one batch goes to the file, every later one must too (input order).
            let mut spilling = false;
            loop {
                let size = |item: &Result<P, Failure>| item.as_ref().map_or(0, |p| p.size_hint());
                let batch = next_batch(&mut items, opts, size);
                let next = if batch.is_empty() {
                    None
                } else {
                    // Held in memory if it fits beside what is held and the batch in flight
                    // (sized by input bytes: decoding can grow text, so this is "about").
                    let bytes: u64 = batch.iter().map(size).sum();
                    let reserved = in_flight.as_ref().map_or(0, |(_, b)| *b);
                    let hold = !spilling && writer.fits(reserved + bytes);
                    spilling |= !hold;
                    let (tx, rx) = mpsc::sync_channel(1);
                    scope.spawn(move |_| {
                        let _ = tx.send(self.prepare_batch(batch, opts, hold));
                    });
                    Some((rx, if hold { bytes } else { 0 }))
                };
                if let Some((rx, _)) = in_flight.take() {
                    let (prepared, counts) =
                        rx.recv().map_err(|_| "a worker thread failed".to_string())?;
                    total.merge(counts);
                    match prepared {
                        SpoolBatch::Held(items) => writer.hold(items),
                        SpoolBatch::Encoded(records) => {
                            for record in &records {
                                writer.write_encoded(record).map_err(fail)?;
                            }
                        }
                    }
                }
                match next {
                    Some(n) => in_flight = Some(n),
                    None => return Ok(()),
                }
            }
        })?;
        let reader = writer.finish().map_err(fail)?;
        Ok((total, reader))
    }

    /// Prepare one batch on the pool, count its lines, and keep this shard's documents for
    /// the spool: as they are (`hold`, for memory) or encoded for the file.
    fn prepare_batch<P: Pending>(
        &self,
        batch: Vec<Result<P, Failure>>,
        opts: &RunOptions,
        hold: bool,
    ) -> PreparedBatch {
        let mut prepared: Vec<(bool, Spooled)> = batch
            .into_par_iter()
            .map(|item| {
                let mine = owned(opts, &item);
                let input = self.timed(Phase::Read, || item.and_then(Pending::load));
                (mine, input.map_err(Rejection::Failed).and_then(|i| self.prepare(i)))
            })
            .collect();
        let counts = prepared
            .par_iter_mut()
            .fold(
                || self.new_line_counts(),
                |mut c, (_, p)| {
                    if let Ok(p) = p {
                        // Documents held in memory keep their line keys for the template
                        // stage; the file does not store them (it would recompute them).
                        if hold {
                            c.observe_keyed(&p.doc.site, &p.doc.text, &mut p.doc.line_keys);
                        } else {
                            c.observe(&p.doc.site, &p.doc.text);
                        }
                    }
                    c
                },
            )
            .reduce(
                || self.new_line_counts(),
                |mut a, b| {
                    a.merge(b);
                    a
                },
            );
        let mine = prepared.into_par_iter().filter(|(mine, _)| *mine).map(|(_, item)| item);
        if hold {
            return (SpoolBatch::Held(mine.collect()), counts);
        }
        // Encode here, so the spooling thread only copies bytes.
        let encoded = mine
            .map(|item| {
                // Sized up front: growing a buffer as long as the document copies it again.
                let mut bytes = Vec::with_capacity(SpoolWriter::size_hint(&item));
                // Writing into a Vec cannot fail.
                let _ = SpoolWriter::encode(&item, &mut bytes);
                bytes
            })
            .collect();
        (SpoolBatch::Encoded(encoded), counts)
    }

    /// The second pass: label and write the documents [`Pipeline::spool_corpus`] prepared.
    /// Events are as for [`Pipeline::run`]; `opts.skip` counts spooled documents.
    pub fn run_spooled<F>(
        &self,
        spool: SpoolReader,
        opts: &RunOptions,
        each: F,
    ) -> Result<(), String>
    where
        F: FnMut(Event) -> ControlFlow<()>,
    {
        self.drive(
            spool,
            opts,
            |e| e.as_ref().map_or(0, SpoolEntry::size_hint),
            |e| e.as_ref().map_or_else(|f| f.origin.clone(), SpoolEntry::origin),
            |e| {
                let prepared = self.timed(Phase::Read, || e.map_err(Rejection::Failed)?.load());
                outcome(prepared.and_then(|p| self.finish(p)))
            },
            each,
        )
    }

    /// The batch loop shared by both kinds of run.
    fn drive<T, I, F>(
        &self,
        mut items: I,
        opts: &RunOptions,
        size: impl Fn(&T) -> u64,
        origin: impl Fn(&T) -> String,
        handle: impl Fn(T) -> Outcome + Sync,
        mut each: F,
    ) -> Result<(), String>
    where
        T: Send,
        I: Iterator<Item = T>,
        F: FnMut(Event) -> ControlFlow<()>,
    {
        let pool = thread_pool(opts)?;
        if opts.skip > 0 {
            // Resuming: the first `skip` items were done by an earlier run. They are passed
            // over without being read.
            let last_origin = items.by_ref().take(opts.skip as usize).last().map(|i| origin(&i));
            if each(Event::Resumed { last_origin }).is_break() {
                return Ok(());
            }
        }
        let mut done = opts.skip;
        let handle = &handle;
        // Two batches in flight: while the pool cleans batch N+1, this thread hands batch N's
        // outcomes to `each` (which writes them) and gathers the next batch, so reading and
        // writing overlap with cleaning instead of leaving the workers idle.
        pool.in_place_scope(|scope| {
            let mut in_flight: Option<(mpsc::Receiver<Vec<Outcome>>, u64)> = None;
            loop {
                let batch = next_batch(&mut items, opts, &size);
                let next = if batch.is_empty() {
                    None
                } else {
                    done += batch.len() as u64;
                    let (tx, rx) = mpsc::sync_channel(1);
                    scope.spawn(move |_| {
                        let outcomes: Vec<Outcome> = batch
                            .into_par_iter()
                            .map(|item| render(handle(item), opts.render_json))
                            .collect();
                        // The receiver is gone only when the run stopped early.
                        let _ = tx.send(outcomes);
                    });
                    Some((rx, done))
                };
                if let Some((rx, items_done)) = in_flight.take() {
                    let outcomes = rx.recv().map_err(|_| "a worker thread failed".to_string())?;
                    for outcome in outcomes {
                        if each(Event::Outcome(outcome)).is_break() {
                            return Ok(());
                        }
                    }
                    if each(Event::BatchDone { items_done }).is_break() {
                        return Ok(());
                    }
                }
                match next {
                    Some(n) => in_flight = Some(n),
                    None => return Ok(()),
                }
            }
        })
    }
}

/// A prepared batch's documents for the spool, and its line counts.
type PreparedBatch = (SpoolBatch, LineCounts);

/// A batch's documents, kept for memory or encoded for the spool file.
enum SpoolBatch {
    Held(Vec<Spooled>),
    Encoded(Vec<Vec<u8>>),
}

/// Whether this shard handles an item. Failures to even find an input belong to shard 0,
/// so they are reported once.
fn owned<P: Pending>(opts: &RunOptions, item: &Result<P, Failure>) -> bool {
    match (&opts.shard, item) {
        (Some(shard), Ok(p)) => shard.owns(p.id()),
        (Some(shard), Err(_)) => shard.index == 0,
        (None, _) => true,
    }
}

/// Serialize a finished record on the worker when the sink writes JSONL.
fn render(mut outcome: Outcome, json: bool) -> Outcome {
    if let (Outcome::Done(out), true) = (&mut outcome, json) {
        // Sized up front (removed text included): growing the buffer copies the record again.
        // An eighth more for escapes: every newline becomes `\n`, one per line of text.
        let removed: usize = out.removed.iter().map(|r| r.text.len() + 64).sum();
        let edits: usize = out.meta.edits.iter().map(|e| e.before.len() + e.after.len() + 96).sum();
        let size = out.text.len() + out.template.len() + removed + edits;
        let mut line = Vec::with_capacity(size + size / 8 + 512);
        if out.write_json_line(&mut line).is_ok() {
            out.json_line = Some(line);
        }
    }
    outcome
}

fn outcome(result: Result<Output, Rejection>) -> Outcome {
    match result {
        Ok(out) => Outcome::Done(Box::new(out)),
        Err(Rejection::Binary { origin, reason, .. }) => Outcome::Skipped { origin, reason },
        Err(Rejection::Failed(f)) => Outcome::Failed(f),
    }
}

fn thread_pool(opts: &RunOptions) -> Result<rayon::ThreadPool, String> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs)
        .build()
        .map_err(|e| format!("cannot start worker threads: {e}"))
}

/// Take items until the batch holds `batch_docs` items or `batch_bytes` bytes.
fn next_batch<T>(
    items: &mut impl Iterator<Item = T>,
    opts: &RunOptions,
    size: impl Fn(&T) -> u64,
) -> Vec<T> {
    let mut batch = Vec::new();
    let mut bytes = 0;
    for item in items.by_ref() {
        bytes += size(&item);
        batch.push(item);
        if batch.len() >= opts.batch_docs || bytes >= opts.batch_bytes {
            break;
        }
    }
    batch
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;
    use qingxi_core::{Input, InputContent, Ready};

    fn input(id: &str, text: &str) -> Result<Ready, Failure> {
        Ok(Ready(Input {
            id: id.into(),
            origin: id.into(),
            site: String::new(),
            content: InputContent::Bytes(text.as_bytes().to_vec()),
            fields: None,
        }))
    }

    #[test]
    fn outcomes_come_back_in_input_order() {
        let p = Pipeline::build(&Config::default(), std::path::Path::new(".")).unwrap();
        let items: Vec<_> = (0..50).map(|i| input(&format!("d{i}"), &format!("第{i}篇"))).collect();
        let opts = RunOptions { jobs: 2, batch_docs: 7, ..Default::default() };
        let mut ids = Vec::new();
        p.run(items.into_iter(), &opts, |e| {
            if let Event::Outcome(Outcome::Done(out)) = e {
                ids.push(out.id);
            }
            ControlFlow::Continue(())
        })
        .unwrap();
        let want: Vec<_> = (0..50).map(|i| format!("d{i}")).collect();
        assert_eq!(ids, want);
    }

    #[test]
    fn shards_partition_ids() {
        let shards: Vec<_> = (0..3).map(|i| Shard { index: i, count: 3 }).collect();
        for i in 0..300 {
            let id = format!("dir/file-{i}.txt");
            assert_eq!(shards.iter().filter(|s| s.owns(&id)).count(), 1);
        }
        assert!(Shard::parse("3/3").is_err());
        assert!(Shard::parse("1/0").is_err());
        assert_eq!(Shard::parse("1/4"), Ok(Shard { index: 1, count: 4 }));
    }
}
