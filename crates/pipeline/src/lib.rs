//! The qingxi pipeline: configuration, the fixed stage order, and a parallel runner.
//!
//! Key types:
//! - [`Config`]: `pipeline.toml` (strict: unknown keys are errors naming key and file).
//! - [`Pipeline`]: every enabled stage built once from the config, shared read-only by all
//!   worker threads. [`Pipeline::clean`] takes one [`Input`] to one [`Output`].
//! - [`Pipeline::run`]: cleans a stream of pending inputs on a rayon pool, in batches, and
//!   hands [`Outcome`]s back in input order so output is deterministic.
//!
//! ```
//! use qingxi_core::{Input, InputContent};
//! use qingxi_pipeline::{Config, Pipeline};
//!
//! let pipeline = Pipeline::build(&Config::default(), std::path::Path::new(".")).unwrap();
//! let input = Input {
//!     id: "a.txt".into(),
//!     origin: "a.txt".into(),
//!     site: String::new(),
//!     content: InputContent::Bytes("干净的文本。\n".as_bytes().to_vec()),
//!     fields: None,
//! };
//! let out = pipeline.clean(input).unwrap();
//! assert_eq!(out.text, "干净的文本。\n");
//! assert_eq!(out.meta.encoding.as_deref(), Some("UTF-8"));
//! ```

mod config;
mod profile;
mod run;
mod spool;
mod stages;

pub use config::{Config, ConfigError, Limits, Loaded, Toggles, DEFAULT_CONFIG};
pub use profile::{Phase, Profile};
pub use run::{Event, Outcome, RunOptions, Shard};
pub use spool::{SpoolEntry, SpoolReader, SpoolWriter, Spooled};
pub use stages::{is_implemented, BuildError, Pipeline, Prepared, Rejection};
