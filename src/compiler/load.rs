//! Loading and merging: reads the layers (defaults, then each input file with its
//! includes expanded in place), applies `isp`, `override`, `delete` and moves in
//! order, and records where every pattern and setting came from.
//!
//! It runs in two phases. First every file reachable through `include` is read and
//! parsed, so that syntax errors, missing files and include cycles are all reported
//! together. If any of those failed, the merge does not run: a record defined in a
//! file that did not parse would otherwise show up as a cascade of `unknown-isp`
//! and `duplicate-domain` errors. Then the documents are merged.

use std::path::Path;

use super::config::{Config, Origin};
use super::files::{FileInfo, Files};
use super::inputs::{DEFAULTS_NAME, DefaultsSource, Input, InputError};
use super::merge::Merger;
use crate::compiler::codes::Code;
use crate::compiler::diagnostics::{Collected, Levels};
use crate::compiler::limits::Limits;
use crate::compiler::source::SourceMap;

/// The result of loading: every file read, the merged configuration (absent when
/// files could not be read or parsed), and every diagnostic found on the way.
#[derive(Debug)]
pub(crate) struct Loaded {
    /// Every file read, in load order.
    pub sources: SourceMap,
    /// The merged configuration, unless reading or parsing failed.
    pub config: Option<Config>,
    /// Diagnostics, unsorted, before level flags are applied (at most
    /// [`crate::compiler::diagnostics::MAX_PER_CODE`] of a code; the rest counted).
    pub(crate) diagnostics: Collected,
    /// The levels the files' `lints` blocks set (none when the merge did not run).
    pub(crate) levels: Levels,
    /// What `skip-owned=#true` left out.
    pub(crate) skipped: Vec<crate::compiler::SkippedOwned>,
}

/// Loads the defaults and the inputs and merges them. Lints over the merged
/// configuration are not run here (see [`crate::check`]).
pub(crate) fn load(
    inputs: &[Input],
    defaults: &DefaultsSource,
    limits: &Limits,
    root: Option<&Path>,
) -> Result<Loaded, InputError> {
    let mut files = Files::new(limits.clone());
    if let Some(dir) = root {
        files.open_root(dir)?;
    }
    let mut layers = Vec::new();
    match defaults {
        DefaultsSource::Builtin => {
            let id = files
                .sources
                .add(DEFAULTS_NAME, crate::compiler::defaults::TEXT);
            files.info.insert(
                id,
                FileInfo {
                    root: None,
                    base: None,
                },
            );
            files.parse(id, None);
            layers.push((id, Origin::Default));
        }
        DefaultsSource::None => {}
        DefaultsSource::File(path) => {
            layers.extend(
                files
                    .load_root(&Input::Path(path.clone()), true)?
                    .map(|id| (id, Origin::Default)),
            );
        }
    }
    for input in inputs {
        layers.extend(
            files
                .load_root(input, false)?
                .map(|id| (id, Origin::Custom)),
        );
    }
    // An empty file defines nothing, so it cannot cause follow-on errors; anything
    // else that failed here leaves records undefined.
    let mut diagnostics = Collected::default();
    diagnostics.extend(std::mem::take(&mut files.diagnostics));
    let loading_failed = diagnostics.has_errors_except(Code::EmptyFile);
    let mut levels = Levels::new();
    let mut skipped = Vec::new();
    let config = if loading_failed {
        None
    } else {
        let mut merger = Merger::new(&mut files);
        for (id, origin) in layers {
            merger.layer(id, origin);
        }
        let merged = merger.finish();
        diagnostics.append(merged.diagnostics);
        levels = merged.levels;
        skipped = merged.skipped;
        Some(merged.config)
    };
    Ok(Loaded {
        sources: files.sources,
        config,
        diagnostics,
        levels,
        skipped,
    })
}
