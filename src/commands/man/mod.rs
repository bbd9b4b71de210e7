//! `isptab man [PAGE] [--dir DIR]`: the man pages. isptab(1) and a page for each
//! subcommand, isptab-SUBCOMMAND(1), are generated from the clap definitions
//! (clap_mangen: every option with its help); isptab-config(5), the
//! configuration language, is written by hand in `isptab-config.md` (see
//! [`roff`]). Every page ends with a SEE ALSO section naming only pages this
//! module makes.
//!
//! `--dir DIR` writes them all, each replaced atomically through DIR's
//! descriptor (`confined::replace`); a page name in DIR that is a symbolic link
//! or not a regular file is refused before anything is written.

mod roff;

use std::ffi::OsStr;
use std::os::fd::AsFd;
use std::path::Path;

use clap::CommandFactory;
use isptab::compiler::confined::{Root, replace};

use super::{Status, UsageError, output};
use crate::cli::{CONFIG_PAGE, Cli, ManArgs, TerminalArgs};

/// The configuration language's page, in the Markdown subset of [`roff`].
const CONFIG_SOURCE: &str = include_str!("isptab-config.md");

/// The page of the configuration language.
const CONFIG_NAME: (&str, &str) = ("isptab-config", "5");

/// One man page.
pub struct Page {
    /// Its name, e.g. `isptab-check`.
    pub name: String,
    /// Its section, `1` or `5`.
    pub section: &'static str,
    /// The roff text.
    pub roff: String,
}

impl Page {
    /// The file it is installed as: `isptab-check.1`.
    pub fn file_name(&self) -> String {
        format!("{}.{}", self.name, self.section)
    }
}

/// The command as the pages show it: built (global options on every
/// subcommand), without the `help` subcommand (it has no page).
fn command() -> clap::Command {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    command
}

/// The pages a page refers to in its SEE ALSO section, besides isptab(1) and
/// isptab-config(5): the subcommands that work with the same things.
fn related(subcommand: &str) -> &'static [&'static str] {
    match subcommand {
        "check" => &["build", "explain", "fmt", "diff"],
        "build" => &["check", "lookup", "dump", "serve"],
        "lookup" => &["build", "serve"],
        "dump" => &["build", "lookup"],
        "serve" => &["build", "lookup"],
        "diff" => &["check", "build"],
        "explain" => &["check"],
        "defaults" => &["dump", "check"],
        "fmt" => &["check"],
        "completions" => &["man"],
        "man" => &["completions"],
        CONFIG_PAGE => &["check", "build", "fmt", "defaults", "explain"],
        _ => &[],
    }
}

/// A SEE ALSO section naming `pages` (name, section), in that order.
fn see_also(pages: &[(String, &str)]) -> String {
    let mut out = String::from(".SH \"SEE ALSO\"\n");
    for (i, (name, section)) in pages.iter().enumerate() {
        let comma = if i + 1 < pages.len() { "," } else { "" };
        out.push_str(&format!(
            ".BR {} ({}){comma}\n",
            name.replace('-', "\\-"),
            section
        ));
    }
    out
}

/// A clap-generated page, with its SEE ALSO section.
fn generated(command: &clap::Command, see: &[(String, &str)]) -> Result<Page, UsageError> {
    // Every page names the program and its version (a subcommand has none).
    let man = clap_mangen::Man::new(command.clone())
        .source(format!("isptab {}", env!("CARGO_PKG_VERSION")));
    let mut bytes = Vec::new();
    man.render(&mut bytes)?;
    let mut roff = String::from_utf8_lossy(&bytes).into_owned();
    roff.push_str(&see_also(see));
    let name = command
        .get_display_name()
        .unwrap_or_else(|| command.get_name())
        .to_string();
    Ok(Page {
        name,
        section: "1",
        roff,
    })
}

/// The reference to a subcommand's page.
fn subcommand_page(name: &str) -> (String, &'static str) {
    (format!("isptab-{name}"), "1")
}

fn main_page() -> (String, &'static str) {
    ("isptab".to_string(), "1")
}

fn config_page() -> (String, &'static str) {
    (CONFIG_NAME.0.to_string(), CONFIG_NAME.1)
}

/// The SEE ALSO of a subcommand (or `config`): isptab(1), the related pages,
/// isptab-config(5).
fn see_for(name: &str) -> Vec<(String, &'static str)> {
    std::iter::once(main_page())
        .chain(related(name).iter().map(|r| subcommand_page(r)))
        .chain((name != CONFIG_PAGE).then(config_page))
        .collect()
}

/// One page: `None` for isptab(1), a subcommand's name, or `config`.
pub fn page(which: Option<&str>) -> Result<Page, UsageError> {
    let command = command();
    match which {
        None => {
            let see: Vec<_> = command
                .get_subcommands()
                .map(|s| subcommand_page(s.get_name()))
                .chain(std::iter::once(config_page()))
                .collect();
            generated(&command, &see)
        }
        Some(CONFIG_PAGE) => {
            let mut roff = roff::render(
                CONFIG_NAME.0,
                CONFIG_NAME.1,
                &format!("isptab {}", env!("CARGO_PKG_VERSION")),
                CONFIG_SOURCE,
            );
            roff.push_str(&see_also(&see_for(CONFIG_PAGE)));
            Ok(Page {
                name: CONFIG_NAME.0.to_string(),
                section: CONFIG_NAME.1,
                roff,
            })
        }
        Some(name) => {
            let sub = command
                .find_subcommand(name)
                .ok_or_else(|| UsageError(format!("there is no man page `{name}`")))?;
            generated(sub, &see_for(name))
        }
    }
}

/// Every page: isptab(1), the subcommands' in the order of `--help`, and
/// isptab-config(5).
pub fn pages() -> Result<Vec<Page>, UsageError> {
    let names: Vec<String> = command()
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    std::iter::once(None)
        .chain(names.iter().map(|n| Some(n.as_str())))
        .chain(std::iter::once(Some(CONFIG_PAGE)))
        .map(page)
        .collect()
}

pub fn run(args: &ManArgs, terminal: &TerminalArgs) -> Result<Status, UsageError> {
    let Some(dir) = &args.dir else {
        output::write_stdout(&page(args.page.as_deref())?.roff)?;
        return Ok(Status::Ok);
    };
    let pages = pages()?;
    let shown = output::shown_path(dir);
    if dir.symlink_metadata().is_err() {
        std::fs::create_dir(dir).map_err(|e| {
            UsageError(format!(
                "cannot create the directory `{shown}`: {e} (the directory it goes in must exist)"
            ))
        })?;
    }
    let root = Root::open(dir)
        .map_err(|e| UsageError(format!("cannot open the directory `{shown}`: {e}")))?;
    // Refused before anything is written: a page that is a link or not a file.
    for page in &pages {
        let name = page.file_name();
        if let Some(why) = refused(&root, &name)? {
            return Err(UsageError(format!(
                "cannot write the man pages into `{shown}`: `{name}` there is {why}; nothing was written"
            )));
        }
    }
    for page in &pages {
        let name = page.file_name();
        replace(root.as_fd(), OsStr::new(&name), page.roff.as_bytes()).map_err(|e| {
            UsageError(format!(
                "cannot write `{}`: {e}",
                output::shown_path(&Path::new(dir).join(&name))
            ))
        })?;
    }
    if !terminal.quiet {
        output::write_stderr(&format!("wrote {} man pages into {shown}\n", pages.len()))?;
    }
    Ok(Status::Ok)
}

/// Why the page `name` in the directory cannot be replaced, if it cannot: it is
/// a symbolic link (never written through, nor replaced) or not a regular file.
fn refused(root: &Root, name: &str) -> Result<Option<&'static str>, UsageError> {
    use rustix::fs::{AtFlags, FileType, statat};
    match statat(root.as_fd(), name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(stat) => Ok(match FileType::from_raw_mode(stat.st_mode) {
            FileType::RegularFile => None,
            FileType::Symlink => Some("a symbolic link"),
            FileType::Directory => Some("a directory"),
            _ => Some("not a regular file"),
        }),
        Err(rustix::io::Errno::NOENT) => Ok(None),
        Err(e) => Err(UsageError(format!("cannot look at `{name}`: {e}"))),
    }
}
