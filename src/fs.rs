//! The file system at bench-bot's edges: reading an input whole under a size limit (a
//! huge file is refused with a message instead of exhausting memory), writing an
//! output atomically (no partial file, ever), printing to standard output, and short
//! reasons for I/O errors.

use std::io::{Read, Write};
use std::path::Path;

use crate::error::{Error, Result};

/// The default `max_input_size`: 512 MiB. Files are read whole (peak memory stays under
/// three times the input), so the limit keeps a runaway file from exhausting memory.
pub const DEFAULT_MAX_INPUT_SIZE: u64 = 512 << 20;

/// An input file's bytes: read into memory, or, for a large regular file, mapped.
#[derive(Debug)]
pub enum Input {
    /// Read into a buffer.
    Read(Vec<u8>),
    /// Mapped from the page cache.
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for Input {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Input::Read(bytes) => bytes,
            Input::Mapped(map) => map,
        }
    }
}

/// Files from this size on are mapped rather than read: a read copies every byte into
/// fresh memory that the kernel first zeroes, which on a virtual machine cost as much
/// as parsing a pytest-benchmark file with samples (a third of `analyze`'s time).
const MAP_FROM: u64 = 1 << 20;

/// Reads `path` whole, refusing files over `max` bytes and empty files.
pub fn read_input(path: &Path, max: u64) -> Result<Input> {
    let file = std::fs::File::open(path).map_err(|e| Error::input(path, None, io_reason(&e)))?;
    read_open(path, file, max)
}

/// Like [`read_input`], but a symbolic link is refused instead of followed (files
/// inside a results tree must not lead out of it).
pub fn read_input_no_follow(path: &Path, max: u64) -> Result<Vec<u8>> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    let file = options.open(path).map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return Error::input(path, None, "is a symbolic link; only plain files are read");
        }
        Error::input(path, None, io_reason(&e))
    })?;
    // These are small files read by the thousand: no size query, the limit still holds.
    read_limited(path, file, max, Vec::with_capacity(16 * 1024))
}

fn read_open(path: &Path, file: std::fs::File, max: u64) -> Result<Input> {
    let meta = file
        .metadata()
        .map_err(|e| Error::input(path, None, io_reason(&e)))?;
    let len = meta.len();
    if len > max {
        return Err(too_large(path, len, max));
    }
    if meta.is_file() && len >= MAP_FROM {
        if let Some(map) = map(&file) {
            not_blank(path, &map)?;
            return Ok(Input::Mapped(map));
        }
    }
    let mut bytes = Vec::with_capacity(len as usize);
    advise_huge_pages(&mut bytes);
    read_limited(path, file, max, bytes).map(Input::Read)
}

/// Maps a regular file read-only, or `None` where mapping fails (then it is read).
fn map(file: &std::fs::File) -> Option<memmap2::Mmap> {
    #[expect(
        unsafe_code,
        reason = "memmap2 cannot prove that no other process truncates the file"
    )]
    // SAFETY: the map is read-only and private to this process. Its one hazard is a
    // file truncated by another process while bench-bot reads it (SIGBUS); result files
    // are written before bench-bot runs, by the step before it.
    let map = unsafe { memmap2::MmapOptions::new().populate().map(file) };
    map.ok()
}

/// Asks the kernel to back a large, fresh buffer with huge pages: reading a 100 MB file
/// into 4 KiB pages costs 25,000 page faults, which is as much time as the parsing on a
/// virtual machine. Only advice: where transparent huge pages are off, nothing changes.
fn advise_huge_pages(buffer: &mut Vec<u8>) {
    const HUGE: usize = 2 << 20;
    #[cfg(target_os = "linux")]
    {
        let spare = buffer.spare_capacity_mut();
        if spare.len() < 2 * HUGE {
            return;
        }
        let start = spare.as_mut_ptr() as usize;
        let aligned = start.next_multiple_of(4096);
        let len = (start + spare.len()).saturating_sub(aligned) / 4096 * 4096;
        #[expect(
            unsafe_code,
            reason = "madvise has no safe wrapper; MADV_HUGEPAGE changes no contents"
        )]
        // SAFETY: the range lies inside the vector's own, unused allocation (page
        // aligned inward); MADV_HUGEPAGE only changes how it is backed, never what it
        // holds, and a failure (the kernel without THP) is ignored.
        unsafe {
            let _ = libc::madvise(aligned as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (buffer, HUGE);
}

fn read_limited(path: &Path, file: std::fs::File, max: u64, mut bytes: Vec<u8>) -> Result<Vec<u8>> {
    // Read one byte past the limit so that a file growing under us is still refused.
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::input(path, None, io_reason(&e)))?;
    if bytes.len() as u64 > max {
        return Err(too_large(path, bytes.len() as u64, max));
    }
    not_blank(path, &bytes)?;
    Ok(bytes)
}

/// A file of nothing but whitespace is empty, read or mapped.
fn not_blank(path: &Path, bytes: &[u8]) -> Result<()> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::input(path, None, "the file is empty"));
    }
    Ok(())
}

fn too_large(path: &Path, len: u64, max: u64) -> Error {
    Error::input(
        path,
        None,
        format!(
            "the file is {len} bytes, over the limit of {max} bytes \
             (raise `max_input_size` in bench-bot.toml to read it)"
        ),
    )
}

/// A short reason for an I/O error, without the OS error code noise.
pub fn io_reason(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => err.to_string(),
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory, so that
/// readers never see a partial file and a failure leaves nothing behind. A path that
/// is not a file (`/dev/null`, a named pipe, `/dev/stdout`) is written to as it is:
/// renaming a file over it would replace the device or the pipe.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let err = |source| Error::Output {
        path: path.to_path_buf(),
        source,
    };
    if let Ok(meta) = std::fs::metadata(path)
        && !meta.is_file()
        && !meta.is_dir()
    {
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(err)?;
        return out.write_all(bytes).and_then(|()| out.flush()).map_err(err);
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // tempfile's own message names its temporary file: name the folder instead.
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => format!("the folder {} does not exist", dir.display()),
            kind => format!("cannot create a file in {}: {kind}", dir.display()),
        };
        err(std::io::Error::new(e.kind(), reason))
    })?;
    // Temporary files are private (0600); the result is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(err)?;
    }
    tmp.write_all(bytes).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

/// Prints to stdout. A closed pipe (`| head`) is not an error: the reader has what
/// it wanted. Any other failure (a full disk behind a redirect) is.
pub fn print_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Output {
            path: "standard output".into(),
            source: e,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_files_are_mapped_small_ones_read_and_both_checked_alike() {
        let dir = tempfile::tempdir().expect("tmp");
        let big = dir.path().join("big.json");
        let mut text = vec![b' '; MAP_FROM as usize];
        text.extend_from_slice(b"{\"benchmarks\": []}");
        std::fs::write(&big, &text).expect("write");
        let input = read_input(&big, DEFAULT_MAX_INPUT_SIZE).expect("reads");
        assert!(matches!(input, Input::Mapped(_)));
        assert_eq!(&input[..], &text[..]);
        let small = dir.path().join("small.json");
        std::fs::write(&small, b"{}").expect("write");
        let input = read_input(&small, DEFAULT_MAX_INPUT_SIZE).expect("reads");
        assert!(matches!(input, Input::Read(_)));
        assert_eq!(&input[..], b"{}");
        // A large file of whitespace is empty, and the limit holds, mapped or not.
        let blank = dir.path().join("blank.json");
        std::fs::write(&blank, vec![b'\n'; 2 * MAP_FROM as usize]).expect("write");
        let e = read_input(&blank, DEFAULT_MAX_INPUT_SIZE).unwrap_err();
        assert!(e.to_string().contains("the file is empty"), "{e}");
        let e = read_input(&big, MAP_FROM).unwrap_err();
        assert!(e.to_string().contains("over the limit"), "{e}");
    }

    /// `--output` naming a pipe (or `/dev/null`) writes into it and leaves it a pipe.
    #[cfg(unix)]
    #[test]
    fn a_path_that_is_not_a_file_is_written_to_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().expect("tmp");
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo");
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).expect("reads"))
        };
        write_atomic(&fifo, b"report").expect("writes");
        // Checked before waiting for the reader, which a replaced pipe would leave blocked.
        let kind = std::fs::symlink_metadata(&fifo).expect("meta").file_type();
        assert!(kind.is_fifo(), "{kind:?}");
        assert_eq!(reader.join().expect("reader"), b"report");
        // An ordinary file is still replaced whole.
        let file = dir.path().join("report.json");
        std::fs::write(&file, b"old and longer").expect("write");
        write_atomic(&file, b"new").expect("writes");
        assert_eq!(std::fs::read(&file).expect("read"), b"new");
    }
}
