// Backups: the catalogue filtered by schedule, store and status, newest first; a backup's
// detail shows its manifest (tables, rows, bytes, checksums) and, for admins, verify and
// restore.
"use strict";

TV.backups = { selected: null, limit: 50, scheduleNames: {} };

/** Fills the schedule and store filters once (keeping the operator's choice on refresh). */
TV.backups.loadFilters = async function () {
  const [schedules, stores] = await Promise.all([
    TV.all("/api/v1/schedules"),
    TV.api("GET", "/api/v1/stores"),
  ]);
  TV.backups.scheduleNames = Object.fromEntries(schedules.map((s) => [s.id, s.name]));
  const fill = (id, options) => {
    const select = document.getElementById(id);
    const chosen = select.value;
    select.replaceChildren(TV.el("option", { value: "" }, "any"),
      ...options.map(([value, label]) => TV.el("option", { value }, label)));
    select.value = chosen;
  };
  fill("filter-schedule", schedules.map((s) => [s.id, s.name]));
  fill("filter-store", stores.items.map((s) => [s.name, s.name + " (" + s.kind + ")"]));
};

TV.backups.query = function () {
  const params = new URLSearchParams();
  for (const [id, key] of [["filter-schedule", "schedule_id"], ["filter-store", "store"],
    ["filter-status", "status"]]) {
    const value = document.getElementById(id).value;
    if (value) params.set(key, value);
  }
  return params.toString();
};

TV.backups.load = async function () {
  await TV.backups.loadFilters();
  const query = TV.backups.query();
  const items = await TV.all("/api/v1/backups" + (query ? "?" + query : ""), TV.backups.limit);
  const rows = items.slice(0, TV.backups.limit).map((b) => TV.el("tr", {
    class: "clickable backup-row" + (b.id === TV.backups.selected ? " selected" : "") +
      (b.status === "failed" ? " bad" : ""),
    "data-backup-id": b.id, "data-status": b.status,
    onclick: () => TV.backups.show(b.id),
  },
  TV.el("td", {}, TV.el("code", {}, b.id)),
  TV.el("td", {}, TV.backups.scheduleNames[b.schedule_id] || (b.schedule_id ? b.schedule_id : "one-off")),
  TV.el("td", {}, b.store),
  TV.el("td", {}, TV.status(b.status)),
  TV.el("td", {}, TV.age(b.finished_at)),
  TV.el("td", {}, b.rows),
  TV.el("td", {}, TV.bytes(b.stored_bytes ?? b.bytes))));
  const list = document.getElementById("backup-list");
  list.replaceChildren(...rows);
  if (!rows.length) list.append(TV.el("tr", {}, TV.el("td", { colspan: 7 }, "No backup matches.")));
  document.getElementById("backups-more").hidden = items.length <= TV.backups.limit;
  if (TV.backups.selected) await TV.backups.show(TV.backups.selected, true);
};

/** The detail of backup `id`; `quiet` on a refresh (no scrolling). */
TV.backups.show = async function (id, quiet) {
  TV.backups.selected = id;
  const backup = await TV.api("GET", "/api/v1/backups/" + encodeURIComponent(id));
  const detail = document.getElementById("backup-detail");
  const actions = TV.isAdmin() && backup.status === "completed" ? TV.el("p", {},
    TV.el("button", { type: "button", "data-action": "verify",
      onclick: () => TV.backups.verify(backup) }, "Verify"), " ",
    TV.el("button", { type: "button", "data-action": "restore",
      onclick: () => TV.restore.open(backup) }, "Restore…")) : null;
  const verified = backup.verified_at
    ? [TV.status(backup.verify_result === "passed" ? "succeeded" : "failed"),
      " " + backup.verify_result + " " + TV.age(backup.verified_at),
      backup.verify_message ? " — " + backup.verify_message : ""]
    : "never";
  TV.fill(detail,
    TV.el("h2", {}, "Backup ", TV.el("code", {}, backup.id)),
    TV.el("p", {}, TV.status(backup.status), " · source " + backup.source + " · store " +
      backup.store + " · " + backup.rows + " rows · " + TV.bytes(backup.bytes) +
      (backup.stored_bytes !== null && backup.stored_bytes !== undefined
        ? " (" + TV.bytes(backup.stored_bytes) + " stored)" : "") +
      " · finished " + TV.age(backup.finished_at)),
    backup.error ? TV.el("p", { class: "error" }, backup.error) : null,
    TV.el("p", {}, "Verified: ", verified),
    TV.el("table", { id: "manifest" },
      TV.el("thead", {}, TV.el("tr", {}, ["Table", "Rows", "Cells", "Bytes", "Checksum"]
        .map((h) => TV.el("th", {}, h)))),
      TV.el("tbody", {}, backup.tables.map((t) => TV.el("tr", { "data-table": t.name },
        TV.el("td", {}, t.name), TV.el("td", {}, t.rows), TV.el("td", {}, t.cells ?? "—"),
        TV.el("td", {}, TV.bytes(t.bytes)), TV.el("td", {}, TV.el("code", {}, t.checksum)))))),
    actions);
  detail.hidden = false;
  for (const row of document.querySelectorAll("#backup-list tr")) {
    row.classList.toggle("selected", row.dataset.backupId === id);
  }
  if (!quiet) detail.scrollIntoView({ block: "nearest" });
};

TV.backups.verify = async function (backup) {
  try {
    const accepted = await TV.api("POST",
      "/api/v1/backups/" + encodeURIComponent(backup.id) + "/verify", {});
    TV.say("Verifying " + backup.id + " (run " + accepted.run_id + ").");
    const run = await TV.waitForRun(accepted.run_id);
    TV.say("Verification of " + backup.id + " " + run.status +
      (run.error ? " — " + run.error : ""), run.status !== "succeeded");
    TV.refresh();
  } catch (error) {
    TV.fail(error);
  }
};

TV.backups.init = function () {
  for (const id of ["filter-schedule", "filter-store", "filter-status"]) {
    document.getElementById(id).addEventListener("change", () => {
      TV.backups.selected = null;
      document.getElementById("backup-detail").hidden = true;
      TV.backups.load().catch(TV.fail);
    });
  }
  document.getElementById("backups-more").addEventListener("click", () => {
    TV.backups.limit += 50;
    TV.backups.load().catch(TV.fail);
  });
};
