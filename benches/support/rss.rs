//! Memory figures for benches that run the release binary as a child.

/// The largest resident set of any child waited for so far (getrusage(RUSAGE_CHILDREN)).
pub fn peak_rss_of_children_kb() -> i64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a complete rusage into the pointer it is given.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr());
        usage.assume_init()
    };
    usage.ru_maxrss
}
