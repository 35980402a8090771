// The restore dialog: choose tables, rename targets, choose what happens to existing tables;
// a dry run first (its report shown), and the real restore offered only for exactly the
// choices that dry run checked.
"use strict";

TV.restore = { backup: null, checked: null };

TV.restore.open = function (backup) {
  TV.restore.backup = backup;
  TV.restore.checked = null;
  document.getElementById("restore-backup").textContent = backup.id;
  document.getElementById("restore-tables").replaceChildren(...backup.tables.map((t) =>
    TV.el("tr", { "data-table": t.name },
      TV.el("td", {}, TV.el("input", { type: "checkbox", class: "restore-table", checked: true,
        value: t.name, "aria-label": "restore " + t.name })),
      TV.el("td", {}, t.name),
      TV.el("td", {}, TV.el("input", { type: "text", class: "restore-rename",
        placeholder: t.name, "data-table": t.name, pattern: "[A-Za-z_][A-Za-z0-9_]{0,254}" })))));
  document.getElementById("restore-if-exists").value = "fail";
  document.getElementById("restore-report").replaceChildren();
  document.getElementById("restore-confirm").disabled = true;
  document.getElementById("restore-dialog").showModal();
};

/** The request the dialog's choices make (without `dry_run`). */
TV.restore.request = function () {
  const tables = [];
  const rename = {};
  for (const row of document.querySelectorAll("#restore-tables tr")) {
    const name = row.dataset.table;
    if (!row.querySelector(".restore-table").checked) continue;
    tables.push(name);
    const target = row.querySelector(".restore-rename").value.trim();
    if (target && target !== name) rename[name] = target;
  }
  return {
    backup_id: TV.restore.backup.id,
    tables,
    rename,
    if_exists: document.getElementById("restore-if-exists").value,
  };
};

TV.restore.showReport = function (run) {
  const report = run.report;
  const box = document.getElementById("restore-report");
  if (!report) {
    box.replaceChildren(TV.el("p", { class: "error" }, "Run " + run.id + " " + run.status +
      (run.error ? ": " + run.error : run.skip_reason ? ": " + run.skip_reason : "")));
    return false;
  }
  TV.fill(box,
    TV.el("h3", {}, (report.dry_run ? "Dry run: what the restore would do" : "Restored") +
      " (run " + run.id + ", " + run.status + ")"),
    TV.el("table", { id: "restore-report-tables" },
      TV.el("thead", {}, TV.el("tr", {}, ["From", "Into", "Target", "Rows", "Skipped", "Bytes"]
        .map((h) => TV.el("th", {}, h)))),
      TV.el("tbody", {}, report.tables.map((t) => TV.el("tr", {},
        TV.el("td", {}, t.source_table), TV.el("td", {}, t.target_table),
        TV.el("td", {}, t.created ? (report.dry_run ? "would be created" : "created")
          : t.target_had_rows ? "exists, has rows" : "exists, empty"),
        TV.el("td", {}, t.rows), TV.el("td", {}, t.rows_skipped),
        TV.el("td", {}, TV.bytes(t.bytes)))))),
    report.notes.length ? TV.el("ul", {}, report.notes.map((n) => TV.el("li", {}, n))) : null);
  return run.status === "succeeded";
};

TV.restore.submit = async function (dryRun) {
  const request = TV.restore.request();
  const box = document.getElementById("restore-report");
  const confirm = document.getElementById("restore-confirm");
  if (!request.tables.length) {
    box.replaceChildren(TV.el("p", { class: "error" }, "Choose at least one table."));
    return;
  }
  confirm.disabled = true;
  box.replaceChildren(TV.el("p", {}, dryRun ? "Dry run running…" : "Restoring…"));
  try {
    const accepted = await TV.api("POST", "/api/v1/restores", { ...request, dry_run: dryRun });
    const run = await TV.waitForRun(accepted.run_id);
    const ok = TV.restore.showReport(run);
    if (dryRun && ok) {
      TV.restore.checked = JSON.stringify(request);
      confirm.disabled = false;
    }
    if (!dryRun) TV.refresh();
  } catch (error) {
    box.replaceChildren(TV.el("p", { class: "error" }, error.message));
  }
};

TV.restore.init = function () {
  const form = document.getElementById("restore-form");
  // Any change after the dry run withdraws the offer: the restore must match what was checked.
  const recheck = () => {
    document.getElementById("restore-confirm").disabled =
      TV.restore.checked !== JSON.stringify(TV.restore.request());
  };
  form.addEventListener("input", recheck);
  form.addEventListener("change", recheck);
  document.getElementById("restore-dry-run").addEventListener("click", () => TV.restore.submit(true));
  document.getElementById("restore-confirm").addEventListener("click", () => TV.restore.submit(false));
  document.getElementById("restore-close").addEventListener("click",
    () => document.getElementById("restore-dialog").close());
};
