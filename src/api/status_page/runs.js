// Runs: the newest runs of every kind, with a progress bar (tables done of total, rows and
// bytes so far) for those still running; the page polls faster while any is running. A click
// on a run shows its detail with its log lines (GET /api/v1/runs/{id}/log).
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
    class: "run-row clickable" + (["failed", "partially_failed"].includes(run.status) ? " bad" : "") +
      (run.id === TV.runs.selected ? " selected" : ""),
    "data-run-id": run.id, "data-status": run.status,
    onclick: () => TV.runs.show(run.id).catch(TV.fail),
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
  if (TV.runs.selected) await TV.runs.show(TV.runs.selected, true);
};

/** The detail of run `id`: its log lines (kept in the daemon's memory since it started). */
TV.runs.show = async function (id, quiet) {
  TV.runs.selected = id;
  const [run, log] = await Promise.all([
    TV.api("GET", "/api/v1/runs/" + encodeURIComponent(id)),
    TV.api("GET", "/api/v1/runs/" + encodeURIComponent(id) + "/log"),
  ]);
  const fields = (line) => Object.entries(line.fields)
    .map(([k, v]) => k + "=" + (typeof v === "string" ? v : JSON.stringify(v))).join(" ");
  const lines = log.lines.map((line) => TV.el("tr", {
    class: "log-line level-" + line.level.toLowerCase() },
  TV.el("td", {}, new Date(line.time).toLocaleTimeString()),
  TV.el("td", {}, line.level),
  TV.el("td", {}, line.message),
  TV.el("td", {}, TV.el("code", {}, fields(line)))));
  const detail = document.getElementById("run-detail");
  TV.fill(detail,
    TV.el("h2", {}, "Run ", TV.el("code", {}, run.id)),
    TV.el("p", {}, TV.status(run.status), " · " + run.kind + " · ", TV.runs.outcome(run)),
    log.dropped ? TV.el("p", { class: "muted" }, log.dropped + " older lines dropped") : null,
    lines.length
      ? TV.el("table", { id: "run-log" },
        TV.el("thead", {}, TV.el("tr", {}, ["Time", "Level", "Message", "Fields"]
          .map((h) => TV.el("th", {}, h)))),
        TV.el("tbody", {}, lines))
      : TV.el("p", { class: "muted" }, "No log line kept for this run (lines are kept in " +
        "memory from the daemon's start; the process log has them all)."));
  detail.hidden = false;
  for (const row of document.querySelectorAll("#run-list tr")) {
    row.classList.toggle("selected", row.dataset.runId === id);
  }
  if (!quiet) detail.scrollIntoView({ block: "nearest" });
};
