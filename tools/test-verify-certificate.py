#!/usr/bin/env python3
"""Self-tests for tools/verify-certificate.py. No Swift build: they use the already-built
`trace` binary (.build/debug/trace, or $TRACE_BIN) and the demo ledger in demo-out/ (or
$TRACE_DEMO_OUT).

1. A certificate issued by the real CLI verifies, and tampered copies fail naming the same check
   that `trace certificate verify` names.
2. Small certificates built here from scratch (own keys, own ledger, own checkpoint) exercise
   the rules of section 11; each is also given to `trace certificate verify`, and the two
   verdicts must name the same check.

Run: python3 tools/test-verify-certificate.py   (exit 1 on any failure; prints N passed, M failed)
"""

import base64
import hashlib
import importlib.util
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unicodedata

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
VERIFIER = os.path.join(HERE, "verify-certificate.py")
TRACE = os.environ.get("TRACE_BIN", os.path.join(ROOT, ".build", "debug", "trace"))
DEMO = os.environ.get("TRACE_DEMO_OUT", os.path.join(ROOT, "demo-out"))
LOT = "GAO-EX-2607A"

spec = importlib.util.spec_from_file_location("verify_certificate", VERIFIER)
V = importlib.util.module_from_spec(spec)
spec.loader.exec_module(V)

passed, failed = 0, 0


def report(ok, name, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"pass  {name}")
    else:
        failed += 1
        print(f"FAIL  {name}: {detail}")


# ---------------------------------------------------------------- running both verifiers

def ours(path, operator):
    """Our verdict: (exit code, failed check or None)."""
    p = subprocess.run([sys.executable, VERIFIER, path, "--operator", operator, "--json"],
                       capture_output=True, text=True)
    if p.returncode == 2:
        return 2, None
    out = json.loads(p.stdout)
    return p.returncode, (out["failure"] or {}).get("check")


def theirs(path, operator):
    """`trace certificate verify`'s verdict: (exit code, failed check or None)."""
    p = subprocess.run([TRACE, "certificate", "verify", path, "--operator", operator, "--json"],
                       capture_output=True, text=True)
    if p.returncode == 2:
        return 2, None
    try:
        out = json.loads(p.stdout)
    except ValueError:
        return p.returncode, f"unparsed output: {p.stdout[:200]} {p.stderr[:200]}"
    bad = [c["check"] for c in out.get("checks", []) if not c.get("passed")]
    return p.returncode, bad[0] if bad else None


def compare(name, path, operator, expected):
    """Both verifiers must agree with each other, and with the check we expect from the
    document (None: verified)."""
    mine, trace = ours(path, operator), theirs(path, operator)
    want = (0, None) if expected is None else (1, expected)
    report(mine == want and trace == want, name,
           f"expected {want}, verify-certificate.py gave {mine}, trace certificate verify gave {trace}")


# ---------------------------------------------------------------- certificate editing helpers

def load(path):
    with open(path, "rb") as f:
        return json.loads(f.read().decode("utf-8"))


def save(cert, path):
    """Write as the CLI does: canonical JSON and one newline (section 12)."""
    with open(path, "wb") as f:
        f.write(V.canonical(cert) + b"\n")
    return path


def decode_entry(item):
    return json.loads(base64.b64decode(item["entry"]))


def encode_entry(entry):
    return base64.b64encode(V.canonical(entry)).decode()


def item_at(cert, index):
    return next(i for i in cert["entries"] if i["index"] == index)


def index_of(cert, predicate):
    """The ledger index of the first entry of the story whose event matches."""
    return next(i["index"] for i in cert["entries"] if predicate(decode_entry(i)["event"]))


# ---------------------------------------------------------------- part 1: the demo certificate

def operator_key_from_ledger(db):
    """Section 5: the genesis event's `operator` member is the operator's verifier key; we trust
    it here only because we made the ledger copy ourselves."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        data = con.execute("SELECT bytes FROM entries WHERE seq = 0").fetchone()[0]
    finally:
        con.close()
    return json.loads(bytes(data))["event"]["operator"]


def demo_tests(tmp):
    work = os.path.join(tmp, "demo")
    shutil.copytree(DEMO, work)
    env = dict(os.environ, TRACE_LEDGER=os.path.join(work, "trace.db"))
    cert_path = os.path.join(tmp, "cert.json")
    p = subprocess.run([TRACE, "certificate", "issue", LOT, "--key",
                        os.path.join(work, "keys", "vinarice-export.key"), "--out", cert_path],
                       env=env, capture_output=True, text=True)
    if p.returncode != 0:
        report(False, "trace certificate issue", p.stderr.strip())
        return
    operator = operator_key_from_ledger(os.path.join(work, "trace.db"))
    compare("untouched certificate verifies", cert_path, operator, None)
    cert = load(cert_path)

    def variant(name, expected, edit):
        c = json.loads(json.dumps(cert))
        edit(c)
        compare(name, save(c, os.path.join(tmp, name.replace(" ", "-") + ".json")), operator, expected)

    # A quantity changed inside an entry (kept canonical): its leaf no longer matches its proof.
    harvest = index_of(cert, lambda ev: ev["type"] == "harvest")

    def change_quantity(c):
        item = item_at(c, harvest)
        e = decode_entry(item)
        e["event"]["quantity"] = "999"
        item["entry"] = encode_entry(e)
    variant("quantity changed inside an entry", "inclusion", change_quantity)

    # Entries removed: the receive by the exporter (custody breaks), a harvest (its lot is then
    # unknown), the exporter's registration (its key is then unknown).
    receive = index_of(cert, lambda ev: ev["type"] == "receive" and ev["lot"] == LOT)
    register_exporter = index_of(cert, lambda ev: ev["type"] == "party.register"
                                 and ev["party"]["id"] == cert["exporter"])
    for what, idx, expected in (("receive", receive, "rules"), ("harvest", harvest, "lineage"),
                                ("exporter registration", register_exporter, "keys")):
        variant(f"entry removed ({what})", expected,
                lambda c, idx=idx: c["entries"].remove(item_at(c, idx)))

    # An entry swapped for another lot's entry, with that entry's genuine proof from the ledger,
    # kept in index order: the other lot's party and lot are not in this story.
    other_receive = None
    con = sqlite3.connect(f"file:{os.path.join(work, 'trace.db')}?mode=ro", uri=True)
    story = {i["index"] for i in cert["entries"]}
    for seq, data in con.execute("SELECT seq, bytes FROM entries ORDER BY seq"):
        ev = json.loads(bytes(data))["event"]
        if ev["type"] == "receive" and seq not in story:
            other_receive = seq
            break
    con.close()
    proof = json.loads(subprocess.run([TRACE, "prove", "--entry", str(other_receive), "--json"], env=env,
                                      capture_output=True, text=True, check=True).stdout)
    own_receive = index_of(cert, lambda ev: ev["type"] == "receive")

    def swap(c):
        c["entries"].remove(item_at(c, own_receive))
        c["entries"].append({"index": other_receive, "entry": proof["entryBytes"], "proof": proof["proof"]})
        c["entries"].sort(key=lambda i: i["index"])
    report(proof["treeSize"] == V.open_checkpoint(cert["checkpoint"], V.VerifierKey(operator))[1],
           "the swapped entry's proof is for the certificate's tree size")
    variant("entry swapped for another lot's with its genuine proof", "keys", swap)

    # One proof hash flipped.
    def flip_proof(c):
        h = c["entries"][len(c["entries"]) // 2]["proof"][0]
        c["entries"][len(c["entries"]) // 2]["proof"][0] = ("1" if h[0] == "0" else "0") + h[1:]
    variant("proof hash flipped", "inclusion", flip_proof)

    # The checkpoint re-signed by another key under the same name.
    other = Ed25519PrivateKey.generate()
    other_vkey = verifier_key(V.VerifierKey(operator).name, other)

    def resign(c):
        text = c["checkpoint"][:c["checkpoint"].rfind("\n\n") + 1]
        c["checkpoint"] = sign_note(text, V.VerifierKey(operator).name, other_vkey, other)
    variant("checkpoint re-signed by another key", "checkpoint", resign)

    def flip_exporter_signature(c):
        raw = bytearray(base64.b64decode(c["signature"]["value"]))
        raw[10] ^= 0x01
        c["signature"]["value"] = base64.b64encode(bytes(raw)).decode()
    variant("exporter signature flipped", "exporter", flip_exporter_signature)

    def change_disclosure(c):
        c["disclosures"][0]["value"] = c["disclosures"][0]["value"] + " Jr"
    if cert["disclosures"]:
        variant("disclosure value changed", "disclosures", change_disclosure)

    # Another operator key entirely: the checkpoint does not open.
    compare("wrong operator key", cert_path, other_vkey, "checkpoint")

    # Unreadable input exits 2 for both.
    bad = os.path.join(tmp, "not-json.json")
    with open(bad, "w") as f:
        f.write("{")
    report(ours(bad, operator)[0] == 2 and theirs(bad, operator)[0] == 2, "unreadable file exits 2")


# ---------------------------------------------------------------- part 2: certificates built here

def verifier_key(name, sk):
    pk = sk.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    h = hashlib.sha256(name.encode() + b"\n\x01" + pk).digest()[:4].hex()
    blob = base64.b64encode(b"\x01" + pk).decode()
    return f"{name}+{h}+{blob}"


def sign_note(text, name, vkey, sk):
    key_hash = bytes.fromhex(vkey.split("+")[1])
    sig = sk.sign(text.encode())
    return f"{text}\n\u2014 {name} {base64.b64encode(key_hash + sig).decode()}\n"


def mth(leaves):
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return V.node_hash(mth(leaves[:k]), mth(leaves[k:]))


def path(m, leaves):
    """RFC 9162 PATH(m, D[n]), bottom up."""
    if len(leaves) == 1:
        return []
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


class Builder:
    """A tiny ledger: entries, a checkpoint and a certificate, all made here."""

    ORIGIN = "test.trace.example/ledger"

    def __init__(self):
        self.sks = {}
        self.keys = {}
        self.op_sk = Ed25519PrivateKey.generate()
        self.op = verifier_key(self.ORIGIN, self.op_sk)
        self.entries, self.salts = [], {}
        self.n = 0
        self.add(None, {"id": "genesis-test", "type": "ledger.genesis", "origin": self.ORIGIN,
                        "operator": self.op, "time": self.ts(0).replace("+00:00", "Z")})

    def ts(self, i):
        return f"2026-07-01T08:{i // 60:02d}:{i % 60:02d}.000+00:00"

    def key(self, party):
        if party not in self.sks:
            self.sks[party] = Ed25519PrivateKey.generate()
            self.keys[party] = verifier_key(party, self.sks[party])
        return self.keys[party]

    def add(self, actor, event, signer=None):
        seq = len(self.entries)
        event = dict(event)
        if actor is not None:
            event.setdefault("id", f"ev-{seq}")
            event["actor"] = actor
            event.setdefault("time", self.ts(seq))
        sk, key = (self.op_sk, self.op) if actor in (None, "operator") else (self.sks[signer or actor], self.keys[signer or actor])
        sig = sk.sign(b"trace.event.v1\x00" + V.canonical(event))
        prev = "0" * 64 if seq == 0 else V.leaf_hash(self.entries[-1]).hex()
        entry = {"v": 1, "seq": seq, "recorded": self.ts(seq).replace("+00:00", "Z"), "prev": prev,
                 "event": event, "key": key, "sig": base64.b64encode(sig).decode()}
        self.entries.append(V.canonical(entry))
        return seq

    def register(self, pid, roles, member_of=None, person=None):
        party = {"id": pid, "roles": roles, "key": self.key(pid)}
        if person:
            salt = os.urandom(16)
            self.salts[pid] = (person, salt)
            party["personal"] = {"name": hashlib.sha256(b"trace.pii.v1\x00" + salt + person.encode()).hexdigest()}
        else:
            party["name"] = pid.upper()
        if member_of:
            party["memberOf"] = member_of
        return self.add("operator", {"type": "party.register", "party": party})

    def certificate(self, lot, exporter, story=None):
        leaves = [V.leaf_hash(e) for e in self.entries]
        root = mth(leaves)
        text = f"{self.ORIGIN}\n{len(leaves)}\n{base64.b64encode(root).decode()}\n"
        story = range(len(self.entries)) if story is None else story
        signers = {}
        for i in story:
            e = json.loads(self.entries[i])
            party = "operator" if e["key"] == self.op else e["key"].split("+")[0]
            signers[e["key"]] = {"party": party, "key": e["key"], "registeredBy": self.registered_by(e["key"])}
        signers[self.keys[exporter]] = {"party": exporter, "key": self.keys[exporter],
                                        "registeredBy": self.registered_by(self.keys[exporter])}
        cert = {"type": "trace.certificate.v1", "lot": lot, "exporter": exporter,
                "checkpoint": sign_note(text, self.ORIGIN, self.op, self.op_sk),
                "entries": [{"index": i, "entry": base64.b64encode(self.entries[i]).decode(),
                             "proof": [h.hex() for h in path(i, leaves)]} for i in story],
                "signers": sorted(signers.values(), key=lambda s: s["key"]),
                "disclosures": [{"party": p, "field": "name", "value": v, "salt": base64.b64encode(s).decode()}
                                for p, (v, s) in sorted(self.salts.items())],
                "redacted": False}
        sig = self.sks[exporter].sign(b"trace.certificate.v1\x00" + V.canonical(cert))
        cert["signature"] = {"key": self.keys[exporter], "value": base64.b64encode(sig).decode()}
        return cert

    def registered_by(self, key):
        if key == self.op:
            return 0
        for i, data in enumerate(self.entries):
            ev = json.loads(data)["event"]
            if (ev["type"] == "party.register" and ev["party"]["key"] == key) or \
                    (ev["type"] == "party.rotate" and ev["key"] == key):
                return i
        return 0


def story_ledger(yield_out="600", receiver="mill", split=None, revoke_coop=False, plot="P-1"):
    """Harvest 1 t on a farm's plot, ship to a mill, mill it, ship to an exporter, export.
    Parameters break one rule each."""
    b = Builder()
    b.register("coop", ["cooperative"])
    b.register("farm", ["farm"], member_of="coop", person="Nguyễn Văn Test")
    b.register("mill", ["processor"])
    b.register("exp", ["exporter"])
    b.add("coop", {"type": "plot.register", "plot": {
        "id": "P-1", "farm": "farm", "crop": "lúa", "areaHa": "1.5",
        "geometry": {"type": "Point", "coordinates": ["106.512300", "10.601100"]}}})
    b.add("coop", {"type": "harvest", "lot": "H-1", "product": "Lúa", "quantity": "1", "unit": "t",
                   "plot": plot, "harvested": "2026-06-30"})
    if revoke_coop:
        b.add("operator", {"type": "party.revoke", "party": "coop", "reason": "key lost"})
    b.add("coop", {"type": "ship", "lot": "H-1", "to": "mill"})
    b.add(receiver, {"type": "receive", "lot": "H-1"})
    b.add("mill", {"type": "transform", "process": "milling", "yieldLimit": "0.65",
                   "inputs": [{"lot": "H-1", "quantity": "1000", "unit": "kg"}],
                   "outputs": [{"lot": "R-1", "product": "Gạo", "quantity": yield_out, "unit": "kg"}]})
    lot = "R-1"
    if split:
        b.add("mill", {"type": "split", "lot": "R-1", "outputs": [
            {"lot": "R-1A", "quantity": split[0], "unit": "kg"}, {"lot": "R-1B", "quantity": split[1], "unit": "kg"}]})
        lot = "R-1A"
    b.add("mill", {"type": "ship", "lot": lot, "to": "exp"})
    b.add("exp", {"type": "receive", "lot": lot})
    b.add("exp", {"type": "export", "lot": lot, "buyer": "Buyer GmbH", "country": "DE", "container": "MSCU1234565"})
    return b, lot


def built_tests(tmp):
    cases = [
        ("built: a clean story verifies", {}, None),
        ("built: transform beyond its yield limit", {"yield_out": "700"}, "rules"),
        ("built: receive by someone other than the addressee", {"receiver": "exp"}, "rules"),
        ("built: split giving out more than the lot holds", {"split": ("400", "300")}, "rules"),
        ("built: split within what the lot holds", {"split": ("400", "200")}, None),
        ("built: a revoked key signs later", {"revoke_coop": True}, "keys"),
        ("built: harvest on an unregistered plot", {"plot": "P-9"}, "lineage"),
    ]
    for name, kw, expected in cases:
        b, lot = story_ledger(**kw)
        path_ = save(b.certificate(lot, "exp"), os.path.join(tmp, name.split(": ")[1].replace(" ", "-") + ".json"))
        compare(name, path_, b.op, expected)


def main():
    if not os.path.isdir(DEMO):
        print(f"SKIPPED: {DEMO} is missing (run tools/demo first, or let the Swift suite drive this test)")
        return 0
    if not os.access(TRACE, os.X_OK):
        print(f"SKIPPED: {TRACE} is not built")
        return 0
    tmp = tempfile.mkdtemp(prefix="verify-certificate-test-")
    try:
        demo_tests(tmp)
        built_tests(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
