#!/usr/bin/env python3
"""Independent reference verifier for trace ledgers, written from docs/FORMAT.md alone.

  verify-ledger.py LEDGER.db [--operator VERIFIER_KEY] [--json]
  verify-ledger.py --proof PROOF.json --operator VERIFIER_KEY [--json]
  verify-ledger.py --tlog-proof FILE --operator VERIFIER_KEY [--json]
  verify-ledger.py --consistency CONS.json --operator VERIFIER_KEY [--json]

Exit status: 0 verified, 1 verification failed, 2 bad usage or unreadable input.
Section numbers in comments refer to docs/FORMAT.md.
"""

import argparse
import base64
import binascii
import datetime
import hashlib
import json
import os
import re
import sqlite3
import sys
import unicodedata

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

EVENT_CONTEXT = b"trace.event.v1\x00"  # section 4
ZERO_HASH = "0" * 64
STORE_FORMAT = 3  # PRAGMA user_version, section 9 (formats 1 and 2 have the same ledger tables)
LEVEL_STRIDE = 2**48  # merkle_nodes.id = level * 2^48 + index, section 9


class Failure(Exception):
    """Verification failed: the input is readable but not valid."""

    def __init__(self, reason, entry=None, checkpoint=None):
        super().__init__(reason)
        self.reason, self.entry, self.checkpoint = reason, entry, checkpoint

    def __str__(self):
        if self.entry is not None:
            return f"entry {self.entry}: {self.reason}"
        if self.checkpoint is not None:
            return f"checkpoint {self.checkpoint}: {self.reason}"
        return self.reason


class Unreadable(Exception):
    """The input cannot be read as the kind of file it should be (exit 2)."""


# ---------------------------------------------------------------- primitives (sections 1, 6)

def sha256(data):
    return hashlib.sha256(data).digest()


def leaf_hash(entry_bytes):
    return sha256(b"\x00" + entry_bytes)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def b64decode(text, what):
    """Strict standard base64 with padding; also insists on the canonical spelling, so that
    a given byte string has exactly one base64 text (non-zero padding bits are refused)."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{what} is not valid base64")
    if base64.b64encode(raw).decode() != text:
        raise ValueError(f"{what} is not canonical base64")
    return raw


def hex_hash(text, what):
    if not isinstance(text, str) or not re.fullmatch(r"[0-9a-f]{64}", text):
        raise ValueError(f"{what} is not 64 lower-case hex digits")
    return bytes.fromhex(text)


# The acceptance rule's byte checks (section 3.1); `cryptography` checks the equation.
_L = 2**252 + 27742317777372353535851937790883648493
_P = 2**255 - 19
_SMALL_ORDER_Y = {0, 1, _P - 1,
                  int.from_bytes(bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"), "little"),
                  int.from_bytes(bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"), "little")}


def _point_ok(encoding):
    y = int.from_bytes(encoding, "little") & ((1 << 255) - 1)
    return y < _P and y not in _SMALL_ORDER_Y


def ed25519_ok(public_key, signature, message):
    if len(signature) != 64 or int.from_bytes(signature[32:], "little") >= _L or not _point_ok(signature[:32]):
        return False
    if not _point_ok(public_key.public_bytes_raw()):
        return False
    try:
        public_key.verify(signature, message)
        return True
    except InvalidSignature:
        return False


# ---------------------------------------------------------------- canonical JSON (section 2)

def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


def _refuse_fraction(text):
    # Version 1 carries only integers as numbers (section 2); a fraction or exponent is refused
    # rather than guessed at with an ECMAScript number formatter.
    raise ValueError(f"non-integer number {text}")


def _pairs(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate object key")
    return dict(pairs)


def _nfc(value):
    """NFC every string and order object members by UTF-16 code units (section 2)."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    if isinstance(value, dict):
        items = [(_nfc(k), _nfc(v)) for k, v in value.items()]
        if len({k for k, _ in items}) != len(items):
            raise ValueError("duplicate object key after NFC")
        return dict(sorted(items, key=lambda kv: kv[0].encode("utf-16-be", "surrogatepass")))
    if type(value) is int:
        # JCS numbers are IEEE doubles printed by ECMAScript: an integer keeps its digits only
        # if it is exactly a double below 1e21; anything else would print differently.
        if abs(value) >= 10**21 or int(float(value)) != value:
            raise ValueError(f"integer {value} has no exact JCS form")
    return value


def canonical(value):
    """JCS + NFC bytes of a parsed value (section 2)."""
    text = json.dumps(_nfc(value), ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("lone surrogate in a string")


def parse_canonical(data):
    """Parse JSON bytes and insist they are exactly their own canonical serialization."""
    try:
        text = data.decode("utf-8")
        value = json.loads(text, object_pairs_hook=_pairs, parse_constant=_refuse_constant,
                           parse_float=_refuse_fraction)
        again = canonical(value)
    except UnicodeDecodeError:
        raise ValueError("not UTF-8")
    except json.JSONDecodeError as e:
        raise ValueError(f"not JSON ({e.msg} at byte {e.pos})")
    if again != data:
        raise ValueError("not canonical: the stored bytes differ from their JCS+NFC serialization")
    return value


# ---------------------------------------------------------------- verifier keys (section 3)

def valid_key_name(name):
    return (name != "" and "+" not in name
            and not any(c.isspace() or unicodedata.category(c) == "Cc" for c in name))


class VerifierKey:
    """A C2SP signed-note verifier key: <name>+<key hash>+<base64(0x01 || public key)>."""

    def __init__(self, text):
        parts = text.split("+", 2)  # the base64 part may itself contain '+'
        if len(parts) != 3:
            raise ValueError("verifier key is not <name>+<hash>+<key>")
        name, hash_hex, key_b64 = parts
        if not valid_key_name(name):
            raise ValueError("verifier key has an invalid name")
        if not re.fullmatch(r"[0-9a-f]{8}", hash_hex):
            raise ValueError("verifier key hash is not 8 lower-case hex digits")
        raw = b64decode(key_b64, "verifier key")
        if len(raw) != 33 or raw[0] != 0x01:
            raise ValueError("verifier key is not 0x01 followed by a 32-byte Ed25519 key")
        if sha256(name.encode() + b"\x0a" + raw)[:4].hex() != hash_hex:
            raise ValueError("verifier key hash does not match its name and key")
        self.text, self.name, self.key_hash = text, name, bytes.fromhex(hash_hex)
        self.public_key = Ed25519PublicKey.from_public_bytes(raw[1:])


# ---------------------------------------------------------------- signed notes, checkpoints (section 7)

class Checkpoint:
    def __init__(self, origin, size, root):
        self.origin, self.size, self.root = origin, size, root


def open_note(note, key):
    """Check a signed note against `key` and parse its text as a checkpoint.
    Raises ValueError with the reason."""
    # C2SP signed-note: UTF-8 with no control characters other than newline.
    if any(c < " " and c != "\n" for c in note):
        raise ValueError("note contains a control character")
    split = note.rfind("\n\n")
    if split < 0:
        raise ValueError("note has no empty line before its signatures")
    text, sigs = note[:split + 1], note[split + 2:]
    if not sigs.endswith("\n"):
        raise ValueError("note's signature block does not end in a newline")
    signed = False
    for line in sigs[:-1].split("\n"):
        if not line.startswith("\u2014 "):
            raise ValueError("malformed signature line")
        name, space, sig_b64 = line[2:].rpartition(" ")
        if not space or not valid_key_name(name):
            raise ValueError("malformed signature line")
        raw = b64decode(sig_b64, "note signature")
        if len(raw) < 5:
            raise ValueError("malformed signature line")
        if name != key.name or raw[:4] != key.key_hash:
            continue  # someone else's signature (a witness, say): not ours to check
        if len(raw) != 68:
            raise ValueError("operator signature is not 4 + 64 bytes")
        if not ed25519_ok(key.public_key, raw[4:], text.encode("utf-8")):
            raise ValueError("operator signature does not verify")
        signed = True
    if not signed:
        raise ValueError(f"no signature by {key.name}+{key.key_hash.hex()}")

    lines = text[:-1].split("\n")
    if len(lines) < 3 or lines[0] == "":
        raise ValueError("checkpoint text is not origin, size, root")
    if not re.fullmatch(r"0|[1-9][0-9]*", lines[1]):
        raise ValueError("checkpoint size is not a decimal number without leading zeros")
    root = b64decode(lines[2], "checkpoint root")
    if len(root) != 32:
        raise ValueError("checkpoint root is not 32 bytes")
    if "" in lines[3:]:
        raise ValueError("checkpoint has an empty extension line")
    return Checkpoint(lines[0], int(lines[1]), root)


# ---------------------------------------------------------------- entries (sections 4, 5)

ENTRY_MEMBERS = {"v", "seq", "recorded", "prev", "event", "key", "sig"}


def parse_entry(data):
    """Parse and check one entry's bytes; returns (entry, signer key, signature).
    Raises ValueError with the reason."""
    entry = parse_canonical(data)
    if not isinstance(entry, dict) or set(entry) != ENTRY_MEMBERS:
        raise ValueError(f"not an entry: members must be exactly {sorted(ENTRY_MEMBERS)}")
    if type(entry["v"]) is not int or entry["v"] != 1:
        raise ValueError(f"unknown entry format v={entry['v']!r}")
    if type(entry["seq"]) is not int or entry["seq"] < 0:
        raise ValueError("seq is not a non-negative integer")
    recorded = entry["recorded"]
    if not isinstance(recorded, str) or not re.fullmatch(
            r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z", recorded):
        raise ValueError("recorded is not YYYY-MM-DDTHH:MM:SS.mmmZ")
    try:
        datetime.datetime.strptime(recorded, "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        raise ValueError("recorded is not a real date and time")
    hex_hash(entry["prev"], "prev")
    event = entry["event"]
    if not isinstance(event, dict):
        raise ValueError("event is not an object")
    if not isinstance(event.get("id"), str) or not re.fullmatch(r"[A-Za-z0-9._:-]{1,128}", event["id"]):
        raise ValueError("event id is missing or not 1-128 of A-Z a-z 0-9 . _ : -")
    if not isinstance(event.get("type"), str) or event["type"] == "":
        raise ValueError("event type is missing or empty")
    if not isinstance(entry["key"], str):
        raise ValueError("key is not a string")
    key = VerifierKey(entry["key"])
    if not isinstance(entry["sig"], str):
        raise ValueError("sig is not a string")
    sig = b64decode(entry["sig"], "sig")
    if len(sig) != 64:
        raise ValueError("sig is not 64 bytes")
    return entry, key, sig


def check_genesis(entry, origin, operator):
    """Section 5: entry 0's event is ledger.genesis naming this origin and operator."""
    event = entry["event"]
    if event["type"] != "ledger.genesis":
        raise ValueError(f"not a genesis entry (type {event['type']!r})")
    if event.get("origin") != origin:
        raise ValueError(f"genesis origin {event.get('origin')!r} is not {origin!r}")
    if event.get("operator") != operator.text:
        raise ValueError("genesis operator is not the operator's verifier key")
    if not isinstance(event.get("time"), str):
        raise ValueError("genesis event has no time")
    if entry["key"] != operator.text:
        raise ValueError("genesis entry is not signed with the operator's key")


def event_signature_ok(entry, key, sig):
    # The event is re-serialized here (section 4 signs JCS(event)); the entry's own bytes were
    # already shown canonical, so this is the byte string that sits inside them.
    return ed25519_ok(key.public_key, sig, EVENT_CONTEXT + canonical(entry["event"]))


# ---------------------------------------------------------------- Merkle tree (section 6)

def fold(subtrees):
    """Root from the perfect subtrees covering the leaves, largest (leftmost) first: RFC 9162's
    MTH splits off the largest power of two, so the root is a right fold over them."""
    if not subtrees:
        return sha256(b"")
    root = subtrees[-1]
    for h in reversed(subtrees[:-1]):
        root = node_hash(h, root)
    return root


class RunningTree:
    """Streams leaves and keeps one hash per perfect subtree, O(log n) memory."""

    def __init__(self):
        self.stack = []  # (level, hash), levels strictly decreasing

    def append(self, leaf):
        level, h = 0, leaf
        while self.stack and self.stack[-1][0] == level:
            h = node_hash(self.stack.pop()[1], h)
            level += 1
        self.stack.append((level, h))

    def root(self):
        return fold([h for _, h in self.stack])


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(old_size, new_size, old_root, new_root, proof):
    """RFC 9162 section 2.1.4.2, which covers 0 < old_size < new_size. Equal sizes need an empty
    proof and equal roots; the empty tree (size 0) is a prefix of anything, with an empty proof."""
    if old_size > new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof and old_root == sha256(b"")
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is itself a node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0


# ---------------------------------------------------------------- the SQLite store (sections 9, 10)

def open_store(path):
    if not os.path.isfile(path):
        raise Unreadable(f"{path}: no such file")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        version = con.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as e:
        raise Unreadable(f"{path}: {e}")
    if version > STORE_FORMAT:
        raise Unreadable(f"{path}: store format {version} is newer than this verifier knows ({STORE_FORMAT})")
    if version < 1:
        raise Failure(f"store: user_version is {version}, not a trace ledger")
    return con


def root_from_stored_nodes(con, size):
    """The root of `size` leaves from merkle_nodes: one stored node per perfect subtree."""
    subtrees, start = [], 0
    for level in reversed(range(size.bit_length())):
        if size & (1 << level):
            node_id = level * LEVEL_STRIDE + (start >> level)
            row = con.execute("SELECT hash FROM merkle_nodes WHERE id = ?", (node_id,)).fetchone()
            if row is None or not isinstance(row[0], bytes):
                raise Failure(f"merkle_nodes: node {node_id} (level {level}, leaves "
                              f"[{start}, {start + (1 << level)})) is missing")
            subtrees.append(row[0])
            start += 1 << level
    return fold(subtrees)


def verify_ledger(path, operator_text, result):
    con = open_store(path)
    try:
        return _verify_ledger(con, operator_text, result)
    except sqlite3.Error as e:
        raise Unreadable(f"{path}: {e}")
    finally:
        con.close()


def operator_chain(con, genesis):
    """Section 11, operator.rotate: [(smallest size it signs, key)] from the genesis key on. A
    rotation must have id operator-rotate-N, be signed by the key in force (its signature is
    checked here, before the key it names is trusted) and name a new key named as the log; the
    scan of step 3 checks the same entries again in order."""
    chain, used = [(0, genesis)], {genesis.text}
    for seq, data in con.execute("SELECT seq, bytes FROM entries ORDER BY seq"):
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not isinstance(data, bytes) or b'"operator.rotate"' not in data:
            continue
        try:
            entry, key, sig = parse_entry(data)
        except ValueError:
            continue  # step 3 reports it
        event = entry["event"]
        if event.get("type") != "operator.rotate":
            continue
        current = chain[-1][1]
        n = len(chain)
        if event.get("id") != f"operator-rotate-{n}":
            raise Failure(f"rotation {n} of the operator key must have the id operator-rotate-{n}", entry=seq)
        if key.text != current.text or not event_signature_ok(entry, key, sig):
            raise Failure("rotates the operator key but is not signed by the operator key then in force", entry=seq)
        try:
            new = VerifierKey(event.get("key"))
        except ValueError as e:
            raise Failure(f"the new operator key: {e}", entry=seq)
        if new.name != genesis.name or new.text in used:
            raise Failure("the new operator key must be a new key named as the log", entry=seq)
        used.add(new.text)
        chain.append((seq + 1, new))
    return chain


def _verify_ledger(con, operator_text, result):
    # Step 1: meta, and the operator key we trust.
    meta = dict(con.execute("SELECT key, value FROM meta"))
    origin, stored_key = meta.get("origin"), meta.get("operator_key")
    if not isinstance(origin, str) or not isinstance(stored_key, str):
        raise Failure("meta: origin or operator_key is missing")
    result["operatorKeySource"] = "argument" if operator_text else "meta"
    if operator_text is None:
        operator_text = stored_key
    try:
        operator = VerifierKey(operator_text)
    except ValueError as e:
        raise Failure(f"meta: operator_key: {e}")
    if stored_key != operator.text:
        raise Failure(f"meta: operator_key {stored_key!r} is not the trusted operator key")
    if operator.name != origin:  # section 7: the origin is the operator key's name
        raise Failure(f"meta: origin {origin!r} is not the operator key's name {operator.name!r}")

    # Step 2: every stored checkpoint note opens with the operator key in force at its size.
    chain = operator_chain(con, operator)
    checkpoints = {}
    for size, note in con.execute("SELECT size, note FROM checkpoints ORDER BY size"):
        if not isinstance(note, str):
            raise Failure("note is not text", checkpoint=size)
        try:
            cp = open_note(note, [key for start, key in chain if start <= size][-1])
        except ValueError as e:
            raise Failure(str(e), checkpoint=size)
        if cp.origin != origin:
            raise Failure(f"origin {cp.origin!r} is not {origin!r}", checkpoint=size)
        if cp.size != size:
            raise Failure(f"note says size {cp.size}, stored as size {size}", checkpoint=size)
        checkpoints[size] = cp.root
    if 0 in checkpoints and checkpoints[0] != sha256(b""):
        raise Failure("root of the empty tree is wrong", checkpoint=0)
    result["checkpoints"] = len(checkpoints)

    # Steps 3 and 4, streaming. Level-0 node ids are just the leaf index (level 0 * 2^48 + i).
    tree, prev, n, last_good_checkpoint = RunningTree(), ZERO_HASH, 0, 0
    rows = con.execute("SELECT e.seq, e.bytes, m.hash FROM entries e "
                       "LEFT JOIN merkle_nodes m ON m.id = e.seq ORDER BY e.seq")
    for seq, data, stored_leaf in rows:
        if seq != n:
            raise Failure(f"missing (the next stored entry is {seq})", entry=n)
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not isinstance(data, bytes):
            raise Failure("bytes column holds no bytes", entry=n)
        try:
            entry, key, sig = parse_entry(data)
        except ValueError as e:
            raise Failure(str(e), entry=n)
        if entry["seq"] != n:
            raise Failure(f"its seq member is {entry['seq']}, at position {n}", entry=n)
        leaf = leaf_hash(data)
        if stored_leaf is None:
            raise Failure("no stored level-0 merkle node", entry=n)
        if stored_leaf != leaf:
            raise Failure("leaf hash differs from the stored level-0 node: changed after it was appended", entry=n)
        if entry["prev"] != prev:
            raise Failure(f"prev {entry['prev']} is not the previous entry's leaf hash {prev}", entry=n)
        if n == 0:
            try:
                check_genesis(entry, origin, operator)
            except ValueError as e:
                raise Failure(str(e), entry=0)
        if not event_signature_ok(entry, key, sig):
            raise Failure(f"signature does not verify with {key.name}", entry=n)
        result["signatures"] = result["entries"] = n + 1

        tree.append(leaf)
        prev, n = leaf.hex(), n + 1
        if n in checkpoints:
            if tree.root() != checkpoints[n]:
                raise Failure(f"root of the first {n} entries is not the signed root: an entry in "
                              f"[{last_good_checkpoint}, {n}) was changed, inserted or removed after signing",
                              checkpoint=n)
            last_good_checkpoint = n

    if n == 0:
        raise Failure("missing: the ledger has no genesis entry", entry=0)
    # Step 2's "size at most the number of entries", checked after the scan so that a removed
    # entry is reported as the first missing entry rather than as a checkpoint problem.
    too_big = [s for s in checkpoints if s > n]
    if too_big:
        raise Failure(f"missing: checkpoint {max(too_big)} covers {max(too_big)} entries, only {n} stored", entry=n)

    # Step 5: the stored nodes must give the same root.
    root = tree.root()
    if root_from_stored_nodes(con, n) != root:
        raise Failure(f"merkle_nodes: the root from the stored nodes is not the root of the {n} entries")
    result["root"] = root.hex()


# ---------------------------------------------------------------- proof files (section 8)

def load_json(path, fields):
    try:
        with open(path, encoding="utf-8") as f:
            obj = json.load(f)
    except (OSError, ValueError) as e:
        raise Unreadable(f"{path}: {e}")
    if not isinstance(obj, dict) or any(not isinstance(obj.get(k), t) or isinstance(obj.get(k), bool)
                                        for k, t in fields.items()):
        raise Unreadable(f"{path}: needs " + ", ".join(f"{k} ({t.__name__})" for k, t in fields.items()))
    return obj


def hex_list(items, what):
    try:
        return [hex_hash(h, what) for h in items]
    except ValueError as e:
        raise Failure(str(e))


def open_checkpoint(note, operator, size=None):
    try:
        cp = open_note(note, operator)
    except ValueError as e:
        raise Failure(f"checkpoint: {e}")
    if cp.origin != operator.name:  # section 7: the origin is the operator key's name
        raise Failure(f"checkpoint: origin {cp.origin!r} is not the operator key's name")
    if size is not None and cp.size != size:
        raise Failure(f"checkpoint: size {cp.size}, but the proof is for a tree of {size}")
    return cp


def verify_inclusion_claim(index, entry_bytes, proof, cp, operator, result):
    """Shared by --proof and --tlog-proof: the entry, its signature, and its inclusion in the
    already opened checkpoint `cp`."""
    try:
        entry, key, sig = parse_entry(entry_bytes)
        if entry["seq"] != index:
            raise ValueError(f"its seq member is {entry['seq']}, but the proof is for index {index}")
        if index == 0:
            check_genesis(entry, cp.origin, operator)
    except ValueError as e:
        raise Failure(str(e), entry=index)
    if not event_signature_ok(entry, key, sig):
        raise Failure(f"signature does not verify with {key.name}", entry=index)
    leaf = leaf_hash(entry_bytes)
    if not verify_inclusion(index, cp.size, leaf, proof, cp.root):
        raise Failure(f"inclusion proof does not lead to the signed root of size {cp.size}", entry=index)
    result.update(entry=index, treeSize=cp.size, leafHash=leaf.hex(), root=cp.root.hex())
    return leaf


def verify_proof_json(path, operator, result):
    p = load_json(path, {"entry": int, "treeSize": int, "leafHash": str, "rootHash": str,
                         "proof": list, "entryBytes": str, "checkpoint": str})
    proof = hex_list(p["proof"], "proof hash")
    try:
        entry_bytes = b64decode(p["entryBytes"], "entryBytes")
        leaf_claim, root_claim = hex_hash(p["leafHash"], "leafHash"), hex_hash(p["rootHash"], "rootHash")
    except ValueError as e:
        raise Failure(str(e))
    cp = open_checkpoint(p["checkpoint"], operator, p["treeSize"])
    leaf = verify_inclusion_claim(p["entry"], entry_bytes, proof, cp, operator, result)
    # leafHash and rootHash are redundant in the file; they must agree with what was verified.
    if leaf_claim != leaf:
        raise Failure("leafHash is not the hash of entryBytes", entry=p["entry"])
    if root_claim != cp.root:
        raise Failure("rootHash is not the checkpoint's root")


def verify_tlog_proof(path, operator, result):
    try:
        with open(path, encoding="utf-8", newline="") as f:
            text = f.read()
    except (OSError, ValueError) as e:
        raise Unreadable(f"{path}: {e}")
    head, sep, note = text.partition("\n\n")  # the proof block ends at the first empty line
    lines = head.split("\n")
    if not sep or lines[0] != "c2sp.org/tlog-proof@v1":
        raise Unreadable(f"{path}: not a c2sp.org/tlog-proof@v1 file")
    lines = lines[1:]
    try:
        extra = None
        if lines and lines[0].startswith("extra "):  # optional in C2SP; trace always writes it
            extra = b64decode(lines.pop(0)[len("extra "):], "extra")
        if not lines or not re.fullmatch(r"index (0|[1-9][0-9]*)", lines[0]):
            raise ValueError("no index line")
        index = int(lines.pop(0)[len("index "):])
        proof = [b64decode(h, "proof hash") for h in lines]
        if any(len(h) != 32 for h in proof):
            raise ValueError("a proof hash is not 32 bytes")
    except ValueError as e:
        raise Failure(f"tlog-proof: {e}")
    if extra is None:
        raise Failure("tlog-proof: no extra line, so there are no entry bytes to check")
    cp = open_checkpoint(note, operator)  # the tree size comes from the checkpoint itself
    verify_inclusion_claim(index, extra, proof, cp, operator, result)


def verify_consistency_json(path, operator, result):
    c = load_json(path, {"oldSize": int, "newSize": int, "oldRootHash": str, "newRootHash": str,
                         "proof": list, "checkpoint": str})
    proof = hex_list(c["proof"], "proof hash")
    try:
        old_root, new_root = hex_hash(c["oldRootHash"], "oldRootHash"), hex_hash(c["newRootHash"], "newRootHash")
    except ValueError as e:
        raise Failure(str(e))
    cp = open_checkpoint(c["checkpoint"], operator, c["newSize"])
    if cp.root != new_root:
        raise Failure("newRootHash is not the checkpoint's root")
    if c["oldSize"] < 0 or not verify_consistency(c["oldSize"], c["newSize"], old_root, new_root, proof):
        raise Failure(f"consistency proof from size {c['oldSize']} to {c['newSize']} does not verify")
    result.update(oldSize=c["oldSize"], newSize=c["newSize"], oldRoot=old_root.hex(), root=new_root.hex())


# ---------------------------------------------------------------- command line

def success_line(mode, r):
    if mode == "ledger":
        line = (f"ok: {r['entries']} entries, {r['signatures']} signatures, "
                f"{r['checkpoints']} checkpoints, root {r['root']}")
        if r["operatorKeySource"] == "meta":
            line += " (operator key taken from meta.operator_key, not checked out of band)"
        return line
    if mode == "consistency":
        # The old root is not signed in the file: the reader must compare it with a checkpoint
        # they already hold, so print it.
        return (f"ok: the tree of {r['oldSize']} entries with root {r['oldRoot']} is a prefix of "
                f"the signed tree of {r['newSize']} entries, root {r['root']}")
    return f"ok: entry {r['entry']} is in the signed tree of {r['treeSize']} entries, root {r['root']}"


def main(argv):
    ap = argparse.ArgumentParser(description="Verify a trace ledger or proof from docs/FORMAT.md.")
    ap.add_argument("ledger", nargs="?", help="the ledger's SQLite file")
    ap.add_argument("--proof", help="a `trace prove --json` output")
    ap.add_argument("--tlog-proof", help="a c2sp.org/tlog-proof@v1 file (`trace prove`)")
    ap.add_argument("--consistency", help="a `trace consistency --json` output")
    ap.add_argument("--operator", help="the operator's verifier key, or a file holding it")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)

    modes = [(m, p) for m, p in (("ledger", args.ledger), ("proof", args.proof),
                                 ("tlog-proof", args.tlog_proof), ("consistency", args.consistency)) if p]
    if len(modes) != 1:
        ap.error("give exactly one of LEDGER, --proof, --tlog-proof, --consistency")
    mode, path = modes[0]
    if mode != "ledger" and not args.operator:
        ap.error(f"--{mode} needs --operator")

    operator_text = args.operator
    if operator_text is not None and os.path.isfile(operator_text):
        with open(operator_text, encoding="utf-8") as f:
            operator_text = f.read().strip()
    operator = None
    if operator_text is not None:
        try:
            operator = VerifierKey(operator_text)
        except ValueError as e:
            ap.error(f"--operator: {e}")

    result = {"ok": False, "mode": mode}
    if mode == "ledger":
        result.update(entries=0, signatures=0, checkpoints=0, root=None)
    failure = None
    try:
        if mode == "ledger":
            verify_ledger(path, operator_text, result)
        elif mode == "proof":
            verify_proof_json(path, operator, result)
        elif mode == "tlog-proof":
            verify_tlog_proof(path, operator, result)
        else:
            verify_consistency_json(path, operator, result)
    except Unreadable as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except Failure as e:
        failure = e

    result["ok"] = failure is None
    result["failure"] = None if failure is None else {
        "entry": failure.entry, "checkpoint": failure.checkpoint, "reason": failure.reason}
    if mode == "ledger" and result.get("operatorKeySource") == "meta":
        print("warning: no --operator given; trusting the ledger's own meta.operator_key, "
              "so this does not show who the operator is", file=sys.stderr)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    elif failure is None:
        print(success_line(mode, result))
    else:
        print(f"FAILED: {failure}")
    return 0 if failure is None else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
