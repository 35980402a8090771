'use strict';
// Starts one `tablevault emulator` child process per test file and stops it afterwards.
// The official Node SDK talks to it over a real socket; nothing here imports TableVault code.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const DEFAULT_BIN = path.join(REPO_ROOT, 'target', 'debug', 'tablevault');
const LISTEN_LINE = /^tablevault emulator listening on (http:\/\/\S+)$/;
const START_TIMEOUT_MS = 30000;
const STOP_TIMEOUT_MS = 10000;

const INSTANCE = 'sdknode';
const ACCESS_KEY_ID = 'sdk-node-ak';
const ACCESS_KEY_SECRET = 'sdk-node-secret';

function binaryPath() {
  const bin = process.env.TABLEVAULT_BIN || DEFAULT_BIN;
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    throw new Error(`TableVault binary not found or not executable: ${bin} (run \`cargo build\` or set TABLEVAULT_BIN)`);
  }
  return bin;
}

async function startEmulator(extraArgs = []) {
  const child = spawn(binaryPath(), [
    'emulator',
    '--listen', '127.0.0.1:0',
    '--instance', INSTANCE,
    '--access-key-id', ACCESS_KEY_ID,
    '--access-key-secret', ACCESS_KEY_SECRET,
    ...extraArgs,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });

  // If the test process exits without running after(), do not leave the emulator behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-8000); });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const endpoint = await new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`emulator printed no listen line within ${START_TIMEOUT_MS} ms\n${stderr}`));
    }, START_TIMEOUT_MS);
    lines.once('line', (line) => {
      clearTimeout(timer);
      const match = LISTEN_LINE.exec(line.trim());
      if (match) resolve(match[1]);
      else reject(new Error(`unexpected first stdout line: ${JSON.stringify(line)}\n${stderr}`));
    });
    exited.then(({ code }) => reject(new Error(`emulator exited early (${code})\n${stderr}`)));
  });

  async function control(method, urlPath, body) {
    const res = await fetch(endpoint + urlPath, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${urlPath} -> ${res.status}: ${text}`);
    return text.trim() ? JSON.parse(text) : null;
  }

  // SIGTERM must end the process by itself with status 0 (part of the CLI contract).
  async function stop() {
    process.removeListener('exit', killOnExit);
    child.kill('SIGTERM');
    const timeout = new Promise((resolve) => setTimeout(() => resolve(null), STOP_TIMEOUT_MS).unref());
    const result = await Promise.race([exited, timeout]);
    if (result === null) {
      child.kill('SIGKILL');
      throw new Error(`emulator ignored SIGTERM for ${STOP_TIMEOUT_MS} ms`);
    }
    if (result.code !== 0) throw new Error(`emulator exited with ${JSON.stringify(result)} on SIGTERM\n${stderr}`);
  }

  return {
    endpoint,
    stop,
    setFaults: (faults) => control('POST', '/_emulator/faults', faults),
    reset: () => control('POST', '/_emulator/reset', {}),
    stats: () => control('GET', '/_emulator/stats'),
  };
}

module.exports = { startEmulator, INSTANCE, ACCESS_KEY_ID, ACCESS_KEY_SECRET };
