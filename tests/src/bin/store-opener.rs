//! Child process for the encryption test: opens the device store in DATA_DIR (which encrypts a
//! plain store from an earlier version, and seals its photo files) and prints `opened`. The
//! test kills it with SIGKILL at random moments of that first open.

fn main() -> std::process::ExitCode {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: store-opener DATA_DIR");
        return std::process::ExitCode::from(2);
    };
    match fieldwork_core::Device::open(std::path::Path::new(&dir)) {
        Ok(_) => {
            println!("opened");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("store-opener: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
