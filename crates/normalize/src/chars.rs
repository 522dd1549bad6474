//! Character classes shared by the stages. Kept as plain range checks so the hot loops never
//! allocate or hash.

/// A Han ideograph (CJK Unified Ideographs, extensions, compatibility ideographs).
pub(crate) fn is_han(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{3134F}'
        | '〇')
}

/// CJK punctuation that ends a clause or sentence, or closes a quotation or bracket: text
/// after it is a new unit, so reflow never joins after it.
pub(crate) fn is_terminal_punct(c: char) -> bool {
    matches!(
        c,
        '。' | '！'
            | '？'
            | '；'
            | '：'
            | '…'
            | '”'
            | '’'
            | '」'
            | '』'
            | '》'
            | '）'
            | '】'
            | '〕'
            | '!'
            | '?'
            | ';'
            | ':'
            | ')'
            | '.'
            | '．'
            | '｡'
    )
}

/// CJK punctuation that closes something: the left side of a Chinese-context position.
pub(crate) fn is_cjk_closing(c: char) -> bool {
    matches!(c, '”' | '’' | '」' | '』' | '》' | '）' | '】' | '〕' | '〉' | '。' | '、')
}

/// CJK punctuation that opens something: the right side of a Chinese-context position.
pub(crate) fn is_cjk_opening(c: char) -> bool {
    matches!(c, '“' | '‘' | '「' | '『' | '《' | '（' | '【' | '〔' | '〈')
}

/// Horizontal space characters that scraped pages use for indentation.
pub(crate) fn is_indent_space(c: char) -> bool {
    matches!(c, ' ' | '\u{A0}' | '\u{3000}' | '\u{2002}'..='\u{200A}' | '\u{202F}' | '\u{205F}')
}

/// Clause-ending punctuation, used to measure how long the first clause of a line is.
pub(crate) fn is_clause_punct(c: char) -> bool {
    matches!(c, '，' | ',' | '、' | '。' | '；' | ';' | '：' | ':' | '！' | '!' | '？' | '?' | '…')
}

/// A character the `normalize` stage drops wherever it is: a control character other than
/// `\t`, `\n` and `\r`, or a zero-width character. Stages that run before `normalize` look
/// through them, so that a second run, after they are gone, decides the same way.
pub(crate) fn is_invisible(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{AD}' | '\u{180E}')
}
