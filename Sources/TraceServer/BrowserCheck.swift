import CanonicalJSON
import Foundation
import TraceCrypto
import TraceDomain
import TraceLedger

/// The buyer's page checks its own proofs: the page embeds the lot's story (entry bytes,
/// inclusion proofs, the cosigned checkpoint, the operator's and witnesses' keys) and loads
/// `/verify.js`, which recomputes every leaf hash, checks every inclusion proof and the
/// checkpoint's signatures with WebCrypto (SHA-256, Ed25519), and refuses keys whose fingerprints
/// differ from those in the address the label's QR code holds (`k=` operator, `w=` witnesses).
/// Without scripts the page reads as before.
enum BrowserCheck {
    /// The embedded data and the script tag, inserted before the page's `</body>`.
    static func embed(
        into page: String, story: LotStory, note: String, operatorKey: VerifierKey, witnessKeys: [CosignerKey]
    ) throws -> String {
        let data: JSONValue = [
            "operatorKey": .string(operatorKey.description),
            "witnessKeys": .array(witnessKeys.map { .string($0.description) }),
            "checkpoint": .string(note),
            "entries": .array(
                story.entries.map {
                    [
                        "seq": .number(Double($0.seq)),
                        "entryBytes": $0.bytes.map { .string(Data($0).base64EncodedString()) } ?? .null,
                        "proof": .array($0.path.map { .string($0.hex) }),
                    ]
                }),
        ]
        // "<" escaped, so no value can close the script element.
        let json = String(decoding: try CanonicalJSON.encode(data), as: UTF8.self).replacingOccurrences(of: "<", with: "\\u003c")
        let block = """
            <section id="trace-browser-check" data-state="pending" lang="en">
            <p>This page carries the proofs of this lot's story. With JavaScript on, your browser checks them itself \
            against the key fingerprints printed on the label.</p>
            </section>
            <script type="application/json" id="trace-proofs">\(json)</script>
            <script src="/verify.js"></script>

            """
        guard let end = page.range(of: "</body>", options: .backwards) else { return page + block }
        return page.replacingCharacters(in: end.lowerBound..<end.lowerBound, with: block)
    }

    /// The script, served from the server itself (no outside resources).
    static let script = #"""
        "use strict";
        (function () {
          const enc = new TextEncoder();
          const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
          const hex = (u) => Array.from(u, (b) => b.toString(16).padStart(2, "0")).join("");
          const unhex = (s) => {
            if (typeof s !== "string" || !/^([0-9a-f]{2}){32}$/.test(s)) throw new Error("a proof hash is not 64 hex digits");
            return Uint8Array.from(s.match(/../g), (h) => parseInt(h, 16));
          };
          const cat = (...parts) => {
            const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
            let i = 0;
            for (const p of parts) { out.set(p, i); i += p.length; }
            return out;
          };
          const sha = async (bytes) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
          const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
          const fingerprint = async (vkey) => hex(await sha(enc.encode(vkey))).slice(0, 32);

          // A signed-note verifier key: name+hash+base64(type || Ed25519 key).
          async function parseKey(vkey, type) {
            const parts = vkey.split("+");
            const name = parts[0], hash = parts[1], raw = b64(parts.slice(2).join("+"));
            if (raw.length !== 33 || raw[0] !== type) throw new Error("key " + name + " is not an Ed25519 key of type " + type);
            const pk = raw.slice(1);
            const id = (await sha(cat(enc.encode(name + "\n"), new Uint8Array([type]), pk))).slice(0, 4);
            if (hex(id) !== hash) throw new Error("key " + name + ": its hash does not match its name and key");
            const key = await crypto.subtle.importKey("raw", pk, { name: "Ed25519" }, false, ["verify"]);
            return { name, id, key };
          }

          // A signed note: text, a blank line, then "— name base64(key ID || signature)" lines.
          function parseNote(note) {
            const at = note.lastIndexOf("\n\n");
            if (at < 0 || !note.endsWith("\n")) throw new Error("the checkpoint is not a signed note");
            const signatures = note.slice(at + 2, -1).split("\n").map((line) => {
              const fields = line.split(" ");
              if (fields.length !== 3 || fields[0] !== "\u2014") throw new Error("a signature line of the checkpoint is malformed");
              const blob = b64(fields[2]);
              return { name: fields[1], id: blob.slice(0, 4), signature: blob.slice(4) };
            });
            return { text: note.slice(0, at + 1), signatures };
          }

          // RFC 9162 section 2.1.3.2: the root an inclusion proof leads to, or null.
          async function rootFromProof(index, size, leaf, proof) {
            if (index >= size) return null;
            let fn = index, sn = size - 1n, r = leaf;
            for (const p of proof) {
              if (sn === 0n) return null;
              if ((fn & 1n) === 1n || fn === sn) {
                r = await sha(cat(new Uint8Array([1]), p, r));
                while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
              } else {
                r = await sha(cat(new Uint8Array([1]), r, p));
              }
              fn >>= 1n; sn >>= 1n;
            }
            return sn === 0n ? r : null;
          }

          class Refusal extends Error {}

          // The operator key in force at `size`: from the label's (genesis) key through the story's
          // operator.rotate entries below it, each signed by the key it replaces (FORMAT.md section
          // 12, check 1). Their inclusion is checked with every other entry's.
          async function follow(data, genesis, size) {
            let signer = genesis, current = data.operatorKey;
            const used = new Set([current]), rotations = [];
            for (const e of data.entries) {
              if (BigInt(e.seq) >= size || typeof e.entryBytes !== "string") continue;
              const raw = new TextDecoder().decode(b64(e.entryBytes));
              let entry;
              try { entry = JSON.parse(raw); } catch (_) { continue; }
              if (!entry || !entry.event || entry.event.type !== "operator.rotate") continue;
              const n = rotations.length + 1;
              if (entry.event.id !== "operator-rotate-" + n) throw new Error("entry " + e.seq + ": rotation " + n + " of the operator key must have the id operator-rotate-" + n);
              if (entry.key !== current) throw new Error("entry " + e.seq + " rotates the operator key but is not signed by the key then in force");
              // A canonical entry starts with its event, whose own canonical bytes run up to the entry's "key".
              const end = raw.lastIndexOf(',"key":"');
              if (!raw.startsWith('{"event":') || end < 0) throw new Error("entry " + e.seq + " is not a canonical entry");
              const message = cat(enc.encode("trace.event.v1"), new Uint8Array([0]), enc.encode(raw.slice(9, end)));
              if (!(await crypto.subtle.verify("Ed25519", signer.key, b64(entry.sig), message))) {
                throw new Error("entry " + e.seq + " rotates the operator key, but its signature does not verify with the key then in force: a forged rotation");
              }
              const next = await parseKey(entry.event.key, 1);
              if (next.name !== genesis.name || used.has(entry.event.key)) throw new Error("entry " + e.seq + ": the new operator key must be a new key named as the log");
              used.add(entry.event.key);
              signer = next; current = entry.event.key;
              rotations.push(e.seq);
            }
            return { signer, rotations };
          }

          async function check(data, params) {
            const wanted = params.get("k");
            if (!wanted) throw new Refusal("the address has no operator key fingerprint (k=) from the label, so there is nothing independent to check the page's key against");
            const have = await fingerprint(data.operatorKey);
            if (have !== wanted) throw new Refusal("the operator key in this page (fingerprint " + have + ") is not the one printed on the label (" + wanted + ")");
            const operator = await parseKey(data.operatorKey, 1);
            const note = parseNote(data.checkpoint);
            const text = enc.encode(note.text);
            const lines = note.text.split("\n");
            const size = BigInt(lines[1]);
            const root = b64(lines[2]);
            const { signer, rotations } = await follow(data, operator, size);
            const own = note.signatures.find((s) => s.name === signer.name && same(s.id, signer.id));
            if (!own || !(await crypto.subtle.verify("Ed25519", signer.key, own.signature, text))) {
              throw new Error("the checkpoint's signature by the operator " + signer.name +
                (rotations.length ? " (the key the rotation in entry " + rotations[rotations.length - 1] + " named)" : "") + " does not verify");
            }
            const witnessed = [];
            for (const w of params.getAll("w")) {
              let found = null;
              for (const vkey of data.witnessKeys || []) { if ((await fingerprint(vkey)) === w) found = vkey; }
              if (!found) throw new Refusal("no witness key in this page matches the witness fingerprint " + w + " printed on the label");
              const witness = await parseKey(found, 4);
              const line = note.signatures.find((s) => s.name === witness.name && same(s.id, witness.id) && s.signature.length === 72);
              let ok = false;
              if (line) {
                const time = line.signature.slice(0, 8).reduce((t, b) => (t << 8n) | BigInt(b), 0n);
                const message = cat(enc.encode("cosignature/v1\ntime " + time.toString() + "\n"), text);
                ok = await crypto.subtle.verify("Ed25519", witness.key, line.signature.slice(8), message);
              }
              if (!ok) throw new Error("the witness " + witness.name + " has not cosigned this checkpoint");
              witnessed.push(witness.name);
            }
            for (const e of data.entries) {
              if (typeof e.entryBytes !== "string") throw new Error("entry " + e.seq + " is missing from the page");
              const leaf = await sha(cat(new Uint8Array([0]), b64(e.entryBytes)));
              const r = await rootFromProof(BigInt(e.seq), size, leaf, e.proof.map(unhex));
              if (!r || !same(r, root)) throw new Error("entry " + e.seq + ": its inclusion proof does not lead to the root of the signed checkpoint of size " + size);
            }
            return "Checked in your browser: " + data.entries.length + " entries of this lot's story are in the checkpoint of size " + size +
              " signed by the operator " + operator.name + " (fingerprint " + have + ")" +
              (rotations.length ? " through its key rotation" + (rotations.length > 1 ? "s in entries " : " in entry ") + rotations.join(", ") : "") +
              (witnessed.length ? ", cosigned by " + witnessed.join(", ") : "") + ".";
          }

          async function run() {
            const box = document.getElementById("trace-browser-check");
            const say = (state, message) => { box.dataset.state = state; box.textContent = message; };
            try {
              const data = JSON.parse(document.getElementById("trace-proofs").textContent);
              say("verified", await check(data, new URLSearchParams(location.search)));
            } catch (error) {
              if (error instanceof Refusal) say("refused", "Refused: " + error.message);
              else say("failed", "Not verified in your browser: " + error.message);
            }
          }
          window.traceCheck = run;
          if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run); else run();
        })();
        """#
}
