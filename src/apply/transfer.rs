//! Content-transfer encodings on bytes (RFC 2045): what 8bit data may hold, and
//! quoted-printable and base64 both ways. Every decoder is strict: a body that
//! does not decode to one exact sequence of bytes is left as it is by the caller,
//! never guessed at.

use base64::Engine;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, general_purpose};

/// The line break of a message: CRLF on the wire, LF in a file written on Unix.
/// Every line break isptab writes into a message is the message's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineBreak {
    /// `\r\n`
    CrLf,
    /// `\n`
    Lf,
}

impl LineBreak {
    /// The bytes of the break.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            LineBreak::CrLf => b"\r\n",
            LineBreak::Lf => b"\n",
        }
    }
}

/// The longest line of 7bit and 8bit data, without its line break (RFC 2045
/// section 2.8; RFC 5322 section 2.1.1).
pub const MAX_LINE: usize = 998;

/// The longest encoded line of quoted-printable and base64 (RFC 2045 sections
/// 6.7 and 6.8), without its line break.
const ENCODED_LINE: usize = 76;

/// Data that may be sent as it is, as 7bit or as 8bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plain {
    /// Only US-ASCII: valid 7bit (and 8bit) data.
    SevenBit,
    /// Some byte above 127: valid 8bit data.
    EightBit,
}

/// Why data is not valid 8bit data (RFC 2045 section 2.8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotPlain {
    /// A NUL byte.
    Nul,
    /// A CR that does not start the message's line break.
    BareCr,
    /// An LF that is not the end of the message's line break.
    BareLf,
    /// A line longer than 998 octets.
    LongLine,
    /// A delimiter of an enclosing multipart, anywhere in a line: it would end
    /// the part.
    Delimiter,
}

impl NotPlain {
    /// Why, in words (after "8bit is not valid here:").
    pub fn reason(self) -> &'static str {
        match self {
            NotPlain::Nul => "it holds a NUL byte",
            NotPlain::BareCr => "it holds a CR that is not part of a line break",
            NotPlain::BareLf => "it holds an LF that is not part of a CRLF line break",
            NotPlain::LongLine => "it has a line longer than 998 octets",
            NotPlain::Delimiter => "it holds a delimiter of an enclosing multipart",
        }
    }
}

/// Whether `data` may be sent unencoded in a message whose line break is `br`.
pub fn plain(data: &[u8], br: LineBreak) -> Result<Plain, NotPlain> {
    let mut line = 0usize;
    let mut high = false;
    let mut i = 0;
    while let Some(&b) = data.get(i) {
        match b {
            0 => return Err(NotPlain::Nul),
            b'\r' => {
                if br == LineBreak::CrLf && data.get(i + 1) == Some(&b'\n') {
                    line = 0;
                    i += 2;
                    continue;
                }
                return Err(NotPlain::BareCr);
            }
            b'\n' if br == LineBreak::Lf => line = 0,
            b'\n' => return Err(NotPlain::BareLf),
            _ => {
                high |= b >= 0x80;
                line += 1;
                if line > MAX_LINE {
                    return Err(NotPlain::LongLine);
                }
            }
        }
        i += 1;
    }
    Ok(if high {
        Plain::EightBit
    } else {
        Plain::SevenBit
    })
}

/// The delimiters of the multiparts around a part: `--` and the boundary,
/// found anywhere in a line, since mail-parser takes one inside a line for a
/// delimiter too. Each finder is built once, when its multipart is entered.
#[derive(Default)]
pub struct Delimiters(Vec<memchr::memmem::Finder<'static>>);

impl Delimiters {
    /// Enters a multipart with this boundary.
    pub fn push(&mut self, boundary: &[u8]) {
        let delimiter = [b"--", boundary].concat();
        self.0
            .push(memchr::memmem::Finder::new(&delimiter).into_owned());
    }

    /// Leaves the innermost multipart.
    pub fn pop(&mut self) {
        self.0.pop();
    }

    /// Whether `data` holds a delimiter of an enclosing multipart, which would
    /// cut the part short if written as it is.
    pub fn found_in(&self, data: &[u8]) -> bool {
        self.0.iter().any(|f| f.find(data).is_some())
    }
}

/// Quoted-printable (RFC 2045 section 6.7). In `text` mode the message's line
/// breaks stay line breaks (rule 4) and any other CR or LF is encoded; otherwise
/// every byte is encoded as data. Lines are at most 76 characters (soft breaks
/// as needed), white space before a break is encoded, and a `-` that would start
/// a line or follow another `-` is encoded: the output never holds `--`, so no
/// part of it can be taken for a delimiter.
pub fn encode_quoted_printable(data: &[u8], text: bool, br: LineBreak) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let brb = br.bytes();
    let mut out = Vec::with_capacity(data.len() + data.len() / 8 + 16);
    let mut column = 0usize;
    let mut i = 0;
    while i < data.len() {
        if text && data[i..].starts_with(brb) {
            out.extend_from_slice(brb);
            column = 0;
            i += brb.len();
            continue;
        }
        let b = data[i];
        let last = i + 1 == data.len() || (text && data[i + 1..].starts_with(brb));
        let after_dash = out.last() == Some(&b'-');
        let literal = |column: usize| match b {
            b' ' | b'\t' => !last,
            b'-' => column != 0 && !after_dash,
            b'=' => false,
            33..=126 => true,
            _ => false,
        };
        let width = if literal(column) { 1 } else { 3 };
        // A soft break takes one character ('='), except after the line's last one.
        let room = if last { ENCODED_LINE } else { ENCODED_LINE - 1 };
        if column + width > room {
            out.push(b'=');
            out.extend_from_slice(brb);
            column = 0;
        }
        if literal(column) {
            out.push(b);
            column += 1;
        } else {
            out.extend_from_slice(&[b'=', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
            column += 3;
        }
        i += 1;
    }
    out
}

/// Why an encoded body does not decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Undecodable {
    /// `=` not followed by two hexadecimal digits or a line break.
    QuotedPrintable,
    /// A character outside the base64 alphabet, or a bad length or padding.
    Base64,
}

impl Undecodable {
    /// Why, in words.
    pub fn reason(self) -> &'static str {
        match self {
            Undecodable::QuotedPrintable => "its quoted-printable does not decode",
            Undecodable::Base64 => "its base64 does not decode",
        }
    }
}

/// Decodes quoted-printable strictly: `=XX` (either case), soft breaks (`=`
/// ending a line, white space after it ignored) and white space at the end of a
/// line dropped (rule 3); a hard line break is kept as it was written.
pub fn decode_quoted_printable(data: &[u8]) -> Result<Vec<u8>, Undecodable> {
    let mut out = Vec::with_capacity(data.len());
    for line in data.split_inclusive(|&b| b == b'\n') {
        let (content, brk): (&[u8], &[u8]) = if let Some(c) = line.strip_suffix(b"\r\n") {
            (c, b"\r\n")
        } else if let Some(c) = line.strip_suffix(b"\n") {
            (c, b"\n")
        } else {
            (line, b"")
        };
        let end = content
            .iter()
            .rposition(|&b| b != b' ' && b != b'\t')
            .map_or(0, |p| p + 1);
        let content = &content[..end];
        let (content, soft) = match content.strip_suffix(b"=") {
            Some(c) => (c, true),
            None => (content, false),
        };
        let mut i = 0;
        while let Some(&b) = content.get(i) {
            if b == b'=' {
                let hi = content.get(i + 1).and_then(|&h| hex(h));
                let lo = content.get(i + 2).and_then(|&l| hex(l));
                match (hi, lo) {
                    (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
                    _ => return Err(Undecodable::QuotedPrintable),
                }
                i += 3;
            } else {
                out.push(b);
                i += 1;
            }
        }
        if !soft {
            out.extend_from_slice(brk);
        }
    }
    Ok(out)
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Base64 as RFC 2045 section 6.8 writes it: the standard alphabet with padding.
const BASE64: GeneralPurpose = general_purpose::STANDARD;

/// Base64 as readers take it: padding optional, trailing bits ignored.
const BASE64_READ: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Base64 in lines of 76 characters separated by the message's line break.
pub fn encode_base64(data: &[u8], br: LineBreak) -> Vec<u8> {
    let encoded = BASE64.encode(data);
    let mut out = Vec::with_capacity(encoded.len() + encoded.len() / ENCODED_LINE * 2 + 2);
    for (n, line) in encoded.as_bytes().chunks(ENCODED_LINE).enumerate() {
        if n > 0 {
            out.extend_from_slice(br.bytes());
        }
        out.extend_from_slice(line);
    }
    out
}

/// Decodes base64, ignoring white space (and nothing else).
pub fn decode_base64(data: &[u8]) -> Result<Vec<u8>, Undecodable> {
    let compact: Vec<u8> = data
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    BASE64_READ.decode(compact).map_err(|_| Undecodable::Base64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_data_follows_the_message_line_break() {
        assert_eq!(plain(b"a\r\nb", LineBreak::CrLf), Ok(Plain::SevenBit));
        assert_eq!(
            plain("é\r\n".as_bytes(), LineBreak::CrLf),
            Ok(Plain::EightBit)
        );
        assert_eq!(plain(b"a\nb", LineBreak::CrLf), Err(NotPlain::BareLf));
        assert_eq!(plain(b"a\rb", LineBreak::CrLf), Err(NotPlain::BareCr));
        assert_eq!(plain(b"a\r\nb", LineBreak::Lf), Err(NotPlain::BareCr));
        assert_eq!(plain(b"a\0", LineBreak::Lf), Err(NotPlain::Nul));
        assert_eq!(plain(&[b'x'; 998], LineBreak::Lf), Ok(Plain::SevenBit));
        assert_eq!(plain(&[b'x'; 999], LineBreak::Lf), Err(NotPlain::LongLine));
    }

    #[test]
    fn quoted_printable_round_trips_and_keeps_lines_short() {
        let cases: [&[u8]; 6] = [
            b"",
            b"plain text\r\nwith lines \r\n",
            b"-- \r\n--boundary\r\n",
            b"a=b\tc \r\n\r\n \t",
            &[0u8, 255, 13, 10, 13, 61, 32],
            &[b'x'; 300],
        ];
        for data in cases {
            for text in [true, false] {
                let encoded = encode_quoted_printable(data, text, LineBreak::CrLf);
                assert_eq!(decode_quoted_printable(&encoded).unwrap(), data);
                for line in encoded.split(|&b| b == b'\n') {
                    let line = line.strip_suffix(b"\r").unwrap_or(line);
                    assert!(line.len() <= 76, "{:?}", String::from_utf8_lossy(line));
                    assert!(!line.starts_with(b"-"));
                    assert!(!line.ends_with(b" ") && !line.ends_with(b"\t"));
                }
            }
        }
    }

    #[test]
    fn broken_quoted_printable_is_refused() {
        assert_eq!(
            decode_quoted_printable(b"a=ZZ"),
            Err(Undecodable::QuotedPrintable)
        );
        assert_eq!(
            decode_quoted_printable(b"a=4"),
            Err(Undecodable::QuotedPrintable)
        );
        assert_eq!(decode_quoted_printable(b"a=  \r\nb").unwrap(), b"ab");
        assert_eq!(decode_quoted_printable(b"a=3d").unwrap(), b"a=");
    }

    #[test]
    fn base64_round_trips_in_short_lines() {
        let data: Vec<u8> = (0..=255).cycle().take(1000).collect();
        let encoded = encode_base64(&data, LineBreak::Lf);
        assert!(encoded.split(|&b| b == b'\n').all(|l| l.len() <= 76));
        assert_eq!(decode_base64(&encoded).unwrap(), data);
        assert_eq!(decode_base64(b"aGk").unwrap(), b"hi");
        assert_eq!(decode_base64(b"a*Gk="), Err(Undecodable::Base64));
    }
}
