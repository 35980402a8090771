// Start-up and navigation: learn the token's role from GET /api/v1/whoami (asking for a token
// only when the API wants one), show the chosen view, and keep it fresh by polling — every
// second while a run is going, every five seconds otherwise.
"use strict";

TV.views = { overview: TV.overview, backups: TV.backups, runs: TV.runs };
TV.current = "overview";

const FAST_POLL_MS = 1000;
const SLOW_POLL_MS = 5000;

/** Asks the API who the stored token (or no token) is; shows the sign-in form on a 401. */
TV.signIn = async function () {
  try {
    const me = await TV.api("GET", "/api/v1/whoami");
    TV.role = me.role;
    document.getElementById("login").hidden = true;
    document.getElementById("tabs").hidden = false;
    document.getElementById("sign-out").hidden = me.auth !== "token";
    document.getElementById("whoami").textContent = me.auth === "token"
      ? "signed in: " + me.role + " token" : "auth disabled";
    document.body.dataset.role = me.role;
    TV.show(TV.current);
  } catch (error) {
    if (error.status !== 401) return TV.fail(error);
    const hadToken = TV.token() !== null;
    sessionStorage.removeItem(TV.TOKEN_KEY);
    TV.role = null;
    document.getElementById("login").hidden = false;
    document.getElementById("tabs").hidden = true;
    for (const view of document.querySelectorAll(".view")) view.hidden = true;
    document.getElementById("login-error").textContent = hadToken ? error.message : "";
    document.getElementById("token-input").focus();
  }
};

TV.show = function (name) {
  TV.current = name;
  for (const view of document.querySelectorAll(".view")) view.hidden = view.id !== name;
  for (const tab of document.querySelectorAll(".tab")) {
    tab.classList.toggle("active", tab.dataset.view === name);
  }
  TV.refresh();
};

/** Reloads the current view now, then again after the poll interval. */
TV.refresh = function () {
  clearTimeout(TV.timer);
  if (!TV.role) return;
  const started = TV.current;
  TV.views[started].load()
    .catch((error) => (error.status === 401 ? TV.signIn() : TV.fail(error)))
    .finally(() => {
      if (!TV.role || started !== TV.current) return;
      clearTimeout(TV.timer);
      TV.timer = setTimeout(TV.refresh, TV.runs.anyRunning ? FAST_POLL_MS : SLOW_POLL_MS);
    });
};

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = document.getElementById("token-input");
    sessionStorage.setItem(TV.TOKEN_KEY, input.value.trim());
    input.value = "";
    TV.signIn();
  });
  document.getElementById("sign-out").addEventListener("click", () => {
    sessionStorage.removeItem(TV.TOKEN_KEY);
    location.reload();
  });
  for (const tab of document.querySelectorAll(".tab")) {
    tab.addEventListener("click", () => TV.show(tab.dataset.view));
  }
  TV.backups.init();
  TV.restore.init();
  TV.signIn();
});
