//! Reading and writing files safely: every file a scenario or a ruleset names goes through
//! [`resolve`] and [`read`], and every output through [`write_atomic`].
//!
//! Scenario and rule files travel between bureaus by mail and shared drives, so a path in one is
//! treated as hostile: it is resolved to the file it really names (symlinks followed) and must lie
//! inside an allowed folder (the scenario's, or the rules folder) unless the user passes
//! `--allow-outside-paths`; only regular files are read (a device, a FIFO or a socket is refused
//! before anything is read from it), and each kind of file has a size cap ([`Kind::cap`]).
//! Nothing is ever quoted from a file that was refused.
//!
//! Outputs are written to a temporary file beside the target (an unpredictable name, created
//! exclusively), synced, given the target's permissions and renamed over it: a failed or
//! interrupted run never leaves a cut file, and a temporary file is removed when the process is
//! interrupted ([`install_signal_cleanup`]). A target that is not a regular file, or that is one of
//! the run's own inputs, is refused.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// The kinds of file waku reads, each with its size cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A scenario, an overlay or a plan (TOML).
    Scenario,
    /// A program inventory as CSV.
    Inventory,
    /// A program inventory as an Excel workbook (compressed size; see `scenario::inventory::xlsx`
    /// for the limits on what it unpacks to).
    Workbook,
    /// A cluster list (CSV).
    Clusters,
    /// `ruleset.toml`.
    Manifest,
    /// A rule script or an imported module (`.rhai`).
    Script,
    /// A rule-test file (`[[case]]`).
    RuleTests,
}

const MB: u64 = 1024 * 1024;

impl Kind {
    /// The largest file of this kind waku reads (README.md, "Reliability", lists them).
    pub fn cap(self) -> u64 {
        match self {
            Kind::Scenario => 16 * MB,
            Kind::Inventory => 128 * MB,
            Kind::Workbook => 64 * MB,
            Kind::Clusters => 16 * MB,
            Kind::Manifest => 4 * MB,
            Kind::Script => MB,
            Kind::RuleTests => 16 * MB,
        }
    }

    /// What the file is, in a message.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Scenario => "a scenario",
            Kind::Inventory => "an inventory",
            Kind::Workbook => "an inventory workbook",
            Kind::Clusters => "a cluster file",
            Kind::Manifest => "a ruleset manifest",
            Kind::Script => "a rule script",
            Kind::RuleTests => "a rule-test file",
        }
    }
}

/// Why a file was not read; [`ReadError::describe`] says it in words (never quoting the file).
#[derive(Debug)]
pub enum ReadError {
    NotFound,
    Folder,
    /// Not a regular file: what it is (`a device`, `a FIFO (named pipe)`, `a socket`).
    NotRegular(&'static str),
    TooLarge {
        cap: u64,
    },
    Io(std::io::Error),
}

impl ReadError {
    /// The reason, as in "cannot read `x`: {reason}".
    pub fn describe(&self, kind: Kind) -> String {
        match self {
            ReadError::NotFound => "no such file".into(),
            ReadError::Folder => "it is a folder, not a file".into(),
            ReadError::NotRegular(what) => format!("it is {what}, not a regular file"),
            ReadError::TooLarge { cap } => {
                format!("it is larger than {} MB, the most waku reads as {}", cap / MB, kind.label())
            }
            ReadError::Io(e) if e.kind() == std::io::ErrorKind::PermissionDenied => "permission denied".into(),
            ReadError::Io(e) => e.to_string(),
        }
    }
}

/// The files read in this process, by device, inode and modification time (see [`is_input`]):
/// a file read and since replaced is no longer the input.
static INPUTS: Mutex<BTreeSet<(u64, u64, i64, i64)>> = Mutex::new(BTreeSet::new());

/// What kind of special file a file type is, if it is not a regular file or a folder.
fn special(t: &std::fs::FileType) -> Option<&'static str> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_block_device() || t.is_char_device() {
            return Some("a device");
        }
        if t.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if t.is_socket() {
            return Some("a socket");
        }
    }
    (!t.is_file() && !t.is_dir()).then_some("not a regular file")
}

fn check_type(t: &std::fs::FileType) -> Result<(), ReadError> {
    if t.is_dir() {
        return Err(ReadError::Folder);
    }
    match special(t) {
        Some(what) => Err(ReadError::NotRegular(what)),
        None => Ok(()),
    }
}

/// Reads the file at `path` (symlinks followed): only a regular file, at most `kind.cap()` bytes.
///
/// The type is checked before the file is opened (a FIFO would block the open) and again on the
/// opened handle (the path may have changed in between); the open does not block either way.
pub fn read(path: &Path, kind: Kind) -> Result<Vec<u8>, ReadError> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::NotFound,
        _ => ReadError::Io(e),
    })?;
    check_type(&meta.file_type())?;
    if meta.len() > kind.cap() {
        return Err(ReadError::TooLarge { cap: kind.cap() });
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let mut file = options.open(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    check_type(&meta.file_type())?;
    let mut bytes = Vec::with_capacity(meta.len().min(kind.cap()) as usize);
    (&mut file).take(kind.cap() + 1).read_to_end(&mut bytes).map_err(ReadError::Io)?;
    if bytes.len() as u64 > kind.cap() {
        return Err(ReadError::TooLarge { cap: kind.cap() });
    }
    note_input(&meta);
    Ok(bytes)
}

#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> Option<(u64, u64, i64, i64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino(), meta.mtime(), meta.mtime_nsec()))
}

#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> Option<(u64, u64, i64, i64)> {
    None
}

fn note_input(meta: &std::fs::Metadata) {
    if let Some(id) = identity(meta) {
        INPUTS.lock().unwrap_or_else(PoisonError::into_inner).insert(id);
    }
}

/// Whether `path` is a file this process has read as input.
pub fn is_input(path: &Path) -> bool {
    let Some(id) = std::fs::metadata(path).ok().as_ref().and_then(identity) else { return false };
    INPUTS.lock().unwrap_or_else(PoisonError::into_inner).contains(&id)
}

/// Why a path written in a file was refused.
#[derive(Debug)]
pub enum Refusal {
    /// It names a file outside every allowed folder (after following symlinks): where it really is.
    Outside(PathBuf),
}

/// Resolves `written`, a path as a file writes it, against `base` (the folder of that file).
///
/// When it names an existing file, the file it really is (symlinks followed) must lie inside one
/// of `roots` unless `allow_outside`; a path that names nothing is returned as is (reading it
/// then says "no such file"). The result is the joined path, as the user would recognise it.
pub fn resolve(written: &str, base: &Path, roots: &[&Path], allow_outside: bool) -> Result<PathBuf, Refusal> {
    let path = base.join(written);
    if allow_outside {
        return Ok(path);
    }
    let real = match std::fs::canonicalize(&path) {
        Ok(r) => r,
        // Nothing there (or a dangling link): judge the path as written, so that a path leaving
        // the folder is refused whether or not its file exists.
        Err(_) => lexical(&path),
    };
    let inside = roots.iter().any(|root| {
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| lexical(root));
        real.starts_with(&root)
    });
    if inside { Ok(path) } else { Err(Refusal::Outside(real)) }
}

/// Lexically normalises a path against the current directory (no file-system access).
pub fn lexical(path: &Path) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().map(|c| c.join(path)).unwrap_or_else(|_| path.to_path_buf())
    };
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Temporary files being written, removed if the process is interrupted.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes every temporary file still being written (the process is about to exit).
pub fn abandon_writes() {
    let pending = std::mem::take(&mut *PENDING.lock().unwrap_or_else(PoisonError::into_inner));
    for p in pending {
        let _ = std::fs::remove_file(p);
    }
}

/// On SIGINT, SIGTERM or SIGHUP: remove the temporary files of writes under way, then exit
/// (130, as shells report an interrupted command). The binary calls this once.
pub fn install_signal_cleanup() {
    let _ = ctrlc::set_handler(|| {
        abandon_writes();
        std::process::exit(130);
    });
}

/// A text cell of a CSV file meant for a spreadsheet, made inert: text beginning with `=`, `+`,
/// `-`, `@`, a tab or a carriage return would be read by Excel (or LibreOffice) as a formula —
/// `=HYPERLINK(…)`, `+cmd|' /C calc'!A0` — so it gets a leading apostrophe, which the spreadsheet
/// shows as text and does not display. Only text cells pass through here: numbers stay numbers.
pub fn spreadsheet_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Why an output was not written.
#[derive(Debug)]
pub enum WriteError {
    /// The target exists and is not a regular file: what it is.
    NotRegular(&'static str),
    /// The target is one of the files this run read.
    Input,
    Io(std::io::Error),
}

impl WriteError {
    /// The reason, as in "cannot write `x`: {reason}", and a hint.
    pub fn describe(&self) -> (String, &'static str) {
        match self {
            WriteError::NotRegular(what) => (
                format!("it is {what}; waku writes only to a regular file or a new one"),
                "name a file, or `-` for standard output",
            ),
            WriteError::Input => {
                ("it is one of this run's inputs and would be overwritten".into(), "write the output to another file")
            }
            WriteError::Io(e) => (e.to_string(), "check that the folder exists and is writable"),
        }
    }
}

/// Writes `bytes` to `path` atomically: a temporary file beside it (unpredictable name, created
/// exclusively, not following links), synced, with the permissions the target had (a new file gets
/// the usual ones, 0666 less the umask), then renamed over the target.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write(path, bytes, false)
}

/// [`write_atomic`] over one of the run's own inputs, on purpose: `waku decide` rewrites the stage
/// file it read (a regular file, still refused when it is anything else).
pub fn rewrite_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write(path, bytes, true)
}

fn write(path: &Path, bytes: &[u8], input_allowed: bool) -> Result<(), WriteError> {
    let existing = match std::fs::symlink_metadata(path) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(WriteError::Io(e)),
    };
    if let Some(m) = &existing {
        let t = m.file_type();
        if t.is_symlink() {
            return Err(WriteError::NotRegular("a symbolic link"));
        }
        if t.is_dir() {
            return Err(WriteError::NotRegular("a folder"));
        }
        if let Some(what) = special(&t) {
            return Err(WriteError::NotRegular(what));
        }
        if !input_allowed && is_input(path) {
            return Err(WriteError::Input);
        }
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp").rand_bytes(10);
    #[cfg(unix)]
    let new_file_mode = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::Permissions::from_mode(0o666)
    };
    #[cfg(unix)]
    builder.permissions(new_file_mode);
    let mut tmp = builder.tempfile_in(&dir).map_err(WriteError::Io)?;
    PENDING.lock().unwrap_or_else(PoisonError::into_inner).push(tmp.path().to_path_buf());
    let forget = |p: &Path| PENDING.lock().unwrap_or_else(PoisonError::into_inner).retain(|x| x != p);
    let tmp_path = tmp.path().to_path_buf();
    let result = (|| {
        tmp.write_all(bytes)?;
        if let Some(m) = &existing {
            tmp.as_file().set_permissions(m.permissions())?;
        }
        tmp.as_file().sync_all()?;
        tmp.persist(path).map(drop).map_err(|e| e.error)
    })();
    forget(&tmp_path);
    result.map_err(WriteError::Io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("waku-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn formula_text_is_made_inert_and_other_text_kept() {
        for bad in ["=HYPERLINK(\"http://x\")", "+cmd|' /C calc'!A0", "@SUM(1+1)", "-1+1", "\t=1+1", "\r=1"] {
            assert_eq!(spreadsheet_text(bad), format!("'{bad}"));
        }
        for fine in ["子育て支援", "a=1", " =1", "", "'quoted"] {
            assert_eq!(spreadsheet_text(fine), fine);
        }
    }

    #[cfg(unix)]
    #[test]
    fn special_files_are_refused_before_reading() {
        assert!(matches!(read(Path::new("/dev/zero"), Kind::Inventory), Err(ReadError::NotRegular("a device"))));
        let d = dir("special");
        std::os::unix::fs::symlink("/dev/zero", d.join("inv.csv")).unwrap();
        assert!(matches!(read(&d.join("inv.csv"), Kind::Inventory), Err(ReadError::NotRegular(_))));
        assert!(matches!(read(&d, Kind::Scenario), Err(ReadError::Folder)));
        let _ = std::fs::remove_dir_all(d);
    }

    #[test]
    fn files_over_the_cap_are_refused() {
        let d = dir("cap");
        let p = d.join("big.rhai");
        std::fs::write(&p, vec![b' '; (Kind::Script.cap() + 1) as usize]).unwrap();
        assert!(matches!(read(&p, Kind::Script), Err(ReadError::TooLarge { .. })));
        std::fs::write(&p, b"1").unwrap();
        assert_eq!(read(&p, Kind::Script).unwrap(), b"1");
        let _ = std::fs::remove_dir_all(d);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_out_of_the_folder_is_outside_it() {
        let d = dir("resolve");
        std::fs::create_dir_all(d.join("s")).unwrap();
        std::fs::write(d.join("secret.csv"), "x").unwrap();
        std::os::unix::fs::symlink(d.join("secret.csv"), d.join("s/inv.csv")).unwrap();
        let root = d.join("s");
        assert!(matches!(resolve("inv.csv", &root, &[&root], false), Err(Refusal::Outside(_))));
        assert!(resolve("inv.csv", &root, &[&root], true).is_ok());
        assert!(matches!(resolve("../secret.csv", &root, &[&root], false), Err(Refusal::Outside(_))));
        assert!(matches!(resolve("../nothing.csv", &root, &[&root], false), Err(Refusal::Outside(_))));
        assert!(resolve("nothing.csv", &root, &[&root], false).is_ok());
        let _ = std::fs::remove_dir_all(d);
    }

    #[cfg(unix)]
    #[test]
    fn writes_keep_permissions_and_refuse_links_and_inputs() {
        use std::os::unix::fs::PermissionsExt;
        let d = dir("write");
        let out = d.join("report.md");
        std::fs::write(&out, "old").unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o600)).unwrap();
        write_atomic(&out, b"new").unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"new");
        assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
        std::os::unix::fs::symlink(&out, d.join("link.md")).unwrap();
        assert!(matches!(write_atomic(&d.join("link.md"), b"x"), Err(WriteError::NotRegular(_))));
        assert!(matches!(write_atomic(&d, b"x"), Err(WriteError::NotRegular("a folder"))));
        read(&out, Kind::Scenario).unwrap();
        assert!(matches!(write_atomic(&out, b"x"), Err(WriteError::Input)));
        // Nothing left behind: only the report and the link.
        let mut names: Vec<String> =
            std::fs::read_dir(&d).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        assert_eq!(names, ["link.md", "report.md"]);
        let _ = std::fs::remove_dir_all(d);
    }
}
