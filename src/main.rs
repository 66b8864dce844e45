//! The `waku` binary: everything lives in the library; see `waku::cli`.

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    waku::cli::exit_after_command();
    waku::cli::install_watchdog();
    waku::files::install_signal_cleanup();
    let code = waku::cli::main_with(std::env::args_os(), &mut std::io::stdout(), &mut std::io::stderr());
    std::process::exit(code);
}
