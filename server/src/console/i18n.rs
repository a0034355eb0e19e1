//! The console's words in English and Simplified Chinese. A page gets one [`Words`] for the
//! language chosen (the `lang` cookie, else the browser's Accept-Language).

/// Every text the console's pages show, for one language.
pub struct Words {
    pub lang: &'static str,
    pub title: &'static str,
    pub board: &'static str,
    pub devices: &'static str,
    pub logout: &'static str,
    pub other_language: &'static str,
    pub other_lang: &'static str,
    pub login_title: &'static str,
    pub name: &'static str,
    pub password: &'static str,
    pub log_in: &'static str,
    pub wrong_login: &'static str,
    pub locked: &'static str,
    pub day: &'static str,
    pub show: &'static str,
    pub status: &'static str,
    pub region: &'static str,
    pub technician: &'static str,
    pub all: &'static str,
    pub unassigned: &'static str,
    pub no_jobs: &'static str,
    pub last_sync: &'static str,
    pub never: &'static str,
    pub job: &'static str,
    pub customer: &'static str,
    pub priority: &'static str,
    pub deadline: &'static str,
    pub live: &'static str,
    pub device: &'static str,
    pub enrolled: &'static str,
    pub state: &'static str,
    pub active: &'static str,
    pub revoked: &'static str,
    pub revoke: &'static str,
    pub revoke_confirm: &'static str,
    pub issue_code: &'static str,
    pub code_for: &'static str,
    pub code_note: &'static str,
    pub milestone_response: &'static str,
    pub milestone_arrival: &'static str,
    pub milestone_resolution: &'static str,
}

impl Words {
    /// A job state's label.
    pub fn status(&self, status: &str) -> &'static str {
        let zh = self.lang == "zh-CN";
        match status {
            "new" => pick(zh, "新建", "New"),
            "assigned" => pick(zh, "已派工", "Assigned"),
            "accepted" => pick(zh, "已接单", "Accepted"),
            "en_route" => pick(zh, "在途", "On the way"),
            "on_site" => pick(zh, "已到场", "On site"),
            "in_progress" => pick(zh, "维修中", "In progress"),
            "on_hold" => pick(zh, "暂停", "On hold"),
            "completed" => pick(zh, "已完工", "Completed"),
            "cancelled" => pick(zh, "已取消", "Cancelled"),
            _ => pick(zh, "未知", "Unknown"),
        }
    }

    /// A priority's label.
    pub fn priority(&self, priority: &str) -> &'static str {
        let zh = self.lang == "zh-CN";
        match priority {
            "low" => pick(zh, "低", "Low"),
            "normal" => pick(zh, "普通", "Normal"),
            "high" => pick(zh, "高", "High"),
            "urgent" => pick(zh, "紧急", "Urgent"),
            _ => pick(zh, "未知", "Unknown"),
        }
    }

    /// An SLA milestone's label.
    pub fn milestone(&self, milestone: &str) -> &'static str {
        match milestone {
            "response" => self.milestone_response,
            "arrival" => self.milestone_arrival,
            _ => self.milestone_resolution,
        }
    }
}

fn pick(zh: bool, zh_text: &'static str, en_text: &'static str) -> &'static str {
    if zh { zh_text } else { en_text }
}

pub static EN: Words = Words {
    lang: "en",
    title: "Fieldwork dispatch",
    board: "Board",
    devices: "Devices",
    logout: "Log out",
    other_language: "中文",
    other_lang: "zh-CN",
    login_title: "Dispatcher login",
    name: "Name",
    password: "Password",
    log_in: "Log in",
    wrong_login: "Wrong name or password.",
    locked: "Too many wrong passwords. Try again in a few minutes.",
    day: "Day",
    show: "Show",
    status: "Status",
    region: "Region",
    technician: "Technician",
    all: "All",
    unassigned: "Unassigned",
    no_jobs: "No jobs.",
    last_sync: "phone last synced",
    never: "never",
    job: "Job",
    customer: "Customer",
    priority: "Priority",
    deadline: "Next deadline",
    live: "live",
    device: "Device",
    enrolled: "Enrolled",
    state: "State",
    active: "active",
    revoked: "revoked",
    revoke: "Revoke",
    revoke_confirm: "Revoke this device? Its next sync will be refused.",
    issue_code: "Issue enrollment code",
    code_for: "Enrollment code for",
    code_note: "Valid for 7 days, once. The technician types it in the app.",
    milestone_response: "response",
    milestone_arrival: "arrival",
    milestone_resolution: "resolution",
};

pub static ZH: Words = Words {
    lang: "zh-CN",
    title: "Fieldwork 调度台",
    board: "看板",
    devices: "设备",
    logout: "退出",
    other_language: "English",
    other_lang: "en",
    login_title: "调度员登录",
    name: "用户名",
    password: "密码",
    log_in: "登录",
    wrong_login: "用户名或密码错误。",
    locked: "密码错误次数过多，请几分钟后再试。",
    day: "日期",
    show: "显示",
    status: "状态",
    region: "区域",
    technician: "工程师",
    all: "全部",
    unassigned: "未派工",
    no_jobs: "没有工单。",
    last_sync: "手机上次同步",
    never: "从未",
    job: "工单",
    customer: "客户",
    priority: "优先级",
    deadline: "最近时限",
    live: "实时",
    device: "设备",
    enrolled: "注册时间",
    state: "状态",
    active: "正常",
    revoked: "已吊销",
    revoke: "吊销",
    revoke_confirm: "确定吊销此设备？它的下次同步将被拒绝。",
    issue_code: "生成注册码",
    code_for: "注册码，工程师",
    code_note: "7 天内有效，仅可使用一次。工程师在应用中输入。",
    milestone_response: "响应",
    milestone_arrival: "到场",
    milestone_resolution: "修复",
};

/// The words for a `lang` cookie value or an Accept-Language header.
pub fn words(cookie: Option<&str>, accept_language: Option<&str>) -> &'static Words {
    match cookie {
        Some("zh-CN") => &ZH,
        Some("en") => &EN,
        _ if accept_language
            .is_some_and(|a| a.trim_start().to_ascii_lowercase().starts_with("zh")) =>
        {
            &ZH
        }
        _ => &EN,
    }
}
