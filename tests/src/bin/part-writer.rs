//! Child process for the durability test: adds parts to one job as fast as it can and prints
//! each line id only after `add_part` returned (the write is acknowledged). The test kills it
//! with SIGKILL at random moments and checks every printed id survived.

use std::io::Write;

use fieldwork_core::Device;
use fieldwork_core::model::NewPart;

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(job)) = (args.next(), args.next()) else {
        eprintln!("usage: part-writer DATA_DIR JOB");
        return std::process::ExitCode::from(2);
    };
    let device = match Device::open(std::path::Path::new(&dir)) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("part-writer: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    for i in 0u64.. {
        let part = NewPart {
            sku: format!("SKU-{i}"),
            qty: 1,
            ..Default::default()
        };
        match device.add_part(&job, &part, chrono::Utc::now().timestamp_millis()) {
            Ok(line) => {
                if writeln!(out, "{line}").and_then(|_| out.flush()).is_err() {
                    break;
                }
            }
            Err(e) => {
                eprintln!("part-writer: {e}");
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    std::process::ExitCode::SUCCESS
}
