//! The `[decode]` section of `pipeline.toml` and its validation.

use encoding_rs::Encoding;
use serde::Deserialize;
use thiserror::Error;

use crate::Decoder;

/// Configuration of the decoder (`[decode]` in `pipeline.toml`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct DecodeConfig {
    /// Refuse inputs that are not text (known file signatures such as PNG or ZIP, NUL bytes
    /// outside a UTF-16 pattern, many control bytes) instead of decoding them into garbage.
    pub detect_binary: bool,
    /// Recognise UTF-16 without a byte order mark: by its NUL pattern for Latin text, by
    /// valid surrogates and plausible CJK for text without ASCII.
    pub sniff_utf16: bool,
    /// Guess the legacy encoding of input that is not UTF-8. When off, such input is
    /// decoded with `fallback`.
    pub detect_legacy: bool,
    /// Legacy encodings weighed against each other (WHATWG labels, e.g. "GBK", "Big5",
    /// "Shift_JIS", "EUC-KR", "windows-1252"). The guess of the chardetng detector is always
    /// weighed too. On an exact tie the one listed first wins. Narrow this for a corpus
    /// known to be e.g. Chinese only.
    pub candidates: Vec<String>,
    /// Encoding used for input that is not UTF-8 when `detect-legacy` is off.
    pub fallback: String,
    /// Share (0.0–1.0) of C0 control bytes in the first `sample-bytes` above which the
    /// input is binary. Tab, line breaks, form feed, ESC and SUB do not count.
    pub max_control_ratio: f32,
    /// How many leading bytes are examined for binary content, UTF-16 patterns and the
    /// legacy encoding guess (the whole input is then decoded with the result).
    pub sample_bytes: usize,
}

impl Default for DecodeConfig {
    fn default() -> Self {
        DecodeConfig {
            detect_binary: true,
            sniff_utf16: true,
            detect_legacy: true,
            candidates: ["GBK", "Big5", "Shift_JIS", "EUC-KR", "windows-1252"]
                .map(String::from)
                .to_vec(),
            fallback: "GBK".to_string(),
            max_control_ratio: 0.05,
            sample_bytes: 16 * 1024,
        }
    }
}

/// A configuration the decoder cannot be built from.
#[derive(Debug, Error, PartialEq)]
#[non_exhaustive]
pub enum DecodeError {
    /// A label in `candidates` or `fallback` that names no encoding.
    #[error("decode: unknown encoding `{label}` in `{option}`")]
    UnknownEncoding { option: &'static str, label: String },
    /// An encoding that cannot be used where it was given.
    #[error("decode: `{label}` cannot be used in `{option}`: {why}")]
    UnusableEncoding { option: &'static str, label: String, why: &'static str },
    /// A number outside its range.
    #[error("decode: `{option}` must be {range}, got {value}")]
    OutOfRange { option: &'static str, range: &'static str, value: String },
}

impl DecodeConfig {
    /// Validate the configuration and build the decoder.
    pub fn build(&self) -> Result<Decoder, DecodeError> {
        let lookup = |option: &'static str,
                      label: &str|
         -> Result<&'static Encoding, DecodeError> {
            let enc = Encoding::for_label_no_replacement(label.trim().as_bytes())
                .ok_or_else(|| DecodeError::UnknownEncoding { option, label: label.to_string() })?;
            if enc == encoding_rs::UTF_8 {
                return Err(DecodeError::UnusableEncoding {
                    option,
                    label: label.to_string(),
                    why: "UTF-8 is always checked first; list legacy encodings only",
                });
            }
            Ok(enc)
        };
        let mut candidates: Vec<&'static Encoding> = Vec::new();
        for label in &self.candidates {
            let enc = lookup("candidates", label)?;
            if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
                return Err(DecodeError::UnusableEncoding {
                    option: "candidates",
                    label: label.clone(),
                    why: "UTF-16 is governed by `sniff-utf16`",
                });
            }
            if !candidates.contains(&enc) {
                candidates.push(enc);
            }
        }
        let fallback = if self.fallback.trim().eq_ignore_ascii_case("utf-8") {
            encoding_rs::UTF_8
        } else {
            lookup("fallback", &self.fallback)?
        };
        if !(0.0..=1.0).contains(&self.max_control_ratio) {
            return Err(DecodeError::OutOfRange {
                option: "max-control-ratio",
                range: "between 0.0 and 1.0",
                value: self.max_control_ratio.to_string(),
            });
        }
        if self.sample_bytes < 64 {
            return Err(DecodeError::OutOfRange {
                option: "sample-bytes",
                range: "at least 64",
                value: self.sample_bytes.to_string(),
            });
        }
        Ok(Decoder {
            detect_binary: self.detect_binary,
            sniff_utf16: self.sniff_utf16,
            detect_legacy: self.detect_legacy,
            candidates,
            fallback,
            max_control_ratio: self.max_control_ratio,
            sample_bytes: self.sample_bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_builds() {
        let d = DecodeConfig::default().build().unwrap();
        assert_eq!(d.candidates.len(), 5);
    }

    #[test]
    fn toml_section_parses_with_kebab_case_keys() {
        let c: DecodeConfig = toml::from_str(
            "detect-binary = false\ncandidates = [\"gb18030\", \"big5\"]\nfallback = \"big5\"\n",
        )
        .unwrap();
        assert!(!c.detect_binary);
        assert!(c.sniff_utf16, "unset keys keep their defaults");
        let d = c.build().unwrap();
        assert_eq!(d.fallback, encoding_rs::BIG5);
    }

    #[test]
    fn invalid_configs_are_rejected() {
        let cases: &[(&str, &str)] = &[
            ("unknown key", "detect-binaries = true"),
            ("unknown candidate", "candidates = [\"klingon\"]"),
            ("utf-8 candidate", "candidates = [\"utf-8\"]"),
            ("utf-16 candidate", "candidates = [\"utf-16le\"]"),
            ("replacement fallback", "fallback = \"iso-2022-kr\""),
            ("ratio above one", "max-control-ratio = 1.5"),
            ("tiny sample", "sample-bytes = 8"),
        ];
        for (name, text) in cases {
            let built = toml::from_str::<DecodeConfig>(text)
                .map_err(|e| e.to_string())
                .and_then(|c| c.build().map_err(|e| e.to_string()));
            assert!(built.is_err(), "{name}");
        }
    }

    #[test]
    fn errors_name_the_option_and_label() {
        let c = DecodeConfig { fallback: "klingon".into(), ..DecodeConfig::default() };
        let e = c.build().unwrap_err().to_string();
        assert!(e.contains("fallback") && e.contains("klingon"), "{e}");
    }
}
