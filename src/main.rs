//! The `waku` binary: everything lives in the library; see `waku::cli`.

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    waku::cli::install_watchdog();
    waku::files::install_signal_cleanup();
    let finished = waku::cli::run_command(std::env::args_os(), &mut std::io::stdout(), &mut std::io::stderr());
    // The process ends here: its memory goes back to the operating system at once, so the
    // command's large results are not freed one allocation at a time (0.2 s at 100,000 programs).
    std::mem::forget(finished.results);
    std::process::exit(finished.code);
}
