// A JavaScript module run in a fresh Node process (a fresh wasm instance: its memory is that
// run's alone, and a run that kills the module or the process cannot take the tests with it).
import { spawn } from "node:child_process";

/** Runs `source` (an ES module) in a child process. `result`: its last stdout line as JSON (null
 * when it printed none: it died), `why`: how it ended, for an assertion message. */
export function runChild(source, limitMs = 60_000) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", source], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split("\n").at(-1) ?? "";
      let result = null;
      try {
        result = JSON.parse(line);
      } catch {
        // not JSON: the process died
      }
      const why = signal === "SIGKILL" ? `still running after ${limitMs} ms (killed)`
        : code === 13 ? "a promise never settled (exit code 13: unfinished top-level await)"
          : `exit code ${code}, signal ${signal}: ${stderr.split("\n").find((l) => /Error/.test(l)) ?? stderr.slice(0, 300)}`;
      resolve({ code, signal, result, why, stdout, stderr: stderr.slice(0, 2_000) });
    });
  });
}
