//! `pipeline.toml`: which stages run and how each is configured.
//!
//! The file describes the pipeline; command-line flags describe the run. The stage order is
//! fixed in code ([`StageName::ALL`]); the config only switches stages on and off and sets
//! their options. Unknown keys are errors that name the key and the file.

use std::path::{Path, PathBuf};

use qingxi_core::StageName;
use qingxi_decode::DecodeConfig;
use qingxi_filter::{BoilerplateConfig, RepeatsConfig, SpamConfig, TemplateConfig};
use qingxi_mojibake::MojibakeConfig;
use qingxi_normalize::{AnnotationsConfig, NormalizeConfig, ReflowConfig, ScriptConfig};
use serde::Deserialize;

/// The reference configuration, embedded so the binary works without a config file.
pub const DEFAULT_CONFIG: &str = include_str!("../../../pipeline.toml");

/// The whole configuration file.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// `[stages]`: one switch per stage.
    pub stages: Toggles,
    /// `[limits]`: input size limits and the spool's memory budget.
    pub limits: Limits,
    /// `[decode]`: encoding detection.
    pub decode: DecodeConfig,
    /// `[mojibake]`: repair of mis-decoded spans.
    pub mojibake: MojibakeConfig,
    /// `[annotations]`: pinyin readings inserted by converters.
    pub annotations: AnnotationsConfig,
    /// `[script]`: Traditional → Simplified policy.
    pub script: ScriptConfig,
    /// `[normalize]`: Unicode, width, punctuation and whitespace rules.
    pub normalize: NormalizeConfig,
    /// `[reflow]`: line endings, markup residue, broken paragraphs.
    pub reflow: ReflowConfig,
    /// `[boilerplate]`: page furniture.
    pub boilerplate: BoilerplateConfig,
    /// `[spam]`: SEO keyword blocks and ad runs.
    pub spam: SpamConfig,
    /// `[template]`: placeholders, form labels, site-repeated lines.
    pub template: TemplateConfig,
    /// `[repeats]`: paragraphs repeated inside a document.
    pub repeats: RepeatsConfig,
    /// Folder relative paths in the config are resolved against (not a config key).
    #[serde(skip)]
    pub base_dir: PathBuf,
}

/// `[stages]`: `true` runs a stage, `false` skips it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Toggles {
    pub decode: bool,
    pub mojibake: bool,
    pub annotations: bool,
    pub script: bool,
    pub normalize: bool,
    pub reflow: bool,
    pub boilerplate: bool,
    pub spam: bool,
    pub template: bool,
    pub repeats: bool,
}

impl Default for Toggles {
    fn default() -> Self {
        Toggles {
            decode: true,
            mojibake: true,
            annotations: true,
            script: true,
            normalize: true,
            reflow: true,
            boilerplate: true,
            spam: true,
            template: true,
            repeats: true,
        }
    }
}

impl Toggles {
    fn slot(&mut self, stage: StageName) -> &mut bool {
        match stage {
            StageName::Decode => &mut self.decode,
            StageName::Mojibake => &mut self.mojibake,
            StageName::Annotations => &mut self.annotations,
            StageName::Script => &mut self.script,
            StageName::Normalize => &mut self.normalize,
            StageName::Reflow => &mut self.reflow,
            StageName::Boilerplate => &mut self.boilerplate,
            StageName::Spam => &mut self.spam,
            StageName::Template => &mut self.template,
            StageName::Repeats => &mut self.repeats,
        }
    }

    pub fn get(&self, stage: StageName) -> bool {
        match stage {
            StageName::Decode => self.decode,
            StageName::Mojibake => self.mojibake,
            StageName::Annotations => self.annotations,
            StageName::Script => self.script,
            StageName::Normalize => self.normalize,
            StageName::Reflow => self.reflow,
            StageName::Boilerplate => self.boilerplate,
            StageName::Spam => self.spam,
            StageName::Template => self.template,
            StageName::Repeats => self.repeats,
        }
    }

    pub fn set(&mut self, stage: StageName, on: bool) {
        *self.slot(stage) = on;
    }

    /// Apply `--only`, then `--enable`, then `--disable`.
    pub fn apply(&mut self, only: &[StageName], enable: &[StageName], disable: &[StageName]) {
        if !only.is_empty() {
            for s in StageName::ALL {
                self.set(s, only.contains(&s));
            }
        }
        for s in enable {
            self.set(*s, true);
        }
        for s in disable {
            self.set(*s, false);
        }
    }
}

/// `[limits]`: inputs over the size limits are reported as failures, never loaded whole; the
/// spool's memory budget bounds what the corpus pass keeps in memory.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Limits {
    /// Largest document (file, stdin, or JSONL `text`) in bytes. Default 64 MiB.
    pub max_document_bytes: u64,
    /// Longest line inside a document, in bytes. Default 4 MiB: longer lines (minified
    /// markup, base64 blobs) are not prose, and would make line-based stages slow.
    pub max_line_bytes: u64,
    /// Bytes of prepared documents the corpus pass keeps in memory for the cleaning pass
    /// before it writes the rest to the spool file. Default 32 MiB (the process holds about
    /// 1.4 times that: allocator size classes and pages shared with freed memory); 0 spools
    /// everything to disk.
    pub spool_memory: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_document_bytes: 64 << 20, max_line_bytes: 4 << 20, spool_memory: 32 << 20 }
    }
}

/// A configuration file that could not be read or understood.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
}

/// A loaded configuration and where it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    /// Where the config came from (`pipeline.toml`, a path, or `<embedded default>`).
    pub origin: String,
    /// Folder that relative paths inside the config are resolved against.
    pub base_dir: PathBuf,
}

impl Config {
    /// Parse TOML text; `origin` names the file in error messages.
    pub fn parse(text: &str, origin: &str) -> Result<Config, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: origin.to_string(),
            message: e.to_string().trim_end().to_string(),
        })
    }

    /// `--config FILE` if given, else `./pipeline.toml` if present, else the embedded default.
    pub fn load(explicit: Option<&Path>) -> Result<Loaded, ConfigError> {
        let path = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => Some(PathBuf::from("pipeline.toml")).filter(|p| p.is_file()),
        };
        match path {
            Some(path) => {
                let origin = path.display().to_string();
                let text = std::fs::read_to_string(&path)
                    .map_err(|source| ConfigError::Read { path: origin.clone(), source })?;
                let config = Config::parse(&text, &origin)?;
                let base_dir = path
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
                Ok(Loaded { config, origin, base_dir })
            }
            None => Ok(Loaded {
                config: Config::parse(DEFAULT_CONFIG, "<embedded default>")?,
                origin: "<embedded default>".into(),
                base_dir: PathBuf::from("."),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_config_parses_and_equals_defaults() {
        let c = Config::parse(DEFAULT_CONFIG, "pipeline.toml").unwrap();
        assert_eq!(c, Config::default(), "pipeline.toml must document the defaults");
    }

    #[test]
    fn unknown_keys_name_the_key_and_file() {
        let cases = [
            ("[stages]\nmojibak = true\n", "mojibak"),
            ("[limit]\n", "limit"),
            ("[limits]\nmax-doc-bytes = 3\n", "max-doc-bytes"),
        ];
        for (text, key) in cases {
            let e = Config::parse(text, "my.toml").unwrap_err().to_string();
            assert!(e.starts_with("my.toml: "), "{e}");
            assert!(e.contains(&format!("`{key}`")), "{e}");
        }
    }

    #[test]
    fn cli_toggles_apply_only_then_enable_then_disable() {
        let mut t = Toggles::default();
        t.apply(
            &[StageName::Decode, StageName::Mojibake],
            &[StageName::Spam],
            &[StageName::Decode],
        );
        let on: Vec<_> = StageName::ALL.into_iter().filter(|s| t.get(*s)).collect();
        assert_eq!(on, [StageName::Mojibake, StageName::Spam]);
    }
}
