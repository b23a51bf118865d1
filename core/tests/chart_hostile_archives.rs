//! Hostile chart archives, built here byte by byte, must be refused with a
//! message naming the entry at fault, and a gzip bomb must be refused
//! without the loader's heap growing anywhere near the bomb's size.

use flate2::{Compression, write::GzEncoder};
use hoist_core::chart;
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{self, Read};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts live heap bytes and remembers the high-water mark.
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
            PEAK.fetch_max(now, Ordering::SeqCst);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let grow = new_size - layout.size();
                let now = CURRENT.fetch_add(grow, Ordering::SeqCst) + grow;
                PEAK.fetch_max(now, Ordering::SeqCst);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::SeqCst);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Tests share the allocator counters, so they run one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

const MIB: u64 = 1024 * 1024;

/// A tar header whose name field is written raw, so names the tar crate
/// would refuse to write (`..`, absolute) can be produced.
fn raw_header(name: &str, kind: tar::EntryType, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(0o644);
    h.set_mtime(0);
    let bytes = name.as_bytes();
    h.as_old_mut().name[..bytes.len()].copy_from_slice(bytes);
    h.set_cksum();
    h
}

fn builder() -> tar::Builder<GzEncoder<Vec<u8>>> {
    tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()))
}

fn finish(b: tar::Builder<GzEncoder<Vec<u8>>>) -> Vec<u8> {
    b.into_inner().unwrap().finish().unwrap()
}

fn add(b: &mut tar::Builder<GzEncoder<Vec<u8>>>, name: &str, data: &[u8]) {
    let h = raw_header(name, tar::EntryType::Regular, data.len() as u64);
    b.append(&h, data).unwrap();
}

fn chart_yaml(b: &mut tar::Builder<GzEncoder<Vec<u8>>>) {
    add(
        b,
        "c/Chart.yaml",
        b"apiVersion: v2\nname: c\nversion: 0.1.0\n",
    );
}

fn rejection(bytes: &[u8]) -> String {
    match chart::load_archive_bytes(bytes) {
        Ok(c) => panic!("archive accepted as chart {:?}", c.name()),
        Err(e) => e.to_string(),
    }
}

fn assert_names(msg: &str, entry: &str, why: &str) {
    assert!(
        msg.contains(&format!("{entry:?}")),
        "message does not name entry {entry:?}: {msg}"
    );
    assert!(msg.contains(why), "message does not say {why:?}: {msg}");
}

#[test]
fn a_well_formed_archive_loads() {
    let _g = serial();
    let mut b = builder();
    chart_yaml(&mut b);
    add(&mut b, "c/templates/a.yaml", b"kind: A\n");
    let c = chart::load_archive_bytes(&finish(b)).unwrap();
    assert_eq!(c.name(), "c");
    assert_eq!(c.templates[0].name, "templates/a.yaml");
}

#[test]
fn path_traversal_is_refused() {
    let _g = serial();
    let mut b = builder();
    chart_yaml(&mut b);
    add(&mut b, "c/templates/../../../etc/cron.d/x", b"boom");
    let msg = rejection(&finish(b));
    assert_names(
        &msg,
        "c/templates/../../../etc/cron.d/x",
        "parent directory",
    );
}

#[test]
fn absolute_paths_are_refused() {
    let _g = serial();
    let mut b = builder();
    add(&mut b, "/etc/passwd", b"root:x:0:0");
    let msg = rejection(&finish(b));
    assert_names(&msg, "/etc/passwd", "absolute");
}

#[test]
fn symlinks_are_refused() {
    let _g = serial();
    let mut b = builder();
    chart_yaml(&mut b);
    let mut h = raw_header("c/templates/link.yaml", tar::EntryType::Symlink, 0);
    h.set_link_name("/etc/shadow").unwrap();
    h.set_cksum();
    b.append(&h, io::empty()).unwrap();
    let msg = rejection(&finish(b));
    assert_names(&msg, "c/templates/link.yaml", "symbolic link");
}

#[test]
fn hard_links_are_refused() {
    let _g = serial();
    let mut b = builder();
    chart_yaml(&mut b);
    let mut h = raw_header("c/values.yaml", tar::EntryType::Link, 0);
    h.set_link_name("c/Chart.yaml").unwrap();
    h.set_cksum();
    b.append(&h, io::empty()).unwrap();
    let msg = rejection(&finish(b));
    assert_names(&msg, "c/values.yaml", "hard link");
}

#[test]
fn devices_and_fifos_are_refused() {
    let _g = serial();
    for (kind, why) in [
        (tar::EntryType::Char, "device"),
        (tar::EntryType::Block, "device"),
        (tar::EntryType::Fifo, "FIFO"),
    ] {
        let mut b = builder();
        chart_yaml(&mut b);
        b.append(&raw_header("c/dev", kind, 0), io::empty())
            .unwrap();
        let msg = rejection(&finish(b));
        assert_names(&msg, "c/dev", why);
    }
}

#[test]
fn a_file_over_5_mib_is_refused() {
    let _g = serial();
    let mut b = builder();
    chart_yaml(&mut b);
    let size = 6 * MIB;
    b.append(
        &raw_header("c/files/big.bin", tar::EntryType::Regular, size),
        io::repeat(b'x').take(size),
    )
    .unwrap();
    let msg = rejection(&finish(b));
    assert_names(&msg, "c/files/big.bin", "maximum file size");
}

#[test]
fn two_top_level_folders_are_refused() {
    let _g = serial();
    let mut b = builder();
    chart_yaml(&mut b);
    add(
        &mut b,
        "other/Chart.yaml",
        b"apiVersion: v2\nname: other\nversion: 1.0.0\n",
    );
    let msg = rejection(&finish(b));
    assert_names(&msg, "other/Chart.yaml", "second top-level folder");
}

#[test]
fn files_beside_the_top_folder_are_refused() {
    let _g = serial();
    let mut b = builder();
    add(
        &mut b,
        "Chart.yaml",
        b"apiVersion: v2\nname: c\nversion: 0.1.0\n",
    );
    let msg = rejection(&finish(b));
    assert_names(&msg, "Chart.yaml", "outside the chart's top-level folder");
}

#[test]
fn pax_and_gnu_long_names_are_read_and_checked() {
    let _g = serial();
    let long_dir = "d".repeat(120);
    // GNU long name (written by the builder for names over 100 bytes).
    let mut b = builder();
    chart_yaml(&mut b);
    let mut h = tar::Header::new_gnu();
    h.set_size(2);
    h.set_mode(0o644);
    b.append_data(&mut h, format!("c/files/{long_dir}/x.txt"), &b"hi"[..])
        .unwrap();
    let c = chart::load_archive_bytes(&finish(b)).unwrap();
    assert_eq!(c.files[0].name, format!("files/{long_dir}/x.txt"));

    // A PAX path overrides the short name, and is checked like any other.
    let mut b = builder();
    chart_yaml(&mut b);
    b.append_pax_extensions([("path", format!("c/../{long_dir}/evil").as_bytes())])
        .unwrap();
    add(&mut b, "c/innocent.txt", b"x");
    let msg = rejection(&finish(b));
    assert_names(&msg, &format!("c/../{long_dir}/evil"), "parent directory");
}

/// 200 MiB of zeros in one entry, streamed through the encoder.
fn single_entry_bomb() -> Vec<u8> {
    let mut b = builder();
    chart_yaml(&mut b);
    let size = 200 * MIB;
    b.append(
        &raw_header("c/zeros.bin", tar::EntryType::Regular, size),
        io::repeat(0).take(size),
    )
    .unwrap();
    finish(b)
}

/// 200 MiB of zeros in forty 5 MiB entries, each within the per-file limit.
fn many_entry_bomb() -> Vec<u8> {
    let mut b = builder();
    chart_yaml(&mut b);
    for i in 0..40 {
        b.append(
            &raw_header(
                &format!("c/files/z{i:02}.bin"),
                tar::EntryType::Regular,
                5 * MIB,
            ),
            io::repeat(0).take(5 * MIB),
        )
        .unwrap();
    }
    finish(b)
}

/// Loads `bomb` and returns the error and the heap growth above the level
/// before the call.
fn load_measured(bomb: &[u8]) -> (String, usize) {
    let base = CURRENT.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let msg = rejection(bomb);
    let peak = PEAK.load(Ordering::SeqCst) - base;
    (msg, peak)
}

#[test]
fn gzip_bombs_stop_early_with_bounded_memory() {
    let _g = serial();
    let limit = 64 * MIB as usize;

    let bomb = single_entry_bomb();
    eprintln!(
        "single-entry bomb: {} bytes compressed, 200 MiB decompressed",
        bomb.len()
    );
    let (msg, peak) = load_measured(&bomb);
    eprintln!("single-entry bomb: peak heap while loading = {peak} bytes");
    assert_names(&msg, "c/zeros.bin", "maximum file size");
    assert!(peak < limit, "peak heap {peak} bytes");

    let bomb = many_entry_bomb();
    eprintln!(
        "many-entry bomb: {} bytes compressed, 200 MiB decompressed",
        bomb.len()
    );
    let (msg, peak) = load_measured(&bomb);
    eprintln!("many-entry bomb: peak heap while loading = {peak} bytes");
    assert_names(&msg, "c/files/z19.bin", "maximum size");
    assert!(peak < limit, "peak heap {peak} bytes");

    // The same bombs through the streaming entry point.
    let (msg, peak) = {
        let base = CURRENT.load(Ordering::SeqCst);
        PEAK.store(base, Ordering::SeqCst);
        let e = chart::load_archive_reader(&bomb[..])
            .unwrap_err()
            .to_string();
        (e, PEAK.load(Ordering::SeqCst) - base)
    };
    eprintln!("many-entry bomb via reader: peak heap = {peak} bytes");
    assert!(msg.contains("maximum size"), "{msg}");
    assert!(peak < limit, "peak heap {peak} bytes");
}
