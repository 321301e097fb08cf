//! Hexdumps of any message: offset, hex bytes in groups, and an ASCII column.
//!
//! The library produces lines; wrapping, colouring and scrolling are the view's business.
//! [`HexDump::line`] gives random access so a virtualised list can render only what is on
//! screen, and [`HexDump::write_into`] renders everything into one buffer quickly.
//!
//! ```text
//! 00000000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 21 0a 00 ff  |Hello, world!...|
//! ```

use std::fmt;

/// Bytes per line unless told otherwise.
pub const DEFAULT_WIDTH: usize = 16;

/// Bytes per group unless told otherwise (an extra space separates groups).
pub const DEFAULT_GROUP: usize = 8;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// A hexdump of a byte slice, borrowed; nothing is computed until lines are asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HexDump<'a> {
    bytes: &'a [u8],
    width: usize,
    group: usize,
}

impl<'a> HexDump<'a> {
    /// A dump of `bytes` with [`DEFAULT_WIDTH`] bytes per line in groups of [`DEFAULT_GROUP`].
    #[must_use]
    pub fn new(bytes: &'a [u8]) -> HexDump<'a> {
        HexDump {
            bytes,
            width: DEFAULT_WIDTH,
            group: DEFAULT_GROUP,
        }
    }

    /// Bytes per line; 0 is taken as 1 (a line must hold something).
    #[must_use]
    pub fn with_width(mut self, width: usize) -> HexDump<'a> {
        self.width = width.max(1);
        self
    }

    /// Bytes per group; 0 means no grouping (no extra spaces).
    #[must_use]
    pub fn with_group(mut self, group: usize) -> HexDump<'a> {
        self.group = group;
        self
    }

    /// Bytes per line.
    #[must_use]
    pub fn width(&self) -> usize {
        self.width
    }

    /// Number of lines: `ceil(len / width)`, 0 for no bytes.
    #[must_use]
    pub fn line_count(&self) -> usize {
        self.bytes.len().div_ceil(self.width)
    }

    /// Line `index` (0-based), or `None` past the end. O(1).
    #[must_use]
    pub fn line(&self, index: usize) -> Option<HexLine<'a>> {
        let start = index.checked_mul(self.width)?;
        if start >= self.bytes.len() {
            return None;
        }
        let end = start.saturating_add(self.width).min(self.bytes.len());
        Some(HexLine {
            offset: start,
            bytes: &self.bytes[start..end],
            width: self.width,
            group: self.group,
        })
    }

    /// All lines, in order.
    #[must_use]
    pub fn lines(&self) -> HexLines<'a> {
        HexLines {
            dump: *self,
            next: 0,
            end: self.line_count(),
        }
    }

    /// Appends the whole dump, lines separated by `\n` (no trailing newline).
    ///
    /// About 4.2 output bytes per input byte at the default width; the buffer is reserved
    /// up front.
    pub fn write_into(&self, out: &mut String) {
        out.reserve(self.line_count() * (self.line_len() + 1));
        for (i, line) in self.lines().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            line.write_into(out);
        }
    }

    /// The length of a full line in bytes (they are all ASCII).
    fn line_len(&self) -> usize {
        10 + hex_column_len(self.width, self.group) + 2 + self.width + 2
    }
}

impl fmt::Display for HexDump<'_> {
    /// The whole dump, as [`HexDump::write_into`] writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = String::new();
        for (i, line) in self.lines().enumerate() {
            buf.clear();
            if i > 0 {
                buf.push('\n');
            }
            line.write_into(&mut buf);
            f.write_str(&buf)?;
        }
        Ok(())
    }
}

/// Width of the hex column: `width` bytes as `xx ` plus one extra space between groups,
/// without the trailing space.
fn hex_column_len(width: usize, group: usize) -> usize {
    let gaps = (width.saturating_sub(1)).checked_div(group).unwrap_or(0);
    (width * 3).saturating_sub(1) + gaps
}

/// Iterator over the lines of a [`HexDump`].
#[derive(Debug, Clone)]
pub struct HexLines<'a> {
    dump: HexDump<'a>,
    next: usize,
    end: usize,
}

impl<'a> Iterator for HexLines<'a> {
    type Item = HexLine<'a>;

    fn next(&mut self) -> Option<HexLine<'a>> {
        if self.next >= self.end {
            return None;
        }
        let line = self.dump.line(self.next);
        self.next += 1;
        line
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.end - self.next;
        (left, Some(left))
    }
}

impl DoubleEndedIterator for HexLines<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.next >= self.end {
            return None;
        }
        self.end -= 1;
        self.dump.line(self.end)
    }
}

impl ExactSizeIterator for HexLines<'_> {}

/// One line of a hexdump: up to `width` bytes starting at `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HexLine<'a> {
    /// Offset of the first byte in the message.
    pub offset: usize,
    /// The bytes of this line (fewer than the width only on the last line).
    pub bytes: &'a [u8],
    width: usize,
    group: usize,
}

impl HexLine<'_> {
    /// The hex column: `48 65 6c 6c` with an extra space between groups, padded with spaces
    /// to the width of a full line so ASCII columns line up.
    #[must_use]
    pub fn hex(&self) -> String {
        let mut out = String::with_capacity(hex_column_len(self.width, self.group));
        self.write_hex(&mut out);
        out
    }

    /// The ASCII column: printable ASCII (space to `~`) as is, everything else as `.`.
    #[must_use]
    pub fn ascii(&self) -> String {
        self.bytes
            .iter()
            .map(|&b| char::from(printable(b)))
            .collect()
    }

    /// Appends the line as `Display` shows it.
    pub fn write_into(&self, out: &mut String) {
        if self.width <= 48 && self.offset <= 0xffff_ffff {
            self.write_small(out);
        } else {
            self.write_any(out);
        }
    }

    /// The common case, built in a stack buffer: lines of up to 48 bytes fit in 256 bytes
    /// (10 + 48 * 3 - 1 + 5 group gaps + 3 + 48 + 1 = 210), and writing bytes into an array
    /// is several times faster than pushing chars one by one.
    fn write_small(&self, out: &mut String) {
        let mut buf = [b' '; 256];
        for k in 0..8 {
            buf[7 - k] = HEX[(self.offset >> (k * 4)) & 0xf];
        }
        let mut at = 10;
        // A running count instead of `i % group`: a division per byte is the slowest thing
        // here.
        let mut in_group = 0;
        for i in 0..self.width {
            if i > 0 {
                at += 1;
                in_group += 1;
                if in_group == self.group {
                    at += 1;
                    in_group = 0;
                }
            }
            if let Some(&b) = self.bytes.get(i) {
                buf[at] = HEX[usize::from(b >> 4)];
                buf[at + 1] = HEX[usize::from(b & 0xf)];
            }
            at += 2;
        }
        buf[at + 2] = b'|';
        at += 3;
        for &b in self.bytes {
            buf[at] = printable(b);
            at += 1;
        }
        buf[at] = b'|';
        at += 1;
        // Only ASCII was written.
        out.push_str(std::str::from_utf8(&buf[..at]).unwrap_or_default());
    }

    fn write_any(&self, out: &mut String) {
        // 8 hex digits, more only for offsets past 4 GiB.
        let offset = u64::try_from(self.offset).unwrap_or(u64::MAX);
        let mut digits = 8;
        let mut probe = offset >> 32;
        while probe != 0 {
            digits += 1;
            probe >>= 4;
        }
        for k in (0..digits).rev() {
            out.push(char::from(HEX[((offset >> (k * 4)) & 0xf) as usize]));
        }
        out.push_str("  ");
        self.write_hex(out);
        out.push_str("  |");
        out.extend(self.bytes.iter().map(|&b| char::from(printable(b))));
        out.push('|');
    }

    fn write_hex(&self, out: &mut String) {
        let mut in_group = 0;
        for (i, pair) in (0..self.width).zip(HexPairs(self.bytes)) {
            if i > 0 {
                out.push(' ');
                in_group += 1;
                if in_group == self.group {
                    out.push(' ');
                    in_group = 0;
                }
            }
            out.push_str(pair);
        }
    }
}

impl fmt::Display for HexLine<'_> {
    /// `00000010  48 65 ...  |He...|`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = String::with_capacity(12 + 4 * self.width);
        self.write_into(&mut buf);
        f.write_str(&buf)
    }
}

/// The two-digit hex of each byte, then blanks (padding of a short last line).
struct HexPairs<'a>(&'a [u8]);

impl<'a> Iterator for HexPairs<'a> {
    type Item = &'static str;

    fn next(&mut self) -> Option<&'static str> {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                let i = usize::from(b) * 2;
                Some(PAIRS.get(i..i + 2).unwrap_or("??"))
            }
            None => Some("  "),
        }
    }
}

/// "000102…ff": the hex of byte `b` is `PAIRS[2b..2b+2]`.
static PAIRS: &str = {
    const TABLE: [u8; 512] = {
        let mut table = [0u8; 512];
        let mut b = 0;
        while b < 256 {
            table[2 * b] = HEX[b >> 4];
            table[2 * b + 1] = HEX[b & 0xf];
            b += 1;
        }
        table
    };
    match std::str::from_utf8(&TABLE) {
        Ok(s) => s,
        Err(_) => panic!("hex digits are ASCII"),
    }
};

fn printable(b: u8) -> u8 {
    if (0x20..0x7f).contains(&b) { b } else { b'.' }
}

/// The hexdump of `bytes` with default width and grouping, as one string.
#[must_use]
pub fn hexdump(bytes: &[u8]) -> String {
    let mut out = String::new();
    HexDump::new(bytes).write_into(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_and_partial_lines() {
        let data = b"Hello, world!\n\x00\xffABC";
        assert_eq!(
            hexdump(data),
            "00000000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 21 0a 00 ff  |Hello, world!...|\n\
             00000010  41 42 43                                          |ABC|"
        );
    }

    #[test]
    fn structured_lines() {
        let data: Vec<u8> = (0..20).collect();
        let dump = HexDump::new(&data).with_width(8).with_group(4);
        assert_eq!(dump.line_count(), 3);
        let lines: Vec<HexLine<'_>> = dump.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1].offset, 8);
        assert_eq!(lines[1].bytes, &data[8..16]);
        assert_eq!(lines[2].bytes, &data[16..20]);
        assert_eq!(lines[2].hex(), "10 11 12 13             ");
        assert_eq!(lines[0].ascii(), "........");
        assert_eq!(
            lines[2].to_string(),
            "00000010  10 11 12 13               |....|"
        );
        assert_eq!(dump.line(3), None);
        assert_eq!(dump.lines().next_back().map(|l| l.offset), Some(16));
        assert_eq!(dump.to_string(), {
            let mut s = String::new();
            dump.write_into(&mut s);
            s
        });
    }

    #[test]
    fn no_grouping_and_width_zero() {
        let dump = HexDump::new(b"ab").with_width(0).with_group(0);
        assert_eq!(dump.width(), 1);
        assert_eq!(dump.to_string(), "00000000  61  |a|\n00000001  62  |b|");
        assert_eq!(HexDump::new(b"").line_count(), 0);
        assert_eq!(hexdump(b""), "");
    }

    #[test]
    fn fast_and_general_writers_agree() {
        let data: Vec<u8> = (0..=255u8).rev().collect();
        for width in [1, 3, 8, 16, 47, 48] {
            for group in [0, 1, 4, 8, 48] {
                let dump = HexDump::new(&data[..200])
                    .with_width(width)
                    .with_group(group);
                for line in dump.lines() {
                    let (mut small, mut any) = (String::new(), String::new());
                    line.write_small(&mut small);
                    line.write_any(&mut any);
                    assert_eq!(small, any, "width {width} group {group}");
                }
            }
        }
    }

    #[test]
    fn offsets_beyond_four_gib_widen() {
        let line = HexLine {
            offset: 0x1_2345_6789,
            bytes: b"x",
            width: 1,
            group: 0,
        };
        assert_eq!(line.to_string(), "123456789  78  |x|");
    }
}
