//! The shape of the language in one place: which nodes may appear where, and
//! which properties each takes. The reader checks input against these tables;
//! `schema/isptab.kdl` documents the same, and a test keeps the two in step.

/// Where a node may appear.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Place {
    /// At the top level of a file.
    TopLevel,
    /// In the block of an `isp` or `override`.
    Record,
    /// In a `headers` block.
    Headers,
    /// In a `lints` block.
    Lints,
}

/// One node of the language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeShape {
    /// Where it may appear.
    pub place: Place,
    /// Its name.
    pub name: &'static str,
    /// The properties it takes.
    pub properties: &'static [&'static str],
}

const fn node(place: Place, name: &'static str, properties: &'static [&'static str]) -> NodeShape {
    NodeShape {
        place,
        name,
        properties,
    }
}

/// Every node the reader accepts.
pub const NODES: &[NodeShape] = &[
    node(Place::TopLevel, "include", &[]),
    node(Place::TopLevel, "isp", &["default"]),
    node(Place::TopLevel, "override", &[]),
    node(Place::TopLevel, "delete", &[]),
    node(Place::TopLevel, "lints", &[]),
    node(Place::Record, "domains", &["from"]),
    node(Place::Record, "domains-file", &["from", "skip-owned"]),
    node(Place::Record, "mx", &["from"]),
    node(Place::Record, "remove-domains", &[]),
    node(Place::Record, "remove-mx", &[]),
    node(Place::Record, "encoding", &["global", "html", "text"]),
    node(Place::Record, "headers", &["replace"]),
    node(Place::Headers, "add", &[]),
    node(Place::Headers, "remove", &[]),
    node(Place::Lints, "allow", &[]),
    node(Place::Lints, "warn", &[]),
    node(Place::Lints, "deny", &[]),
];

/// The names of the nodes allowed in a place.
pub fn names(place: Place) -> Vec<&'static str> {
    NODES
        .iter()
        .filter(|n| n.place == place)
        .map(|n| n.name)
        .collect()
}

/// Whether a node of this name may appear in a place.
pub fn is_node(place: Place, name: &str) -> bool {
    NODES.iter().any(|n| n.place == place && n.name == name)
}

/// The properties of a node (none for an unknown one).
pub fn properties(place: Place, name: &str) -> &'static [&'static str] {
    NODES
        .iter()
        .find(|n| n.place == place && n.name == name)
        .map_or(&[], |n| n.properties)
}
