#!/usr/bin/env python3
"""Independent verifier for trace origin certificates, written from docs/FORMAT.md alone
(section 12, relying on sections 1-11) and schemas/certificate-v1.schema.json.

  verify-certificate.py CERT.json --operator VERIFIER_KEY [--witness VKEY ...] [--witness-quorum K] [--json]

Runs the checks of section 12 in its order and with its names (checkpoint, witnesses (only with
--witness), genesis, inclusion, chain, signatures, keys, rules, lineage, disclosures, exporter),
prints one line per check
(`ok   NAME: detail` / `FAIL NAME: detail`), stopping at the first failure, then
`VERIFIED: lot X` or `NOT VERIFIED: lot X: NAME: detail`.

Exit status: 0 verified, 1 a check failed, 2 bad usage or a file that is not a readable
certificate-v1 document. Section numbers in comments refer to docs/FORMAT.md. Comments marked
ASSUMPTION are places where the document is silent or ambiguous and this verifier picks the
strictest reasonable reading.
"""

import argparse
import base64
import binascii
import datetime
import hashlib
import json
import os
import re
import sys
import unicodedata
from fractions import Fraction

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

EVENT_CONTEXT = b"trace.event.v1\x00"              # section 4
CERT_CONTEXT = b"trace.certificate.v1\x00"         # section 12
PII_CONTEXT = b"trace.pii.v1\x00"                  # section 11
CERT_TYPE = "trace.certificate.v1"
ZERO_HASH = "0" * 64
CHECKS = ["checkpoint", "witnesses", "genesis", "inclusion", "chain", "signatures",
          "keys", "rules", "lineage", "disclosures", "exporter"]


class CheckFailed(Exception):
    """A named check of section 12 failed; `entry` is the ledger index it concerns, if any."""

    def __init__(self, check, detail, entry=None):
        super().__init__(detail)
        self.check, self.detail, self.entry = check, detail, entry


class Unreadable(Exception):
    """The file is not a certificate-v1 document at all (exit 2)."""


# ================================================================ primitives (sections 1, 3, 6)

def sha256(data):
    return hashlib.sha256(data).digest()


def leaf_hash(entry_bytes):
    return sha256(b"\x00" + entry_bytes)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def b64decode(text, what):
    """Strict base64 that must also be the canonical spelling (section 3: one text per value)."""
    if not isinstance(text, str):
        raise ValueError(f"{what} is not a string")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{what} is not valid base64")
    if base64.b64encode(raw).decode() != text:
        raise ValueError(f"{what} is not canonical base64")
    return raw


def is_hex64(text):
    return isinstance(text, str) and re.fullmatch(r"[0-9a-f]{64}", text) is not None


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


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 section 2.1.3.2 (section 6)."""
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


# ================================================================ canonical JSON (section 2)

def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


def _refuse_fraction(text):
    # Version 1 numbers are integers only (section 2).
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
    if type(value) is int and abs(value) > 2**53:
        raise ValueError(f"integer {value} is larger than 2^53")
    return value


def canonical(value):
    text = json.dumps(_nfc(value), ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("lone surrogate in a string")


def json_loads(data):
    return json.loads(data.decode("utf-8"), object_pairs_hook=_pairs,
                      parse_constant=_refuse_constant, parse_float=_refuse_fraction)


def parse_canonical(data):
    """Parse JSON bytes and insist they are their own canonical serialization (section 5)."""
    try:
        value = json_loads(data)
    except UnicodeDecodeError:
        raise ValueError("not UTF-8")
    except json.JSONDecodeError as e:
        raise ValueError(f"not JSON ({e.msg} at byte {e.pos})")
    if canonical(value) != data:
        raise ValueError("not canonical: the bytes differ from their JCS+NFC serialization")
    return value


# ================================================================ verifier keys (section 3)

def valid_key_name(name):
    return (name != "" and "+" not in name
            and not any(c.isspace() or unicodedata.category(c) == "Cc" for c in name))


class VerifierKey:
    """<name>+<key hash>+<base64(0x01 || public key)>, key hash checked (section 3)."""

    def __init__(self, text):
        if not isinstance(text, str):
            raise ValueError("verifier key is not a string")
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


class CosignerKey:
    """A witness's key (section 17): <name>+<key hash>+<base64(0x04 || public key)>."""

    def __init__(self, text):
        parts = text.split("+", 2) if isinstance(text, str) else []
        if len(parts) != 3 or not valid_key_name(parts[0]) or not re.fullmatch(r"[0-9a-f]{8}", parts[1]):
            raise ValueError("witness key is not <name>+<8 hex digits>+<key>")
        name, hash_hex, key_b64 = parts
        raw = b64decode(key_b64, "witness key")
        if len(raw) != 33 or raw[0] != 0x04:
            raise ValueError("witness key is not 0x04 followed by a 32-byte Ed25519 key")
        if sha256(name.encode() + b"\x0a" + raw)[:4].hex() != hash_hex:
            raise ValueError("witness key hash does not match its name and key")
        self.text, self.name, self.key_hash = text, name, bytes.fromhex(hash_hex)
        self.public_key = Ed25519PublicKey.from_public_bytes(raw[1:])


def cosigned_by(note, witness):
    """True when `note` carries a valid cosignature/v1 line by `witness` (section 17): the blob is
    key ID (4) || timestamp (8, big-endian) || signature (64), over
    "cosignature/v1\ntime T\n" followed by the note body."""
    text, lines = split_note(note)
    for name, raw in lines:
        if name != witness.name or raw[:4] != witness.key_hash or len(raw) != 76:
            continue
        timestamp = int.from_bytes(raw[4:12], "big")
        if timestamp > 2**63 - 1:
            continue
        message = f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode("utf-8")
        if ed25519_ok(witness.public_key, raw[12:], message):
            return True
    return False


# ================================================================ signed notes (section 7)

def split_note(note):
    """Section 7 steps 1 and 2: the note's text and its signature lines as (name, decoded blob)."""
    if not isinstance(note, str):
        raise ValueError("checkpoint is not a string")
    if not note.endswith("\n"):
        raise ValueError("note does not end in a newline")
    if any((c < " " and c != "\n") or c == "\x7f" for c in note):
        raise ValueError("note contains a control character")
    split = note.rfind("\n\n")
    if split < 0:
        raise ValueError("note has no empty line before its signatures")
    text, sigs, lines = note[:split + 1], note[split + 2:], []
    for line in sigs[:-1].split("\n"):
        if not line.startswith("\u2014 "):
            raise ValueError("malformed signature line")
        name, space, sig_b64 = line[2:].rpartition(" ")
        if not space or not valid_key_name(name):
            raise ValueError("malformed signature line")
        raw = b64decode(sig_b64, "note signature")
        if len(raw) < 5:
            raise ValueError("malformed signature line")
        lines.append((name, raw))
    return text, lines


def checkpoint_size(note):
    """The size a note's text claims, read before any signature is checked (to pick the key)."""
    text, _ = split_note(note)
    lines = text[:-1].split("\n")
    if len(lines) < 2 or not re.fullmatch(r"0|[1-9][0-9]*", lines[1]):
        raise ValueError("checkpoint size is not a decimal number without leading zeros")
    return int(lines[1])


def open_checkpoint(note, key):
    """Open a signed checkpoint note with `key`; returns (origin, size, root)."""
    if not isinstance(note, str):
        raise ValueError("checkpoint is not a string")
    if not note.endswith("\n"):
        raise ValueError("note does not end in a newline")
    if any((c < " " and c != "\n") or c == "\x7f" for c in note):
        raise ValueError("note contains a control character")
    split = note.rfind("\n\n")
    if split < 0:
        raise ValueError("note has no empty line before its signatures")
    text, sigs = note[:split + 1], note[split + 2:]
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
            continue  # a witness or other signer: not ours to check
        if len(raw) != 68:
            raise ValueError("operator signature is not 4 + 64 bytes")
        if not ed25519_ok(key.public_key, raw[4:], text.encode("utf-8")):
            raise ValueError("operator signature does not verify")
        signed = True
    if not signed:
        raise ValueError(f"no signature by the operator key {key.name}+{key.key_hash.hex()}")
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
    return lines[0], int(lines[1]), root


# ================================================================ entries (sections 4, 5)

ENTRY_MEMBERS = {"v", "seq", "recorded", "prev", "event", "key", "sig"}
RECORDED_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z"


class Entry:
    def __init__(self, index, data, proof):
        self.index, self.data, self.proof = index, data, proof
        self.value = self.event = self.key = self.sig = None
        self.leaf = leaf_hash(data)


def parse_entry(data):
    """Section 5: exactly seven members, canonical bytes; returns (entry, key, sig)."""
    entry = parse_canonical(data)
    if not isinstance(entry, dict) or set(entry) != ENTRY_MEMBERS:
        raise ValueError(f"not an entry: members must be exactly {sorted(ENTRY_MEMBERS)}")
    if type(entry["v"]) is not int or entry["v"] != 1:
        raise ValueError(f"unknown entry format v={entry['v']!r}")
    if type(entry["seq"]) is not int or entry["seq"] < 0:
        raise ValueError("seq is not a non-negative integer")
    if not isinstance(entry["recorded"], str) or not re.fullmatch(RECORDED_RE, entry["recorded"]):
        raise ValueError("recorded is not YYYY-MM-DDTHH:MM:SS.mmmZ")
    parse_time(entry["recorded"])  # a real instant
    if not is_hex64(entry["prev"]):
        raise ValueError("prev is not 64 lower-case hex digits")
    event = entry["event"]
    if not isinstance(event, dict):
        raise ValueError("event is not an object")
    if not isinstance(event.get("id"), str) or not re.fullmatch(r"[A-Za-z0-9._:-]{1,128}", event["id"]):
        raise ValueError("event id is missing or not 1-128 of A-Z a-z 0-9 . _ : -")
    if not isinstance(event.get("type"), str) or event["type"] == "":
        raise ValueError("event type is missing or empty")
    key = VerifierKey(entry["key"])
    sig = b64decode(entry["sig"], "sig")
    if len(sig) != 64:
        raise ValueError("sig is not 64 bytes")
    return entry, key, sig


# ================================================================ times and quantities (section 11)

TIME_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})"
                     r"(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})")


def parse_time(text):
    """RFC 3339 date-time with an offset, as an exact instant: Fraction seconds since 1970 UTC.
    Fractions, not floats, so that 5 minutes or an ordering is never decided by rounding."""
    m = TIME_RE.fullmatch(text) if isinstance(text, str) else None
    if not m:
        raise ValueError(f"time {text!r} is not RFC 3339 with an offset")
    y, mo, d, h, mi, s = (int(m.group(i)) for i in range(1, 7))
    try:
        base = datetime.datetime(y, mo, d, h, mi, s, tzinfo=datetime.timezone.utc)
    except ValueError:
        raise ValueError(f"time {text!r} is not a real date and time")
    seconds = Fraction(int(base.timestamp()))
    if m.group(7):
        seconds += Fraction(int(m.group(7)[1:]), 10 ** (len(m.group(7)) - 1))
    if m.group(8) != "Z":
        sign = 1 if m.group(8)[0] == "+" else -1
        oh, om = int(m.group(8)[1:3]), int(m.group(8)[4:6])
        if oh > 23 or om > 59:
            raise ValueError(f"time {text!r} has an invalid offset")
        seconds -= sign * (oh * 3600 + om * 60)
    return seconds


def valid_date(text):
    if not isinstance(text, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return False
    try:
        datetime.date.fromisoformat(text)
        return True
    except ValueError:
        return False


# Units of section 11 in kilograms; entries are NFC (section 2), so `tạ`/`yến` compare as NFC.
UNITS = {"kg": Fraction(1), "g": Fraction(1, 1000), "t": Fraction(1000),
         unicodedata.normalize("NFC", "tạ"): Fraction(100),
         unicodedata.normalize("NFC", "yến"): Fraction(10)}
DECIMAL_RE = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?")


def decimal(text, what):
    """A decimal string as an exact Fraction. ASSUMPTION: no sign, no exponent, no leading
    zeros (section 11 only shows "1200.5")."""
    if not isinstance(text, str) or not DECIMAL_RE.fullmatch(text):
        raise RuleError("rules", f"{what} {text!r} is not a decimal string")
    whole, _, frac = text.partition(".")
    return Fraction(int(whole + frac), 10 ** len(frac))


def kilograms(quantity, unit, what):
    """Exact kilograms of a positive quantity. ASSUMPTION: zero quantities are refused."""
    if unit not in UNITS:
        raise RuleError("rules", f"{what}: unit {unit!r} is not kg, g, t, tạ or yến")
    kg = decimal(quantity, f"{what} quantity") * UNITS[unit]
    if kg <= 0:
        raise RuleError("rules", f"{what}: quantity must be greater than zero")
    return kg


def fmt_kg(kg):
    if kg.denominator == 1:
        return f"{kg.numerator} kg"
    return f"{float(kg):g} kg"


def gs1_check_ok(digits):
    """GS1 mod-10 check digit: weights 3,1,3,... from the right, excluding the check digit."""
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


# ================================================================ the rule state (section 11)

class RuleError(Exception):
    """A refusal by the rules, with the section 12 category it belongs to:
    keys (unknown/invalid key, unknown party, role), lineage (unknown lot or plot), rules."""

    def __init__(self, category, detail):
        super().__init__(detail)
        self.category, self.detail = category, detail


ROLES = {"cooperative", "farm", "processor", "exporter", "certifier", "buyer"}
CUSTODIAN_ROLES = {"cooperative", "farm", "processor", "exporter"}  # the transform row
PARTY_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
LOT_RE = re.compile(r"[A-Za-z0-9-]{1,20}")
OPERATOR = "operator"


class Party:
    def __init__(self, pid, roles, registered_by, record):
        self.id, self.roles, self.registered_by, self.record = pid, roles, registered_by, record
        self.keys = {}           # key text -> the entry that registered or rotated it in
        self.ended = {}          # key text -> the entry that rotated it out or revoked it


class Lot:
    def __init__(self, code, product, produced, custodian, created_by, inputs, plot=None):
        self.code, self.product, self.custodian = code, product, custodian
        self.produced = self.held = produced
        self.created_by = created_by          # entry index that created the lot
        self.inputs = inputs                  # codes of the lots it was made from
        self.plot = plot                      # harvest lots only
        self.status = "held"                  # held | in-transit | exported | voided
        self.to = None                        # addressee while in transit
        self.last_time = None                 # time of its last event (section 11 `time`)
        self.recalls = set()                  # entry indices of active recalls on this lot
        self.events = []                      # entry indices of events on it (for void)
        self.holders = {custodian}            # every party that held it (for recall)


class State:
    def __init__(self, operator_key, genesis_index, origin=""):
        self.origin = origin
        self.parties = {}
        op = Party(OPERATOR, set(), genesis_index, {})
        op.keys[operator_key] = genesis_index
        self.parties[OPERATOR] = op
        self.key_owner = {operator_key: OPERATOR}
        self.plots = {}
        self.lots = {}                        # lower-case code -> Lot (unique ignoring case)
        self.entries = {}                     # index -> (actor, type, event, created lot codes)
        self.voided = set()

    # ------------------------------------------------------------ look-ups with categories

    def party(self, pid, what="party"):
        if not isinstance(pid, str) or pid not in self.parties:
            raise RuleError("keys", f"unknown {what} {pid!r}")
        return self.parties[pid]

    def lot(self, code, what="lot"):
        if not isinstance(code, str) or code.lower() not in self.lots:
            raise RuleError("lineage", f"unknown {what} {code!r}")
        return self.lots[code.lower()]

    def plot(self, pid):
        if not isinstance(pid, str) or pid not in self.plots:
            raise RuleError("lineage", f"unknown plot {pid!r}")
        return self.plots[pid]

    def current_keys(self, party):
        return [k for k in party.keys if k not in party.ended]

    def is_held_by_recall(self, lot, seen=None):
        """A recall holds the lot and every lot made from it (section 11)."""
        seen = seen if seen is not None else set()
        if lot.recalls:
            return True
        for code in lot.inputs:
            if code.lower() not in seen and code.lower() in self.lots:
                seen.add(code.lower())
                if self.is_held_by_recall(self.lots[code.lower()], seen):
                    return True
        return False

    def ancestors(self, lot):
        out, todo = set(), list(lot.inputs)
        while todo:
            c = todo.pop().lower()
            if c in out or c not in self.lots:
                continue
            out.add(c)
            todo.extend(self.lots[c].inputs)
        return out


def require(cond, detail, category="rules"):
    if not cond:
        raise RuleError(category, detail)


def require_str(event, name, optional=False):
    value = event.get(name)
    if value is None and optional:
        return None
    require(isinstance(value, str) and value.strip() != "", f"{name} is missing or empty")
    return value


def require_role(party, roles, what):
    require(party.roles & set(roles), f"{party.id} does not have the role {what}", "keys")


def check_members(event, required, optional=()):
    """ASSUMPTION: events carry exactly the members section 11's table lists (plus id, type,
    actor, time); anything else is refused, as the genesis event's "no other members" rule."""
    allowed = {"id", "type", "actor", "time"} | set(required) | set(optional)
    for name in required:
        require(name in event, f"member {name} is missing")
    extra = set(event) - allowed
    require(not extra, f"unexpected members {sorted(extra)}")


def official_code_ok(text):
    """A growing-area or packhouse code: 1 to 40 ASCII letters, digits, - . / _ (docs/RULES.md)."""
    return isinstance(text, str) and re.fullmatch(r"[A-Za-z0-9./_-]{1,40}", text) is not None


def check_verifier_key(text, what):
    try:
        return VerifierKey(text)
    except ValueError as e:
        raise RuleError("keys", f"{what}: invalid key: {e}")


def check_geometry(geometry):
    """Section 11: Point or closed Polygon rings of >= 4 positions, coordinates as strings with
    exactly six decimals, [longitude, latitude]."""
    require(isinstance(geometry, dict) and set(geometry) == {"type", "coordinates"},
            "plot geometry is not {type, coordinates}")

    def position(p):
        require(isinstance(p, list) and len(p) == 2
                and all(isinstance(c, str) and re.fullmatch(r"-?(0|[1-9][0-9]*)\.[0-9]{6}", c) for c in p),
                "plot geometry position is not two decimal strings with six decimals")
        lon, lat = (Fraction(c) for c in p)
        require(-180 <= lon <= 180 and -90 <= lat <= 90, "plot geometry position is out of range")

    if geometry["type"] == "Point":
        position(geometry["coordinates"])
    elif geometry["type"] == "Polygon":
        rings = geometry["coordinates"]
        require(isinstance(rings, list) and rings, "plot polygon has no rings")
        for ring in rings:
            require(isinstance(ring, list) and len(ring) >= 4, "plot polygon ring has fewer than 4 positions")
            for p in ring:
                position(p)
            require(ring[0] == ring[-1], "plot polygon ring is not closed")
    else:
        raise RuleError("rules", f"plot geometry type {geometry['type']!r} is not Point or Polygon")


def apply_event(state, e):
    """Apply one entry (not the genesis) to the rule state, as section 11 describes, or raise
    RuleError. `e` is an Entry whose signature has already been checked."""
    ev, seq = e.event, e.index
    typ = ev["type"]
    require(typ != "ledger.genesis", "only entry 0 may be a genesis entry")

    # Every event has an actor whose entry key is one of its current keys (section 11).
    actor_id = ev.get("actor")
    require(isinstance(actor_id, str), "actor is missing", "keys")
    actor = state.party(actor_id, "actor")
    key_text = e.value["key"]
    require(key_text in actor.keys,
            f"key {e.key.name}+{e.key.key_hash.hex()} is not a key of {actor_id}", "keys")
    require(actor.keys[key_text] < seq and (key_text not in actor.ended or actor.ended[key_text] >= seq),
            f"key {e.key.name} of {actor_id} was not current at entry {seq}", "keys")

    # time: an offset date-time, at most 5 minutes after `recorded`.
    time = parse_time_rule(ev.get("time"))
    recorded = parse_time(e.value["recorded"])
    require(time <= recorded + 300, f"time {ev['time']} is more than 5 minutes after recorded {e.value['recorded']}")

    def use(lot):
        """A lot this event uses: not before its last event. ASSUMPTION: applies to every lot
        an event names (certify, recall and release included)."""
        require(lot.last_time is None or time >= lot.last_time,
                f"time {ev['time']} is before the last event of lot {lot.code}")
        return lot

    def usable(lot):
        """Custody (section 11): only the custodian acts; in-transit, exported, voided lots
        cannot be used."""
        require(lot.status != "voided", f"lot {lot.code} is voided")
        require(lot.status != "in-transit", f"lot {lot.code} is in transit to {lot.to}")
        require(lot.status != "exported", f"lot {lot.code} has been exported")
        require(lot.custodian == actor_id, f"{actor_id} is not the custodian of lot {lot.code} ({lot.custodian} is)")
        return lot

    def touch(lots):
        for lot in lots:
            lot.last_time = time if lot.last_time is None else max(lot.last_time, time)
            lot.events.append(seq)

    def new_lot(code, what):
        require(isinstance(code, str) and LOT_RE.fullmatch(code) is not None,
                f"{what} code {code!r} is not 1-20 of A-Z a-z 0-9 -")
        require(code.lower() not in state.lots, f"lot code {code} is already used (codes are unique ignoring case)")
        return code

    created = []

    if typ == "party.register":
        require(actor_id == OPERATOR, "only the operator registers parties", "keys")
        check_members(ev, ["party"])
        p = ev["party"]
        require(isinstance(p, dict), "party is not an object")
        allowed = {"id", "roles", "key", "name", "personal", "gln", "address", "memberOf", "packhouseCode"}
        require(not (set(p) - allowed), f"party has unexpected members {sorted(set(p) - allowed)}")
        pid = p.get("id")
        require(isinstance(pid, str) and PARTY_ID_RE.fullmatch(pid) is not None and pid != OPERATOR,
                f"party id {pid!r} is not 1-64 of A-Z a-z 0-9 - _")
        require(pid not in state.parties, f"party {pid} is already registered")
        roles = p.get("roles")
        require(isinstance(roles, list) and roles and all(r in ROLES for r in roles)
                and len(set(roles)) == len(roles), f"party roles {roles!r} are not a set of known roles")
        key = check_verifier_key(p.get("key"), f"party {pid}")
        # ASSUMPTION: a key belongs to one party only, so signatures name one actor.
        require(key.text not in state.key_owner, f"key of {pid} is already registered to {state.key_owner.get(key.text)}", "keys")
        require(("name" in p) != ("personal" in p), "party has neither or both of name and personal")
        if "name" in p:
            require(isinstance(p["name"], str) and p["name"].strip() != "", "party name is empty")
        else:
            pers = p["personal"]
            require(isinstance(pers, dict) and "name" in pers
                    and all(isinstance(k, str) and is_hex64(v) for k, v in pers.items()),
                    "personal is not a map of fields to hex SHA-256 commitments")
        if "gln" in p:
            require(isinstance(p["gln"], str) and re.fullmatch(r"[0-9]{13}", p["gln"]) and gs1_check_ok(p["gln"]),
                    f"gln {p['gln']!r} is not 13 digits with a valid GS1 check digit")
        if "address" in p:  # ASSUMPTION: optional (the demo's farms have none), checked if present
            a = p["address"]
            require(isinstance(a, dict) and isinstance(a.get("province"), str) and isinstance(a.get("commune"), str)
                    and not (set(a) - {"province", "commune", "asWritten"})
                    and all(isinstance(v, str) for v in a.values()),
                    "address is not {province, commune, optional asWritten}")
        if "farm" in roles:
            # ASSUMPTION: a farm must name its cooperative (plots are registered by it).
            require("memberOf" in p, f"farm {pid} has no memberOf cooperative")
        if "memberOf" in p:
            coop = state.party(p["memberOf"], "cooperative")
            require_role(coop, ["cooperative"], "cooperative")
        party = Party(pid, set(roles), seq, p)
        party.keys[key.text] = seq
        state.parties[pid] = party
        state.key_owner[key.text] = pid

    elif typ == "party.rotate":
        require(actor_id == OPERATOR, "only the operator rotates keys", "keys")
        check_members(ev, ["party", "key"])
        party = state.party(ev["party"])
        require(party.id != OPERATOR, "the operator key cannot be rotated by an event", "keys")
        key = check_verifier_key(ev["key"], f"party {party.id}")
        require(key.text not in state.key_owner, f"key is already registered to {state.key_owner.get(key.text)}", "keys")
        for k in state.current_keys(party):   # "the old keys end at this entry"
            party.ended[k] = seq
        party.keys[key.text] = seq
        state.key_owner[key.text] = party.id

    elif typ == "operator.rotate":
        # Section 11 and docs/RULES.md: the operator, with the key in force, names its successor,
        # named as the log, never held by any party; the nth rotation has id operator-rotate-N.
        require(actor_id == OPERATOR, "only the operator rotates the operator key", "keys")
        check_members(ev, ["key"])
        op = state.parties[OPERATOR]
        expected = f"operator-rotate-{len(op.keys)}"
        require(ev["id"] == expected, f"an operator key rotation here must have the id {expected}")
        key = check_verifier_key(ev["key"], "the new operator key")
        require(key.name == state.origin, f"the new operator key must be named as the log ({state.origin})")
        require(key.text not in state.key_owner, "the new operator key is already registered; rotate to a new key", "rules")
        for k in state.current_keys(op):
            op.ended[k] = seq
        op.keys[key.text] = seq
        state.key_owner[key.text] = OPERATOR

    elif typ == "party.revoke":
        require(actor_id == OPERATOR, "only the operator revokes keys", "keys")
        check_members(ev, ["party", "reason"], ["key"])
        party = state.party(ev["party"])
        require(party.id != OPERATOR, "the operator key cannot be revoked by an event", "keys")
        require_str(ev, "reason")
        current = state.current_keys(party)
        if "key" in ev:
            require(ev["key"] in current, f"key to revoke is not a current key of {party.id}", "keys")
            current = [ev["key"]]
        # ASSUMPTION: revoking a party with no current key is refused (nothing to revoke).
        require(current, f"{party.id} has no current key to revoke", "keys")
        for k in current:
            party.ended[k] = seq

    elif typ == "plot.register":
        check_members(ev, ["plot"])
        p = ev["plot"]
        require(isinstance(p, dict), "plot is not an object")
        allowed = {"id", "farm", "crop", "areaHa", "geometry", "cultivatedSince", "evidenceSha256", "growingAreaCode"}
        require(not (set(p) - allowed), f"plot has unexpected members {sorted(set(p) - allowed)}")
        for name in ("id", "farm", "crop", "areaHa", "geometry"):
            require(name in p, f"plot member {name} is missing")
        require(isinstance(p["id"], str) and PARTY_ID_RE.fullmatch(p["id"]) is not None,
                f"plot id {p['id']!r} is not 1-64 of A-Z a-z 0-9 - _")
        require(p["id"] not in state.plots, f"plot {p['id']} is already registered")
        farm = state.party(p["farm"], "farm")
        require_role(farm, ["farm"], "farm")
        require_role(actor, ["cooperative"], "cooperative")
        require(farm.record.get("memberOf") == actor_id,
                f"{actor_id} is not the cooperative of farm {farm.id}")
        require(isinstance(p["crop"], str) and p["crop"].strip() != "", "plot crop is empty")
        require(decimal(p["areaHa"], "areaHa") > 0, "plot areaHa must be greater than zero")
        check_geometry(p["geometry"])
        if "cultivatedSince" in p:
            require(valid_date(p["cultivatedSince"]), "cultivatedSince is not YYYY-MM-DD")
        if "evidenceSha256" in p:
            require(is_hex64(p["evidenceSha256"]), "evidenceSha256 is not hex SHA-256")
        if "growingAreaCode" in p:
            require(official_code_ok(p["growingAreaCode"]), "growingAreaCode is not 1-40 of A-Z a-z 0-9 - . / _")
        state.plots[p["id"]] = {"record": p, "farm": farm.id, "cooperative": actor_id, "entry": seq}

    elif typ == "plot.amend":
        # docs/RULES.md: corrections by the plot's cooperative or the operator. ASSUMPTION: this
        # reference checks who amends and the values' form; the operator's limits (areas, caps)
        # are replayed by `trace verify`, not here.
        check_members(ev, ["plot"], ["areaHa", "geometry", "crop", "growingAreaCode", "reason"])
        require(ev["plot"] in state.plots, f"plot {ev['plot']} is not registered")
        plot = state.plots[ev["plot"]]
        require(actor_id == OPERATOR or ("cooperative" in actor.roles and plot["cooperative"] == actor_id),
                f"{actor_id} may not amend plot {ev['plot']}", "keys")
        changed = {k: ev[k] for k in ("areaHa", "geometry", "crop", "growingAreaCode") if k in ev}
        require(changed, "a plot amendment changes nothing")
        if "areaHa" in changed:
            require(decimal(changed["areaHa"], "areaHa") > 0, "areaHa must be greater than zero")
        if "geometry" in changed:
            check_geometry(changed["geometry"])
        if "growingAreaCode" in changed:
            require(official_code_ok(changed["growingAreaCode"]), "growingAreaCode is not 1-40 of A-Z a-z 0-9 - . / _")
        plot["record"] = dict(plot["record"], **changed)

    elif typ == "party.amend":
        require(actor_id == OPERATOR, "only the operator amends parties", "keys")
        check_members(ev, ["party"], ["packhouseCode", "personal", "reason"])
        party = state.party(ev["party"], "party")
        if "packhouseCode" in ev:
            require(official_code_ok(ev["packhouseCode"]), "packhouseCode is not 1-40 of A-Z a-z 0-9 - . / _")
        if "personal" in ev:
            require(isinstance(ev["personal"], dict) and all(is_hex64(v) for v in ev["personal"].values()),
                    "personal holds SHA-256 commitments")
        require("packhouseCode" in ev or "personal" in ev, "a party amendment changes nothing")

    elif typ in ("rules.crop-cap", "rules.process-cap", "rules.require-codes", "rules.adopt"):
        # ASSUMPTION: the operator's limits (docs/RULES.md) are replayed by `trace verify`; this
        # reference checks only that the operator set them.
        require(actor_id == OPERATOR, f"only the operator sets {typ}", "keys")

    elif typ == "harvest":
        check_members(ev, ["lot", "product", "quantity", "unit", "plot", "harvested"])
        plot = state.plot(ev["plot"])
        require_role(actor, ["cooperative", "farm"], "cooperative or farm")
        require(actor_id in (plot["farm"], plot["cooperative"]),
                f"{actor_id} does not own plot {ev['plot']} (farm {plot['farm']}, cooperative {plot['cooperative']})")
        code = new_lot(ev["lot"], "lot")
        require_str(ev, "product")
        kg = kilograms(ev["quantity"], ev["unit"], "harvest")
        require(valid_date(ev["harvested"]), "harvested is not YYYY-MM-DD")
        lot = Lot(code, ev["product"], kg, actor_id, seq, [], plot=ev["plot"])
        state.lots[code.lower()] = lot
        created.append(lot)
        touch([lot])

    elif typ == "transform":
        check_members(ev, ["process", "yieldLimit", "inputs", "outputs"])
        require_role(actor, CUSTODIAN_ROLES, "custodian (cooperative, farm, processor, exporter)")
        require_str(ev, "process")
        yl = decimal(ev["yieldLimit"], "yieldLimit")
        require(0 < yl <= 1, f"yieldLimit {ev['yieldLimit']} is not in (0, 1]")
        ins, outs = ev["inputs"], ev["outputs"]
        require(isinstance(ins, list) and ins, "transform has no inputs")
        require(isinstance(outs, list) and outs, "transform has no outputs")
        total_in, used, seen = Fraction(0), [], set()
        for i in ins:
            require(isinstance(i, dict) and set(i) == {"lot", "quantity", "unit"}, "transform input is not {lot, quantity, unit}")
            lot = usable(use(state.lot(i["lot"], "input lot")))
            require(lot.code.lower() not in seen, f"input lot {lot.code} is listed twice")
            seen.add(lot.code.lower())
            kg = kilograms(i["quantity"], i["unit"], f"input {lot.code}")
            require(kg <= lot.held, f"lot {lot.code} holds {fmt_kg(lot.held)}, the transform takes {fmt_kg(kg)}")
            total_in += kg
            used.append((lot, kg))
        total_out, made = Fraction(0), []
        for o in outs:
            require(isinstance(o, dict) and set(o) == {"lot", "product", "quantity", "unit"},
                    "transform output is not {lot, product, quantity, unit}")
            code = new_lot(o["lot"], "output lot")
            require(code.lower() not in {c.lower() for c, _, _ in made}, f"output lot {code} is listed twice")
            require(isinstance(o["product"], str) and o["product"].strip(), "output product is empty")
            kg = kilograms(o["quantity"], o["unit"], f"output {code}")
            total_out += kg
            made.append((code, o["product"], kg))
        require(total_out <= total_in * yl,
                f"{ev['process']} of {fmt_kg(total_in)} may yield at most {fmt_kg(total_in * yl)} "
                f"(yield limit {ev['yieldLimit']}); the outputs claim {fmt_kg(total_out)}")
        for lot, kg in used:
            lot.held -= kg
        touch([lot for lot, _ in used])
        inputs = [lot.code for lot, _ in used]
        for code, product, kg in made:
            lot = Lot(code, product, kg, actor_id, seq, inputs)
            state.lots[code.lower()] = lot
            created.append(lot)
        touch(created)

    elif typ == "split":
        check_members(ev, ["lot", "outputs"])
        src = usable(use(state.lot(ev["lot"])))
        outs = ev["outputs"]
        require(isinstance(outs, list) and outs, "split has no outputs")
        total, made = Fraction(0), []
        for o in outs:
            require(isinstance(o, dict) and set(o) == {"lot", "quantity", "unit"}, "split output is not {lot, quantity, unit}")
            code = new_lot(o["lot"], "output lot")
            require(code.lower() not in {c.lower() for c, _ in made}, f"output lot {code} is listed twice")
            kg = kilograms(o["quantity"], o["unit"], f"output {code}")
            total += kg
            made.append((code, kg))
        require(total <= src.held, f"lot {src.code} holds {fmt_kg(src.held)}, the split gives out {fmt_kg(total)}")
        src.held -= total
        touch([src])
        for code, kg in made:
            lot = Lot(code, src.product, kg, actor_id, seq, [src.code])
            state.lots[code.lower()] = lot
            created.append(lot)
        touch(created)

    elif typ == "merge":
        check_members(ev, ["inputs", "output"])
        ins = ev["inputs"]
        # ASSUMPTION: a merge needs at least two distinct input lots.
        require(isinstance(ins, list) and len(ins) >= 2, "merge needs at least two input lots")
        lots, seen = [], set()
        for i in ins:
            require(isinstance(i, dict) and set(i) == {"lot"}, "merge input is not {lot}")
            lot = usable(use(state.lot(i["lot"], "input lot")))
            require(lot.code.lower() not in seen, f"input lot {lot.code} is listed twice")
            seen.add(lot.code.lower())
            lots.append(lot)
        products = {unicodedata.normalize("NFC", l.product) for l in lots}
        require(len(products) == 1, f"merge inputs are of different products {sorted(products)}")
        code = new_lot(ev["output"], "output lot")
        # "whole lots": ASSUMPTION: each input gives out everything it still holds.
        total = sum((l.held for l in lots), Fraction(0))
        require(total > 0, "merge inputs hold nothing")
        for l in lots:
            l.held = Fraction(0)
        touch(lots)
        lot = Lot(code, lots[0].product, total, actor_id, seq, [l.code for l in lots])
        state.lots[code.lower()] = lot
        created.append(lot)
        touch(created)

    elif typ == "ship":
        check_members(ev, ["lot", "to"])
        lot = usable(use(state.lot(ev["lot"])))
        to = state.party(ev["to"], "addressee")
        require(to.id != actor_id, f"{actor_id} ships lot {lot.code} to itself")  # ASSUMPTION
        require(to.id != OPERATOR, "a lot cannot be shipped to the operator")
        require(not state.is_held_by_recall(lot), f"lot {lot.code} is held by a recall")
        require(lot.held > 0, f"lot {lot.code} holds nothing")  # ASSUMPTION: an empty lot is not shipped
        lot.status, lot.to = "in-transit", to.id
        touch([lot])

    elif typ == "receive":
        check_members(ev, ["lot"])
        lot = use(state.lot(ev["lot"]))
        require(lot.status == "in-transit", f"lot {lot.code} is not in transit")
        require(lot.to == actor_id, f"lot {lot.code} was shipped to {lot.to}, not {actor_id}")
        lot.status, lot.to, lot.custodian = "held", None, actor_id
        lot.holders.add(actor_id)
        touch([lot])

    elif typ == "certify":
        check_members(ev, ["lot", "scheme", "documentSha256", "validUntil"], ["reference"])
        require_role(actor, ["certifier"], "certifier")
        lot = use(state.lot(ev["lot"]))
        require(lot.status != "voided", f"lot {lot.code} is voided")
        require_str(ev, "scheme")
        require(is_hex64(ev["documentSha256"]), "documentSha256 is not hex SHA-256")
        require_str(ev, "reference", optional=True)
        # ASSUMPTION: validUntil is a date YYYY-MM-DD (section 11 gives no format; the demo does).
        require(valid_date(ev["validUntil"]), "validUntil is not YYYY-MM-DD")
        touch([lot])

    elif typ == "export":
        check_members(ev, ["lot", "buyer", "country", "container"], ["gtin"])
        require_role(actor, ["exporter"], "exporter")
        lot = usable(use(state.lot(ev["lot"])))
        require(not state.is_held_by_recall(lot), f"lot {lot.code} is held by a recall")
        require_str(ev, "buyer")
        require(isinstance(ev["country"], str) and re.fullmatch(r"[A-Z]{2}", ev["country"]),
                "country is not an ISO 3166 alpha-2 code")
        require_str(ev, "container")
        if "gtin" in ev:
            g = ev["gtin"]
            require(isinstance(g, str) and re.fullmatch(r"[0-9]{8}|[0-9]{12,14}", g) is not None and gs1_check_ok(g),
                    f"gtin {g!r} is not 8/12/13/14 digits with a valid GS1 check digit")
        lot.status = "exported"
        touch([lot])

    elif typ == "void":
        check_members(ev, ["entry", "reason"])
        n = ev["entry"]
        require_str(ev, "reason")
        require(type(n) is int and 0 < n < seq, f"void names entry {n!r}, not an earlier entry")
        # The voided entry must be in the story: the story holds every event of the lots.
        require(n in state.entries, f"voided entry {n} is not in the certificate")
        require(n not in state.voided, f"entry {n} is already voided")
        v_actor, v_type, v_event, v_created = state.entries[n]
        require(actor_id in (v_actor, OPERATOR), f"{actor_id} may not void an entry of {v_actor}")
        undo_void(state, n, v_type, v_event, v_created)
        state.voided.add(n)

    elif typ in ("recall", "release"):
        check_members(ev, ["lot", "reason"] if typ == "recall" else ["lot"])
        lot = use(state.lot(ev["lot"]))
        # Who: the operator, a certifier, or a party that held the lot or one it came from.
        held = set(lot.holders)
        for c in state.ancestors(lot):
            held |= state.lots[c].holders
        require(actor_id == OPERATOR or "certifier" in actor.roles or actor_id in held,
                f"{actor_id} may not {typ} lot {lot.code}", "keys")
        if typ == "recall":
            require_str(ev, "reason")
            lot.recalls.add(seq)
        else:
            # ASSUMPTION: releasing a lot that has no active recall is refused.
            require(lot.recalls, f"lot {lot.code} has no recall to release")
            lot.recalls.clear()
        touch([lot])

    else:
        # ASSUMPTION: an event type section 11 does not define is refused.
        raise RuleError("rules", f"unknown event type {typ!r}")

    state.entries[seq] = (actor_id, typ, ev, [l.code for l in created])


def parse_time_rule(text):
    try:
        return parse_time(text)
    except ValueError as e:
        raise RuleError("rules", str(e))


def undo_void(state, n, typ, ev, created):
    """Voiding undoes one entry; "only an entry nothing was built on can be voided" (section 11).
    ASSUMPTION: "built on" means a later event on a lot the entry created or moved; only lot
    events are voidable here, since the document says nothing of what voiding a registration,
    rotation or revocation would do to the keys that signed later entries."""
    lots = [state.lots[c.lower()] for c in created]
    if typ in ("harvest", "transform", "split", "merge"):
        for lot in lots:
            require(lot.events == [n], f"entry {n} cannot be voided: lot {lot.code} was used after it")
            lot.status = "voided"
        # Inputs get back what the voided entry took from them.
        if typ == "transform":
            for i in ev["inputs"]:
                src = state.lots[i["lot"].lower()]
                require(src.events[-1] == n, f"entry {n} cannot be voided: lot {src.code} was used after it")
                src.held += kilograms(i["quantity"], i["unit"], "input")
        elif typ == "split":
            src = state.lots[ev["lot"].lower()]
            require(src.events[-1] == n, f"entry {n} cannot be voided: lot {src.code} was used after it")
            src.held += sum((l.produced for l in lots), Fraction(0))
        elif typ == "merge":
            raise RuleError("rules", f"entry {n}: voiding a merge is not specified (how much each input gets back)")
    elif typ in ("ship", "receive", "export", "certify", "recall", "release"):
        lot = state.lots[ev["lot"].lower()]
        require(lot.events[-1] == n, f"entry {n} cannot be voided: lot {lot.code} was used after it")
        if typ == "ship":
            lot.status, lot.to = "held", None
        elif typ == "receive":
            raise RuleError("rules", f"entry {n}: voiding a receive is not specified (who holds the lot after)")
        elif typ == "export":
            lot.status = "held"
        elif typ == "recall":
            lot.recalls.discard(n)
        elif typ == "release":
            raise RuleError("rules", f"entry {n}: voiding a release is not specified")
    else:
        raise RuleError("rules", f"entry {n}: voiding a {typ} entry is not specified by the format")


# ================================================================ the certificate (section 12)

CERT_MEMBERS = {"type", "lot", "exporter", "checkpoint", "entries", "signers", "disclosures",
                "redacted", "signature"}


def load_certificate(path):
    """Read the file and check its shape against certificate-v1.schema.json's structure (member
    names and JSON types). Anything that is not a certificate-v1 object is Unreadable (exit 2);
    wrong values inside a well-formed object are left to the named checks."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise Unreadable(f"{path}: {e.strerror}")
    try:
        cert = json_loads(data)
    except (UnicodeDecodeError, ValueError) as e:
        raise Unreadable(f"{path}: not JSON: {e}")
    if not isinstance(cert, dict):
        raise Unreadable(f"{path}: not a JSON object")
    if cert.get("type") != CERT_TYPE:
        raise Unreadable(f"{path}: type is {cert.get('type')!r}, not {CERT_TYPE!r} (section 14: unknown versions are refused)")
    if set(cert) - {"issued"} != CERT_MEMBERS:
        raise Unreadable(f"{path}: members must be exactly {sorted(CERT_MEMBERS)}, and optionally issued")

    def shape(ok, what):
        if not ok:
            raise Unreadable(f"{path}: {what}")

    shape(isinstance(cert["lot"], str) and LOT_RE.fullmatch(cert["lot"]), "lot is not a lot code")
    shape(isinstance(cert["exporter"], str) and PARTY_ID_RE.fullmatch(cert["exporter"]), "exporter is not a party id")
    shape(isinstance(cert["checkpoint"], str), "checkpoint is not a string")
    shape(isinstance(cert["redacted"], bool), "redacted is not true or false")
    shape("issued" not in cert or (isinstance(cert["issued"], str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", cert["issued"])),
          "issued is not a date YYYY-MM-DD")
    shape(isinstance(cert["entries"], list) and cert["entries"], "entries is not a non-empty array")
    for item in cert["entries"]:
        shape(isinstance(item, dict) and set(item) == {"index", "entry", "proof"}
              and type(item["index"]) is int and item["index"] >= 0 and isinstance(item["entry"], str)
              and isinstance(item["proof"], list) and len(item["proof"]) <= 64
              and all(isinstance(h, str) for h in item["proof"]),
              "an entries item is not {index, entry, proof}")
    shape(isinstance(cert["signers"], list), "signers is not an array")
    for s in cert["signers"]:
        shape(isinstance(s, dict) and set(s) == {"party", "key", "registeredBy"}
              and isinstance(s["party"], str) and isinstance(s["key"], str)
              and type(s["registeredBy"]) is int and s["registeredBy"] >= 0,
              "a signers item is not {party, key, registeredBy}")
    shape(isinstance(cert["disclosures"], list), "disclosures is not an array")
    for d in cert["disclosures"]:
        shape(isinstance(d, dict) and set(d) == {"party", "field", "value", "salt"}
              and all(isinstance(d[k], str) for k in d), "a disclosures item is not {party, field, value, salt}")
    sig = cert["signature"]
    shape(isinstance(sig, dict) and set(sig) == {"key", "value"} and all(isinstance(v, str) for v in sig.values()),
          "signature is not {key, value}")
    return cert


class Verifier:
    def __init__(self, cert, operator, witnesses=(), quorum=None):
        self.cert, self.operator = cert, operator
        self.witnesses, self.quorum = list(witnesses), quorum if quorum is not None else len(witnesses)
        self.lines = []          # (check, passed, detail, entry)

    def ok(self, check, detail):
        self.lines.append((check, True, detail, None))

    def run(self):
        """Run the checks in section 12's order; the first failure is the verdict."""
        try:
            self.ok("checkpoint", self.check_checkpoint())
            if self.witnesses:
                self.ok("witnesses", self.check_witnesses())
            self.ok("genesis", self.check_genesis())
            self.ok("inclusion", self.check_inclusion())
            self.ok("chain", self.check_chain())
            self.ok("signatures", self.check_signatures())
            self.replay_and_lineage()
            self.ok("disclosures", self.check_disclosures())
            self.ok("exporter", self.check_exporter())
            return None
        except CheckFailed as f:
            self.lines.append((f.check, False, f.detail, f.entry))
            return f

    # ------------------------------------------------------------ 1. checkpoint

    def operator_keys(self, size):
        """Section 12, check 1: the operator key in force at `size`, followed from the trusted
        genesis key through the file's operator.rotate entries below it, each signed by the key
        it replaces. Returns (key, the rotation entry that named it or None). Entries that do not
        parse are left to the inclusion check."""
        key, rotated_by, used = self.operator, None, {self.operator.text}
        for item in self.cert["entries"]:
            i = item["index"]
            if i >= size:
                continue
            try:
                value, entry_key, sig = parse_entry(b64decode(item["entry"], "entry"))
            except ValueError:
                continue
            ev = value["event"]
            if ev["type"] != "operator.rotate" or value["seq"] != i:
                continue
            n = len(used)
            if ev["id"] != f"operator-rotate-{n}":
                raise CheckFailed("checkpoint", f"entry {i}: rotation {n} of the operator key must have id operator-rotate-{n}", i)
            if entry_key.text != key.text:
                raise CheckFailed("checkpoint", f"entry {i} rotates the operator key but is not signed by the key then in force", i)
            if not ed25519_ok(key.public_key, sig, EVENT_CONTEXT + canonical(ev)):
                raise CheckFailed("checkpoint", f"entry {i} rotates the operator key, but its signature does not verify "
                                                f"with the key then in force: a forged rotation", i)
            try:
                new = VerifierKey(ev.get("key"))
            except ValueError as e:
                raise CheckFailed("checkpoint", f"entry {i}: the new operator key: {e}", i)
            if new.name != self.operator.name or new.text in used:
                raise CheckFailed("checkpoint", f"entry {i}: the new operator key must be a new key named as the log", i)
            key, rotated_by = new, i
            used.add(new.text)
        return key, rotated_by

    def check_checkpoint(self):
        try:
            key, rotated_by = self.operator_keys(checkpoint_size(self.cert["checkpoint"]))
            origin, size, root = open_checkpoint(self.cert["checkpoint"], key)
        except ValueError as e:
            raise CheckFailed("checkpoint", str(e))
        # Section 7: a checkpoint whose origin is not the operator key's name is refused.
        if origin != self.operator.name:
            raise CheckFailed("checkpoint", f"origin {origin!r} is not the operator key's name {self.operator.name!r}")
        self.origin, self.size, self.root = origin, size, root
        via = "" if rotated_by is None else f", with the key the rotation in entry {rotated_by} named"
        return f"signed by the operator {self.operator.name} at tree size {size} (origin {origin}){via}"

    def check_witnesses(self):
        """Section 17: with --witness, the checkpoint carries valid cosignatures of at least
        `quorum` of the named witnesses."""
        present = [w for w in self.witnesses if cosigned_by(self.cert["checkpoint"], w)]
        if len(present) < self.quorum:
            missing = ", ".join(w.name for w in self.witnesses if w not in present)
            raise CheckFailed("witnesses", f"the certificate's checkpoint of size {self.size} is cosigned by {len(present)} "
                                           f"of the {self.quorum} witnesses required (of {len(self.witnesses)} named); "
                                           f"missing: {missing}")
        return f"cosigned by {len(present)} of the {self.quorum} witnesses required: {', '.join(w.name for w in present)}"

    # ------------------------------------------------------------ 2. genesis

    def check_genesis(self):
        first = self.cert["entries"][0]
        if first["index"] != 0:
            raise CheckFailed("genesis", f"the first entry has index {first['index']}, not 0", first["index"])
        try:
            data = b64decode(first["entry"], "entry")
            entry, key, _ = parse_entry(data)
        except ValueError as e:
            raise CheckFailed("genesis", f"entry 0: {e}", 0)
        ev = entry["event"]
        if ev["type"] != "ledger.genesis":
            raise CheckFailed("genesis", f"entry 0 has type {ev['type']!r}, not ledger.genesis", 0)
        if set(ev) != {"id", "type", "origin", "operator", "time"}:
            raise CheckFailed("genesis", "the genesis event must have exactly id, type, origin, operator, time", 0)
        if not isinstance(ev["time"], str) or not re.fullmatch(RECORDED_RE, ev["time"]):
            raise CheckFailed("genesis", "the genesis time is not YYYY-MM-DDTHH:MM:SS.mmmZ", 0)
        if ev["operator"] != self.operator.text:
            raise CheckFailed("genesis", f"the genesis names operator {ev['operator']!r}, not the trusted key", 0)
        if entry["key"] != self.operator.text:
            raise CheckFailed("genesis", "the genesis entry is not signed with the operator's key", 0)
        if ev["origin"] != self.origin:
            raise CheckFailed("genesis", f"the genesis origin {ev['origin']!r} is not the checkpoint's {self.origin!r}", 0)
        return f"entry 0 is the genesis of {self.origin}, with the operator's key"

    # ------------------------------------------------------------ 3. inclusion

    def check_inclusion(self):
        self.entries, prev_index, ids = [], -1, {}
        for item in self.cert["entries"]:
            i = item["index"]
            if i <= prev_index:
                raise CheckFailed("inclusion", f"index {i} does not follow {prev_index} (indices must strictly ascend)", i)
            prev_index = i
            try:
                data = b64decode(item["entry"], "entry")
                value, key, sig = parse_entry(data)
                proof = []
                for h in item["proof"]:
                    if not is_hex64(h):
                        raise ValueError("a proof hash is not 64 lower-case hex digits")
                    proof.append(bytes.fromhex(h))
            except ValueError as e:
                raise CheckFailed("inclusion", f"entry {i}: {e}", i)
            if value["seq"] != i:
                raise CheckFailed("inclusion", f"entry {i}: its seq member is {value['seq']}", i)
            if i >= self.size:
                raise CheckFailed("inclusion", f"entry {i}: not below the checkpoint's size {self.size}", i)
            e = Entry(i, data, proof)
            e.value, e.event, e.key, e.sig = value, value["event"], key, sig
            if not verify_inclusion(i, self.size, e.leaf, proof, self.root):
                raise CheckFailed("inclusion", f"entry {i}: its inclusion proof does not reach the checkpoint's root", i)
            # Section 5: event ids are unique and only entry 0 is a genesis. ASSUMPTION: these
            # ledger-layer facts belong to `inclusion`, the check that accepts an entry.
            if e.event["id"] in ids:
                raise CheckFailed("inclusion", f"entry {i}: event id {e.event['id']} is also entry {ids[e.event['id']]}'s", i)
            ids[e.event["id"]] = i
            if i != 0 and e.event["type"] == "ledger.genesis":
                raise CheckFailed("inclusion", f"entry {i}: only entry 0 may be a genesis entry", i)
            self.entries.append(e)
        return f"{len(self.entries)} entries, each proved included in the tree of {self.size} entries"

    # ------------------------------------------------------------ 4. chain

    def check_chain(self):
        links, previous = 0, None
        for e in self.entries:
            if e.index == 0 and e.value["prev"] != ZERO_HASH:
                raise CheckFailed("chain", "entry 0: prev is not 64 zeros", 0)
            if previous is not None and previous.index + 1 == e.index:
                if e.value["prev"] != previous.leaf.hex():
                    raise CheckFailed("chain", f"entry {e.index}: prev is not entry {previous.index}'s leaf hash", e.index)
                links += 1
            previous = e
        return f"{links} hash-chain links between neighbouring entries hold"

    # ------------------------------------------------------------ 5. signatures

    def check_signatures(self):
        for e in self.entries:
            msg = EVENT_CONTEXT + canonical(e.event)
            if not ed25519_ok(e.key.public_key, e.sig, msg):
                raise CheckFailed("signatures", f"entry {e.index}: the event signature does not verify with {e.key.name}", e.index)
        return f"{len(self.entries)} event signatures verify"

    # ------------------------------------------------------------ 6. keys, rules, lineage

    def replay_and_lineage(self):
        state = self.state = State(self.operator.text, 0, self.operator.name)
        for e in self.entries[1:]:
            try:
                apply_event(state, e)
            except RuleError as r:
                # Checks before the refusal's category are reported as passed: the replay
                # found nothing of theirs before this entry.
                for name in ("keys", "rules", "lineage"):
                    if name == r.category:
                        raise CheckFailed(name, f"entry {e.index} ({e.event['type']}): {r.detail}", e.index)
                    self.ok(name, "held for the entries before the refusal")
        self.ok("keys", self.check_signers())
        self.ok("rules", "custody, mass balance, times and key validity hold along the story")
        self.ok("lineage", self.check_lineage())

    def check_signers(self):
        """Each signers item names a key registered to its party by `registeredBy`.
        ASSUMPTION: the list must also be complete (every key that signed an entry here or the
        certificate) and without duplicates, since section 12 says it holds "each" such key."""
        listed = set()
        for s in self.cert["signers"]:
            party = self.state.parties.get(s["party"])
            if party is None:
                raise CheckFailed("keys", f"signers: unknown party {s['party']!r}")
            if party.keys.get(s["key"]) != s["registeredBy"]:
                raise CheckFailed("keys", f"signers: key of {s['party']} was not registered to it by entry {s['registeredBy']}")
            if s["key"] in listed:
                raise CheckFailed("keys", f"signers: key of {s['party']} is listed twice")
            listed.add(s["key"])
        used = {e.value["key"] for e in self.entries} | {self.cert["signature"]["key"]}
        missing = used - listed
        if missing:
            who = sorted(self.state.key_owner.get(k, k.split("+")[0]) for k in missing)
            raise CheckFailed("keys", f"signers: keys of {', '.join(who)} signed but are not listed")
        return f"every signer's key was registered by the operator and valid when it signed ({len(listed)} keys)"

    def check_lineage(self):
        state, lot_code = self.state, self.cert["lot"]
        if lot_code.lower() not in state.lots:
            raise CheckFailed("lineage", f"lot {lot_code} is not in the story")
        top = state.lots[lot_code.lower()]
        if top.code != lot_code:  # ASSUMPTION: the certificate spells the code as registered
            raise CheckFailed("lineage", f"lot is spelled {lot_code}, registered as {top.code}")
        harvests, seen, todo = 0, set(), [top]
        while todo:
            lot = todo.pop()
            if lot.code.lower() in seen:
                continue
            seen.add(lot.code.lower())
            if lot.status == "voided":
                raise CheckFailed("lineage", f"lot {lot.code} is voided")
            if lot.inputs:
                for c in lot.inputs:
                    if c.lower() not in state.lots:
                        raise CheckFailed("lineage", f"input lot {c} of {lot.code} is not in the story")
                    todo.append(state.lots[c.lower()])
            else:
                if lot.plot is None or lot.plot not in state.plots:
                    raise CheckFailed("lineage", f"lot {lot.code} has no inputs and is not a harvest on a registered plot")
                harvests += 1
        return f"every input of lot {lot_code} is traced to a harvest on a registered plot ({harvests} harvests)"

    # ------------------------------------------------------------ 7. disclosures

    def check_disclosures(self):
        ds = self.cert["disclosures"]
        if self.cert["redacted"] and ds:
            raise CheckFailed("disclosures", "the certificate is redacted but discloses personal values")
        seen = set()
        for d in ds:
            where = f"{d['party']} {d['field']}"
            if d["field"] != "name":  # section 12: only name is ever disclosed
                raise CheckFailed("disclosures", f"{where}: only name may be disclosed")
            if (d["party"], d["field"]) in seen:
                raise CheckFailed("disclosures", f"{where}: disclosed twice")
            seen.add((d["party"], d["field"]))
            party = self.state.parties.get(d["party"])
            if party is None:
                raise CheckFailed("disclosures", f"{where}: party is not registered in the story")
            commitment = (party.record.get("personal") or {}).get(d["field"])
            if commitment is None:
                raise CheckFailed("disclosures", f"{where}: the registration holds no commitment for it")
            try:
                salt = b64decode(d["salt"], "salt")
            except ValueError as e:
                raise CheckFailed("disclosures", f"{where}: {e}")
            if len(salt) != 16:
                raise CheckFailed("disclosures", f"{where}: the salt is not 16 bytes")
            if d["value"] == "":
                raise CheckFailed("disclosures", f"{where}: empty value")
            value = unicodedata.normalize("NFC", d["value"]).encode("utf-8")
            if sha256(PII_CONTEXT + salt + value).hex() != commitment:
                raise CheckFailed("disclosures", f"{where}: the value does not open the commitment in the ledger")
        return f"{len(ds)} personal values open their commitments in the ledger"

    # ------------------------------------------------------------ 8. exporter

    def check_exporter(self):
        state, exp_id, lot_code = self.state, self.cert["exporter"], self.cert["lot"]
        party = state.parties.get(exp_id)
        if party is None or exp_id == OPERATOR:
            raise CheckFailed("exporter", f"{exp_id} is not a registered party")
        if "exporter" not in party.roles:
            raise CheckFailed("exporter", f"{exp_id} does not have the exporter role")
        lot = state.lots.get(lot_code.lower())
        if lot is None or lot.custodian != exp_id:
            raise CheckFailed("exporter", f"{exp_id} does not hold lot {lot_code}")
        # ASSUMPTION: holding means custodian and not in transit or voided; an exported lot
        # stays with the exporter that exported it.
        if lot.status in ("in-transit", "voided"):
            raise CheckFailed("exporter", f"lot {lot_code} is {lot.status}")
        sig = self.cert["signature"]
        # Current at the checkpoint: registered before its size, not ended before it. The story
        # is what we can see of the entries before the checkpoint's size.
        if sig["key"] not in party.keys:
            raise CheckFailed("exporter", f"the signing key is not a key of {exp_id}")
        if not party.keys[sig["key"]] < self.size or (sig["key"] in party.ended and party.ended[sig["key"]] < self.size):
            raise CheckFailed("exporter", f"the signing key is not {exp_id}'s current key at the checkpoint")
        try:
            key = VerifierKey(sig["key"])
            value = b64decode(sig["value"], "signature value")
            if len(value) != 64:
                raise ValueError("signature value is not 64 bytes")
            body = {k: v for k, v in self.cert.items() if k != "signature"}
            message = CERT_CONTEXT + canonical(body)
        except ValueError as e:
            raise CheckFailed("exporter", str(e))
        if not ed25519_ok(key.public_key, value, message):
            raise CheckFailed("exporter", f"the certificate signature does not verify with {key.name}")
        return f"signed by {exp_id} with its key current at the checkpoint, holding lot {lot_code}"


# ================================================================ command line

def main(argv):
    ap = argparse.ArgumentParser(description="Verify a trace origin certificate from docs/FORMAT.md section 12.")
    ap.add_argument("certificate", help="the certificate file (trace certificate issue)")
    ap.add_argument("--operator", required=True, help="the operator's verifier key you trust, or a file holding it")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    ap.add_argument("--witness", action="append", default=[], help="a witness's verifier key you trust (repeatable)")
    ap.add_argument("--witness-quorum", type=int, help="how many of the --witness keys must have cosigned (default: all)")
    args = ap.parse_args(argv)
    try:
        witnesses = [CosignerKey(w) for w in args.witness]
    except ValueError as e:
        ap.error(f"--witness: {e}")
    if args.witness_quorum is not None and not 1 <= args.witness_quorum <= len(witnesses):
        ap.error("--witness-quorum must be between 1 and the number of --witness keys")
    if len({w.text for w in witnesses}) != len(witnesses):
        ap.error("--witness: the same witness key is named twice")

    operator_text = args.operator
    if os.path.isfile(operator_text):
        with open(operator_text, encoding="utf-8") as f:
            operator_text = f.read().strip()
    try:
        operator = VerifierKey(operator_text)
    except ValueError as e:
        ap.error(f"--operator: {e}")
    try:
        cert = load_certificate(args.certificate)
    except Unreadable as e:
        if args.json:
            print(json.dumps({"ok": False, "error": str(e)}, ensure_ascii=False))
        print(f"error: {e}", file=sys.stderr)
        return 2

    v = Verifier(cert, operator, witnesses, args.witness_quorum)
    failure = v.run()
    lot = cert["lot"]
    if args.json:
        print(json.dumps({
            "lot": lot, "ok": failure is None,
            "checks": [{"check": c, "passed": p, "detail": d, "entry": n} for c, p, d, n in v.lines],
            "failure": None if failure is None else {"check": failure.check, "detail": failure.detail, "entry": failure.entry},
        }, ensure_ascii=False))
    else:
        for c, p, d, _ in v.lines:
            print(f"{'ok  ' if p else 'FAIL'} {c}: {d}")
        if failure is None:
            print(f"VERIFIED: lot {lot}")
        else:
            print(f"NOT VERIFIED: lot {lot}: {failure.check}: {failure.detail}")
    return 0 if failure is None else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
