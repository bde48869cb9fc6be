//! Source files and spans: every key and value the loader reads keeps the
//! file it came from and its byte range, and line/column are computed from
//! that on demand (1-based, columns counted in characters).

use std::path::PathBuf;

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end.max(start) as u32,
        }
    }
}

/// A value together with where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// One loaded text file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user (or the referencing model) gave it.
    pub path: PathBuf,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let mut line_starts = vec![0];
        if text.contains('\r') {
            // A lone CR ends a line too, as it does for YAML (and the markers it reports).
            let bytes = text.as_bytes();
            line_starts.extend(
                bytes
                    .iter()
                    .enumerate()
                    .filter(|&(i, &b)| {
                        b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
                    })
                    .map(|(i, _)| i + 1),
            );
        } else {
            line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        }
        SourceFile {
            path: path.into(),
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset. A byte
    /// order mark is not a character of the first line: editors do not
    /// show it, so columns there do not count it.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = match line {
            0 => self.bom(),
            _ => self.line_starts[line],
        };
        let col = self
            .text
            .get(start..floor_char_boundary(&self.text, offset.max(start)))
            .map_or(0, |t| t.chars().count());
        (line + 1, col + 1)
    }

    /// The length in bytes of the byte order mark the text starts with, if any.
    fn bom(&self) -> usize {
        if self.text.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        }
    }

    /// Byte offset of a 1-based line and 0-based character column, clamped to the text.
    pub fn offset_of(&self, line: usize, char_col: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let line_text = self.line_text_from(start);
        start
            + line_text
                .char_indices()
                .nth(char_col)
                .map_or(line_text.len(), |(i, _)| i)
    }

    /// The text of a 1-based line, without its line break (nor, on the
    /// first line, the byte order mark).
    pub fn line(&self, line: usize) -> &str {
        match self.line_starts.get(line.saturating_sub(1)) {
            Some(&0) => self.line_text_from(self.bom()),
            Some(&start) => self.line_text_from(start),
            None => "",
        }
    }

    fn line_text_from(&self, start: usize) -> &str {
        let rest = &self.text[start..];
        &rest[..rest.find(['\n', '\r']).unwrap_or(rest.len())]
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Every file read in one run, so diagnostics can point into any of them.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn add(&mut self, path: impl Into<PathBuf>, text: impl Into<String>) -> FileId {
        self.files.push(SourceFile::new(path, text));
        FileId(self.files.len() as u32 - 1)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// Forgets the text of a file, so no finding can show it: for a file
    /// that turned out not to be a model (a key, a password file...).
    pub fn withhold(&mut self, id: FileId) {
        let file = &mut self.files[id.0 as usize];
        *file = SourceFile::new(std::mem::take(&mut file.path), String::new());
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// 1-based line and column of the start of a span.
    pub fn line_col(&self, span: Span) -> (usize, usize) {
        self.get(span.file).line_col(span.start as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_from_one() {
        let f = SourceFile::new("x", "ab\nçd: e\n");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        // 'd' follows a two-byte character
        assert_eq!(f.line_col(5), (2, 2));
        assert_eq!(f.line(2), "çd: e");
        assert_eq!(f.offset_of(2, 1), 5);
    }

    #[test]
    fn a_byte_order_mark_does_not_shift_columns() {
        let f = SourceFile::new("x", "\u{feff}{\"a\": 1}\n{}");
        assert_eq!(f.line_col(3), (1, 1));
        assert_eq!(f.line_col(4), (1, 2));
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line(1), "{\"a\": 1}");
        assert_eq!(f.line_col(12), (2, 1));
    }

    #[test]
    fn lines_end_at_lf_crlf_and_lone_cr() {
        let f = SourceFile::new("x", "a\r\nb\rc\nd");
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(5), (3, 1));
        assert_eq!(f.line_col(7), (4, 1));
        assert_eq!((f.line(1), f.line(2), f.line(3)), ("a", "b", "c"));
        assert_eq!(f.offset_of(3, 0), 5);
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let f = SourceFile::new("x", "a");
        assert_eq!(f.line_col(99), (1, 2));
        assert_eq!(f.offset_of(7, 0), 1);
        assert_eq!(f.line(7), "");
    }
}
