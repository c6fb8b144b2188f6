//! Memory figures for benches that run the release binary as a child.

/// The largest resident set of any child waited for so far (getrusage(RUSAGE_CHILDREN)).
#[allow(dead_code)]
pub fn peak_rss_of_children_kb() -> i64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a complete rusage into the pointer it is given.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr());
        usage.assume_init()
    };
    usage.ru_maxrss
}

/// Runs `command` to its end and returns its exit status and its own peak resident set in
/// KB (wait4's rusage: this child alone, not the largest of every child so far).
#[allow(dead_code)]
// wait4 below reaps the child; clippy cannot see that.
#[allow(clippy::zombie_processes)]
pub fn run_measured(command: &mut std::process::Command) -> (std::process::ExitStatus, i64) {
    use std::os::unix::process::ExitStatusExt;
    let child = command.spawn().expect("start child");
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: wait4 on our own child's pid; it fills status and a complete rusage.
    let usage = unsafe {
        let pid = libc::wait4(child.id() as i32, &mut status, 0, usage.as_mut_ptr());
        assert_eq!(pid, child.id() as i32, "wait4");
        usage.assume_init()
    };
    (std::process::ExitStatus::from_raw(status), usage.ru_maxrss)
}
