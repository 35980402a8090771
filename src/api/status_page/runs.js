// Runs: the newest runs of every kind, with a progress bar (tables done of total, rows and
// bytes so far) for those still running; the page polls faster while any is running.
"use strict";

TV.runs = { anyRunning: false };

TV.runs.outcome = function (run) {
  if (run.error) return TV.el("span", { class: "error" }, run.error);
  if (run.skip_reason) return TV.el("span", { class: "muted" }, "skipped: " + run.skip_reason);
  if (run.report) {
    const rows = run.report.tables.reduce((sum, t) => sum + t.rows, 0);
    return (run.report.dry_run ? "dry run: would restore " : "restored ") + rows + " rows into " +
      run.report.tables.map((t) => t.target_table).join(", ");
  }
  if (run.backup_id) return TV.el("span", {}, "backup ", TV.el("code", {}, run.backup_id));
  return "";
};

TV.runs.progress = function (run) {
  const p = run.progress;
  if (!["queued", "running"].includes(run.status)) {
    return p.tables_total ? p.tables_done + "/" + p.tables_total + " tables, " + p.rows + " rows" : "";
  }
  const bar = TV.el("progress", { max: Math.max(p.tables_total, 1), "data-run-id": run.id });
  bar.value = p.tables_done;
  return TV.el("span", {}, bar, " " + p.tables_done + "/" + p.tables_total + " tables · " +
    p.rows + " rows · " + TV.bytes(p.bytes));
};

TV.runs.load = async function () {
  const page = await TV.api("GET", "/api/v1/runs?page_size=50");
  TV.runs.anyRunning = page.items.some((r) => ["queued", "running"].includes(r.status));
  const rows = page.items.map((run) => TV.el("tr", {
    class: "run-row" + (["failed", "partially_failed"].includes(run.status) ? " bad" : ""),
    "data-run-id": run.id, "data-status": run.status,
  },
  TV.el("td", {}, TV.el("code", {}, run.id)),
  TV.el("td", {}, run.kind),
  TV.el("td", {}, run.trigger || ""),
  TV.el("td", {}, TV.status(run.status)),
  TV.el("td", {}, TV.runs.progress(run)),
  TV.el("td", {}, TV.age(run.started_at || run.created_at)),
  TV.el("td", {}, TV.duration(run)),
  TV.el("td", {}, TV.runs.outcome(run))));
  const list = document.getElementById("run-list");
  list.replaceChildren(...rows);
  if (!rows.length) list.append(TV.el("tr", {}, TV.el("td", { colspan: 8 }, "No run yet.")));
};
