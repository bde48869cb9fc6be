//! The JSON of `onus matrix --format json` (docs/format.md, "Machine-readable
//! output"), written by hand: byte for byte what `serde_json`'s pretty
//! printer gives for the same document (the tests compare the two), at a
//! fraction of the cost. A big chain's matrix is millions of values, and
//! the generic serializer wrote each punctuation mark and indent through
//! its own call into the output buffer: most of `onus matrix`'s time.

use std::io::{self, Write};

use onus_core::resolve::{Matrix, ResolvedHolder, ResolvedOffering};
use onus_core::text::Text;

/// Bytes gathered before they are handed to the output: big enough that
/// writes are few, small enough that memory does not grow with the matrix.
const CHUNK: usize = 1 << 16;

/// Writes the matrix's JSON, the offerings given, to `out`, with a final newline.
pub fn write(
    matrix: &Matrix,
    offerings: &[&ResolvedOffering],
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut j = Pretty::new(out);
    j.open(b'{');
    j.key("model");
    j.string(&matrix.model);
    j.key("offerings");
    j.open(b'[');
    for o in offerings {
        j.item();
        j.open(b'{');
        j.key("id");
        j.string(&o.id);
        j.key("name");
        j.string(&o.name);
        j.key("areas");
        j.open(b'[');
        for a in &o.areas {
            j.item();
            j.open(b'{');
            j.key("id");
            j.string(&a.id);
            j.key("name");
            j.string(&a.name);
            j.key("holders");
            j.open(b'[');
            for h in &a.holders {
                j.item();
                holder(&mut j, h);
            }
            j.close(b']');
            j.close(b'}');
            j.spill()?;
        }
        j.close(b']');
        j.close(b'}');
    }
    j.close(b']');
    j.close(b'}');
    j.buf.push(b'\n');
    j.finish()
}

fn holder(j: &mut Pretty<'_>, h: &ResolvedHolder) {
    j.open(b'{');
    j.key("party");
    j.string(&h.party);
    j.key("name");
    j.string(&h.name);
    j.key("role");
    j.string(h.role.as_str());
    j.key("scope");
    match &h.scopes[..] {
        [] => j.null(),
        [one] => j.string(one),
        several => j.string(&several.join("; ")),
    }
    j.key("duties");
    j.strings(&h.duties);
    // Each duty's `id:` (null for one without), only when one has an id.
    if h.duties.has_ids() {
        j.key("duty-ids");
        j.open(b'[');
        for i in 0..h.duties.len() {
            j.item();
            match h.duties.id(i) {
                Some(id) => j.string(id),
                None => j.null(),
            }
        }
        j.close(b']');
    }
    for (key, list) in [
        ("how", &h.how[..]),
        ("evidence", &h.evidence[..]),
        ("via", &h.via[..]),
    ] {
        j.key(key);
        j.strings(list);
    }
    j.close(b'}');
}

/// A pretty printer as `serde_json::ser::PrettyFormatter` prints: two
/// spaces per level, `"key": value`, and empty lists and maps as `[]` and `{}`.
struct Pretty<'o> {
    out: &'o mut dyn Write,
    buf: Vec<u8>,
    depth: usize,
    /// Whether the innermost open list or map has nothing in it yet.
    empty: bool,
}

impl<'o> Pretty<'o> {
    fn new(out: &'o mut dyn Write) -> Pretty<'o> {
        Pretty {
            out,
            buf: Vec::with_capacity(CHUNK + CHUNK / 4),
            depth: 0,
            empty: true,
        }
    }

    fn open(&mut self, bracket: u8) {
        self.buf.push(bracket);
        self.depth += 1;
        self.empty = true;
    }

    fn close(&mut self, bracket: u8) {
        self.depth -= 1;
        if !self.empty {
            self.line();
        }
        self.buf.push(bracket);
        self.empty = false;
    }

    /// Starts the next item of a list.
    fn item(&mut self) {
        if !self.empty {
            self.buf.push(b',');
        }
        self.line();
        self.empty = false;
    }

    /// Starts the next entry of a map: its key (plain ASCII, never escaped).
    fn key(&mut self, key: &str) {
        self.item();
        self.buf.push(b'"');
        self.buf.extend_from_slice(key.as_bytes());
        self.buf.extend_from_slice(b"\": ");
    }

    fn line(&mut self) {
        const SPACES: &[u8] = &[b' '; 64];
        self.buf.push(b'\n');
        let mut n = 2 * self.depth;
        while n > 0 {
            let k = n.min(SPACES.len());
            self.buf.extend_from_slice(&SPACES[..k]);
            n -= k;
        }
    }

    fn null(&mut self) {
        self.buf.extend_from_slice(b"null");
    }

    fn strings(&mut self, list: &[Text]) {
        self.open(b'[');
        for s in list {
            self.item();
            self.string(s);
        }
        self.close(b']');
    }

    /// A JSON string, escaped as serde_json escapes: `"`, `\` and the
    /// control characters below U+0020, nothing else.
    fn string(&mut self, s: &str) {
        let mut rest = s.as_bytes();
        self.buf.reserve(rest.len() + 2);
        self.buf.push(b'"');
        loop {
            let plain = plain_prefix(rest);
            self.buf.extend_from_slice(&rest[..plain]);
            let Some(&b) = rest.get(plain) else { break };
            rest = &rest[plain + 1..];
            match b {
                b'"' => self.buf.extend_from_slice(b"\\\""),
                b'\\' => self.buf.extend_from_slice(b"\\\\"),
                b'\x08' => self.buf.extend_from_slice(b"\\b"),
                b'\x0c' => self.buf.extend_from_slice(b"\\f"),
                b'\n' => self.buf.extend_from_slice(b"\\n"),
                b'\r' => self.buf.extend_from_slice(b"\\r"),
                b'\t' => self.buf.extend_from_slice(b"\\t"),
                _ => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    self.buf.extend_from_slice(b"\\u00");
                    self.buf.push(HEX[usize::from(b >> 4)]);
                    self.buf.push(HEX[usize::from(b & 0xf)]);
                }
            }
        }
        self.buf.push(b'"');
    }

    /// Hands what is gathered to the output once it is a chunk.
    fn spill(&mut self) -> io::Result<()> {
        if self.buf.len() >= CHUNK {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn finish(mut self) -> io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }
}

/// How many bytes at the start of `bytes` need no escaping: eight at a
/// time while none of them does (the usual case: ids, names and duties are
/// plain text), then one by one.
fn plain_prefix(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    // Whether any byte of `x` is below `n` (n <= 128): exact, no false alarm.
    let any_below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH != 0;
    let mut at = 0;
    for chunk in bytes.chunks_exact(8) {
        let mut eight = [0; 8];
        eight.copy_from_slice(chunk);
        let x = u64::from_ne_bytes(eight);
        let quote = x ^ (ONES * u64::from(b'"'));
        let backslash = x ^ (ONES * u64::from(b'\\'));
        if any_below(x, 0x20) || any_below(quote, 1) || any_below(backslash, 1) {
            break;
        }
        at += 8;
    }
    at + bytes[at..]
        .iter()
        .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
        .unwrap_or(bytes.len() - at)
}

#[cfg(test)]
mod tests {
    use super::Pretty;

    /// Every byte that serde_json escapes, and some it does not, as serde_json writes them.
    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut all: String = (0u8..0x80).map(char::from).collect();
        all.push_str("é—\u{2028}😀 \"quoted\" back\\slash");
        let long = "a plain run of text, then \u{1f} and \" after it, then more".repeat(3);
        for s in [all.as_str(), "", "plain", "\"", "a\nb", &long, "12345678\\"] {
            let mut sink = Vec::new();
            let mut j = Pretty::new(&mut sink);
            j.string(s);
            let written = String::from_utf8(std::mem::take(&mut j.buf)).unwrap();
            assert_eq!(written, serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }

    /// Nesting, empty and full lists and maps, as serde_json's pretty printer lays them out.
    #[test]
    fn layout_is_serde_json_pretty() {
        let mut sink = Vec::new();
        let mut j = Pretty::new(&mut sink);
        j.open(b'{');
        j.key("a");
        j.open(b'[');
        j.close(b']');
        j.key("b");
        j.open(b'[');
        for s in ["x", "y"] {
            j.item();
            j.open(b'{');
            j.key("c");
            j.string(s);
            j.key("d");
            j.null();
            j.key("e");
            j.open(b'{');
            j.close(b'}');
            j.close(b'}');
        }
        j.close(b']');
        j.close(b'}');
        j.finish().unwrap();
        let expected = serde_json::json!({
            "a": [],
            "b": [{ "c": "x", "d": null, "e": {} }, { "c": "y", "d": null, "e": {} }],
        });
        assert_eq!(
            String::from_utf8(sink).unwrap(),
            serde_json::to_string_pretty(&expected).unwrap()
        );
    }
}
