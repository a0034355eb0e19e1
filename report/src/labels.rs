//! The words a report is printed with, per language (zh-CN or en), and how values are spelled:
//! money as `CNY 1,234.50` (the ISO code, never a symbol, the same in both languages), times as
//! `2026-11-24 10:15 (Asia/Shanghai)` in the site's time zone, durations as `1 h 30 min`.

use chrono::DateTime;
use chrono_tz::Tz;
use fieldwork_model::report::Language;
use fieldwork_model::{Cause, RegionClass, TimeKind};

/// Every fixed text of a report in one language.
#[derive(Debug)]
pub struct Labels {
    pub title: &'static str,
    pub job: &'static str,
    pub version: &'static str,
    pub signed: &'static str,
    pub refused: &'static str,
    pub preview: &'static str,
    pub customer: &'static str,
    pub site: &'static str,
    pub asset: &'static str,
    pub serial: &'static str,
    pub installed: &'static str,
    pub accepted: &'static str,
    pub technician: &'static str,
    pub completed: &'static str,
    pub not_completed: &'static str,
    pub problem: &'static str,
    pub diagnosis: &'static str,
    pub cause: &'static str,
    pub fault_code: &'static str,
    pub action: &'static str,
    pub by: &'static str,
    pub time: &'static str,
    pub work_done: &'static str,
    pub note: &'static str,
    pub parts: &'static str,
    pub sku: &'static str,
    pub description: &'static str,
    pub qty: &'static str,
    pub serial_in: &'static str,
    pub serial_out: &'static str,
    pub time_section: &'static str,
    pub kind: &'static str,
    pub start: &'static str,
    pub end: &'static str,
    pub minutes: &'static str,
    pub travel: &'static str,
    pub labour: &'static str,
    pub total: &'static str,
    pub charges: &'static str,
    pub item: &'static str,
    pub rule: &'static str,
    pub unit_price: &'static str,
    pub amount: &'static str,
    pub per_hour: &'static str,
    pub price_missing: &'static str,
    pub provisional: &'static str,
    pub rule_free: &'static str,
    pub rule_cost: &'static str,
    pub rule_list: &'static str,
    pub rule_charged: &'static str,
    pub checklist: &'static str,
    pub result: &'static str,
    pub pass: &'static str,
    pub fail: &'static str,
    pub photos: &'static str,
    pub taken: &'static str,
    pub signature: &'static str,
    pub signer: &'static str,
    pub role: &'static str,
    pub signed_at: &'static str,
    pub confirmation: &'static str,
    pub refusal: &'static str,
    pub refused_by: &'static str,
    pub refused_at: &'static str,
    pub reason: &'static str,
    pub not_signed: &'static str,
    pub device: &'static str,
    pub page: &'static str,
    pub none: &'static str,
    /// Where a part came from, under its description, and a removed part on its way
    /// back to the warehouse.
    pub from_van: &'static str,
    pub from_warehouse: &'static str,
    pub going_back: &'static str,
    pub hours: &'static str,
    pub mins: &'static str,
    pub region_city: &'static str,
    pub region_province: &'static str,
    pub region_remote: &'static str,
}

/// English.
pub static EN: Labels = Labels {
    title: "Completion report",
    job: "Job",
    version: "Version",
    signed: "Signed",
    refused: "Refused",
    preview: "Preview, not signed",
    customer: "Customer",
    site: "Site",
    asset: "Asset",
    serial: "S/N",
    installed: "Installed",
    accepted: "Accepted",
    technician: "Technician",
    completed: "Completed",
    not_completed: "Not completed",
    problem: "Reported problem",
    diagnosis: "Diagnosis",
    cause: "Cause",
    fault_code: "Fault code",
    action: "Action",
    by: "By",
    time: "Time",
    work_done: "Work done",
    note: "Note",
    parts: "Parts",
    sku: "SKU",
    description: "Description",
    qty: "Qty",
    serial_in: "Serial fitted",
    serial_out: "Serial removed",
    time_section: "Travel and labour",
    kind: "Kind",
    start: "Start",
    end: "End",
    minutes: "Minutes",
    travel: "Travel",
    labour: "Labour",
    total: "Total",
    charges: "Charges",
    item: "Item",
    rule: "Rule",
    unit_price: "Unit price",
    amount: "Amount",
    per_hour: "/ h",
    price_missing: "price missing",
    provisional: "Provisional: no cause recorded yet; priced as a quality defect.",
    rule_free: "Free",
    rule_cost: "At cost",
    rule_list: "List price",
    rule_charged: "Charged",
    checklist: "Checklist",
    result: "Result",
    pass: "Pass",
    fail: "Fail",
    photos: "Photos",
    taken: "Taken",
    signature: "Customer signature",
    signer: "Name",
    role: "Role",
    signed_at: "Signed",
    confirmation: "The customer confirms that the work above was carried out.",
    refusal: "Customer refused to sign",
    refused_by: "Name",
    refused_at: "Refused",
    reason: "Reason",
    not_signed: "Not signed: this is a preview.",
    device: "device",
    page: "page",
    none: "—",
    from_van: "From the van",
    from_warehouse: "From the warehouse",
    going_back: "going back to the warehouse",
    hours: "h",
    mins: "min",
    region_city: "city",
    region_province: "province",
    region_remote: "remote",
};

/// Simplified Chinese.
pub static ZH_CN: Labels = Labels {
    title: "完工报告",
    job: "工单",
    version: "版本",
    signed: "已签字",
    refused: "拒绝签字",
    preview: "预览，未签字",
    customer: "客户",
    site: "地点",
    asset: "设备",
    serial: "序列号",
    installed: "安装日期",
    accepted: "验收日期",
    technician: "工程师",
    completed: "完工时间",
    not_completed: "未完工",
    problem: "故障描述",
    diagnosis: "诊断",
    cause: "原因",
    fault_code: "故障代码",
    action: "处理措施",
    by: "记录人",
    time: "时间",
    work_done: "工作内容",
    note: "记录",
    parts: "备件",
    sku: "物料号",
    description: "名称",
    qty: "数量",
    serial_in: "装上序列号",
    serial_out: "拆下序列号",
    time_section: "路途与工时",
    kind: "类别",
    start: "开始",
    end: "结束",
    minutes: "分钟",
    travel: "路途",
    labour: "工时",
    total: "合计",
    charges: "费用",
    item: "项目",
    rule: "计价",
    unit_price: "单价",
    amount: "金额",
    per_hour: "/ 小时",
    price_missing: "缺少价格",
    provisional: "暂定：尚未记录故障原因，按质量问题计价。",
    rule_free: "免费",
    rule_cost: "成本价",
    rule_list: "标准价",
    rule_charged: "收费",
    checklist: "检查项目",
    result: "结果",
    pass: "合格",
    fail: "不合格",
    photos: "照片",
    taken: "拍摄",
    signature: "客户签字",
    signer: "签字人",
    role: "职务",
    signed_at: "签字时间",
    confirmation: "客户确认以上工作已经完成。",
    refusal: "客户拒绝签字",
    refused_by: "姓名",
    refused_at: "拒签时间",
    reason: "原因",
    not_signed: "未签字：此为预览。",
    device: "设备",
    page: "页",
    none: "—",
    from_van: "取自工程车",
    from_warehouse: "取自仓库",
    going_back: "返还仓库",
    hours: "小时",
    mins: "分钟",
    region_city: "市区",
    region_province: "省内",
    region_remote: "偏远",
};

/// The labels of a language.
pub fn labels(language: Language) -> &'static Labels {
    match language {
        Language::ZhCn => &ZH_CN,
        Language::En => &EN,
    }
}

/// A fault cause in words.
pub fn cause(language: Language, c: Cause) -> &'static str {
    let zh = language == Language::ZhCn;
    match c {
        Cause::QualityDefect => pick(zh, "质量问题", "Quality defect"),
        Cause::HumanDamage => pick(zh, "人为损坏", "Human damage"),
        Cause::Misuse => pick(zh, "使用不当", "Misuse"),
        Cause::ImproperStorage => pick(zh, "存放不当", "Improper storage"),
        Cause::ImproperTransport => pick(zh, "运输不当", "Improper transport"),
        Cause::ForceMajeure => pick(zh, "不可抗力", "Force majeure"),
        Cause::PowerSupply => pick(zh, "供电问题", "Power supply"),
        Cause::UnauthorisedModification => pick(zh, "擅自改装", "Unauthorised modification"),
        Cause::NoWarrantyCard => pick(zh, "无保修卡", "No warranty card"),
        Cause::SerialMismatch => pick(zh, "序列号不符", "Serial mismatch"),
    }
}

/// A time entry's kind in words.
pub fn time_kind(l: &Labels, k: TimeKind) -> &'static str {
    match k {
        TimeKind::Travel => l.travel,
        TimeKind::Labour => l.labour,
    }
}

/// A site's region class in words.
pub fn region(l: &Labels, r: RegionClass) -> &'static str {
    match r {
        RegionClass::City => l.region_city,
        RegionClass::Province => l.region_province,
        RegionClass::Remote => l.region_remote,
    }
}

/// A charge rule (`free`, `cost`, `list`, `charged`) in words; an unknown one as it is.
pub fn charge_rule<'a>(l: &Labels, rule: &'a str) -> &'a str {
    match rule {
        "free" => l.rule_free,
        "cost" => l.rule_cost,
        "list" => l.rule_list,
        "charged" => l.rule_charged,
        other => other,
    }
}

/// A checklist result (`pass`, `fail` or a measured value with its unit).
pub fn check_result(l: &Labels, result: Option<&str>, unit: Option<&str>) -> String {
    match result {
        None => l.none.to_string(),
        Some("pass") => l.pass.to_string(),
        Some("fail") => l.fail.to_string(),
        Some(v) => match unit {
            Some(u) if !u.is_empty() => format!("{v} {u}"),
            _ => v.to_string(),
        },
    }
}

fn pick(zh: bool, zh_text: &'static str, en_text: &'static str) -> &'static str {
    if zh { zh_text } else { en_text }
}

/// Digits after the decimal point of an ISO 4217 currency.
fn minor_digits(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// Formats minor units with the ISO code: `CNY 1,234.50`, `JPY 1,235`, `CNY -3.00`.
pub fn money(currency: &str, minor: i64) -> String {
    let digits = minor_digits(currency);
    let scale = 10_u128.pow(digits);
    let abs = i128::from(minor).unsigned_abs();
    let whole = abs / scale;
    let frac = abs % scale;
    let mut grouped = String::new();
    let whole = whole.to_string();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if minor < 0 { "-" } else { "" };
    if digits == 0 {
        format!("{currency} {sign}{grouped}")
    } else {
        format!(
            "{currency} {sign}{grouped}.{frac:0width$}",
            width = digits as usize
        )
    }
}

/// Minutes as `1 h 30 min` / `1 小时 30 分钟`.
pub fn duration(l: &Labels, minutes: i64) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m) {
        (0, m) => format!("{m} {}", l.mins),
        (h, 0) => format!("{h} {}", l.hours),
        (h, m) => format!("{h} {} {m} {}", l.hours, l.mins),
    }
}

/// The site's time zone; UTC when the name is not a known IANA zone.
pub fn zone(name: &str) -> Tz {
    name.parse::<Tz>().unwrap_or(Tz::UTC)
}

/// An RFC 3339 time as `2026-11-24 10:15` in the zone; a string that is not one, as it is.
pub fn local_time(tz: Tz, rfc3339: &str) -> String {
    match DateTime::parse_from_rfc3339(rfc3339) {
        Ok(t) => t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
        Err(_) => rfc3339.to_string(),
    }
}

/// An RFC 3339 time as `2026-11-24 10:15 (Asia/Shanghai)`.
pub fn local_time_zoned(tz: Tz, rfc3339: &str) -> String {
    format!("{} ({})", local_time(tz, rfc3339), tz.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_uses_the_iso_code_groups_thousands_and_knows_zero_decimal_currencies() {
        assert_eq!(money("CNY", 123_450), "CNY 1,234.50");
        assert_eq!(money("CNY", 5), "CNY 0.05");
        assert_eq!(money("CNY", 0), "CNY 0.00");
        assert_eq!(money("EUR", -300), "EUR -3.00");
        assert_eq!(money("JPY", 1_234_567), "JPY 1,234,567");
        assert_eq!(money("KWD", 1_500), "KWD 1.500");
        assert_eq!(money("CNY", 100_000_000), "CNY 1,000,000.00");
        assert!(money("CNY", i64::MIN).starts_with("CNY -92,233,720,368,547,758.08"));
    }

    #[test]
    fn times_are_shown_in_the_site_zone() {
        let tz = zone("Asia/Shanghai");
        assert_eq!(
            local_time_zoned(tz, "2026-11-24T02:15:00Z"),
            "2026-11-24 10:15 (Asia/Shanghai)"
        );
        assert_eq!(
            local_time(zone("Nowhere/Else"), "2026-11-24T02:15:00Z"),
            "2026-11-24 02:15"
        );
        assert_eq!(local_time(tz, "garbage"), "garbage");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(&EN, 90), "1 h 30 min");
        assert_eq!(duration(&EN, 45), "45 min");
        assert_eq!(duration(&ZH_CN, 120), "2 小时");
    }
}
