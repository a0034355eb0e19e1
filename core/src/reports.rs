//! Completion reports on the device: the preview the customer reads, sealing a signature or a
//! refusal with the device key (offline), the sealed versions, and the PDF.
//!
//! The device key is an Ed25519 seed created at enrollment and kept in the secret store
//! (`secrets.rs`; the platform's on a phone); the office holds its public key. Sealing is one document
//! edit, durable before the call returns, like every other edit.

use std::path::Path;

use fieldwork_model::report::{self, Language, Outcome, ReportSummary, Strokes};
use fieldwork_model::{JobDocument, Status};

use crate::device::Device;
use crate::{Error, Result};

/// What sealing returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sealed {
    pub job: String,
    pub version: u32,
    pub sha256: String,
    /// `signed` or `refused`.
    pub status: String,
}

impl Device {
    /// The device's public key (hex), once enrolled.
    pub fn public_key(&self) -> Result<Option<String>> {
        Ok(self.signing_key()?.map(|k| report::public_key_hex(&k)))
    }

    pub(crate) fn signing_key(&self) -> Result<Option<[u8; 32]>> {
        let Some(hex) = self.secrets.get(crate::secrets::SIGNING_KEY)? else {
            return Ok(None);
        };
        let key = hex::decode(hex)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| Error::Protocol("stored signing key is malformed".into()))?;
        Ok(Some(key))
    }

    /// The report the customer is about to sign, as canonical JSON without an outcome: built
    /// by the same code that seals, as if the job were completed at `at` if it is not yet.
    pub fn report_preview(&self, job: &str, language: Language, at: i64) -> Result<Vec<u8>> {
        let mut inner = self.inner.lock();
        let enrollment = inner.enrollment.clone().ok_or(Error::NotEnrolled)?;
        inner.visible(job)?;
        let doc = inner.doc(job)?;
        check_signable(doc, job)?;
        let preview =
            doc.preview_report(language, &enrollment.device_id, &enrollment.technician, at)?;
        Ok(report::canonical(&preview)?)
    }

    /// The words of the report the customer is about to sign, in `language`: exactly what its
    /// PDF prints (`fieldwork_report::Outline`), from the same preview [`Device::report_preview`]
    /// seals, so the signing screen shows the current job word for word.
    pub fn report_outline(
        &self,
        job: &str,
        language: Language,
        at: i64,
    ) -> Result<fieldwork_report::Outline> {
        let bytes = self.report_preview(job, language, at)?;
        outline_of(&bytes)
    }

    /// The words of a sealed version (the latest if `version` is `None`), as its PDF prints
    /// them.
    pub fn sealed_outline(
        &self,
        job: &str,
        version: Option<u32>,
    ) -> Result<fieldwork_report::Outline> {
        outline_of(&self.report_bytes(job, version)?)
    }

    /// Seals the customer's signature (strokes JSON, see [`Strokes::parse`]) on a new report
    /// version. Records `completed` first if needed. Works offline.
    pub fn sign_report(
        &self,
        job: &str,
        name: &str,
        role: Option<&str>,
        strokes_json: &str,
        language: Language,
        at: i64,
    ) -> Result<Sealed> {
        let strokes =
            Strokes::parse(strokes_json).map_err(|e| Error::BadSignature(e.to_string()))?;
        let outcome = Outcome::Signed {
            name: name.trim().to_string(),
            role: role
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_string),
            strokes,
        };
        self.seal(job, outcome, language, at)
    }

    /// Seals the customer's refusal to sign, with the reason (and their name if given).
    pub fn refuse_report(
        &self,
        job: &str,
        reason: &str,
        name: Option<&str>,
        language: Language,
        at: i64,
    ) -> Result<Sealed> {
        let outcome = Outcome::Refused {
            reason: reason.trim().to_string(),
            name: name
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_string),
        };
        self.seal(job, outcome, language, at)
    }

    fn seal(&self, job: &str, outcome: Outcome, language: Language, at: i64) -> Result<Sealed> {
        let device_id = self
            .enrollment()
            .map(|e| e.device_id)
            .ok_or(Error::NotEnrolled)?;
        let key = self.signing_key()?.ok_or_else(|| {
            Error::CannotSign(
                "this device has no signing key (it was enrolled before signed reports); enroll it again with a new code from dispatch"
                    .into(),
            )
        })?;
        {
            let mut inner = self.inner.lock();
            inner.visible(job)?;
            check_signable(inner.doc(job)?, job)?;
        }
        let refused = matches!(outcome, Outcome::Refused { .. });
        let (sealed, version) = self.edit_with(
            job,
            crate::device::Projections::Rewrite,
            |doc, me| doc.seal_report(language, &device_id, outcome, &key, me, at),
            |_, _| Ok(()),
        )?;
        tracing::info!(job, version, "report sealed");
        Ok(Sealed {
            job: job.to_string(),
            version,
            sha256: sealed.sha256,
            status: if refused { "refused" } else { "signed" }.into(),
        })
    }

    /// Every sealed version of a job's report, oldest first, with whether it is current.
    pub fn reports(&self, job: &str) -> Result<Vec<ReportSummary>> {
        let mut inner = self.inner.lock();
        inner.visible(job)?;
        Ok(report::summaries(&inner.doc(job)?.data()?)?)
    }

    /// The canonical bytes of a sealed version (the latest if `version` is `None`), exactly
    /// as they were hashed and signed.
    pub fn report_bytes(&self, job: &str, version: Option<u32>) -> Result<Vec<u8>> {
        let mut inner = self.inner.lock();
        inner.visible(job)?;
        let data = inner.doc(job)?.data()?;
        let all = report::sealed(&data);
        let found = match version {
            Some(v) => all.iter().find(|(_, r)| r.version == v),
            None => all.last(),
        };
        found
            .map(|(e, _)| e.canonical.clone().into_bytes())
            .ok_or_else(|| match version {
                Some(v) => Error::NoSuchReport(format!("job {job} has no report version {v}")),
                None => Error::NoSuchReport(format!("job {job} has no sealed report")),
            })
    }

    /// Renders a sealed version to PDF, offline (the same bytes the office renders). `font` is
    /// a CJK font file; without one, the usual system locations are searched.
    pub fn report_pdf(
        &self,
        job: &str,
        version: Option<u32>,
        font: Option<&Path>,
    ) -> Result<Vec<u8>> {
        let canonical = self.report_bytes(job, version)?;
        let font = self.font(font)?;
        let photo = |id: &str| self.attachment_bytes(id).ok().flatten();
        fieldwork_report::render(&canonical, &font, &photo)
            .map_err(|e| Error::Render(e.to_string()))
    }
}

impl Device {
    /// The PDF font: loaded once per path (a CJK font file is ~20 MB) and kept.
    fn font(&self, path: Option<&Path>) -> Result<fieldwork_report::Font> {
        let mut slot = self.font.lock();
        if let Some((p, f)) = slot.as_ref()
            && p.as_deref() == path
        {
            return Ok(f.clone());
        }
        let font =
            fieldwork_report::Font::for_reports(path).map_err(|e| Error::Render(e.to_string()))?;
        *slot = Some((path.map(Path::to_path_buf), font.clone()));
        Ok(font)
    }
}

/// A cancelled job has nothing to sign.
fn check_signable(doc: &JobDocument, job: &str) -> Result<()> {
    let status = doc.derived()?.status;
    if status == Status::Cancelled {
        return Err(Error::CannotSign(format!(
            "job {job} is cancelled; there is no completion report to sign"
        )));
    }
    Ok(())
}

/// The outline of a report's canonical bytes (ours: a failure to read them back is a bug).
fn outline_of(canonical: &[u8]) -> Result<fieldwork_report::Outline> {
    let report: report::Report = serde_json::from_slice(canonical).map_err(|e| {
        Error::Protocol(format!(
            "a report this device built does not read back: {e}"
        ))
    })?;
    Ok(fieldwork_report::Outline::of(&report))
}
