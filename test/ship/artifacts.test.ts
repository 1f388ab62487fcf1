// What `npm run package` leaves in dist/: five executables of the right kind, and their sums.
import assert from "node:assert/strict";
import { closeSync, existsSync, openSync, readFileSync, readSync } from "node:fs";
import { describe, it } from "node:test";
import { artifact, BUNDLE, staleness, sums, TARGETS } from "./artifacts.ts";

/** The first bytes of each platform's executable format, and the machine it names. */
const KIND: Record<string, { magic: string; machine: (head: Buffer) => number; is: number }> = {
  // ELF: e_machine at 18 (62 = x86-64, 183 = AArch64).
  "linux-x64": { magic: "7f454c46", machine: (h) => h.readUInt16LE(18), is: 62 },
  "linux-arm64": { magic: "7f454c46", machine: (h) => h.readUInt16LE(18), is: 183 },
  // Mach-O 64-bit (little-endian magic): cputype at 4.
  "darwin-x64": { magic: "cffaedfe", machine: (h) => h.readUInt32LE(4), is: 0x01000007 },
  "darwin-arm64": { magic: "cffaedfe", machine: (h) => h.readUInt32LE(4), is: 0x0100000c },
  // PE: "MZ", then the PE header's offset at 0x3c; its Machine field follows "PE\0\0".
  "windows-x64": {
    magic: "4d5a",
    machine: (h) => h.readUInt16LE(h.readUInt32LE(0x3c) + 4),
    is: 0x8664,
  },
};

/** Node flips this fuse's last character to 1 when it injects an application. */
const FUSE = Buffer.from("NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1");

/** Whether the executable carries a signature: macOS's LC_CODE_SIGNATURE, Windows' cert table. */
function signed(platform: string, h: Buffer): boolean {
  if (platform === "darwin") {
    // mach_header_64 is 32 bytes; then ncmds load commands of {cmd, cmdsize}.
    let at = 32;
    for (let i = 0; i < h.readUInt32LE(16); i++, at += h.readUInt32LE(at + 4)) {
      if (h.readUInt32LE(at) === 0x1d) return true;
    }
    return false;
  }
  if (platform === "win32") {
    // PE32+ optional header at PE + 24; data directory 4 (security) at 112 + 4 * 8 into it.
    const dir = h.readUInt32LE(0x3c) + 24 + 112 + 4 * 8;
    return h.readUInt32LE(dir + 4) !== 0;
  }
  return false;
}

function head(file: string, bytes = 65536): Buffer {
  const fd = openSync(file, "r");
  const buf = Buffer.alloc(bytes);
  readSync(fd, buf, 0, bytes, 0);
  closeSync(fd);
  return buf;
}

const skip = existsSync(artifact("linux-x64")) ? undefined : 'run "npm run package" first';
describe("the packaged artifacts", { skip }, () => {
  for (const t of TARGETS) {
    const file = artifact(t.name);
    it(`${t.name}: a current ${t.platform} ${t.arch} executable with the app injected`, () => {
      assert.equal(staleness(file), undefined);
      const kind = KIND[t.name];
      const h = head(file);
      assert.equal(h.subarray(0, kind.magic.length / 2).toString("hex"), kind.magic);
      assert.equal(kind.machine(h), kind.is);
      assert.ok(readFileSync(file).includes(FUSE), "the SEA fuse is flipped");
      // Node's signature no longer matches once the app is in: none at all is the honest state
      // (README tells macOS users to `codesign --sign -`).
      assert.equal(signed(t.platform, h), false, "no stale signature");
    });
  }

  it("SHA256SUMS lists the bundle and the five executables (and deno's, if made)", () => {
    const names = [BUNDLE, ...TARGETS.map((t) => artifact(t.name))].map((f) => f.split("/").pop());
    const listed = [...sums().keys()].filter((n) => !n.startsWith("scalesocket-deno-"));
    assert.deepEqual(listed.sort(), names.sort());
  });
});
