//! The completion report: what the customer signs (or refuses to sign), in one canonical form
//! that the phone seals and the office verifies.
//!
//! A report is built from the job document by [`build`], the same code on both sides, so the
//! office can rebuild it from the document at the recorded heads and compare bytes. Its
//! canonical bytes ([`canonical`], RFC 8785: sorted keys, no insignificant whitespace, UTF-8,
//! and no floats anywhere: money in minor units, times as RFC 3339 strings, strokes in integer
//! canvas units) are hashed with SHA-256 and signed with the device's Ed25519 key ([`seal`]).
//! Sealed reports are never edited: each is an entry of the job's append-only `reports` map.
//! A later change to anything a report sealed makes it no longer `current`
//! ([`ReportSummary::current`]); a new signature makes a new version.

use ed25519_dalek::{Signer as _, SigningKey, Verifier as _, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::job::{Asset, Customer, JobData, Site, Status, TimeKind};
use crate::time::to_rfc3339;
use crate::warranty::{self, Charges};
use crate::{Error, Result, status};

/// Version of the report's JSON layout, sealed into every report.
pub const REPORT_FORMAT: u32 = 1;
/// Most strokes a signature may have.
pub const MAX_STROKES: usize = 64;
/// Most points a signature may have, over all strokes.
pub const MAX_POINTS: usize = 10_000;
/// Largest canvas side accepted, in the shell's canvas units.
pub const MAX_CANVAS: u32 = 10_000;
/// Highest pressure value (0..=1000).
pub const MAX_PRESSURE: u32 = 1000;

/// The language a report is written in (and its PDF rendered in).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Language {
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Language {
    /// The wire spelling: `zh-CN` or `en`.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::En => "en",
        }
    }
}

impl std::str::FromStr for Language {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "zh-CN" => Ok(Language::ZhCn),
            "en" => Ok(Language::En),
            _ => Err(Error::Invalid(format!(
                "language must be zh-CN or en, got {s:?}"
            ))),
        }
    }
}

/// The drawing surface the signature was captured on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Canvas {
    pub width: u32,
    pub height: u32,
}

/// A signature as vectors: strokes of `[x, y, t_ms, pressure]` points in canvas units.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Strokes {
    pub canvas: Canvas,
    pub strokes: Vec<Vec<[u32; 4]>>,
}

impl Strokes {
    /// Parses and checks a strokes file (`{"canvas":{...},"strokes":[[[x,y,t,p],...],...]}`).
    pub fn parse(json: &str) -> Result<Strokes> {
        let s: Strokes = serde_json::from_str(json).map_err(|e| {
            Error::Invalid(format!(
                "signature strokes must be {{\"canvas\":{{\"width\":W,\"height\":H}},\
                 \"strokes\":[[[x,y,t_ms,pressure],...],...]}} with integers: {e}"
            ))
        })?;
        s.validate()?;
        Ok(s)
    }

    /// Checks the rules: a real drawing (not empty, not a single dot), on the canvas, time
    /// non-decreasing within a stroke, pressure 0..=1000, at most 64 strokes and 10,000 points.
    pub fn validate(&self) -> Result<()> {
        let Canvas { width, height } = self.canvas;
        if width == 0 || height == 0 || width > MAX_CANVAS || height > MAX_CANVAS {
            return Err(Error::Invalid(format!(
                "signature canvas must be 1..={MAX_CANVAS} units each way, got {width}x{height}"
            )));
        }
        if self.strokes.len() > MAX_STROKES {
            return Err(Error::Invalid(format!(
                "a signature has at most {MAX_STROKES} strokes, got {}",
                self.strokes.len()
            )));
        }
        let points: usize = self.strokes.iter().map(Vec::len).sum();
        if points > MAX_POINTS {
            return Err(Error::Invalid(format!(
                "a signature has at most {MAX_POINTS} points, got {points}"
            )));
        }
        for (i, stroke) in self.strokes.iter().enumerate() {
            if stroke.is_empty() {
                return Err(Error::Invalid(format!(
                    "signature stroke {i} has no points"
                )));
            }
            let mut last_t = 0;
            for (j, &[x, y, t, p]) in stroke.iter().enumerate() {
                if x > width || y > height {
                    return Err(Error::Invalid(format!(
                        "signature point {j} of stroke {i} ({x},{y}) is off the \
                         {width}x{height} canvas"
                    )));
                }
                if p > MAX_PRESSURE {
                    return Err(Error::Invalid(format!(
                        "signature pressure must be 0..={MAX_PRESSURE}, got {p}"
                    )));
                }
                if j > 0 && t < last_t {
                    return Err(Error::Invalid(format!(
                        "signature stroke {i}: time goes backwards at point {j}"
                    )));
                }
                last_t = t;
            }
        }
        let mut positions = self.strokes.iter().flatten().map(|p| (p[0], p[1]));
        let first = positions.next();
        if first.is_none() {
            return Err(Error::Invalid("the signature is empty".into()));
        }
        if positions.all(|p| Some(p) == first) {
            return Err(Error::Invalid(
                "the signature is a single dot; ask the customer to sign".into(),
            ));
        }
        Ok(())
    }
}

/// A diagnosis as sealed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReportDiagnosis {
    pub cause: crate::job::Cause,
    pub fault_code: String,
    pub action: Option<String>,
    pub by: String,
    pub at: String,
}

/// A note (the work done), as sealed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReportNote {
    pub author: String,
    pub at: String,
    pub text: String,
}

/// A part used and not removed, as sealed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReportPart {
    pub line: String,
    pub sku: String,
    pub description: String,
    pub qty: u32,
    pub serial_in: Option<String>,
    pub serial_out: Option<String>,
    /// Where it came from: `van` or `warehouse` (R-03). Absent from reports sealed before it was
    /// recorded here, which stay current (see [`summaries`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<String>,
}

/// A travel or labour entry, as sealed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReportTimeEntry {
    pub kind: TimeKind,
    pub start: String,
    pub end: String,
    pub minutes: i64,
    pub by: String,
}

/// Travel and labour time, as sealed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReportTime {
    pub travel_minutes: i64,
    pub labour_minutes: i64,
    pub entries: Vec<ReportTimeEntry>,
}

/// A checklist item and its latest result, as sealed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReportCheck {
    pub item: String,
    pub label: String,
    pub unit: Option<String>,
    pub result: Option<String>,
    pub note: Option<String>,
}

/// A photo referenced by the report (the bytes are the attachment with this SHA-256 id).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReportPhoto {
    pub id: String,
    pub caption: Option<String>,
    pub taken_at: String,
    pub width: u32,
    pub height: u32,
}

/// Everything the report takes from the job: rebuilt by the office from the document at the
/// sealed heads, and from the current document to tell whether the job changed since.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReportContent {
    pub customer: Customer,
    pub site: Site,
    pub asset: Asset,
    pub problem: String,
    pub diagnoses: Vec<ReportDiagnosis>,
    pub work_done: Vec<ReportNote>,
    pub parts: Vec<ReportPart>,
    pub time: ReportTime,
    /// The charges as the contract prices them; `null` without a contract.
    pub charges: Option<Charges>,
    pub checklist: Vec<crate::report::ReportCheck>,
    pub photos: Vec<ReportPhoto>,
    pub technician: Option<String>,
    pub completed_at: Option<String>,
}

/// The customer's signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Signature {
    pub name: String,
    pub role: Option<String>,
    /// Device time, RFC 3339 UTC.
    pub signed_at: String,
    pub strokes: Strokes,
}

/// The customer's refusal to sign.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Refusal {
    pub reason: String,
    pub name: Option<String>,
    /// Device time, RFC 3339 UTC.
    pub refused_at: String,
}

/// The report as sealed: the job content plus who sealed it, where, and the outcome.
/// Exactly one of `signature` and `refusal` is set; a preview has neither.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub format: u32,
    pub version: u32,
    pub job: String,
    pub language: Language,
    pub content: ReportContent,
    /// The job document's heads at sealing (sorted hex).
    pub heads: Vec<String>,
    pub device_id: String,
    pub signature: Option<Signature>,
    pub refusal: Option<Refusal>,
}

impl Report {
    /// `signed`, `refused`, or `preview` (neither).
    pub fn outcome(&self) -> &'static str {
        match (&self.signature, &self.refusal) {
            (Some(_), _) => "signed",
            (None, Some(_)) => "refused",
            (None, None) => "preview",
        }
    }

    /// Device time of the signature or refusal (epoch ms).
    pub fn sealed_at(&self) -> Option<i64> {
        let t = match (&self.signature, &self.refusal) {
            (Some(s), _) => &s.signed_at,
            (None, Some(r)) => &r.refused_at,
            (None, None) => return None,
        };
        crate::time::parse_rfc3339("sealed_at", t).ok()
    }
}

/// A sealed report as the job document stores it (an entry of the `reports` map).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SealedReport {
    /// The canonical JSON, exactly the bytes that were hashed and signed.
    pub canonical: String,
    /// SHA-256 of `canonical`, hex.
    pub sha256: String,
    /// Ed25519 signature over `canonical` with the device key, hex.
    pub signature: String,
    pub device_id: String,
    /// The technician who sealed it.
    pub by: String,
    /// Device time of sealing (epoch ms).
    pub at: i64,
}

/// A photo or other attachment: the entry in the job document. The bytes live outside the
/// CRDT, content-addressed: the entry's key in the `attachments` map is their SHA-256.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    pub mime: String,
    pub bytes: i64,
    pub width: u32,
    pub height: u32,
    #[serde(default)]
    pub caption: Option<String>,
    /// Capture time (epoch ms): from the photo's EXIF data, else when it was added.
    pub taken_at: i64,
    pub by: String,
    /// When it was added to the job (device time, epoch ms).
    pub at: i64,
    /// Marked removed by its author (a photo taken by mistake): it leaves the job's screens
    /// and reports, and the entry stays so that no merge can bring it back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed: Option<crate::job::Removal>,
}

/// Builds the job part of a report from the job's data.
pub fn content(d: &JobData) -> Result<ReportContent> {
    let derived = status::derive(&d.events);
    let mut diagnoses: Vec<_> = d.diagnoses.iter().collect();
    diagnoses.sort_by(|a, b| (a.1.at, a.0).cmp(&(b.1.at, b.0)));
    let mut notes: Vec<_> = d.notes.iter().collect();
    notes.sort_by(|a, b| (a.1.at, a.0).cmp(&(b.1.at, b.0)));
    let mut parts: Vec<_> = d
        .parts
        .iter()
        .filter(|(_, p)| p.removed.is_none())
        .collect();
    parts.sort_by(|a, b| (a.1.added_at, a.0).cmp(&(b.1.added_at, b.0)));
    let mut time: Vec<_> = d.time.iter().collect();
    time.sort_by(|a, b| (a.1.start, a.0).cmp(&(b.1.start, b.0)));
    let mut photos: Vec<_> = d
        .attachments
        .iter()
        .filter(|(_, a)| a.removed.is_none())
        .collect();
    photos.sort_by(|a, b| (a.1.taken_at, a.0).cmp(&(b.1.taken_at, b.0)));

    let entries: Vec<ReportTimeEntry> = time
        .into_iter()
        .map(|(_, t)| ReportTimeEntry {
            kind: t.kind,
            start: to_rfc3339(t.start),
            end: to_rfc3339(t.end),
            minutes: t.end.saturating_sub(t.start) / 60_000,
            by: t.by.clone(),
        })
        .collect();
    let minutes = |kind| {
        entries
            .iter()
            .filter(|e| e.kind == kind)
            .map(|e| e.minutes)
            .sum()
    };
    Ok(ReportContent {
        customer: d.customer.clone(),
        site: d.site.clone(),
        asset: d.asset.clone(),
        problem: d.problem.clone(),
        diagnoses: diagnoses
            .into_iter()
            .map(|(_, x)| ReportDiagnosis {
                cause: x.cause,
                fault_code: x.fault_code.clone(),
                action: x.action.clone(),
                by: x.by.clone(),
                at: to_rfc3339(x.at),
            })
            .collect(),
        work_done: notes
            .into_iter()
            .map(|(_, n)| ReportNote {
                author: n.author.clone(),
                at: to_rfc3339(n.at),
                text: n.text.clone(),
            })
            .collect(),
        parts: parts
            .into_iter()
            .map(|(id, p)| ReportPart {
                line: id.clone(),
                sku: p.sku.clone(),
                description: p.description.clone(),
                qty: p.qty,
                serial_in: p.serial_in.clone(),
                serial_out: p.serial_out.clone(),
                stock: p.stock.clone(),
            })
            .collect(),
        time: ReportTime {
            travel_minutes: minutes(TimeKind::Travel),
            labour_minutes: minutes(TimeKind::Labour),
            entries,
        },
        charges: warranty::charges(d)?,
        checklist: crate::view::checklist(d)
            .into_iter()
            .map(|c| ReportCheck {
                item: c.item,
                label: c.label,
                unit: c.unit,
                result: c.result,
                note: c.note,
            })
            .collect(),
        photos: photos
            .into_iter()
            .map(|(id, a)| ReportPhoto {
                id: id.clone(),
                caption: a.caption.clone(),
                taken_at: to_rfc3339(a.taken_at),
                width: a.width,
                height: a.height,
            })
            .collect(),
        technician: derived.technician.clone(),
        completed_at: status::first_at(&d.events, Status::Completed).map(to_rfc3339),
    })
}

/// What the customer did with the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Signed {
        name: String,
        role: Option<String>,
        strokes: Strokes,
    },
    Refused {
        reason: String,
        name: Option<String>,
    },
}

/// What the device adds to the job content when it seals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealInputs {
    pub version: u32,
    pub language: Language,
    /// Sorted hex heads of the document the content was built from.
    pub heads: Vec<String>,
    pub device_id: String,
    pub signature: Option<Signature>,
    pub refusal: Option<Refusal>,
}

/// Builds a report from the job's data (a preview when `inputs` has neither outcome).
pub fn build(d: &JobData, inputs: SealInputs) -> Result<Report> {
    Ok(Report {
        format: REPORT_FORMAT,
        version: inputs.version,
        job: d.id.clone(),
        language: inputs.language,
        content: content(d)?,
        heads: inputs.heads,
        device_id: inputs.device_id,
        signature: inputs.signature,
        refusal: inputs.refusal,
    })
}

/// The largest integer the canonical form carries exactly: RFC 8785 writes every number as an
/// IEEE double, which holds integers up to 2^53 - 1 exactly.
pub const MAX_EXACT_INTEGER: u64 = (1 << 53) - 1;

/// The canonical bytes of a report (RFC 8785). A report holding an integer beyond
/// ±[`MAX_EXACT_INTEGER`] (an absurd price, say) is refused: its canonical bytes would say
/// another number, so the sealed content would differ from the job's.
pub fn canonical(report: &Report) -> Result<Vec<u8>> {
    let value = serde_json::to_value(report)
        .map_err(|e| Error::Schema(format!("cannot canonicalize: {e}")))?;
    if !exact_numbers(&value) {
        return Err(Error::Invalid(format!(
            "the report holds a number beyond ±{MAX_EXACT_INTEGER}, which its canonical JSON \
             cannot carry exactly"
        )));
    }
    serde_jcs::to_vec(report).map_err(|e| Error::Schema(format!("cannot canonicalize: {e}")))
}

fn exact_numbers(v: &serde_json::Value) -> bool {
    use serde_json::Value;
    match v {
        Value::Number(n) => n
            .as_i64()
            .map(i64::unsigned_abs)
            .or_else(|| n.as_u64())
            .is_some_and(|n| n <= MAX_EXACT_INTEGER),
        Value::Array(items) => items.iter().all(exact_numbers),
        Value::Object(map) => map.values().all(exact_numbers),
        Value::Null | Value::Bool(_) | Value::String(_) => true,
    }
}

/// Whether `id` is a lowercase hex SHA-256 digest: the form of attachment ids (and what keeps
/// them safe as file names).
pub fn is_sha256_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// SHA-256 of bytes, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The public key of a signing key seed, hex (64 digits).
pub fn public_key_hex(secret: &[u8; 32]) -> String {
    hex::encode(SigningKey::from_bytes(secret).verifying_key().to_bytes())
}

/// Seals a report with the device's Ed25519 key (32-byte seed): canonical bytes, their hash
/// and the signature over them. `by` is the technician, `at` the device time of sealing.
pub fn seal(report: &Report, secret: &[u8; 32], by: &str, at: i64) -> Result<SealedReport> {
    if report.signature.is_some() == report.refusal.is_some() {
        return Err(Error::Invalid(
            "a sealed report has either a signature or a refusal".into(),
        ));
    }
    let bytes = canonical(report)?;
    let key = SigningKey::from_bytes(secret);
    let signature = key.sign(&bytes);
    let canonical = String::from_utf8(bytes)
        .map_err(|e| Error::Schema(format!("canonical JSON is not UTF-8: {e}")))?;
    Ok(SealedReport {
        sha256: sha256_hex(canonical.as_bytes()),
        signature: hex::encode(signature.to_bytes()),
        canonical,
        device_id: report.device_id.clone(),
        by: by.to_string(),
        at,
    })
}

/// Why a sealed report does not verify. The message names the check, never the content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("report does not verify: {0}")]
pub struct Unverified(pub String);

/// Checks a sealed entry on its own: the hash matches, the bytes are the canonical form of a
/// report with exactly one outcome, and its device id is the entry's. Returns the report.
pub fn open_sealed(entry: &SealedReport) -> Result<Report, Unverified> {
    if sha256_hex(entry.canonical.as_bytes()) != entry.sha256 {
        return Err(Unverified("sha256 does not match the sealed bytes".into()));
    }
    let report: Report = serde_json::from_str(&entry.canonical)
        .map_err(|e| Unverified(format!("sealed bytes are not a report: {e}")))?;
    let again = canonical(&report).map_err(|e| Unverified(e.to_string()))?;
    if again != entry.canonical.as_bytes() {
        return Err(Unverified("sealed bytes are not in canonical form".into()));
    }
    if report.outcome() == "preview" {
        return Err(Unverified("neither signed nor refused".into()));
    }
    if report.device_id != entry.device_id {
        return Err(Unverified("device id differs from the entry's".into()));
    }
    if report.version == 0 || report.format != REPORT_FORMAT {
        return Err(Unverified("unknown format or version 0".into()));
    }
    if let Some(s) = &report.signature {
        s.strokes
            .validate()
            .map_err(|e| Unverified(format!("strokes: {e}")))?;
    }
    Ok(report)
}

/// Checks the Ed25519 signature of a sealed entry against a public key (hex).
pub fn verify_signature(entry: &SealedReport, public_key_hex: &str) -> Result<(), Unverified> {
    let key_bytes: [u8; 32] = hex::decode(public_key_hex)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| Unverified("the device has no valid public key".into()))?;
    let key = VerifyingKey::from_bytes(&key_bytes)
        .map_err(|_| Unverified("the device's public key is invalid".into()))?;
    let sig_bytes: [u8; 64] = hex::decode(&entry.signature)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| Unverified("signature must be 128 hex digits".into()))?;
    let signature = ed25519_dalek::Signature::from_bytes(&sig_bytes);
    key.verify(entry.canonical.as_bytes(), &signature)
        .map_err(|_| Unverified("signature does not verify with the device's key".into()))
}

/// A row of `GET /api/v1/jobs/{id}/reports`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportSummary {
    pub version: u32,
    /// `signed` or `refused`.
    pub status: String,
    pub sha256: String,
    pub signature: String,
    pub device_id: String,
    pub signed_at: String,
    pub signer: Option<Signer>,
    pub refusal: Option<RefusalView>,
    pub language: Language,
    /// False once anything the report sealed changed in the job.
    pub current: bool,
}

/// Who signed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Signer {
    pub name: String,
    pub role: Option<String>,
}

/// Why the customer refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefusalView {
    pub reason: String,
    pub name: Option<String>,
}

/// The job JSON's `report` object: the state of the latest version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportStatus {
    /// `none`, `signed`, `refused` or `changed_since_signed`.
    pub status: String,
    pub version: Option<u32>,
    pub sha256: Option<String>,
}

/// The job's sealed reports that open cleanly, oldest version first (then device time, hash).
/// Entries that do not open are left out: they are never shown as signed.
pub fn sealed(d: &JobData) -> Vec<(&SealedReport, Report)> {
    let mut out: Vec<_> = d
        .reports
        .values()
        .filter_map(|e| open_sealed(e).ok().map(|r| (e, r)))
        .collect();
    out.sort_by(|a, b| (a.1.version, a.0.at, &a.0.sha256).cmp(&(b.1.version, b.0.at, &b.0.sha256)));
    out
}

/// Every sealed version with whether it is still current.
pub fn summaries(d: &JobData) -> Result<Vec<ReportSummary>> {
    summaries_of(d, &sealed(d))
}

/// [`summaries`] of reports [`sealed`] already opened (the store's projection opens them once
/// for the report state and the webhook events both).
pub fn summaries_of(d: &JobData, sealed: &[(&SealedReport, Report)]) -> Result<Vec<ReportSummary>> {
    let now = content(d)?;
    Ok(sealed
        .iter()
        .map(|(e, r)| ReportSummary {
            version: r.version,
            status: r.outcome().to_string(),
            sha256: e.sha256.clone(),
            signature: e.signature.clone(),
            device_id: e.device_id.clone(),
            signed_at: to_rfc3339(e.at),
            signer: r.signature.as_ref().map(|s| Signer {
                name: s.name.clone(),
                role: s.role.clone(),
            }),
            refusal: r.refusal.as_ref().map(|x| RefusalView {
                reason: x.reason.clone(),
                name: x.name.clone(),
            }),
            language: r.language,
            current: same_content(&r.content, &now),
        })
        .collect())
}

/// Whether sealed content still says what the job says now. A part line's `stock` entered the
/// sealed content later than the line itself: a report sealed before then lacks it, and is not
/// changed by its appearing (a line's fields are written once, so it cannot have changed).
pub fn same_content(sealed: &ReportContent, now: &ReportContent) -> bool {
    if sealed == now {
        return true;
    }
    let mut now = now.clone();
    for part in &mut now.parts {
        let sealed_part = sealed.parts.iter().find(|p| p.line == part.line);
        if sealed_part.is_some_and(|p| p.stock.is_none()) {
            part.stock = None;
        }
    }
    sealed == &now
}

/// The job's report state: the latest version's outcome, or `changed_since_signed`.
pub fn status_of(d: &JobData) -> Result<ReportStatus> {
    if d.reports.is_empty() {
        return Ok(status_from(&[]));
    }
    Ok(status_from(&summaries(d)?))
}

/// The state of the latest of `all` (`none` when there is none).
pub fn status_from(all: &[ReportSummary]) -> ReportStatus {
    match all.last() {
        None => ReportStatus {
            status: "none".into(),
            version: None,
            sha256: None,
        },
        Some(last) => ReportStatus {
            status: if last.current {
                last.status.clone()
            } else {
                "changed_since_signed".into()
            },
            version: Some(last.version),
            sha256: Some(last.sha256.clone()),
        },
    }
}

/// The version number the next seal gets.
pub fn next_version(d: &JobData) -> u32 {
    sealed(d)
        .last()
        .map_or(1, |(_, r)| r.version.saturating_add(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strokes(points: &[[u32; 4]]) -> Strokes {
        Strokes {
            canvas: Canvas {
                width: 100,
                height: 50,
            },
            strokes: vec![points.to_vec()],
        }
    }

    #[test]
    fn strokes_rules_refuse_empty_dots_off_canvas_and_backwards_time() {
        assert!(
            strokes(&[[0, 0, 0, 500], [100, 50, 10, 500]])
                .validate()
                .is_ok()
        );
        let empty = Strokes {
            canvas: Canvas {
                width: 100,
                height: 50,
            },
            strokes: vec![],
        };
        assert!(empty.validate().unwrap_err().to_string().contains("empty"));
        let dot = strokes(&[[5, 5, 0, 1], [5, 5, 3, 1]]);
        assert!(
            dot.validate()
                .unwrap_err()
                .to_string()
                .contains("single dot")
        );
        let off = strokes(&[[5, 5, 0, 1], [101, 5, 3, 1]]);
        assert!(off.validate().unwrap_err().to_string().contains("off the"));
        let back = strokes(&[[5, 5, 9, 1], [6, 5, 3, 1]]);
        assert!(
            back.validate()
                .unwrap_err()
                .to_string()
                .contains("backwards")
        );
        let hard = strokes(&[[5, 5, 0, 1001], [6, 5, 3, 1]]);
        assert!(hard.validate().is_err());
        assert!(
            Strokes::parse(r#"{"canvas":{"width":10,"height":10},"strokes":[[[1.5,2,0,0]]]}"#)
                .is_err()
        );
    }

    #[test]
    fn too_many_strokes_or_points_are_refused() {
        let many = Strokes {
            canvas: Canvas {
                width: 100,
                height: 100,
            },
            strokes: vec![vec![[1, 1, 0, 0], [2, 2, 1, 0]]; MAX_STROKES + 1],
        };
        assert!(many.validate().unwrap_err().to_string().contains("strokes"));
        let long = Strokes {
            canvas: Canvas {
                width: 100,
                height: 100,
            },
            strokes: vec![
                (0..=MAX_POINTS as u32)
                    .map(|i| [i % 100, 1, i, 0])
                    .collect(),
            ],
        };
        assert!(long.validate().unwrap_err().to_string().contains("points"));
    }
}
