//! `fieldwork-server verify`: re-checks everything sealed the office holds, so tampering with
//! the database or the attachment folder is evident.
//!
//! Every stored report: its hash, its signature with the sealing device's public key, and its
//! content against the job document at the sealed heads. Every stored attachment: that its
//! bytes hash to its name. Each problem is one line; none means the data is as sealed.

use fieldwork_model::JobDocument;
use sha2::{Digest, Sha256};

use crate::Result;
use crate::blobs::Blobs;

/// What `verify` looked at, and what it found wrong.
#[derive(Debug, Default)]
pub struct Verification {
    pub jobs: usize,
    pub reports: usize,
    pub attachments: usize,
    /// One line per problem.
    pub problems: Vec<String>,
}

/// Verifies the data directory of a (possibly running) server.
pub fn verify(place: impl Into<crate::Place>) -> Result<Verification> {
    let place = place.into();
    let storage = place.open()?;
    let blobs = Blobs::open(&place.data_dir)?;
    let mut out = Verification::default();
    let actor = storage.actor()?;
    for id in storage.all_job_ids()? {
        out.jobs += 1;
        let Some(stored) = storage.load_job(&id)? else {
            continue;
        };
        let data = match JobDocument::load(&stored.doc, actor.clone()).and_then(|doc| {
            let data = doc.data()?;
            Ok((doc, data))
        }) {
            Ok(x) => x,
            Err(e) => {
                out.problems
                    .push(format!("job {id}: the stored document does not load: {e}"));
                continue;
            }
        };
        let (doc, data) = data;
        for (entry_id, entry) in &data.reports {
            out.reports += 1;
            let key = storage.device_key(&entry.device_id)?.unwrap_or_default();
            if let Err(e) = doc.verify_report(entry, &entry.device_id, &key) {
                out.problems
                    .push(format!("job {id}: report {entry_id}: {e}"));
            }
        }
    }
    for name in blobs.ids()? {
        out.attachments += 1;
        if let Some(bytes) = blobs.get(&name)? {
            let digest = hex::encode(Sha256::digest(&bytes));
            if digest != name {
                out.problems.push(format!(
                    "attachment {name}: its bytes hash to {digest}; the file was changed"
                ));
            }
        }
    }
    Ok(out)
}
