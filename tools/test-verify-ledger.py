#!/usr/bin/env python3
"""Self-tests for tools/verify-ledger.py, built only from the worked example in docs/FORMAT.md
section 13 (no Swift involved). Run: python3 tools/test-verify-ledger.py"""

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

HERE = os.path.dirname(os.path.abspath(__file__))
VERIFIER = os.path.join(HERE, "verify-ledger.py")
FORMAT_MD = os.path.join(HERE, "..", "docs", "FORMAT.md")

spec = importlib.util.spec_from_file_location("verify_ledger", VERIFIER)
V = importlib.util.module_from_spec(spec)
spec.loader.exec_module(V)

# ---- the worked example, copied from FORMAT.md section 13 (test_doc_quotes checks the copy)

OPERATOR_SEED = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
COOP_SEED = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"
ORIGIN = "example.trace/ledger"
OPERATOR_KEY = "example.trace/ledger+8c026fd2+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea"
COOP_KEY = "htx-tan-lap+73fb3b9b+AT1AF8PoQ4lakrcKp00bfrycmCzPLsSWjMDNVfEq9GYM"
HARVEST = '{"id":"ev-0001","lot":"LA-ST25-0007","product":"Lúa ST25","quantity":"1200.5","time":"2026-07-01T07:30:00.000+07:00","type":"example.harvest","unit":"kg"}'
HARVEST_MSG_SHA = "ba983fca1fbd35254c411975182c24ac7555cdbad821f98f9cd990e9ac126a62"
HARVEST_SIG = "F8Xmq7N2GO85w28UJtbFar0yyJmsb5cGqKjN7ESiLKuoTEPro2UuQYFhkhwWRAJqG7cbWVbffUcx53Om27fiBA=="
ENTRIES = [
    '{"event":{"id":"genesis-example","operator":"example.trace/ledger+8c026fd2+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea","origin":"example.trace/ledger","time":"2026-07-01T08:00:00.000Z","type":"ledger.genesis"},"key":"example.trace/ledger+8c026fd2+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea","prev":"0000000000000000000000000000000000000000000000000000000000000000","recorded":"2026-07-01T08:00:00.000Z","seq":0,"sig":"d29xbvvjeak5AojFCXoWjUNEVEysDbi1Xg+7ZClkujZgaOV88Anm6saDU0pW9bBcDyCMAUdoyz9J5eDqQ4CyCw==","v":1}',
    '{"event":{"id":"ev-0001","lot":"LA-ST25-0007","product":"Lúa ST25","quantity":"1200.5","time":"2026-07-01T07:30:00.000+07:00","type":"example.harvest","unit":"kg"},"key":"htx-tan-lap+73fb3b9b+AT1AF8PoQ4lakrcKp00bfrycmCzPLsSWjMDNVfEq9GYM","prev":"189ebf76e4d719e4764556325b57c989a465790435db1d42c7f22a5bd02b1d18","recorded":"2026-07-01T08:05:00.000Z","seq":1,"sig":"F8Xmq7N2GO85w28UJtbFar0yyJmsb5cGqKjN7ESiLKuoTEPro2UuQYFhkhwWRAJqG7cbWVbffUcx53Om27fiBA==","v":1}',
    '{"event":{"id":"ev-0002","lot":"LA-ST25-0007","time":"2026-07-02T09:00:00.000+07:00","to":"nha-may-xay-xat","type":"example.ship"},"key":"htx-tan-lap+73fb3b9b+AT1AF8PoQ4lakrcKp00bfrycmCzPLsSWjMDNVfEq9GYM","prev":"b45586403bc888bd8471a4b3d08c7f7f0d472bd1085d1e4ec31eaddf0a2a3a07","recorded":"2026-07-02T09:01:00.000Z","seq":2,"sig":"tM19KqOKHT0RUUnTf6qWIUKwKPTW5zaAT7krTHDrirtVeK4XUmduNQ7ipEEwCCXBiIQyVSKBEWWdI4vlV0YWAg==","v":1}',
]
LEAVES = ["189ebf76e4d719e4764556325b57c989a465790435db1d42c7f22a5bd02b1d18",
          "b45586403bc888bd8471a4b3d08c7f7f0d472bd1085d1e4ec31eaddf0a2a3a07",
          "f52edb3210d28d9dffaa7b7c23555b7c9d0f96fcf9d736c9fc3a48aa755f7360"]
NODE_0_2 = "4c7c1378adddfe59b0d8a2da9500a2c1240c0137821107a580f5eaed58396496"
ROOT = "0d7c56872789088c7e12e4bbd95dbcbb52b02e2ae5ef72de980b1412079aadad"
ROOT_B64 = "DXxWhyeJCIx+EuS72V28u1KwLirl73LemAsUEgeara0="
SIG_LINE = "\u2014 example.trace/ledger jAJv0o3vaepQ/EUkxG4jYPuyPgdhBfbkkR3jFzpXIqtpG50XLJky06rDA4FOKczsbyr+Kq0dIxyrgmgYFwdfHWNBrAc="
NOTE = f"{ORIGIN}\n3\n{ROOT_B64}\n\n{SIG_LINE}\n"

H = lambda hexs: bytes.fromhex(hexs)
sha = lambda b: hashlib.sha256(b).digest()
operator_sk = Ed25519PrivateKey.from_private_bytes(H(OPERATOR_SEED))
coop_sk = Ed25519PrivateKey.from_private_bytes(H(COOP_SEED))
TMP = tempfile.mkdtemp(prefix="verify-ledger-test-")

# ---- helpers

def mth(leaves):
    """RFC 9162 MTH, straight from its recursive definition (independent of the verifier)."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return V.node_hash(mth(leaves[:k]), mth(leaves[k:]))


def all_nodes(entries):
    """Every complete subtree's hash, keyed by id = level * 2^48 + index (section 9)."""
    leaves = [V.leaf_hash(e) for e in entries]
    nodes, level = {}, 0
    while (1 << level) <= len(leaves):
        width = 1 << level
        for i in range(len(leaves) // width):
            nodes[level * 2**48 + i] = mth(leaves[i * width:(i + 1) * width])
        level += 1
    return nodes


def sign_note(size, root):
    text = f"{ORIGIN}\n{size}\n{base64.b64encode(root).decode()}\n"
    sig = operator_sk.sign(text.encode())
    return text + "\n\u2014 " + ORIGIN + " " + base64.b64encode(H("8c026fd2") + sig).decode() + "\n"


def make_ledger(name, entries=None, nodes=None, checkpoints=None, meta=None, user_version=1):
    """Write a store per section 9. Defaults: the worked example, nodes computed from `entries`."""
    entries = [e.encode() for e in ENTRIES] if entries is None else entries
    nodes = all_nodes(entries) if nodes is None else nodes
    checkpoints = {3: NOTE} if checkpoints is None else checkpoints
    meta = {"origin": ORIGIN, "operator_key": OPERATOR_KEY, "format": "1"} if meta is None else meta
    path = os.path.join(TMP, name + ".db")
    if os.path.exists(path):
        os.remove(path)
    con = sqlite3.connect(path)
    con.executescript("""
        PRAGMA journal_mode = WAL;
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE entries (seq INTEGER PRIMARY KEY, event_id TEXT UNIQUE NOT NULL, bytes BLOB NOT NULL);
        CREATE TABLE merkle_nodes (id INTEGER PRIMARY KEY, hash BLOB NOT NULL);
        CREATE TABLE checkpoints (size INTEGER PRIMARY KEY, note TEXT NOT NULL);""")
    con.execute(f"PRAGMA user_version = {user_version}")
    con.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    for seq, data in (entries.items() if isinstance(entries, dict) else enumerate(entries)):
        con.execute("INSERT INTO entries VALUES (?, ?, ?)", (seq, f"id-{seq}", data))
    con.executemany("INSERT INTO merkle_nodes VALUES (?, ?)", nodes.items())
    con.executemany("INSERT INTO checkpoints VALUES (?, ?)", checkpoints.items())
    con.commit()
    con.close()
    return path


def run(*args):
    p = subprocess.run([sys.executable, VERIFIER, *args], capture_output=True, text=True)
    return p.returncode, p.stdout.strip(), p.stderr.strip()


def expect_fail(path, prefix, *extra):
    code, out, err = run(path, "--operator", OPERATOR_KEY, *extra)
    assert code == 1 and out.startswith("FAILED: " + prefix), (code, out, err)


def write(name, content):
    path = os.path.join(TMP, name)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(content if isinstance(content, str) else json.dumps(content))
    return path


def entries_with(index, old, new):
    out = [e.encode() for e in ENTRIES]
    assert old.encode() in out[index]
    out[index] = out[index].replace(old.encode(), new.encode(), 1)
    return out

# ---- tests

def test_doc_quotes():
    """Every example value this file uses appears verbatim in FORMAT.md."""
    doc = open(FORMAT_MD, encoding="utf-8").read()
    for value in [OPERATOR_SEED, COOP_SEED, OPERATOR_KEY, COOP_KEY, HARVEST, HARVEST_MSG_SHA, HARVEST_SIG,
                  *ENTRIES, *LEAVES, NODE_0_2, ROOT, ROOT_B64, SIG_LINE, f"    {ORIGIN}\n    3\n    {ROOT_B64}\n\n    {SIG_LINE}"]:
        assert value in doc, value[:60]


def test_example_values_recompute():
    """Section 11's values, recomputed from the RFC 8032 seeds (Ed25519 is deterministic)."""
    def vkey(name, sk):
        raw = b"\x01" + sk.public_key().public_bytes_raw()
        key_hash = sha(name.encode() + b"\n" + raw)[:4].hex()
        return f"{name}+{key_hash}+{base64.b64encode(raw).decode()}"
    assert vkey(ORIGIN, operator_sk) == OPERATOR_KEY
    assert vkey("htx-tan-lap", coop_sk) == COOP_KEY
    msg = V.EVENT_CONTEXT + HARVEST.encode()
    assert sha(msg).hex() == HARVEST_MSG_SHA
    assert base64.b64encode(coop_sk.sign(msg)).decode() == HARVEST_SIG
    signers = [operator_sk, coop_sk, coop_sk]
    prev = "0" * 64
    for i, text in enumerate(ENTRIES):
        entry = json.loads(text)
        # section 2's Python recipe reproduces the bytes, and the signature is the signer's
        assert V.canonical(entry) == text.encode()
        assert V.canonical(entry["event"]).decode() in text
        sig = signers[i].sign(V.EVENT_CONTEXT + V.canonical(entry["event"]))
        assert base64.b64encode(sig).decode() == entry["sig"], f"entry {i} sig"
        assert entry["prev"] == prev and entry["seq"] == i
        prev = V.leaf_hash(text.encode()).hex()
        assert prev == LEAVES[i]
    assert json.loads(ENTRIES[1])["event"] == json.loads(HARVEST)
    assert V.node_hash(H(LEAVES[0]), H(LEAVES[1])).hex() == NODE_0_2
    assert V.node_hash(H(NODE_0_2), H(LEAVES[2])).hex() == ROOT
    assert mth([H(x) for x in LEAVES]).hex() == ROOT
    assert base64.b64encode(H(ROOT)).decode() == ROOT_B64
    assert sign_note(3, H(ROOT)) == NOTE  # the doc's checkpoint signature, byte for byte
    assert base64.b64decode(SIG_LINE.split(" ")[-1])[:4].hex() == "8c026fd2"


def test_ledger_ok():
    code, out, err = run(make_ledger("ok"), "--operator", OPERATOR_KEY)
    assert (code, out) == (0, f"ok: 3 entries, 3 signatures, 1 checkpoints, root {ROOT}"), (code, out, err)
    assert err == ""


def test_ledger_ok_json():
    code, out, _ = run(make_ledger("ok"), "--operator", OPERATOR_KEY, "--json")
    r = json.loads(out)
    assert code == 0 and r["ok"] and r["failure"] is None
    assert (r["entries"], r["signatures"], r["checkpoints"], r["root"]) == (3, 3, 1, ROOT)


def test_ledger_ok_operator_from_meta():
    code, out, err = run(make_ledger("ok"), "--json")
    assert code == 0 and json.loads(out)["operatorKeySource"] == "meta" and "meta.operator_key" in err
    code, out, _ = run(make_ledger("ok"))
    assert code == 0 and out.startswith("ok: 3 entries") and "from meta.operator_key" in out, out


def test_ledger_operator_from_file():
    code, out, _ = run(make_ledger("ok"), "--operator", write("operator.pub", OPERATOR_KEY + "\n"))
    assert code == 0, out


def test_ledger_more_checkpoints_ok():
    entries = [e.encode() for e in ENTRIES]
    cps = {n: sign_note(n, mth([V.leaf_hash(e) for e in entries[:n]])) for n in (1, 2, 3)}
    cps[0] = sign_note(0, sha(b""))
    code, out, _ = run(make_ledger("cps", checkpoints=cps), "--operator", OPERATOR_KEY)
    assert code == 0 and "4 checkpoints" in out, out


def test_wrong_operator_key():
    expect_fail(make_ledger("ok"), "meta: operator_key", "--operator", COOP_KEY)


def test_tamper_quantity_byte():
    # One byte of entry 1's quantity changes; the stored nodes are left alone.
    nodes = all_nodes([e.encode() for e in ENTRIES])
    path = make_ledger("qty", entries=entries_with(1, '"1200.5"', '"1900.5"'), nodes=nodes)
    expect_fail(path, "entry 1: leaf hash differs")


def test_tamper_quantity_and_nodes():
    # Same change, and the attacker also rewrites the merkle nodes: the signature catches it.
    path = make_ledger("qty2", entries=entries_with(1, '"1200.5"', '"1900.5"'))
    expect_fail(path, "entry 1: signature does not verify")


def test_delete_entry_1():
    entries = {0: ENTRIES[0].encode(), 2: ENTRIES[2].encode()}
    path = make_ledger("del1", entries=entries, nodes=all_nodes([e.encode() for e in ENTRIES]))
    expect_fail(path, "entry 1: missing")


def test_delete_last_entry():
    entries = [e.encode() for e in ENTRIES]
    path = make_ledger("del2", entries=entries[:2], nodes=all_nodes(entries))
    expect_fail(path, "entry 2: missing")


def test_swap_entries():
    entries = [e.encode() for e in ENTRIES]
    swapped = [entries[0], entries[2], entries[1]]
    expect_fail(make_ledger("swap", entries=swapped, nodes=all_nodes(entries)), "entry 1:")
    expect_fail(make_ledger("swap2", entries=swapped), "entry 1: its seq member is 2")


def test_tamper_checkpoint_signature():
    sig = base64.b64decode(SIG_LINE.split(" ")[-1])
    bad = sig[:10] + bytes([sig[10] ^ 1]) + sig[11:]
    note = NOTE.replace(SIG_LINE.split(" ")[-1], base64.b64encode(bad).decode())
    expect_fail(make_ledger("cpsig", checkpoints={3: note}), "checkpoint 3: operator signature does not verify")


def test_checkpoint_root_mismatch():
    # Entry 2 rewritten by its own signer, with consistent nodes: only the checkpoint catches it.
    entry = json.loads(ENTRIES[2])
    entry["event"]["to"] = "somewhere-else"
    entry["sig"] = base64.b64encode(coop_sk.sign(V.EVENT_CONTEXT + V.canonical(entry["event"]))).decode()
    entries = [e.encode() for e in ENTRIES[:2]] + [V.canonical(entry)]
    expect_fail(make_ledger("rewrite", entries=entries), "checkpoint 3: root of the first 3")


def test_not_canonical():
    spaced = entries_with(2, '"seq":2,', '"seq": 2,')
    expect_fail(make_ledger("spaces", entries=spaced), "entry 2: not canonical")
    # "Lúa" with a combining acute accent instead of the precomposed letter: not NFC.
    decomposed = unicodedata.normalize("NFD", "Lúa")
    expect_fail(make_ledger("nfd", entries=entries_with(1, "Lúa", decomposed)), "entry 1: not canonical")
    dup = entries_with(2, '"v":1}', '"v":1,"v":1}')
    expect_fail(make_ledger("dup", entries=dup), "entry 2: duplicate object key")


def test_broken_chain():
    bad_prev = entries_with(2, LEAVES[1], LEAVES[0])
    expect_fail(make_ledger("chain", entries=bad_prev), "entry 2: prev")


def test_bad_genesis():
    # Entry 0's origin changed (and nodes rewritten): not the genesis of this ledger.
    entries = entries_with(0, '"origin":"example.trace/ledger"', '"origin":"other.example/ledger"')
    expect_fail(make_ledger("genesis", entries=entries, checkpoints={}), "entry 0: genesis origin")


def test_stored_nodes():
    nodes = all_nodes([e.encode() for e in ENTRIES])
    del nodes[1]
    expect_fail(make_ledger("noleaf", nodes=nodes), "entry 1: no stored level-0")
    nodes = all_nodes([e.encode() for e in ENTRIES])
    nodes[2**48] = bytes(32)
    expect_fail(make_ledger("level1", nodes=nodes), "merkle_nodes: the root")


def test_user_version():
    # Formats 1 to 3 hold the same ledger tables (they differ in the side records): all verify.
    for version in (1, 2, 3):
        code, out, err = run(make_ledger(f"uv{version}", user_version=version), "--operator", OPERATOR_KEY)
        assert code == 0, (version, out, err)
    code, _, err = run(make_ledger("uv4", user_version=4), "--operator", OPERATOR_KEY)
    assert code == 2 and "newer" in err, err
    expect_fail(make_ledger("uv0", user_version=0), "store: user_version is 0")


def test_usage_and_unreadable():
    assert run("/nonexistent.db")[0] == 2
    assert run(write("junk.db", "not sqlite at all, just text" * 10))[0] == 2
    assert run("--proof", "x.json")[0] == 2  # needs --operator
    bad_hash = OPERATOR_KEY.replace("8c026fd2", "8c026fd3")
    code, _, err = run(make_ledger("ok"), "--operator", bad_hash)
    assert code == 2 and "key hash" in err, err


def test_verifier_key_parsing():
    k = V.VerifierKey(OPERATOR_KEY)  # its base64 part contains '+'
    assert (k.name, k.key_hash.hex()) == (ORIGIN, "8c026fd2")
    for bad in ["", "a+b", "na me+8c026fd2+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea",
                OPERATOR_KEY.replace(ORIGIN, "example.trace/other")]:
        try:
            V.VerifierKey(bad)
            raise AssertionError(f"accepted {bad!r}")
        except ValueError:
            pass


def proof_json(**changes):
    p = {"entry": 1, "treeSize": 3, "leafHash": LEAVES[1], "rootHash": ROOT,
         "proof": [LEAVES[0], LEAVES[2]], "entryBytes": base64.b64encode(ENTRIES[1].encode()).decode(),
         "checkpoint": NOTE, "nodeReads": 2}
    p.update(changes)
    return write("proof.json", p)


def test_inclusion_proof():
    code, out, _ = run("--proof", proof_json(), "--operator", OPERATOR_KEY)
    assert code == 0 and out == f"ok: entry 1 is in the signed tree of 3 entries, root {ROOT}", out
    code, out, _ = run("--proof", proof_json(proof=[LEAVES[2], LEAVES[0]]), "--operator", OPERATOR_KEY)
    assert code == 1 and out.startswith("FAILED: entry 1: inclusion proof"), out
    code, out, _ = run("--proof", proof_json(), "--operator", COOP_KEY)
    assert code == 1 and "checkpoint" in out, out


def test_tlog_proof():
    def text(extra):
        b64 = lambda h: base64.b64encode(H(h)).decode()
        return (f"c2sp.org/tlog-proof@v1\nextra {base64.b64encode(extra).decode()}\nindex 1\n"
                f"{b64(LEAVES[0])}\n{b64(LEAVES[2])}\n\n{NOTE}")
    code, out, _ = run("--tlog-proof", write("p.tlog-proof", text(ENTRIES[1].encode())), "--operator", OPERATOR_KEY)
    assert code == 0, out
    tampered = ENTRIES[1].replace("1200.5", "1900.5").encode()
    code, out, _ = run("--tlog-proof", write("p2.tlog-proof", text(tampered)), "--operator", OPERATOR_KEY)
    assert code == 1 and out.startswith("FAILED: entry 1: signature"), out


def test_consistency_proof():
    c = {"oldSize": 2, "newSize": 3, "oldRootHash": NODE_0_2, "newRootHash": ROOT,
         "proof": [LEAVES[2]], "checkpoint": NOTE}
    code, out, _ = run("--consistency", write("c.json", c), "--operator", OPERATOR_KEY)
    assert code == 0 and NODE_0_2 in out and ROOT in out, out
    c["oldRootHash"] = LEAVES[0]
    code, out, _ = run("--consistency", write("c2.json", c), "--operator", OPERATOR_KEY, "--json")
    r = json.loads(out)
    assert code == 1 and not r["ok"] and "consistency proof" in r["failure"]["reason"], out


def test_rfc9162_algorithms():
    """The verifier's RFC 9162 checks accept every PATH and PROOF of the RFC's own recursive
    definitions (sections 2.1.3.1, 2.1.4.1) for trees up to 33 leaves, and refuse altered ones."""
    def path(m, d):
        if len(d) == 1:
            return []
        k = 1
        while k * 2 < len(d):
            k *= 2
        return path(m, d[:k]) + [mth(d[k:])] if m < k else path(m - k, d[k:]) + [mth(d[:k])]

    def subproof(m, d, b):
        if m == len(d):
            return [] if b else [mth(d)]
        k = 1
        while k * 2 < len(d):
            k *= 2
        return subproof(m, d[:k], b) + [mth(d[k:])] if m <= k else subproof(m - k, d[k:], False) + [mth(d[:k])]

    leaves = [sha(bytes([i])) for i in range(33)]
    for n in range(1, 34):
        root = mth(leaves[:n])
        for m in range(n):
            p = path(m, leaves[:n])
            assert V.verify_inclusion(m, n, leaves[m], p, root), (m, n)
            assert not V.verify_inclusion(m, n, leaves[m], p + [root], root)
            assert not V.verify_inclusion(m, n, sha(b"x"), p, root)
            if p:
                assert not V.verify_inclusion(m, n, leaves[m], p[:-1], root)
        for m in range(1, n + 1):
            p = subproof(m, leaves[:n], True)
            old = mth(leaves[:m])
            assert V.verify_consistency(m, n, old, root, p), (m, n)
            assert not V.verify_consistency(m, n, sha(b"x"), root, p)
            assert not V.verify_consistency(m, n, old, sha(b"x"), p)
            if p:
                assert not V.verify_consistency(m, n, old, root, p[:-1])


def test_canonical_json():
    c = lambda v: V.canonical(v).decode()
    # keys sort by UTF-16 code units: U+1F600 (surrogate D83D) sorts before U+E000
    assert c({"\ue000": 1, "\U0001f600": 2, "a": 3}) == '{"a":3,"\U0001f600":2,"\ue000":1}'
    assert c({"s": "\b\t\n\f\r\x01\"\\\x7f é"}) == '{"s":"\\b\\t\\n\\f\\r\\u0001\\"\\\\\x7f é"}'
    for bad in [b'{"a":1,"a":2}', b'{"n":-0}', b'{"n":1.0}', b'{"n":1e2}', b'{"s":"\\ud800"}',
                b'{"n":NaN}', b'{"b":"x"} ', b'\xef\xbb\xbf{}', b'{"s":"\\u00e9"}',
                b'{"n":9007199254740993}']:
        try:
            V.parse_canonical(bad)
            raise AssertionError(f"accepted {bad!r}")
        except ValueError:
            pass
    assert V.parse_canonical('{"a":[1,true,null,"é"],"b":{}}'.encode()) == {"a": [1, True, None, "é"], "b": {}}


def main():
    tests = [(name, f) for name, f in globals().items() if name.startswith("test_") and callable(f)]
    passed = failed = 0
    for name, f in tests:
        try:
            f()
            passed += 1
            print(f"pass  {name}")
        except Exception as e:  # report every failing test, not just the first
            failed += 1
            print(f"FAIL  {name}: {type(e).__name__}: {e}")
    shutil.rmtree(TMP, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
