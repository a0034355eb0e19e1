// The console's one script: live refresh, confirmations, and the forms that call the JSON API.
// No framework, no build step. Pages read without it (plain links); a page that listens for
// changes (main[data-live="1"]) re-fetches itself and swaps its content in when the server says a
// job changed or a phone synced, keeping the filters and forms the user is typing in.
"use strict";

const main = document.getElementById("main");
const csrf = document.querySelector('meta[name="csrf"]')?.content || "";

// How to find an element again after the page's content is swapped: by id, else by its link
// or its row's job and its position in that row; null for what cannot be found again.
function locate(el) {
  if (!el || el === document.body || !main.contains(el) || el.closest("form")) return null;
  if (el.id) return () => document.getElementById(el.id);
  const href = el.getAttribute("href");
  if (href) return () => main.querySelector(`a[href="${CSS.escape(href)}"]`);
  return null;
}

let refreshing = false;
let again = false;
// A page that can redraw just the changed jobs sets this (the day plan): it answers whether it
// did; if not, the page is re-fetched whole.
let redrawJobs = null;
async function refresh(changed) {
  if (refreshing) { again = true; return; }
  refreshing = true;
  try {
    if (changed && changed.length && redrawJobs && await redrawJobs(changed)) {
      announceChange(changed);
      return;
    }
    const res = await fetch(location.href, { credentials: "same-origin" });
    if (res.redirected || !res.ok) { location.reload(); return; }
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    const fresh = doc.getElementById("main");
    if (!fresh) return;
    // Forms keep what is being typed: only the rest of the page is replaced. The focused
    // element (a link in a table, say) keeps the focus in its new copy, and the page its
    // scroll position.
    const focused = locate(document.activeElement);
    const scroll = [window.scrollX, window.scrollY];
    const keep = new Map([...main.querySelectorAll("form")].map((f, i) => [i, f]));
    main.replaceChildren(...fresh.childNodes);
    [...main.querySelectorAll("form")].forEach((f, i) => { if (keep.has(i)) f.replaceWith(keep.get(i)); });
    const refocus = focused && focused();
    if (refocus && refocus !== document.activeElement) refocus.focus({ preventScroll: true });
    window.scrollTo(...scroll);
    announceChange(changed);
  } finally {
    refreshing = false;
    if (again) { again = false; refresh(); }
  }
}

// After a refresh: the changed jobs' rows marked, screen readers told which jobs changed, and
// the page's own scripts told (fieldwork:refreshed).
function announceChange(changed) {
  for (const id of changed || []) {
    const row = main.querySelector(`tr[data-job="${CSS.escape(id)}"]`);
    if (row) row.classList.add("changed");
  }
  const announce = document.getElementById("announce");
  if (announce && changed && changed.length) {
    announce.textContent = `${announce.dataset.updated}: ${changed.join(", ")}`;
  }
  document.dispatchEvent(new CustomEvent("fieldwork:refreshed"));
}

if (main && main.dataset.live === "1" && "EventSource" in window) {
  const badge = document.getElementById("live");
  let events = null;
  const listen = () => {
    events = new EventSource("/events");
    events.addEventListener("open", () => { if (badge) badge.hidden = false; });
    events.addEventListener("error", () => { if (badge) badge.hidden = true; });
    events.addEventListener("change", (e) => refresh(JSON.parse(e.data).jobs));
    events.addEventListener("lagged", () => refresh());
  };
  listen();
  // A page left for another keeps no stream open: the browser may keep it (back/forward
  // cache) with its connection, and six such pages used up the browser's connections to the
  // office, so the next page waited a minute. Back on the page: listen again, catch up.
  window.addEventListener("pagehide", () => { if (events) events.close(); events = null; });
  window.addEventListener("pageshow", (e) => { if (e.persisted && !events) { listen(); refresh(); } });
  // SLA clocks move with time, not only with changes: at risk and breached show up on their own.
  setInterval(() => refresh(), 60_000);
}

document.addEventListener("submit", (e) => {
  const message = e.target.dataset && e.target.dataset.confirm;
  if (message && !window.confirm(message)) e.preventDefault();
});

// <form data-api="METHOD /api/v1/..."> : the named fields as JSON (dotted names nest, empty
// fields are left out, data-type="time" is a local date-time sent as RFC 3339), the session's
// CSRF token in X-CSRF-Token. An error goes next to the field it names, else on the form.
// The API's refusals in the page's language: a model rule by its reason and parameters
// (`error.reason`), else by the error's code; English pages show the API's own words. The
// English message stays in the slot's title, for support.
const REFUSALS_ZH = {
  empty: "不能为空",
  too_long: "过长（最多 {max} 字节）",
  label: "须为 1 至 {max} 个字符",
  out_of_range: "须在 {min} 至 {max} 之间",
  time_out_of_range: "时间须在 {first} 至 {last} 年之间",
  ends_before_start: "结束时间早于开始时间",
  span_too_long: "一条工时最长 {max_hours} 小时",
  unknown_stock: "库存须为车辆或仓库",
  loaner_model_missing: "请填写备用机型号",
  loaner_already_out: "备用机 {serial} 已在本工单借出",
  loaner_not_out: "备用机 {serial} 未在本工单借出",
  not_a_check_result: "请输入合格、不合格或测量数值",
  no_such_check_item: "本工单没有检查项 {item}",
  not_a_technician_status: "该状态只能由调度设置",
  job_cancelled: "工单已取消",
  unknown_time_zone: "未知的时区 {zone}（请填写 IANA 名称，如 Asia/Shanghai）",
  not_an_email: "不是有效的邮箱地址",
};
const CODES_ZH = {
  invalid: "输入无效",
  bad_json: "提交的内容格式有误",
  bad_query: "查询条件有误",
  not_found: "未找到",
  conflict: "与当前状态冲突（可能已被他人修改），请刷新后重试",
  refused: "办公室拒绝了该修改",
  unknown_technician: "没有该技术员",
  unknown_contract: "没有该合同",
  unknown_asset: "设备登记中没有该设备",
  forbidden: "没有权限（请刷新页面后重试）",
  rate_limited: "请求过于频繁，请稍后再试",
  too_large: "提交的内容过大",
  timeout: "请求超时，请重试",
  internal: "服务器出错，请稍后再试",
  disk_full: "服务器磁盘已满，未保存任何内容",
  database_unavailable: "数据库暂时不可用，请稍后再试",
};

function refusalText(error) {
  if (document.documentElement.lang !== "zh-CN") return error.message;
  const reason = error.reason;
  const template = reason && REFUSALS_ZH[reason.code];
  if (template) return template.replace(/\{(\w+)\}/g, (_, k) => String(reason[k] ?? ""));
  return CODES_ZH[error.code] || "操作未完成";
}

// A datetime-local value ("2026-12-07T14:00") read on the office's clock (body[data-zone]),
// whatever the browser's zone, as RFC 3339 UTC: the zone's offset at that wall time, checked
// once more at the instant found (the two differ only across a clock change).
function officeTime(local) {
  const zone = document.body.dataset.zone || "UTC";
  const [date, time] = local.split("T");
  const [y, mo, d] = date.split("-").map(Number);
  const [h, mi] = time.split(":").map(Number);
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const offset = (at) => {
    const parts = {};
    for (const p of new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    }).formatToParts(new Date(at))) parts[p.type] = Number(p.value);
    return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) - at;
  };
  let at = wall - offset(wall);
  at = wall - offset(at);
  return new Date(at).toISOString();
}

document.addEventListener("submit", async (e) => {
  const form = e.target;
  if (e.defaultPrevented || !form.dataset || !form.dataset.api) return;
  e.preventDefault();
  const [method, path] = form.dataset.api.split(" ");
  // A field marked data-path fills its {name} in the URL instead of going in the body.
  const url = path.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(form.elements[name]?.value || ""));
  const body = {};
  for (const el of form.elements) {
    // An empty field is left out, or sent as null where it means "none" (unassigned).
    if (!el.name || "path" in el.dataset || (el.value === "" && el.dataset.empty !== "null")) continue;
    const value = el.value === "" ? null
      : el.dataset.type === "list" ? el.value.split(",").map((x) => x.trim()).filter(Boolean)
      : el.dataset.type === "time" ? officeTime(el.value)
      : el.dataset.type === "number" ? Number(el.value)
      : el.dataset.type === "boolean" ? el.value === "true" : el.value;
    // Dotted names nest; a numeric step makes a list (`lines.0.sku`).
    const path = el.name.split(".");
    let at = body;
    path.slice(0, -1).forEach((key, i) => { at = at[key] = at[key] || (/^\d+$/.test(path[i + 1]) ? [] : {}); });
    at[path[path.length - 1]] = value;
  }
  if (form.dataset.now) body[form.dataset.now] = new Date().toISOString();
  for (const el of form.querySelectorAll(".form-error, .field-error")) el.textContent = "";
  const button = form.querySelector("button");
  if (button) button.disabled = true;
  try {
    const res = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
    });
    const answer = await res.json().catch(() => ({}));
    if (!res.ok) {
      const error = answer.error || { message: `${res.status}` };
      const field = error.field || (error.code === "unknown_technician" ? "technician" : null) ||
        [...form.querySelectorAll(".field-error")].map((x) => x.dataset.for)
          .filter((f) => error.message.startsWith(f + " ") || error.message.startsWith(f + ":"))
          .sort((a, b) => b.length - a.length)[0];
      const slot = (field && form.querySelector(`.field-error[data-for="${CSS.escape(field)}"]`)) || form.querySelector(".form-error");
      if (slot) {
        slot.textContent = refusalText(error);
        slot.title = error.message;
      }
      return;
    }
    if (form.dataset.then) { location.href = form.dataset.then.replace("{id}", encodeURIComponent(answer.id)); return; }
    form.reset();
    await refresh();
  } finally {
    if (button) button.disabled = false;
  }
});

// The day plan (/timeline): drag a job's block to another technician's row and/or time, or to
// the unassigned tray's row (unassign). The block's left edge lands on the time under it,
// rounded to 15 min (the axis maps time to its width linearly, data-axis-start/end); the job
// keeps its length (a job with no time yet, dragged from beside a row's name, gets
// data-length). The API's rules apply: a refused move says why and the page shows the job
// where it was. Pointer events, so a mouse, a pen and a finger all drag; every move also has a
// form below the board (the keyboard's way).
(() => {
  const axis = document.querySelector(".tl-axis[data-axis-start]");
  if (!axis) return;
  const QUARTER = 15 * 60_000;
  const DRAGGABLE = ".tl-block[data-job], .tl-unscheduled[data-job]";
  const start = Date.parse(axis.dataset.axisStart);
  const end = Date.parse(axis.dataset.axisEnd);
  let drag = null;
  let dropped = false; // the click that ends a drag does not open the job
  document.addEventListener("click", (e) => {
    if (dropped && e.target.closest(DRAGGABLE)) e.preventDefault();
    dropped = false;
  }, true);
  const say = (text) => {
    const slot = document.getElementById("announce");
    if (slot) slot.textContent = text;
  };
  // PATCHes a job; a refusal is said in the live region. Whether it was accepted.
  const patchJob = async (job, body) => {
    const res = await fetch(`/api/v1/jobs/${encodeURIComponent(job)}`, {
      method: "PATCH", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body),
    });
    if (!res.ok) say(job + ": " + refusalText((await res.json().catch(() => ({}))).error || { message: `${res.status}` }));
    return res.ok;
  };
  document.addEventListener("pointerdown", (e) => {
    const block = e.target.closest(DRAGGABLE);
    if (!block || e.button !== 0) return;
    const rect = block.getBoundingClientRect();
    drag = { block, grab: e.clientX - rect.left, x: e.clientX, y: e.clientY, moved: false };
    block.setPointerCapture(e.pointerId);
  });
  document.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 6) return; // a click, not a drag
    drag.moved = true;
    drag.block.style.transform = `translate(${dx}px, ${dy}px)`;
    drag.block.classList.add("dragging");
  });
  document.addEventListener("pointerup", async (e) => {
    if (!drag) return;
    const { block, grab, moved } = drag;
    drag = null;
    block.style.transform = "";
    block.classList.remove("dragging");
    if (!moved) return;
    dropped = true;
    // The row under the pointer, found with the block out of the way.
    block.style.visibility = "hidden";
    const lane = document.elementFromPoint(e.clientX, e.clientY)?.closest(".tl-row")?.querySelector(".tl-lane");
    block.style.visibility = "";
    if (!lane) return;
    // The tray's row is "" (null to the API: unassign).
    const technician = lane.closest(".tl-row").dataset.technician || null;
    const from = block.closest(".tl-row").dataset.technician || null;
    const box = lane.getBoundingClientRect();
    const at = start + ((e.clientX - grab - box.left) / box.width) * (end - start);
    const newStart = Math.round(at / QUARTER) * QUARTER;
    const scheduled = block.dataset.start !== undefined;
    const length = scheduled ? Number(block.dataset.end) - Number(block.dataset.start) : Number(block.dataset.length);
    const iso = (ms) => new Date(ms).toISOString();
    const body = { technician, scheduled_start: iso(newStart), scheduled_end: iso(newStart + length) };
    // Undo: back to the row it came from and the times it had (none, for a job with no time).
    if (await patchJob(block.dataset.job, body)) last = { job: block.dataset.job, body: { technician: from,
      scheduled_start: scheduled ? iso(Number(block.dataset.start)) : null,
      scheduled_end: scheduled ? iso(Number(block.dataset.end)) : null } };
    await refresh([block.dataset.job]);
    showUndo();
  });

  // A live change to jobs already on the plan redraws only them (/timeline/jobs draws each as
  // the page does): their block, deadline and no-time chip leave their old row and join their
  // new one. A job new to the page, or a row the page lacks, re-fetches the whole page.
  const board = document.querySelector(".timeline-board");
  const MOST = 50; // as CHANGED_JOBS in timeline.rs
  redrawJobs = async (ids) => {
    if (ids.length > MOST || ids.some((id) => !board.querySelector(`[data-job="${CSS.escape(id)}"]`))) return false;
    const query = new URLSearchParams(location.search);
    query.set("jobs", ids.join(","));
    const res = await fetch(`/timeline/jobs?${query}`, { credentials: "same-origin" });
    if (!res.ok) return false;
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    const parts = [...doc.querySelectorAll("template[data-job]")];
    if (parts.some((t) => !board.querySelector(`.tl-row[data-technician="${CSS.escape(t.dataset.technician)}"]`))) return false;
    const focused = document.activeElement?.closest?.("[data-job]")?.dataset.job;
    for (const t of parts) {
      const id = CSS.escape(t.dataset.job);
      for (const old of board.querySelectorAll(`[data-job="${id}"], [data-deadline="${id}"]`)) old.remove();
      const row = board.querySelector(`.tl-row[data-technician="${CSS.escape(t.dataset.technician)}"]`);
      for (const el of [...t.content.children]) {
        (el.classList.contains("tl-unscheduled") ? row.querySelector(".tl-name") : row.querySelector(".tl-lane")).append(el);
      }
    }
    if (focused) board.querySelector(`[data-job="${CSS.escape(focused)}"]`)?.focus({ preventScroll: true });
    return true;
  };

  // The keyboard's way to move a job: M on a focused block (or chip) picks it in the move form
  // below; picking a job there fills in its technician and times as the plan shows them.
  const form = document.getElementById("move-form");
  const local = (ms) => new Intl.DateTimeFormat("sv-SE", { timeZone: document.body.dataset.zone,
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" })
    .format(new Date(ms)).replace(" ", "T");
  const pick = (id) => {
    const el = board.querySelector(`[data-job="${CSS.escape(id)}"]`);
    if (!form || !el) return;
    if (![...form.elements.job.options].some((o) => o.value === id)) form.elements.job.add(new Option(id, id));
    form.elements.job.value = id;
    form.elements.technician.value = el.closest(".tl-row").dataset.technician;
    form.elements.scheduled_start.value = el.dataset.start ? local(Number(el.dataset.start)) : "";
    form.elements.scheduled_end.value = el.dataset.end ? local(Number(el.dataset.end)) : "";
  };
  form?.elements.job.addEventListener("change", () => pick(form.elements.job.value));
  document.addEventListener("keydown", (e) => {
    const el = e.target.closest?.(DRAGGABLE);
    if (!el || e.key.toLowerCase() !== "m" || e.ctrlKey || e.metaKey || e.altKey) return;
    e.preventDefault();
    pick(el.dataset.job);
    form.elements.technician.focus();
  });

  // Undo puts the last dragged job back where it was.
  let last = null;
  const showUndo = () => {
    const button = document.getElementById("undo-move");
    if (button) button.hidden = !last;
  };
  document.addEventListener("fieldwork:refreshed", showUndo);
  document.addEventListener("click", async (e) => {
    if (!e.target.closest("#undo-move") || !last) return;
    const { job, body } = last;
    last = null;
    await patchJob(job, body);
    await refresh([job]);
    showUndo();
  });
})();

// The import page: a picked CSV file is read into the text box the form sends.
document.getElementById("import-file")?.addEventListener("change", async (e) => {
  const file = e.target.files && e.target.files[0];
  if (file) document.getElementById("import-csv").value = await file.text();
});
