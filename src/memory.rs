//! Gives back the memory that only start-up needed.
//!
//! A process's resident set counts every page it has mapped, and start-up maps far more
//! than an idle bot runs: configuration parsing, migrations, TLS set-up, each adapter's
//! first connection. Worse, the kernel maps the neighbours of each code page it faults in
//! (fault-around, 64 KB), so touching one function keeps sixteen pages resident. Of an idle
//! server's 17 MiB, 13 MiB were the binary's and libc's clean file pages; the embedded
//! shell also holds wasmer's mapped AOT artifact (~30 MiB).
//!
//! Clean pages of a read-only file mapping cost nothing to drop: `MADV_DONTNEED` removes
//! only this process's page-table entries, the pages stay in the page cache, and the next
//! use maps them back without a disk read (a minor fault). What the idle loop runs comes
//! back within seconds; the rest stays out until it is used.

use std::ops::Range;

/// What [`release_startup_pages`] gave back.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Released {
    /// Mappings whose page-table entries were dropped.
    pub mappings: usize,
    /// Their resident size before, in KiB.
    pub kib: u64,
}

/// Drops this process's page-table entries for clean read-only file mappings (its code,
/// read-only data and shared libraries), then returns freed heap to the system, and logs
/// what it gave back. Call once start-up is over; safe to call from any thread at any time.
pub fn release_startup_pages() -> Released {
    #[cfg(target_os = "linux")]
    {
        let smaps = match std::fs::read_to_string("/proc/self/smaps") {
            Ok(smaps) => smaps,
            Err(err) => {
                tracing::debug!(error = %err, "could not read /proc/self/smaps: nothing given back");
                return Released::default();
            }
        };
        let mut released = Released::default();
        for clean in clean_file_mappings(&smaps) {
            // SAFETY: a page-aligned range this process maps read-only from a file, with no
            // privately modified page (`clean_file_mappings`): MADV_DONTNEED drops only the
            // page-table entries, and a later access maps the same file pages back.
            let rc = unsafe {
                libc::madvise(
                    clean.range.start as *mut libc::c_void,
                    clean.range.len(),
                    libc::MADV_DONTNEED,
                )
            };
            if rc == 0 {
                released.mappings += 1;
                released.kib += clean.rss_kib;
            } else {
                tracing::debug!(
                    mapping = clean.path,
                    error = %std::io::Error::last_os_error(),
                    "madvise failed"
                );
            }
        }
        #[cfg(target_env = "gnu")]
        // SAFETY: glibc's malloc_trim takes no pointers and is thread-safe.
        unsafe {
            libc::malloc_trim(0);
        }
        tracing::info!(
            mappings = released.mappings,
            resident_kib = released.kib,
            "start-up memory given back"
        );
        released
    }
    #[cfg(not(target_os = "linux"))]
    Released::default()
}

/// A mapping whose pages can be dropped and mapped back unchanged.
#[derive(Debug, PartialEq, Eq)]
struct CleanMapping<'a> {
    range: Range<usize>,
    path: &'a str,
    rss_kib: u64,
}

/// The mappings in `smaps` (the format of `/proc/PID/smaps`) that are backed by a file,
/// not writable, and hold no anonymous page. The last rule is what makes dropping safe:
/// a private file mapping whose pages were written (the relocated pointers of the
/// read-only-after-relocation data, a debugger's breakpoints) holds them as anonymous
/// copies, and dropping those would bring back the file's unrelocated bytes. A mapping
/// that is not writable cannot gain such a page later.
fn clean_file_mappings(smaps: &str) -> Vec<CleanMapping<'_>> {
    struct Entry<'a> {
        range: Range<usize>,
        path: &'a str,
        eligible: bool,
        rss_kib: Option<u64>,
        anonymous_kib: Option<u64>,
    }
    let mut entries: Vec<Entry> = Vec::new();
    for line in smaps.lines() {
        if let Some(header) = mapping_header(line) {
            entries.push(header);
            continue;
        }
        let Some(entry) = entries.last_mut() else {
            continue;
        };
        let Some((field, value)) = line.split_once(':') else {
            continue;
        };
        let kib = || value.trim().trim_end_matches("kB").trim().parse().ok();
        match field {
            "Rss" => entry.rss_kib = kib(),
            "Anonymous" => entry.anonymous_kib = kib(),
            _ => {}
        }
    }
    return entries
        .into_iter()
        .filter(|e| e.eligible && e.anonymous_kib == Some(0) && e.rss_kib.is_some_and(|k| k > 0))
        .map(|e| CleanMapping {
            range: e.range,
            path: e.path,
            rss_kib: e.rss_kib.unwrap_or(0),
        })
        .collect();

    /// `start-end perms offset dev inode [path]`; `None` for a field line.
    fn mapping_header(line: &str) -> Option<Entry<'_>> {
        let mut fields = line.split_whitespace();
        let (start, end) = fields.next()?.split_once('-')?;
        let range = usize::from_str_radix(start, 16).ok()?..usize::from_str_radix(end, 16).ok()?;
        let perms = fields.next()?;
        let (_offset, _dev, inode) = (fields.next()?, fields.next()?, fields.next()?);
        inode.parse::<u64>().ok()?;
        let path = line.find('/').map_or("", |at| &line[at..]);
        let eligible = !path.is_empty()
            && perms.len() == 4
            && perms.starts_with('r')
            && perms.as_bytes()[1] == b'-';
        Some(Entry {
            range,
            path,
            eligible,
            rss_kib: None,
            anonymous_kib: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMAPS: &str = "\
55d0c0000000-55d0c0200000 r--p 00000000 fd:01 131 /usr/bin/cohortbot
Size:               2048 kB
Rss:                1600 kB
Anonymous:             0 kB
55d0c0200000-55d0c0a00000 r-xp 00200000 fd:01 131 /usr/bin/cohortbot
Size:               8192 kB
Rss:                6000 kB
Anonymous:             0 kB
55d0c0a00000-55d0c0b00000 r--p 00a00000 fd:01 131 /usr/bin/cohortbot
Size:               1024 kB
Rss:                1024 kB
Anonymous:           960 kB
55d0c0b00000-55d0c0b10000 rw-p 00b00000 fd:01 131 /usr/bin/cohortbot
Size:                 64 kB
Rss:                  64 kB
Anonymous:            64 kB
55d0c1000000-55d0c1400000 rw-p 00000000 00:00 0 [heap]
Size:               4096 kB
Rss:                1900 kB
Anonymous:          1900 kB
7f0000000000-7f0000100000 r--s 00000000 fd:01 77 /root/.cache/pglite-oxide/wasmer-aot/pg.bin
Size:               1024 kB
Rss:                 900 kB
Anonymous:             0 kB
7f0000200000-7f0000300000 r-xp 00000000 fd:01 78 /usr/lib/x86_64-linux-gnu/libc.so.6 (deleted)
Size:               1024 kB
Rss:                   0 kB
Anonymous:             0 kB
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]
Size:                132 kB
Rss:                  20 kB
Anonymous:            20 kB
";

    #[test]
    fn only_clean_read_only_file_pages_are_dropped() {
        let clean = clean_file_mappings(SMAPS);
        let picked: Vec<(&str, u64)> = clean.iter().map(|c| (c.path, c.rss_kib)).collect();
        // The relocated read-only data (anonymous copies), the writable data, the heap,
        // the stack and a mapping with nothing resident are all left alone.
        assert_eq!(
            picked,
            [
                ("/usr/bin/cohortbot", 1600),
                ("/usr/bin/cohortbot", 6000),
                ("/root/.cache/pglite-oxide/wasmer-aot/pg.bin", 900),
            ]
        );
        assert_eq!(clean[1].range, 0x55d0c0200000..0x55d0c0a00000);
    }

    /// A private file mapping written and then made read-only (as the loader does with
    /// relocated data) keeps its written bytes through a release.
    #[cfg(target_os = "linux")]
    #[test]
    fn written_pages_of_a_read_only_mapping_survive_a_release() {
        use std::io::Write;
        use std::os::fd::AsRawFd;

        let mut file = tempfile::tempfile().unwrap();
        file.write_all(&[7u8; 8192]).unwrap();
        // SAFETY: a fresh private mapping of the temporary file, unmapped before the test
        // ends; nothing else refers to it.
        unsafe {
            let len = 8192;
            let at = libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE,
                file.as_raw_fd(),
                0,
            );
            assert_ne!(at, libc::MAP_FAILED);
            let bytes = at.cast::<u8>();
            bytes.write(42);
            assert_eq!(libc::mprotect(at, len, libc::PROT_READ), 0);
            let released = release_startup_pages();
            assert!(
                released.mappings > 0,
                "the test binary's code is clean: {released:?}"
            );
            assert_eq!(bytes.read(), 42, "the written page was dropped");
            assert_eq!(bytes.add(4096).read(), 7);
            libc::munmap(at, len);
        }
    }
}
