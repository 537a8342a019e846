//! The file channel: one JSON object per line, appended on a writer thread
//! and rotated by size.
//!
//! Rotation renames `<logPath>` to `<logPath>.1`, `.1` to `.2` and so on, and
//! deletes the file beyond `maxFiles`, so `maxFiles` rotated files are kept
//! besides the live one. A line that would push the live file past
//! `maxFileSize` rotates first, so no file exceeds the limit. The one
//! exception is a single line longer than the limit, which is written alone
//! into a file of its own.
//!
//! Each line is one `write(2)` on a descriptor opened with `O_APPEND`, and an
//! advisory `flock(2)` on `<logPath>.lock` is held around the size check,
//! the rotation and the write. Several dispatchers (or processes) sharing a
//! path therefore never interleave partial lines or rotate twice.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::channel::ChannelContext;
use super::config::FileConfig;
use super::error::SendError;

pub struct RotatingFile {
  path: PathBuf,
  lock_path: PathBuf,
  max_file_size: u64,
  max_files: u32,
  live: Option<File>,
  lock: Option<File>,
}

impl RotatingFile {
  pub fn new(config: &FileConfig) -> Self {
    let path = PathBuf::from(&config.log_path);
    let mut lock_name = path.as_os_str().to_os_string();
    lock_name.push(".lock");
    Self {
      path,
      lock_path: PathBuf::from(lock_name),
      max_file_size: config.max_file_size,
      max_files: config.max_files,
      live: None,
      lock: None,
    }
  }

  /// Appends `line` (which must end with a newline), rotating first when it
  /// would not fit into the live file.
  pub fn append(&mut self, line: &[u8]) -> io::Result<()> {
    let _guard = FileLock::exclusive(self.lock_file()?)?;

    let live_size = self.open_live()?;
    if live_size > 0 && live_size + line.len() as u64 > self.max_file_size {
      self.live = None;
      self.rotate()?;
      self.open_live()?;
    }
    match self.live.as_mut() {
      Some(file) => file.write_all(line),
      None => Err(io::Error::other("alert log is not open")),
    }
  }

  fn lock_file(&mut self) -> io::Result<&File> {
    if self.lock.is_none() {
      create_parent(&self.path)?;
      let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&self.lock_path)?;
      self.lock = Some(file);
    }
    self
      .lock
      .as_ref()
      .ok_or_else(|| io::Error::other("lock file is not open"))
  }

  /// Opens the live file unless the open descriptor still names it (another
  /// writer may have rotated it away), and returns its size.
  fn open_live(&mut self) -> io::Result<u64> {
    if let Some(file) = &self.live {
      if let (Ok(open), Ok(named)) = (file.metadata(), fs::metadata(&self.path)) {
        if same_file(&open, &named) {
          return Ok(open.len());
        }
      }
    }
    create_parent(&self.path)?;
    let file = OpenOptions::new()
      .create(true)
      .append(true)
      .open(&self.path)?;
    let size = file.metadata()?.len();
    self.live = Some(file);
    Ok(size)
  }

  fn rotate(&self) -> io::Result<()> {
    if self.max_files == 0 {
      return remove_if_exists(&self.path);
    }
    remove_if_exists(&self.rotated_path(self.max_files))?;
    for index in (1..self.max_files).rev() {
      rename_if_exists(&self.rotated_path(index), &self.rotated_path(index + 1))?;
    }
    rename_if_exists(&self.path, &self.rotated_path(1))
  }

  pub fn rotated_path(&self, index: u32) -> PathBuf {
    let mut name = self.path.as_os_str().to_os_string();
    name.push(format!(".{index}"));
    PathBuf::from(name)
  }
}

/// Runs the file channel until its queue is closed and drained, or abort.
pub fn run_writer(mut file: RotatingFile, context: Arc<ChannelContext>, abort: Arc<AtomicBool>) {
  while let Some(message) = context.queue.pop_blocking() {
    if abort.load(Ordering::Acquire) {
      context.dropped(&message, super::network::CLOSED_REASON);
      continue;
    }
    let batch = [message];
    context.start(&batch);

    let mut line = serde_json::Value::Object(batch[0].to_record()).to_string();
    line.push('\n');
    context.counters.add_attempt();
    let mut result = file.append(line.as_bytes());
    let mut attempts = 1;
    if result.is_err() {
      // One more try on fresh descriptors covers a log deleted or moved away
      // by hand. A full disk or a permission error fails again and is reported.
      file.live = None;
      file.lock = None;
      context.counters.add_attempt();
      result = file.append(line.as_bytes());
      attempts = 2;
    }
    match result {
      Ok(()) => context.delivered(&batch, attempts),
      Err(error) => {
        let error =
          SendError::permanent(format!("writing {} failed: {error}", file.path.display()));
        context.failed(&batch, &error, attempts);
      }
    }
  }
}

/// An exclusive `flock(2)` on the lock file, released on drop. The
/// descriptor belongs to `RotatingFile::lock`, which stays open while the
/// guard lives.
struct FileLock {
  #[cfg(unix)]
  fd: std::os::unix::io::RawFd,
}

impl FileLock {
  #[cfg(unix)]
  fn exclusive(file: &File) -> io::Result<Self> {
    use std::os::unix::io::AsRawFd;
    let fd = file.as_raw_fd();
    loop {
      // SAFETY: `fd` is an open descriptor owned by `file`.
      if unsafe { libc::flock(fd, libc::LOCK_EX) } == 0 {
        return Ok(Self { fd });
      }
      let error = io::Error::last_os_error();
      if error.kind() != io::ErrorKind::Interrupted {
        return Err(error);
      }
    }
  }

  // NOTE: without flock, writers sharing a path are not serialised.
  #[cfg(not(unix))]
  fn exclusive(_file: &File) -> io::Result<Self> {
    Ok(Self {})
  }
}

impl Drop for FileLock {
  fn drop(&mut self) {
    // SAFETY: the descriptor is still open (see the type's comment). A failed
    // unlock is harmless because closing the descriptor releases the lock.
    #[cfg(unix)]
    unsafe {
      libc::flock(self.fd, libc::LOCK_UN);
    }
  }
}

#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
  use std::os::unix::fs::MetadataExt;
  a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
  a.len() == b.len()
}

fn create_parent(path: &Path) -> io::Result<()> {
  match path.parent() {
    Some(parent) if !parent.as_os_str().is_empty() => fs::create_dir_all(parent),
    _ => Ok(()),
  }
}

fn remove_if_exists(path: &Path) -> io::Result<()> {
  match fs::remove_file(path) {
    Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
    _ => Ok(()),
  }
}

fn rename_if_exists(from: &Path, to: &Path) -> io::Result<()> {
  match fs::rename(from, to) {
    Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
    _ => Ok(()),
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn temp_dir(name: &str) -> PathBuf {
    let dir =
      std::env::temp_dir().join(format!("perf-sentinel-file-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
  }

  fn config(dir: &Path, max_file_size: u64, max_files: u32) -> FileConfig {
    FileConfig {
      log_path: dir.join("nested/alerts.log").to_string_lossy().into_owned(),
      max_file_size,
      max_files,
      queue_size: 10,
    }
  }

  /// Reads the rotated files oldest first, then the live file.
  fn read_all(file: &RotatingFile, max_files: u32) -> Vec<String> {
    let mut paths: Vec<PathBuf> = (1..=max_files)
      .rev()
      .map(|index| file.rotated_path(index))
      .collect();
    paths.push(file.path.clone());
    paths
      .iter()
      .filter_map(|path| fs::read_to_string(path).ok())
      .flat_map(|text| text.lines().map(str::to_string).collect::<Vec<_>>())
      .collect()
  }

  #[test]
  fn rotation_keeps_every_line_and_size_limit() {
    let dir = temp_dir("rotation");
    let config = config(&dir, 100, 50);
    let mut file = RotatingFile::new(&config);
    let lines: Vec<String> = (0..40)
      .map(|i| format!("{{\"n\":{i},\"pad\":\"{}\"}}", "x".repeat(i % 7)))
      .collect();
    for line in &lines {
      file.append(format!("{line}\n").as_bytes()).unwrap();
    }

    assert_eq!(read_all(&file, 50), lines);
    for index in 0..=50 {
      let path = if index == 0 {
        file.path.clone()
      } else {
        file.rotated_path(index)
      };
      if let Ok(meta) = fs::metadata(&path) {
        assert!(
          meta.len() <= 100,
          "{} has {} bytes",
          path.display(),
          meta.len()
        );
      }
    }
    fs::remove_dir_all(&dir).unwrap();
  }

  #[test]
  fn keeping_n_files_keeps_n_besides_live() {
    let dir = temp_dir("keep");
    let config = config(&dir, 10, 2);
    let mut file = RotatingFile::new(&config);
    for i in 0..5 {
      file.append(format!("line-{i}\n").as_bytes()).unwrap();
    }
    assert_eq!(fs::read_to_string(&file.path).unwrap(), "line-4\n");
    assert_eq!(
      fs::read_to_string(file.rotated_path(1)).unwrap(),
      "line-3\n"
    );
    assert_eq!(
      fs::read_to_string(file.rotated_path(2)).unwrap(),
      "line-2\n"
    );
    assert!(!file.rotated_path(3).exists());
    fs::remove_dir_all(&dir).unwrap();
  }

  #[test]
  fn long_line_goes_alone_into_a_file() {
    let dir = temp_dir("long");
    let config = config(&dir, 20, 5);
    let mut file = RotatingFile::new(&config);
    let long = format!("{}\n", "y".repeat(50));
    file.append(b"short-1\n").unwrap();
    file.append(long.as_bytes()).unwrap();
    file.append(b"short-2\n").unwrap();
    assert_eq!(
      fs::read_to_string(file.rotated_path(2)).unwrap(),
      "short-1\n"
    );
    assert_eq!(fs::read_to_string(file.rotated_path(1)).unwrap(), long);
    assert_eq!(fs::read_to_string(&file.path).unwrap(), "short-2\n");
    fs::remove_dir_all(&dir).unwrap();
  }

  #[test]
  fn zero_kept_files_truncates_history() {
    let dir = temp_dir("zero");
    let config = config(&dir, 10, 0);
    let mut file = RotatingFile::new(&config);
    file.append(b"first-1\n").unwrap();
    file.append(b"second\n").unwrap();
    assert_eq!(fs::read_to_string(&file.path).unwrap(), "second\n");
    assert!(!file.rotated_path(1).exists());
    fs::remove_dir_all(&dir).unwrap();
  }

  #[test]
  fn two_writers_never_interleave() {
    let dir = temp_dir("shared");
    let config = config(&dir, 2_000, 1_000);
    let writers: Vec<_> = (0..2)
      .map(|writer| {
        let config = config.clone();
        std::thread::spawn(move || {
          let mut file = RotatingFile::new(&config);
          for i in 0..300 {
            let line = format!(
              "{{\"writer\":{writer},\"n\":{i},\"pad\":\"{}\"}}\n",
              "z".repeat(40)
            );
            file.append(line.as_bytes()).unwrap();
          }
        })
      })
      .collect();
    for writer in writers {
      writer.join().unwrap();
    }

    let reader = RotatingFile::new(&config);
    let lines = read_all(&reader, 1_000);
    assert_eq!(lines.len(), 600);
    let mut seen = std::collections::HashSet::new();
    for line in &lines {
      let value: serde_json::Value = serde_json::from_str(line).unwrap();
      assert!(
        seen.insert((
          value["writer"].as_u64().unwrap(),
          value["n"].as_u64().unwrap()
        )),
        "{line}"
      );
    }
    assert_eq!(seen.len(), 600);
    for index in 0..=1_000 {
      let path = if index == 0 {
        reader.path.clone()
      } else {
        reader.rotated_path(index)
      };
      if let Ok(meta) = fs::metadata(&path) {
        assert!(
          meta.len() <= 2_000,
          "{} has {} bytes",
          path.display(),
          meta.len()
        );
      }
    }
    fs::remove_dir_all(&dir).unwrap();
  }
}
