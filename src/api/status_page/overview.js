// Overview: every schedule with its last backup run, next run and newest completed backup,
// red when failing or overdue; a continuous schedule's capture (status and lag, from
// GET /schedules/{id}); the state database's and stores' up/down from /readyz. Admins get
// run-now and pause/resume.
"use strict";

TV.overview = {};

/** Grace past the expected time before a schedule counts as overdue (runs take a while). */
const OVERDUE_GRACE_SECONDS = 300;

/**
 * Why a schedule needs attention, or null: a failed last run, a failing capture, or no backup
 * when one was due.
 */
TV.overview.problem = function (schedule, lastRun, newest, capture) {
  if (capture && capture.status === "failing") return "capture failing";
  if (lastRun && ["failed", "partially_failed"].includes(lastRun.status)) {
    return "last run " + lastRun.status.replace("_", " ");
  }
  if (schedule.paused) return null;
  const now = Date.now();
  if (schedule.next_run_at &&
      now - Date.parse(schedule.next_run_at) > OVERDUE_GRACE_SECONDS * 1000) {
    return "overdue: the run due " + TV.age(schedule.next_run_at) + " has not started";
  }
  const interval = schedule.expected_interval_seconds;
  if (interval && newest) {
    const age = (now - Date.parse(newest.finished_at)) / 1000;
    if (age > 2 * interval + OVERDUE_GRACE_SECONDS) {
      return "overdue: newest backup is " + TV.span(age) + " old";
    }
  }
  if (interval && !newest && lastRun && !["queued", "running"].includes(lastRun.status)) {
    return "no completed backup";
  }
  return null;
};

TV.overview.row = async function (schedule) {
  const id = encodeURIComponent(schedule.id);
  const [runs, backups, detail] = await Promise.all([
    TV.api("GET", "/api/v1/runs?kind=backup&page_size=1&schedule_id=" + id),
    TV.api("GET", "/api/v1/backups?status=completed&page_size=1&schedule_id=" + id),
    schedule.mode === "continuous" ? TV.api("GET", "/api/v1/schedules/" + id) : null,
  ]);
  const lastRun = runs.items[0];
  const newest = backups.items[0];
  const capture = detail && detail.capture;
  const problem = TV.overview.problem(schedule, lastRun, newest, capture);
  const actions = TV.isAdmin() ? [
    TV.el("button", { type: "button", "data-action": "run-now",
      onclick: () => TV.overview.runNow(schedule) }, "Run now"),
    TV.el("button", { type: "button", "data-action": schedule.paused ? "resume" : "pause",
      onclick: () => TV.overview.setPaused(schedule, !schedule.paused) },
    schedule.paused ? "Resume" : "Pause"),
  ] : [];
  return TV.el("tr", { class: problem ? "bad" : "", "data-schedule-name": schedule.name,
    "data-schedule-id": schedule.id },
  TV.el("td", {}, TV.el("strong", {}, schedule.name), TV.el("br"),
    TV.el("span", { class: "muted" },
      schedule.cron + " " + schedule.timezone + " · " + schedule.source + " → " + schedule.store +
      (schedule.managed_by === "config" ? " · from the config file" : "")),
    capture ? [TV.el("br"), TV.overview.capture(capture)] : null),
  TV.el("td", {}, lastRun ? [TV.status(lastRun.status), " ", TV.age(lastRun.created_at)] : "never"),
  TV.el("td", {}, TV.duration(lastRun)),
  TV.el("td", {}, schedule.paused ? TV.el("span", { class: "muted" }, "paused")
    : TV.age(schedule.next_run_at)),
  TV.el("td", {}, newest ? [TV.el("code", {}, newest.id), " ", TV.age(newest.finished_at)]
    : "none"),
  TV.el("td", { class: problem ? "health-bad" : "health-ok" }, problem || "ok"),
  TV.el("td", { class: "actions" }, actions));
};

/** A continuous schedule's capture: its status and how far behind the table it is. */
TV.overview.capture = function (capture) {
  const lag = capture.lag_seconds === null || capture.lag_seconds === undefined
    ? "" : ", lag " + TV.span(capture.lag_seconds);
  return TV.el("span", { class: "capture " + (capture.status === "failing" ? "error" : "muted"),
    "data-capture-status": capture.status }, "capture " + capture.status + lag);
};

TV.overview.load = async function () {
  const [schedules, readiness] = await Promise.all([
    TV.all("/api/v1/schedules"),
    TV.api("GET", "/readyz"),
  ]);
  const rows = await Promise.all(schedules.map(TV.overview.row));
  const body = document.getElementById("schedules");
  body.replaceChildren(...rows);
  if (!rows.length) {
    body.append(TV.el("tr", {}, TV.el("td", { colspan: 7 }, "No schedule yet.")));
  }
  document.getElementById("stores").replaceChildren(...readiness.components.map((c) =>
    TV.el("li", { "data-component": c.name },
      TV.el("strong", {}, c.name), " (" + c.kind + ") ",
      TV.el("span", { class: c.status }, c.status), " " + c.latency_ms + " ms")));
};

TV.overview.runNow = async function (schedule) {
  try {
    const accepted = await TV.api("POST",
      "/api/v1/schedules/" + encodeURIComponent(schedule.id) + "/run");
    TV.say("Backup of " + schedule.name + " started (run " + accepted.run_id + ").");
    TV.refresh();
    const run = await TV.waitForRun(accepted.run_id);
    const outcome = run.backup_id ? ": backup " + run.backup_id : "";
    TV.say("Run " + run.id + " of " + schedule.name + " " + run.status + outcome +
      (run.error ? " — " + run.error : run.skip_reason ? " — " + run.skip_reason : ""),
    run.status !== "succeeded");
    TV.refresh();
  } catch (error) {
    TV.fail(error);
  }
};

TV.overview.setPaused = async function (schedule, paused) {
  try {
    await TV.api("PATCH", "/api/v1/schedules/" + encodeURIComponent(schedule.id), { paused });
    TV.say(schedule.name + (paused ? " paused." : " resumed."));
    TV.refresh();
  } catch (error) {
    TV.fail(error);
  }
};
