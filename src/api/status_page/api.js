// The page's one way to the daemon: the REST API of the same origin, with the bearer token the
// operator typed (kept in this tab's sessionStorage, never shown, never sent elsewhere), plus
// the small DOM and formatting helpers every view shares. Loaded first; defines `TV`.
"use strict";

const TV = {
  TOKEN_KEY: "tablevault.token",
  role: null, // "admin" or "read" once known
};

/** An API failure: `status` is the HTTP status, `message` the problem's detail. */
class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

TV.token = () => sessionStorage.getItem(TV.TOKEN_KEY);

/** `method path` with an optional JSON body; resolves to the parsed answer (null for 204). */
TV.api = async function (method, path, body) {
  const headers = { Accept: "application/json" };
  const token = TV.token();
  if (token) headers.Authorization = "Bearer " + token;
  const init = { method, headers, cache: "no-store" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (method === "POST") headers["Idempotency-Key"] = TV.requestKey();
  const response = await fetch(path, init);
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  // /readyz answers 503 with the same body when something is down: that is data, not an error.
  if (!response.ok && !(path === "/readyz" && response.status === 503)) {
    throw new ApiError(response.status, (data && data.detail) || response.statusText);
  }
  return data;
};

/** A fresh idempotency key (getRandomValues also works outside a secure context, on plain
 *  HTTP to a remote host, where crypto.randomUUID does not exist). */
TV.requestKey = function () {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return "page-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
};

/** Every item of a paged list (`items` + `next_page_token`), at most `limit`. */
TV.all = async function (path, limit = 500) {
  const items = [];
  let token = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const page = await TV.api("GET", path + sep + "page_size=100" +
      (token ? "&page_token=" + encodeURIComponent(token) : ""));
    items.push(...page.items);
    token = page.next_page_token;
  } while (token && items.length < limit);
  return items;
};

/** Polls run `id` until it has finished; `onProgress` sees every state. */
TV.waitForRun = async function (id, onProgress) {
  for (;;) {
    const run = await TV.api("GET", "/api/v1/runs/" + encodeURIComponent(id));
    if (onProgress) onProgress(run);
    if (!["queued", "running"].includes(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
};

/** An element with attributes and children (strings become text: nothing is parsed as HTML). */
TV.el = function (tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
};

/** Replaces `node`'s children, leaving out null and undefined (optional parts of a view). */
TV.fill = function (node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
};

TV.isAdmin = () => TV.role === "admin";

/** A message under the header; errors are red. */
TV.say = function (text, isError) {
  const message = document.getElementById("message");
  message.textContent = text;
  message.className = isError ? "error" : "";
};

TV.fail = (error) => TV.say(error.message || String(error), true);

/** "3 min ago" / "in 40 s" for a timestamp, "—" for none. */
TV.age = function (iso) {
  if (!iso) return "—";
  const seconds = (Date.now() - Date.parse(iso)) / 1000;
  const text = TV.span(Math.abs(seconds));
  return seconds >= 0 ? text + " ago" : "in " + text;
};

/** A duration in seconds, short. */
TV.span = function (seconds) {
  if (seconds < 60) return Math.round(seconds) + " s";
  if (seconds < 3600) return Math.round(seconds / 60) + " min";
  if (seconds < 172800) return Math.round(seconds / 3600) + " h";
  return Math.round(seconds / 86400) + " d";
};

/** How long a run took (or has taken so far). */
TV.duration = function (run) {
  if (!run || !run.started_at) return "—";
  const end = run.finished_at ? Date.parse(run.finished_at) : Date.now();
  return TV.span((end - Date.parse(run.started_at)) / 1000);
};

TV.bytes = function (n) {
  if (n === null || n === undefined) return "—";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : n) + " " + units[i];
};

TV.status = (status) => TV.el("span", { class: "status-" + status }, status);
