//! Where documents come from and where cleaned documents go.
//!
//! Key types:
//! - [`Sources`]: turns `--input` arguments (directories walked recursively in a fixed order,
//!   single files, `.jsonl` / `.jsonl.gz` shards, `-` for stdin) into a stream of
//!   [`Item`]s, each a [`Pending`](qingxi_core::Pending) input that a worker thread loads.
//!   Anything that cannot be read becomes a [`Failure`](qingxi_core::Failure) naming the
//!   path (and line), never a silent skip.
//! - [`Sink`]: writes [`Output`](qingxi_core::Output)s as JSONL to a file or stdout, or as
//!   a directory of `.txt` files mirroring the input tree. Files are written under a temporary
//!   name and renamed when complete, so a reader never sees half a file.
//!
//! ```no_run
//! use qingxi_core::Pending;
//! use qingxi_io::{SourceOptions, Sources};
//!
//! let sources = Sources::new(&["samples".into()], SourceOptions::default());
//! for item in sources {
//!     match item.map(|i| i.load()) {
//!         Ok(Ok(input)) => println!("{} ({} bytes)", input.id, input.len()),
//!         Ok(Err(failure)) | Err(failure) => eprintln!("{failure}"),
//!     }
//! }
//! ```

mod atomic;
mod jsonl;
mod sink;
mod source;

pub use atomic::AtomicFile;
pub use jsonl::RawLine;
pub use sink::{open_sink, OutputFormat, RemovedLog, Sink, SinkError, SinkSpec};
pub use source::{id_for_path, total_size, Item, SourceOptions, Sources};
