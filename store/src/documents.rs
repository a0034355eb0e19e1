//! Documents as the server uses them: the backends hand out saved bytes (the sync endpoint sends
//! them as they are), and these load them, in one place, with the office's actor, a slice per
//! core. Callers ask for documents or their content, never for bytes.

use fieldwork_model::JobDocument;

use crate::{Error, JobFilter, Result, Storage};

/// Documents as the API uses them: the backends hand out saved bytes (the sync endpoint sends
/// them as they are), and these load them, in one place, with the office's actor, a slice per
/// core (a board of a thousand jobs loads a thousand documents). Handlers ask for documents or
/// their content, never for bytes.
impl dyn Storage {
    /// A job's document, or `NotFound`.
    pub fn document(&self, id: &str) -> Result<JobDocument> {
        let stored = self
            .load_job(id)?
            .ok_or_else(|| Error::NotFound(format!("no job {id}")))?;
        Ok(JobDocument::load(&stored.doc, self.actor()?)?)
    }

    /// `f` of each job matching a filter, in the list's order. Each document is loaded, handed
    /// to `f` and dropped, a core at a time: a board of thousands of jobs holds their views, not
    /// thousands of documents.
    /// `f` may fail with the caller's own error (`E`), which the store's errors convert into.
    pub fn map_documents<T: Send, E: From<Error> + Send>(
        &self,
        filter: &JobFilter,
        f: impl Fn(JobDocument) -> Result<T, E> + Sync,
    ) -> Result<Vec<T>, E> {
        let actor = self.actor()?;
        fieldwork_model::par::map(self.list_jobs(filter)?, |bytes| {
            let doc = JobDocument::load(&bytes, actor.clone()).map_err(Error::from)?;
            f(doc)
        })
        .into_iter()
        .collect()
    }

    /// `f` of what each job matching a filter holds, in the list's order (as
    /// [`Self::map_documents`]: one job's content at a time per core).
    pub fn map_contents<T: Send, E: From<Error> + Send>(
        &self,
        filter: &JobFilter,
        f: impl Fn(fieldwork_model::JobData) -> Result<T, E> + Sync,
    ) -> Result<Vec<T>, E> {
        self.map_documents(filter, |doc| f(doc.data().map_err(Error::from)?))
    }

    /// What these jobs hold, in the order asked; ids with no job are skipped.
    pub fn job_contents_of(&self, ids: &[String]) -> Result<Vec<fieldwork_model::JobData>> {
        let saved = self.load_jobs(ids)?.into_iter().flatten().map(|j| j.doc);
        self.contents(saved.collect())
    }

    /// What the jobs on an asset hold, by report time: all of them or the newest `newest`.
    pub fn asset_history(
        &self,
        serial: &str,
        newest: Option<u32>,
    ) -> Result<Vec<fieldwork_model::JobData>> {
        self.contents(self.asset_jobs(serial, newest)?)
    }

    /// What the jobs reported in `[from, to)` (epoch ms) hold, by report time.
    pub fn reported_between(&self, from: i64, to: i64) -> Result<Vec<fieldwork_model::JobData>> {
        self.contents(self.jobs_reported_between(from, to)?)
    }

    fn contents(&self, saved: Vec<Vec<u8>>) -> Result<Vec<fieldwork_model::JobData>> {
        let actor = self.actor()?;
        fieldwork_model::par::map(saved, |bytes| {
            Ok(JobDocument::load(&bytes, actor.clone())?.data()?)
        })
        .into_iter()
        .collect()
    }
}

/// Loads a job document as the storage holds it.
pub fn load_doc_bytes(bytes: &[u8]) -> Result<automerge::Automerge> {
    automerge::Automerge::load(bytes).map_err(|e| Error::Corrupt(e.to_string()))
}
