//! Recognising inputs that are not text: file signatures and control-byte density.

use std::fmt;

/// Why an input was judged not to be text. `Display` gives a short human reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BinaryReason {
    /// The input starts with the signature of a known binary format (the name, e.g. "PNG").
    Magic(&'static str),
    /// NUL bytes that do not follow a UTF-16 pattern.
    NulBytes,
    /// Too many C0 control bytes for text.
    ControlBytes,
}

impl fmt::Display for BinaryReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BinaryReason::Magic(kind) => f.write_str(kind),
            BinaryReason::NulBytes => f.write_str("NUL bytes"),
            BinaryReason::ControlBytes => f.write_str("control bytes"),
        }
    }
}

/// Signatures at offset 0: (bytes, format name). Only signatures long or odd enough that no
/// text file starts with them (so no "MZ", "BM" or "ID3").
const MAGIC: &[(&[u8], &str)] = &[
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xFF\xD8\xFF", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"PK\x07\x08", "ZIP archive"),
    (b"\x1F\x8B", "gzip archive"),
    (b"\x7FELF", "ELF executable"),
    (b"BZh", "bzip2 archive"), // checked further below: needs the block signature
    (b"\xFD7zXZ\x00", "xz archive"),
    (b"7z\xBC\xAF\x27\x1C", "7-Zip archive"),
    (b"\x28\xB5\x2F\xFD", "zstd archive"),
    (b"Rar!\x1A\x07", "RAR archive"),
    (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "MS Office document"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"\x00asm", "WebAssembly module"),
    (b"\xCA\xFE\xBA\xBE", "Java class or Mach-O"),
    (b"\xFE\xED\xFA\xCE", "Mach-O executable"),
    (b"\xFE\xED\xFA\xCF", "Mach-O executable"),
    (b"\xCE\xFA\xED\xFE", "Mach-O executable"),
    (b"\xCF\xFA\xED\xFE", "Mach-O executable"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"OggS\x00", "Ogg media"),
    (b"fLaC", "FLAC audio"),
    (b"\x1A\x45\xDF\xA3", "Matroska media"),
    (b"8BPS", "Photoshop image"),
    (b"wOFF", "WOFF font"),
    (b"wOF2", "WOFF2 font"),
    (b"\x00\x01\x00\x00\x00", "TrueType font"),
];

/// Which bytes start a signature of [`MAGIC`]: text rarely starts with one, and then the
/// thirty-odd comparisons are skipped.
const MAGIC_FIRST: [bool; 256] = {
    let mut first = [false; 256];
    let mut i = 0;
    while i < MAGIC.len() {
        first[MAGIC[i].0[0] as usize] = true;
        i += 1;
    }
    first
};

/// The binary format whose signature `bytes` starts with, if any.
pub(crate) fn magic(bytes: &[u8]) -> Option<&'static str> {
    let signatures = match bytes.first() {
        Some(b) if MAGIC_FIRST[usize::from(*b)] => MAGIC,
        _ => &[],
    };
    for (sig, name) in signatures {
        if bytes.starts_with(sig) {
            if *sig == b"BZh" {
                // "BZh" + level digit + the block magic 0x314159265359 (digits of pi).
                if bytes.len() >= 10
                    && (b'1'..=b'9').contains(&bytes[3])
                    && bytes[4..10] == *b"\x31\x41\x59\x26\x53\x59"
                {
                    return Some(name);
                }
                continue;
            }
            return Some(name);
        }
    }
    // Container formats with the tag at offset 4 or 8.
    if bytes.len() >= 12 {
        if &bytes[..4] == b"RIFF" && matches!(&bytes[8..12], b"WEBP" | b"WAVE" | b"AVI ") {
            return Some("RIFF media");
        }
        if &bytes[4..8] == b"ftyp" {
            return Some("MP4 media");
        }
    }
    None
}

/// Byte statistics of the head of an input, gathered in one pass.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct HeadStats {
    pub len: usize,
    pub nul: usize,
    /// C0 controls that text does not use (not \t \n \r \f, ESC, SUB), and DEL.
    pub control: usize,
    /// SO and SI, legitimate only in ISO-2022 text (which also has ESC).
    pub shift: usize,
    pub esc: usize,
}

/// Bytes per block of [`HeadStats::of`]: four vector registers' worth.
const BLOCK: usize = 64;

/// Whether the block has a C0 control byte or DEL. Written as one fold over a fixed-size
/// block so the compiler turns it into a few vector compares (about half an instruction
/// per byte): this is the test every block pays.
#[inline(always)]
fn any_control(block: &[u8; BLOCK]) -> bool {
    block.iter().fold(false, |any, &b| any | (b < 0x20) | (b == 0x7F))
}

/// Whether the block has a byte [`HeadStats::count`] counts: a C0 control other than
/// \t \n \f \r and SUB, or DEL. Only for the blocks with a control byte (a quarter of
/// them in text, nearly always for a line break); vectorised like [`any_control`].
#[inline(always)]
fn any_counted(block: &[u8; BLOCK]) -> bool {
    block.iter().fold(false, |any, &b| {
        // \t \n, \f \r, SUB: the same sets as in `count`, in compare-friendly form.
        let benign = (b.wrapping_sub(0x09) < 2) | ((b | 1) == 0x0D) | (b == 0x1A);
        any | ((b < 0x20) & !benign) | (b == 0x7F)
    })
}

impl HeadStats {
    pub(crate) fn of(head: &[u8]) -> Self {
        let mut s = HeadStats { len: head.len(), ..HeadStats::default() };
        // Text has a line break every few dozen bytes but almost never a byte that counts
        // here: a block is looked at byte by byte only when it has one of those. Both tests
        // are exact for "some byte of the block".
        let mut blocks = head.chunks_exact(BLOCK);
        for block in &mut blocks {
            let block: &[u8; BLOCK] = block.try_into().expect("blocks of 64");
            if any_control(block) && any_counted(block) {
                s.count(block);
            }
        }
        // The tail, padded with spaces (which count for nothing) to a whole block.
        let tail = blocks.remainder();
        let mut padded = [b' '; BLOCK];
        padded[..tail.len()].copy_from_slice(tail);
        if any_control(&padded) && any_counted(&padded) {
            s.count(tail);
        }
        s
    }

    fn count(&mut self, bytes: &[u8]) {
        for &b in bytes {
            match b {
                0x00 => self.nul += 1,
                // \t \n \r \f, and SUB (Ctrl-Z, an end-of-file mark in old DOS text).
                0x09 | 0x0A | 0x0C | 0x0D | 0x1A => {}
                0x1B => self.esc += 1,
                0x0E | 0x0F => self.shift += 1,
                0x01..=0x1F | 0x7F => self.control += 1,
                _ => {}
            }
        }
    }

    /// Control bytes that count against "text", NULs excluded.
    pub(crate) fn bad_controls(&self) -> usize {
        if self.esc > 0 {
            self.control
        } else {
            self.control + self.shift
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures() {
        let cases: &[(&str, &[u8], Option<&str>)] = &[
            ("png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", Some("PNG image")),
            ("jpeg", b"\xFF\xD8\xFF\xE0\0\x10JFIF", Some("JPEG image")),
            ("pdf", b"%PDF-1.7\n%\xE2\xE3", Some("PDF document")),
            ("bzip2 with block magic", b"BZh91AY&SY\x00", Some("bzip2 archive")),
            ("text starting like bzip2", b"BZh9 is a word", None),
            ("webp", b"RIFF\x10\0\0\0WEBPVP8 ", Some("RIFF media")),
            ("mp4", b"\0\0\0\x18ftypmp42", Some("MP4 media")),
            ("plain text", b"hello world, this is text", None),
            ("gbk text", b"\xD6\xD0\xCE\xC4", None),
            ("empty", b"", None),
        ];
        for (name, bytes, want) in cases {
            assert_eq!(magic(bytes), *want, "{name}");
        }
    }

    #[test]
    fn head_stats_count_every_byte_whatever_its_position() {
        // Every control byte at every offset of an 18-byte input (two words and a tail).
        let text = b"plain text, ok!\xD6\xD0\xCE";
        for b in [0x00u8, 0x01, 0x0E, 0x1B, 0x1F, 0x7F] {
            for at in 0..text.len() {
                let mut head = text.to_vec();
                head[at] = b;
                let s = HeadStats::of(&head);
                let want = |target: u8| usize::from(b == target);
                assert_eq!(s.nul, want(0x00), "{b:#x} at {at}");
                assert_eq!(s.esc, want(0x1B), "{b:#x} at {at}");
                assert_eq!(s.shift, want(0x0E), "{b:#x} at {at}");
                assert_eq!(
                    s.control,
                    usize::from(matches!(b, 0x01 | 0x1F | 0x7F)),
                    "{b:#x} at {at}"
                );
            }
        }
        let s = HeadStats::of(b"line one\nline two\r\n\tindented\x0c");
        assert_eq!((s.nul, s.control, s.shift, s.esc), (0, 0, 0, 0));
    }

    /// The block tests agree with `count` on every byte value, and the blocks and the tail
    /// of a longer head count like a byte-by-byte pass.
    #[test]
    fn block_tests_agree_with_counting_byte_by_byte() {
        let counted = |bytes: &[u8]| {
            let mut s = HeadStats::default();
            s.count(bytes);
            (s.nul, s.control, s.shift, s.esc)
        };
        for b in 0..=255u8 {
            let mut block = [b'a'; BLOCK];
            block[BLOCK - 1] = b;
            assert_eq!(any_control(&block), b < 0x20 || b == 0x7F, "{b:#x}");
            assert_eq!(any_counted(&block), counted(&[b]) != (0, 0, 0, 0), "{b:#x}");
        }
        let text = "第一行文字，plain text.\n\t第二行\r\n".repeat(6);
        let text = text.as_bytes();
        for b in 0..=0x7Fu8 {
            for at in (0..text.len()).step_by(7).chain([text.len() - 1]) {
                for len in [at + 1, text.len()] {
                    let mut head = text[..len].to_vec();
                    head[at] = b;
                    let s = HeadStats::of(&head);
                    assert_eq!(s.len, len);
                    assert_eq!(
                        (s.nul, s.control, s.shift, s.esc),
                        counted(&head),
                        "{b:#x} at {at}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_signature_is_checked() {
        for (sig, name) in MAGIC {
            let mut bytes = sig.to_vec();
            if *sig == b"BZh" {
                bytes.extend_from_slice(b"91AY&SY");
            }
            bytes.extend_from_slice(b"\0\0\0\0\0\0\0\0");
            assert!(MAGIC_FIRST[usize::from(sig[0])], "{name}");
            assert!(magic(&bytes).is_some(), "{name}");
        }
    }

    #[test]
    fn reason_display_is_short() {
        assert_eq!(BinaryReason::Magic("PNG image").to_string(), "PNG image");
        assert_eq!(BinaryReason::NulBytes.to_string(), "NUL bytes");
    }
}
