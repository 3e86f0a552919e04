//! Reading an input file whole, with a size limit so that a huge file is refused
//! with a message instead of exhausting memory.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// The default `max_input_size`: 512 MiB. Files are read whole (peak memory stays under
/// three times the input), so the limit keeps a runaway file from exhausting memory.
pub const DEFAULT_MAX_INPUT_SIZE: u64 = 512 << 20;

/// Reads `path` whole, refusing files over `max` bytes and empty files.
pub fn read_input(path: &Path, max: u64) -> Result<Vec<u8>> {
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

fn read_open(path: &Path, file: std::fs::File, max: u64) -> Result<Vec<u8>> {
    let len = file
        .metadata()
        .map_err(|e| Error::input(path, None, io_reason(&e)))?
        .len();
    if len > max {
        return Err(too_large(path, len, max));
    }
    read_limited(path, file, max, Vec::with_capacity(len as usize))
}

fn read_limited(path: &Path, file: std::fs::File, max: u64, mut bytes: Vec<u8>) -> Result<Vec<u8>> {
    // Read one byte past the limit so that a file growing under us is still refused.
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::input(path, None, io_reason(&e)))?;
    if bytes.len() as u64 > max {
        return Err(too_large(path, bytes.len() as u64, max));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::input(path, None, "the file is empty"));
    }
    Ok(bytes)
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
