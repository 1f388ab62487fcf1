// In process: --sameorigin and --origin refuse websocket handshakes from other origins with 403.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { appFor, HOST } from "./app-harness.ts";

/** The status a handshake with this Origin gets: 101 when the app upgrades it. */
async function statusFor(argv: string[], origin: string | null): Promise<number> {
  const h = await appFor(argv);
  try {
    const res = await h.handshake("/r", origin === null ? {} : { origin });
    if (h.upgraded(res)) return 101;
    if (res.status === 403) {
      assert.equal((await res.text()).trim(), "Origin not allowed", "the 403's body");
    }
    return res.status;
  } finally {
    h.close();
  }
}

describe("--sameorigin", () => {
  const argv = ["--sameorigin", "cat"];

  it("accepts an Origin naming this server and refuses another with 403 and a body", async () => {
    assert.equal(await statusFor(argv, `http://${HOST}`), 101);
    assert.equal(await statusFor(argv, `http://evil.example:${HOST.split(":")[1]}`), 403);
    assert.equal(await statusFor(argv, "http://127.0.0.1:1"), 403, "another port");
  });

  it("refuses a websocket that sends no Origin with 403; plain GETs are not checked", async () => {
    assert.equal(await statusFor(argv, null), 403);
    const h = await appFor(argv);
    assert.equal((await h.request("/health")).status, 200);
  });
});

describe("--origin", () => {
  const argv = ["--origin", "localhost,https://secure.example,exact.example:8080", "cat"];
  const cases: [string | null, number, string][] = [
    ["http://localhost:1234", 101, "an entry without a port matches any port"],
    ["http://localhost", 101, "an entry without a port matches the default port"],
    ["https://secure.example:8443", 101, "a scheme entry matches its scheme on any port"],
    ["http://secure.example", 403, "a scheme entry refuses another scheme"],
    ["http://exact.example:8080", 101, "host:port matches that port"],
    ["http://exact.example:8081", 403, "host:port refuses another port"],
    ["http://other.example", 403, "a host not listed is refused"],
    [null, 403, "a request without Origin is refused"],
  ];
  for (const [origin, status, why] of cases) {
    it(`${why}: ${origin ?? "no Origin"} → ${status}`, async () => {
      assert.equal(await statusFor(argv, origin), status);
    });
  }
});
