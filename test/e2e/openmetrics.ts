// Reads /metrics scrapes with a real OpenMetrics parser (Python's prometheus_client), not ours.
import { spawn } from "node:child_process";

/**
 * Debian's interpreter, which has python3-prometheus-client (.ci/run installs it); the
 * python3 on PATH may be another one without it.
 */
const SYSTEM_PYTHON = "/usr/bin/python3";

// One scrape per line in (as a JSON string), one answer per line out. A process that stays
// up: importing prometheus_client costs 100 ms, too much for every poll of a waitFor.
// Non-finite values would not survive JSON: they come as strings ("inf", "nan").
const PARSER = `
import json, math, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
for line in sys.stdin:
    try:
        answer = {"samples": [
            {"name": s.name, "labels": s.labels,
             "value": s.value if math.isfinite(s.value) else str(s.value)}
            for family in text_string_to_metric_families(json.loads(line))
            for s in family.samples
        ]}
    except Exception as e:
        answer = {"error": f"{type(e).__name__}: {e}"}
    print(json.dumps(answer), flush=True)
`;

export interface Sample {
  /** The sample's full name: `x_total`, `x_bucket`, `x_count` … */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface OpenMetricsParser {
  /** Every sample of the exposition; fails with the parser's own complaint if it is invalid. */
  parse(text: string): Promise<Sample[]>;
  close(): void;
}

interface Waiting {
  text: string;
  resolve: (s: Sample[]) => void;
  reject: (e: Error) => void;
}

export function openMetricsParser(): OpenMetricsParser {
  const p = spawn(SYSTEM_PYTHON, ["-c", PARSER], { stdio: ["pipe", "pipe", "pipe"] });
  const waiting: Waiting[] = [];
  let gone: string | null = null;
  let err = "";
  let out = "";
  p.stderr.on("data", (d) => err += d);
  p.stdout.on("data", (d) => {
    out += d;
    for (let i = out.indexOf("\n"); i !== -1; i = out.indexOf("\n")) {
      const answer = JSON.parse(out.slice(0, i));
      out = out.slice(i + 1);
      const w = waiting.shift()!;
      if (answer.error === undefined) w.resolve(answer.samples);
      else {w.reject(
          new Error(`Cannot parse the scrape as OpenMetrics: ${answer.error}\n${w.text}`),
        );}
    }
  });
  const fail = (why: string) => {
    gone ??= why;
    for (const w of waiting.splice(0)) w.reject(new Error(gone));
  };
  p.on("error", (e) => fail(`Cannot run ${SYSTEM_PYTHON}: ${e.message}`));
  p.on("close", (code) => fail(`The OpenMetrics parser exited with ${code}: ${err.trim()}`));
  // A parser that died is reported by "close", with its stderr; the broken pipe adds nothing.
  p.stdin.on("error", () => {});
  return {
    parse: (text) =>
      new Promise((resolve, reject) => {
        if (gone !== null) return reject(new Error(gone));
        waiting.push({ text, resolve, reject });
        p.stdin.write(JSON.stringify(text) + "\n");
      }),
    close() {
      gone ??= "The OpenMetrics parser is closed";
      p.stdin.end();
    },
  };
}

/** The value of name{labels} with exactly these labels, or undefined when there is none. */
export function valueOf(
  samples: Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const want = Object.entries(labels);
  const found = samples.find((s) =>
    s.name === name && Object.keys(s.labels).length === want.length &&
    want.every(([k, v]) => s.labels[k] === v)
  );
  return found?.value;
}

/** A counter's value, 0 while the series does not exist yet. */
export function count(samples: Sample[], name: string, labels?: Record<string, string>): number {
  return valueOf(samples, name, labels) ?? 0;
}
