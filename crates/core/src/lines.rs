//! Line splitting with the standard library's semantics, found with `memchr`'s vectorized
//! search: `str::split_inclusive('\n')` and `str::lines()` look for each newline a byte or a
//! word at a time, which was ~3% of a whole run's instructions (callgrind) across the stages
//! that split every document into lines.

/// The lines of `text`, each with its `\n` if it has one: `text.split_inclusive('\n')`.
pub fn split_inclusive(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = memchr::memchr(b'\n', rest.as_bytes()).map_or(rest.len(), |i| i + 1);
        // `end` follows a `\n` or is the end: a character boundary either way.
        let (line, tail) = rest.split_at(end);
        rest = tail;
        Some(line)
    })
}

/// The lines of `text` without their `\n` or `\r\n`: `text.lines()`.
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    split_inclusive(text).map(|line| match line.strip_suffix('\n') {
        Some(l) => l.strip_suffix('\r').unwrap_or(l),
        None => line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_lines_as_the_standard_library() {
        let cases = [
            "",
            "\n",
            "\n\n",
            "一行",
            "一行\n",
            "一\r\n二\r\n",
            "a\rb\r",
            "末尾\r",
            "\r\n\r\n",
            "x\n\ny\n\n\nz",
        ];
        for text in cases {
            assert_eq!(
                split_inclusive(text).collect::<Vec<_>>(),
                text.split_inclusive('\n').collect::<Vec<_>>(),
                "{text:?}"
            );
            assert_eq!(
                lines(text).collect::<Vec<_>>(),
                text.lines().collect::<Vec<_>>(),
                "{text:?}"
            );
        }
        // Long lines cross the vectorized search's blocks.
        let mut seed = 7u32;
        for _ in 0..200 {
            let mut text = String::new();
            for _ in 0..(seed % 40) {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                match (seed >> 16) % 6 {
                    0 => text.push('\n'),
                    1 => text.push('\r'),
                    2 => text.push_str("中文字符"),
                    _ => text.push_str(&"ab".repeat(((seed >> 8) % 40) as usize)),
                }
            }
            assert_eq!(
                split_inclusive(&text).collect::<Vec<_>>(),
                text.split_inclusive('\n').collect::<Vec<_>>()
            );
            assert_eq!(lines(&text).collect::<Vec<_>>(), text.lines().collect::<Vec<_>>());
        }
    }
}
