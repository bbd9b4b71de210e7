//! Content-transfer encodings, the parts of a message they apply to, and the one
//! rule that turns what a record sets into what is in effect (and back: the fewest
//! settings that give an effective triple, which a dump writes).

use std::fmt;

/// A MIME content-transfer-encoding (RFC 2045).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Encoding {
    /// `quoted-printable`
    QuotedPrintable,
    /// `base64`
    Base64,
    /// `8bit`
    EightBit,
}

impl Encoding {
    /// Every encoding, in the order they are documented.
    pub const ALL: [Encoding; 3] = [
        Encoding::QuotedPrintable,
        Encoding::Base64,
        Encoding::EightBit,
    ];

    /// The RFC 2045 token.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::QuotedPrintable => "quoted-printable",
            Encoding::Base64 => "base64",
            Encoding::EightBit => "8bit",
        }
    }

    /// Parses a token, ignoring ASCII case.
    pub fn parse(token: &str) -> Option<Encoding> {
        Encoding::ALL
            .into_iter()
            .find(|e| e.as_str().eq_ignore_ascii_case(token))
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A part of a message whose encoding can be set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    /// The message as a whole and any part not covered below.
    Global,
    /// `text/html` parts.
    Html,
    /// `text/plain` parts.
    Text,
}

impl Part {
    /// Every part, in property order.
    pub const ALL: [Part; 3] = [Part::Global, Part::Html, Part::Text];

    /// The property name in `encoding`.
    pub fn as_str(self) -> &'static str {
        match self {
            Part::Global => "global",
            Part::Html => "html",
            Part::Text => "text",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The encodings a record sets: one per part, or none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct EncodingSettings([Option<Encoding>; 3]);

impl EncodingSettings {
    /// Nothing set.
    pub fn new() -> EncodingSettings {
        EncodingSettings::default()
    }

    /// What is set for a part.
    pub fn get(&self, part: Part) -> Option<Encoding> {
        self.0[part.index()]
    }

    /// Sets a part.
    pub fn set(&mut self, part: Part, encoding: Encoding) {
        self.0[part.index()] = Some(encoding);
    }

    /// What is in effect: unset `global` is quoted-printable; unset `html` and
    /// `text` inherit `global`.
    pub fn effective(&self) -> Effective {
        let global = self.get(Part::Global).unwrap_or(Encoding::QuotedPrintable);
        Effective([
            global,
            self.get(Part::Html).unwrap_or(global),
            self.get(Part::Text).unwrap_or(global),
        ])
    }

    /// The fewest settings that give `effective`: `global` unless it is the
    /// default, `html` and `text` where they differ from `global`.
    pub fn minimal(effective: Effective) -> EncodingSettings {
        let global = effective.get(Part::Global);
        let mut settings = EncodingSettings::new();
        if global != Encoding::QuotedPrintable {
            settings.set(Part::Global, global);
        }
        for part in [Part::Html, Part::Text] {
            if effective.get(part) != global {
                settings.set(part, effective.get(part));
            }
        }
        settings
    }
}

/// The encodings in effect for the three parts of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Effective([Encoding; 3]);

impl Effective {
    /// The encodings of the global, html and text parts.
    pub fn new(global: Encoding, html: Encoding, text: Encoding) -> Effective {
        Effective([global, html, text])
    }

    /// The encoding in effect for a part.
    pub fn get(&self, part: Part) -> Encoding {
        self.0[part.index()]
    }
}

impl Default for Effective {
    fn default() -> Effective {
        EncodingSettings::new().effective()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_settings_give_the_same_effective_encodings() {
        for global in Encoding::ALL {
            for html in Encoding::ALL {
                for text in Encoding::ALL {
                    let effective = Effective::new(global, html, text);
                    assert_eq!(EncodingSettings::minimal(effective).effective(), effective);
                }
            }
        }
    }
}
