// Unit tests for --joinmsg / --leavemsg templates: placeholders, names, and injection.
import { test } from "node:test";
import assert from "node:assert/strict";
import { expand, type TemplateVars } from "../../src/codec/template.ts";

const vars = (over: Partial<TemplateVars> = {}): TemplateVars => ({
  id: 7,
  room: "lobby",
  remote: "10.0.0.1",
  query: "name=ann&age=30",
  ...over,
});

test("every placeholder is replaced", () => {
  assert.equal(
    expand("#ID #ROOM #REMOTE_ADDR #QUERY_STRING #QUERY_name #QUERY_age", vars()),
    "7 lobby 10.0.0.1 name=ann&age=30 ann 30",
  );
});

test("the JSON join and leave messages of --json come out as JSON", () => {
  assert.equal(expand('{"t":"Join","_from":#ID}', vars({ id: 12 })), '{"t":"Join","_from":12}');
  assert.equal(expand('{"t":"Leave","_from":#ID}', vars()), '{"t":"Leave","_from":7}');
});

test("a placeholder may appear many times, and text without one is unchanged", () => {
  assert.equal(expand("#ID-#ID/#ROOM#ROOM", vars()), "7-7/lobbylobby");
  assert.equal(expand("no placeholders # here #", vars()), "no placeholders # here #");
  assert.equal(expand("", vars()), "");
});

test("unknown placeholders are kept as written", () => {
  assert.equal(expand("#NAME #id #Room #1 #_X ##ID", vars()), "#NAME #id #Room #1 #_X #7");
  assert.equal(expand("#IDENTITY #ROOMS #REMOTE", vars()), "#IDENTITY #ROOMS #REMOTE");
});

test("the longest name wins, so #QUERY_STRING_X is the parameter STRING_X", () => {
  const v = vars({ query: "STRING_X=yes&STRING=no" });
  assert.equal(expand("#QUERY_STRING_X", v), "yes");
  assert.equal(expand("#QUERY_STRING", v), "STRING_X=yes&STRING=no");
  assert.equal(expand("#ID_2", v), "#ID_2");
});

test("#QUERY_a and #QUERY_ab are different parameters", () => {
  const v = vars({ query: "a=1&ab=2" });
  assert.equal(expand("#QUERY_a,#QUERY_ab", v), "1,2");
  assert.equal(expand("#QUERY_a-#QUERY_ab.", v), "1-2.");
});

test("a missing query parameter stays as written, as ScaleSocket leaves it", () => {
  assert.equal(expand("[#QUERY_nope]", vars()), "[#QUERY_nope]");
  assert.equal(expand("[#QUERY_x][#QUERY_STRING]", vars({ query: "" })), "[#QUERY_x][]");
  assert.equal(expand("[#QUERY_e]", vars({ query: "e=" })), "[]", "an empty value is a value");
});

test("query keys match in any case, as ScaleSocket upper-cases them", () => {
  const v = vars({ query: "name=John+Doe" });
  assert.equal(
    expand("#QUERY_NAME|#QUERY_name|#QUERY_Name", v),
    "John%20Doe|John%20Doe|John%20Doe",
  );
  const both = vars({ query: "Key=upper&key=lower" });
  assert.equal(expand("#QUERY_key|#QUERY_Key", both), "lower|upper", "the exact key wins");
  assert.equal(expand("#QUERY_SS", vars({ query: "%C3%9F=x" })), "#QUERY_SS", "only a-z fold");
});

test("query parameter values are decoded once, then percent-encoded", () => {
  const v = vars({ query: "n=a%20b+c&u=%C3%A9&e=x%3Dy" });
  assert.equal(expand("#QUERY_n|#QUERY_u|#QUERY_e", v), "a%20b%20c|%C3%A9|x%3Dy");
});

test("a room name cannot break out of a JSON string or add a line", () => {
  const out = expand('{"room":"#ROOM"}', vars({ room: 'a"b\\c\nd #ID é' }));
  assert.equal(out, '{"room":"a%22b%5Cc%0Ad%20%23ID%20%C3%A9"}');
  assert.deepEqual(JSON.parse(out), { room: "a%22b%5Cc%0Ad%20%23ID%20%C3%A9" });
});

test("a query parameter cannot break out of a JSON string or add a line", () => {
  const query = "v=" + encodeURIComponent('x","_from":1,"y":"\\\n#ID #ROOM');
  const out = expand('{"v":"#QUERY_v","_from":#ID}', vars({ query }));
  assert.deepEqual(JSON.parse(out), {
    v: "x%22%2C%22_from%22%3A1%2C%22y%22%3A%22%5C%0A%23ID%20%23ROOM",
    _from: 7,
  });
  assert.ok(!out.includes("\n"));
});

test("a raw query string keeps its form but cannot break out of a JSON string", () => {
  const out = expand('{"q":"#QUERY_STRING"}', vars({ query: 'a=1&b="x"\\ y\n#ID&c=%22' }));
  assert.equal(out, '{"q":"a=1&b=%22x%22%5C%20y%0A%23ID&c=%22"}');
  assert.equal(JSON.parse(out).q, "a=1&b=%22x%22%5C%20y%0A%23ID&c=%22");
});

test("a value containing #ID is not expanded again", () => {
  assert.equal(expand("#QUERY_s", vars({ query: "s=%23ID" })), "%23ID");
  assert.equal(expand("#ROOM", vars({ room: "#ID" })), "%23ID");
  assert.equal(expand("#REMOTE_ADDR", vars({ remote: "#ID" })), "#ID");
});

test("a raw query string with characters outside the BMP is percent-encoded as UTF-8", () => {
  // The server hands over an already-encoded query, but expand must not throw on raw text.
  assert.equal(expand("#QUERY_STRING", vars({ query: "e=😀" })), "e=%F0%9F%98%80");
});
