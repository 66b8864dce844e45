//! Where a ruleset's files come from: a rules folder on disk, or texts held in memory (a web
//! server, a notebook, a doctest) that stand for such a folder.
//!
//! Either way the ruleset reads only what is inside its folder: the manifest's scripts and the
//! modules they `import`. A path names a file the way it would on disk (`rules/viewpoints/needs.rhai`),
//! so error locations read the same for both.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// The files of a ruleset: `ruleset.toml`, the viewpoint and policy scripts, imported modules and
/// bureau policies (`departments/<id>.rhai`).
#[derive(Debug, Clone)]
pub enum RuleFiles {
    /// A rules folder on disk.
    Dir(PathBuf),
    /// Texts held in memory, each under its path inside the folder (see [`RuleFiles::in_memory`]).
    Memory(Arc<MemoryFolder>),
}

/// Rule files held in memory.
#[derive(Debug)]
pub struct MemoryFolder {
    /// What the folder is called in messages, e.g. `rules`.
    root: PathBuf,
    /// Text by relative path (`ruleset.toml`, `viewpoints/needs.rhai`).
    files: BTreeMap<PathBuf, String>,
}

impl RuleFiles {
    /// The rules folder `dir` on disk.
    pub fn dir(dir: impl Into<PathBuf>) -> RuleFiles {
        RuleFiles::Dir(dir.into())
    }

    /// Rule files given as texts. `root` is the folder's name in error locations (e.g. `rules`);
    /// each file is named by its path inside the folder, as the manifest writes it:
    ///
    /// ```
    /// let files = waku::rules::RuleFiles::in_memory("rules", [
    ///     ("ruleset.toml", "[policy]\nscript = \"policies/default.rhai\"\n"),
    ///     ("policies/default.rhai", "#{ action: \"継続\", priority: 1.0 }"),
    /// ]);
    /// assert_eq!(files.root(), std::path::Path::new("rules"));
    /// ```
    pub fn in_memory<P: Into<PathBuf>, T: Into<String>>(
        root: impl Into<PathBuf>,
        files: impl IntoIterator<Item = (P, T)>,
    ) -> RuleFiles {
        let files = files.into_iter().filter_map(|(p, t)| Some((relative(&p.into())?, t.into()))).collect();
        RuleFiles::Memory(Arc::new(MemoryFolder { root: root.into(), files }))
    }

    /// The folder: a path on disk, or the name that stands for the texts.
    pub fn root(&self) -> &Path {
        match self {
            RuleFiles::Dir(d) => d,
            RuleFiles::Memory(m) => &m.root,
        }
    }

    /// The text at `path` (the folder joined with a relative path). In memory, a path outside
    /// the folder is read from disk (a bureau's own script that a scenario names).
    pub(crate) fn read(&self, path: &Path) -> std::io::Result<String> {
        match self.memory_text(path) {
            Some(Some(text)) => Ok(text.clone()),
            Some(None) => Err(std::io::Error::new(std::io::ErrorKind::NotFound, "no such file among the rule texts")),
            None => read_disk(path),
        }
    }

    /// Whether `path` is a file of the ruleset.
    pub(crate) fn is_file(&self, path: &Path) -> bool {
        match self.memory_text(path) {
            Some(found) => found.is_some(),
            None => path.is_file(),
        }
    }

    /// Whether the folder itself exists.
    pub(crate) fn exists(&self) -> bool {
        match self {
            RuleFiles::Dir(d) => d.is_dir(),
            RuleFiles::Memory(_) => true,
        }
    }

    /// The names of the files directly inside `dir` (for "did you mean").
    pub(crate) fn file_names(&self, dir: &Path) -> Vec<String> {
        match self {
            RuleFiles::Dir(_) => std::fs::read_dir(dir)
                .map(|rd| {
                    rd.filter_map(|e| e.ok()).filter_map(|e| e.file_name().to_str().map(str::to_string)).collect()
                })
                .unwrap_or_default(),
            RuleFiles::Memory(m) => {
                let Some(rel) = dir.strip_prefix(&m.root).ok().and_then(relative_or_empty) else {
                    return Vec::new();
                };
                m.files
                    .keys()
                    .filter(|k| k.parent() == Some(rel.as_path()))
                    .filter_map(|k| k.file_name().and_then(|f| f.to_str()).map(str::to_string))
                    .collect()
            }
        }
    }

    /// The text of `file` (the folder joined with a relative path of plain components) if it
    /// lies inside the folder; `Err(true)` when it resolves outside it (a link), `Err(false)`
    /// when there is no such file.
    pub(crate) fn read_inside(&self, file: &Path) -> Result<String, bool> {
        match self {
            RuleFiles::Dir(root) => {
                let (Ok(root), Ok(canonical)) = (root.canonicalize(), file.canonicalize()) else {
                    return Err(false);
                };
                if !canonical.starts_with(&root) {
                    return Err(true);
                }
                read_disk(&canonical).map_err(|_| false)
            }
            RuleFiles::Memory(_) => self.memory_text(file).flatten().cloned().ok_or(false),
        }
    }

    /// In memory: `Some(text or None)` for a path inside the folder; `None` for a path outside
    /// it or on disk.
    fn memory_text(&self, path: &Path) -> Option<Option<&String>> {
        let RuleFiles::Memory(m) = self else { return None };
        let rel = relative(path.strip_prefix(&m.root).ok()?)?;
        Some(m.files.get(&rel))
    }
}

/// A rule file on disk: only a regular file, within its kind's size cap (see [`crate::files`]).
fn read_disk(path: &Path) -> std::io::Result<String> {
    let kind = match path.extension().and_then(|e| e.to_str()) {
        Some("toml") => crate::files::Kind::Manifest,
        _ => crate::files::Kind::Script,
    };
    let bytes = crate::files::read(path, kind).map_err(|e| match e {
        crate::files::ReadError::Io(io) => io,
        crate::files::ReadError::NotFound => std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        e => std::io::Error::other(e.describe(kind)),
    })?;
    String::from_utf8(bytes).map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "it is not UTF-8 text"))
}

/// A relative path of plain components (`./` dropped); `None` for an absolute path, `..` or an empty one.
fn relative(p: &Path) -> Option<PathBuf> {
    relative_or_empty(p).filter(|r| !r.as_os_str().is_empty())
}

fn relative_or_empty(p: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::Normal(s) => out.push(s),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_files_are_found_by_their_place_in_the_folder() {
        let f = RuleFiles::in_memory("rules", [("./ruleset.toml", "a"), ("viewpoints/needs.rhai", "b")]);
        assert_eq!(f.read(Path::new("rules/ruleset.toml")).unwrap(), "a");
        assert!(f.is_file(Path::new("rules/viewpoints/needs.rhai")));
        assert!(!f.is_file(Path::new("rules/viewpoints/dx.rhai")));
        assert_eq!(f.file_names(Path::new("rules/viewpoints")), ["needs.rhai"]);
        assert_eq!(f.read_inside(Path::new("rules/viewpoints/needs.rhai")), Ok("b".to_string()));
        assert_eq!(f.read_inside(Path::new("rules/nothing.rhai")), Err(false));
    }
}
