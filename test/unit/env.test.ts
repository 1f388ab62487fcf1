// Unit tests for the child's environment.
import { test } from "node:test";
import assert from "node:assert/strict";
import { childEnv, type EnvOptions, type RequestInfo } from "../../src/room/env.ts";

function options(req: Partial<RequestInfo> = {}, o: Partial<EnvOptions> = {}): EnvOptions {
  return {
    serverEnv: { PATH: "/usr/bin", HOME: "/root", LD_LIBRARY_PATH: "/lib" },
    passEnv: ["PATH", "LD_LIBRARY_PATH"],
    req: {
      method: "GET",
      url: new URL("http://example.com:8080/chat/lobby?a=1&b=%20x"),
      httpVersion: "1.1",
      headers: [["Host", "example.com:8080"], ["User-Agent", "test"]],
      peer: { address: "::ffff:10.0.0.7", port: 54321 },
      tls: false,
      ...req,
    },
    room: "lobby",
    scriptName: "/chat",
    pathInfo: "/lobby",
    serverSoftware: "scalesocket/0.1.0",
    uniqueId: "abc123",
    ...o,
  };
}

test("every websocketd variable is set, the empty ones too", () => {
  assert.deepEqual(childEnv(options()), {
    PATH: "/usr/bin",
    LD_LIBRARY_PATH: "/lib",
    SERVER_SOFTWARE: "scalesocket/0.1.0",
    REMOTE_ADDR: "10.0.0.7",
    REMOTE_HOST: "10.0.0.7",
    REMOTE_PORT: "54321",
    SERVER_NAME: "example.com",
    SERVER_PORT: "8080",
    SERVER_PROTOCOL: "HTTP/1.1",
    GATEWAY_INTERFACE: "CGI/1.1",
    REQUEST_METHOD: "GET",
    SCRIPT_NAME: "/chat",
    PATH_INFO: "/lobby",
    PATH_TRANSLATED: "/chat/lobby",
    QUERY_STRING: "a=1&b=%20x",
    REQUEST_URI: "/chat/lobby?a=1&b=%20x",
    AUTH_TYPE: "",
    CONTENT_LENGTH: "",
    CONTENT_TYPE: "",
    REMOTE_IDENT: "",
    REMOTE_USER: "",
    UNIQUE_ID: "abc123",
    ROOM: "lobby",
    HTTP_HOST: "example.com:8080",
    HTTP_USER_AGENT: "test",
  });
});

test("only the passEnv names present in the server environment are passed", () => {
  const env = childEnv(options({}, { passEnv: ["HOME", "MISSING"] }));
  assert.equal(env.HOME, "/root");
  assert.ok(!("PATH" in env) && !("MISSING" in env));
  assert.ok(!("PATH" in childEnv(options({}, { passEnv: [] }))));
});

test("CGI variables win over server variables of the same name, even when unset", () => {
  const serverEnv = { REMOTE_ADDR: "6.6.6.6", AUTH_TYPE: "Basic", HTTPS: "on", ROOM: "x" };
  const env = childEnv(options({}, { serverEnv, passEnv: Object.keys(serverEnv) }));
  assert.equal(env.REMOTE_ADDR, "10.0.0.7");
  assert.equal(env.AUTH_TYPE, "");
  assert.equal(env.ROOM, "lobby");
  assert.ok(!("HTTPS" in env));
  const roomless = childEnv(options({}, { serverEnv, room: null, passEnv: ["ROOM"] }));
  assert.ok(!("ROOM" in roomless));
});

test("a Proxy header never becomes HTTP_PROXY (httpoxy)", () => {
  const env = childEnv(options({ headers: [["Proxy", "http://evil:1"]] }, {
    serverEnv: { HTTP_PROXY: "http://corp:3128" },
    passEnv: ["HTTP_PROXY"],
  }));
  assert.equal(env.HTTP_PROXY, "http://corp:3128");
  assert.ok(!("HTTP_PROXY" in childEnv(options({ headers: [["proxy", "http://evil:1"]] }))));
});

test("HTTPS is on with TLS, and the default port follows it", () => {
  const env = childEnv(options({ tls: true, headers: [["host", "example.com"]] }));
  assert.equal(env.HTTPS, "on");
  assert.equal(env.SERVER_NAME, "example.com");
  assert.equal(env.SERVER_PORT, "443");
  const plain = childEnv(options({ headers: [["host", "example.com"]] }));
  assert.ok(!("HTTPS" in plain));
  assert.equal(plain.SERVER_PORT, "80");
});

test("IPv6 hosts lose their brackets, with or without a port", () => {
  const at = (host: string) => {
    const env = childEnv(options({ headers: [["Host", host]] }));
    return [env.SERVER_NAME, env.SERVER_PORT];
  };
  assert.deepEqual(at("[::1]:9000"), ["::1", "9000"]);
  assert.deepEqual(at("[fe80::1]"), ["fe80::1", "80"]);
  assert.deepEqual(at("::1"), ["", ""]); // ambiguous without brackets, as Go's SplitHostPort
  assert.deepEqual(at("[::1"), ["", ""]);
  assert.deepEqual(at("[::1]x"), ["", ""]);
});

test("a missing Host header gives an empty name and the default port", () => {
  const env = childEnv(options({ headers: [] }));
  assert.equal(env.SERVER_NAME, "");
  assert.equal(env.SERVER_PORT, "80");
  assert.ok(!("HTTP_HOST" in env));
});

test("the remote address is the bare IP and the same as REMOTE_HOST", () => {
  const addr = (address: string) => childEnv(options({ peer: { address, port: 1 } }));
  assert.equal(addr("::FFFF:192.168.1.2").REMOTE_ADDR, "192.168.1.2");
  assert.equal(addr("2001:db8::5").REMOTE_ADDR, "2001:db8::5");
  assert.equal(addr("2001:db8::5").REMOTE_HOST, "2001:db8::5");
  assert.equal(addr("127.0.0.1").REMOTE_PORT, "1");
});

test("request line variables are raw and without a query when there is none", () => {
  const env = childEnv(options({
    method: "HEAD",
    httpVersion: "1.0",
    url: new URL("http://h/a%2Fb/c%20d"),
  }));
  assert.equal(env.REQUEST_METHOD, "HEAD");
  assert.equal(env.SERVER_PROTOCOL, "HTTP/1.0");
  assert.equal(env.PATH_TRANSLATED, "/a%2Fb/c%20d");
  assert.equal(env.REQUEST_URI, "/a%2Fb/c%20d");
  assert.equal(env.QUERY_STRING, "");
  assert.equal(childEnv(options({ url: new URL("http://h/p?") })).REQUEST_URI, "/p");
});

test("ROOM is left out when the child serves no room", () => {
  assert.ok(!("ROOM" in childEnv(options({}, { room: null }))));
  assert.equal(childEnv(options({}, { room: "" })).ROOM, "");
});

test("repeated headers are joined with a comma, whatever the case of their names", () => {
  const headers: [string, string][] = [
    ["Accept", "a"],
    ["x-forwarded-for", "1.1.1.1"],
    ["accept", "b"],
    ["X-Forwarded-For", "2.2.2.2"],
  ];
  const env = childEnv(options({ headers }));
  assert.equal(env.HTTP_ACCEPT, "a, b");
  assert.equal(env.HTTP_X_FORWARDED_FOR, "1.1.1.1, 2.2.2.2");
});

test("header names are upper-cased, dashes become underscores, others (and _) are dropped", () => {
  const headers: [string, string][] = [
    ["sec-websocket-key", "k"],
    ["Path", "/evil"],
    ["x.dotted", "1"],
    ["x-ıd", "2"],
    ["", "3"],
    ["X_Under", "4"],
  ];
  const env = childEnv(options({ headers }));
  assert.equal(env.HTTP_SEC_WEBSOCKET_KEY, "k");
  assert.equal(env.HTTP_PATH, "/evil");
  assert.equal(env.PATH, "/usr/bin");
  // A name with "_" could pose as the dashed header of the same variable: dropped.
  assert.equal(env.HTTP_X_UNDER, undefined);
  const names = Object.keys(env).filter((k) => k.startsWith("HTTP_"));
  assert.deepEqual(names, ["HTTP_SEC_WEBSOCKET_KEY", "HTTP_PATH"]);
});

test("a variable with NUL, LF or CR in its name or value is dropped, not truncated", () => {
  const headers: [string, string][] = [["X-A", "ok"], ["X-B", "a\0b"], ["X-C", "a\nb"]];
  const serverEnv = { PATH: "/bin\r", GOOD: "yes", "BAD\nNAME": "v" };
  const env = childEnv(options({ headers, url: new URL("http://h/p") }, {
    serverEnv,
    passEnv: ["PATH", "GOOD", "BAD\nNAME"],
    scriptName: "/a\nb",
    extra: { PORT: "1\0" },
  }));
  assert.equal(env.HTTP_X_A, "ok");
  for (const name of ["HTTP_X_B", "HTTP_X_C", "PATH", "BAD\nNAME", "SCRIPT_NAME", "PORT"]) {
    assert.ok(!(name in env), name);
  }
  assert.equal(env.GOOD, "yes");
  for (const [k, v] of Object.entries(env)) assert.ok(!/[\0\r\n]/.test(k + v), k);
});

test("a repeated header with one bad value is dropped whole", () => {
  const env = childEnv(options({ headers: [["X-A", "ok"], ["x-a", "b\r\nX-Evil: 1"]] }));
  assert.ok(!("HTTP_X_A" in env) && !("HTTP_X_EVIL" in env));
});

test("extra variables come last and may set anything", () => {
  const env = childEnv(options({}, { extra: { PORT: "7000", SERVER_SOFTWARE: "x" } }));
  assert.equal(env.PORT, "7000");
  assert.equal(env.SERVER_SOFTWARE, "x");
  assert.equal(Object.keys(env).at(-1), "SERVER_SOFTWARE");
});

test("headers given as a one-shot iterator are all seen", () => {
  function* headers(): Generator<[string, string]> {
    yield ["Host", "a.example:81"];
    yield ["X-A", "1"];
  }
  const env = childEnv(options({ headers: headers() }));
  assert.deepEqual([env.SERVER_NAME, env.SERVER_PORT, env.HTTP_HOST, env.HTTP_X_A], [
    "a.example",
    "81",
    "a.example:81",
    "1",
  ]);
});

test("PATH_TRANSLATED is left out when there is no PATH_INFO, as RFC 3875 says", () => {
  const env = childEnv(
    options({ url: new URL("http://example.com/chat") }, {
      pathInfo: "",
      serverEnv: { PATH_TRANSLATED: "/srv/leak" },
      passEnv: ["PATH_TRANSLATED"],
    }),
  );
  assert.equal(env.PATH_INFO, "");
  assert.equal(env.PATH_TRANSLATED, undefined, "set although PATH_INFO is empty");
});
