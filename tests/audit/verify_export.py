#!/usr/bin/env python3
"""An independent verifier of Custodian audit exports, written from
docs/audit-format.md alone (it shares no code with `custodian audit
verify`). Usage:

    verify_export.py EXPORT.jsonl [--public-key B64]... [--checkpoint FILE]...

Exit 0 intact, 1 not intact, 2 bad input. Needs Debian's python3-cryptography.
"""
import argparse
import base64
import hashlib
import json
import math
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

GENESIS = "0" * 64
TRAILER_KIND = "custodian.audit.export/1"
CHECKPOINT_KIND = "custodian.audit.checkpoint/1"
MAX_EXACT = 2**53 - 1


class Unrepresentable(Exception):
    pass


# --- RFC 8785 (docs/audit-format.md §3) --------------------------------------

def jcs_string(s):
    out = ['"']
    short = {'"': '\\"', '\\': '\\\\', '\b': '\\b', '\t': '\\t', '\n': '\\n',
             '\f': '\\f', '\r': '\\r'}
    for ch in s:
        if ch in short:
            out.append(short[ch])
        elif ord(ch) < 0x20:
            out.append('\\u%04x' % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return ''.join(out)


def jcs_number(d):
    if isinstance(d, bool):
        raise Unrepresentable("boolean as number")
    if isinstance(d, int):
        if abs(d) > MAX_EXACT:
            raise Unrepresentable("integer beyond 2^53 - 1")
        d = float(d)
    if not math.isfinite(d):
        raise Unrepresentable("non-finite number")
    if d == 0:
        return "0"
    sign = "-" if d < 0 else ""
    text = repr(abs(d))  # shortest round-trip digits
    if "e" in text:
        mantissa, exp = text.split("e")
        exp = int(exp)
    else:
        mantissa, exp = text, 0
    int_part = mantissa.split(".")[0]
    digits = mantissa.replace(".", "")
    n = len(int_part) + exp  # d = 0.digits x 10^n
    while digits.startswith("0"):
        digits = digits[1:]
        n -= 1
    digits = digits.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        body = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        body = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    return sign + body


def jcs(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, str):
        return jcs_string(v)
    if isinstance(v, (int, float)):
        return jcs_number(v)
    if isinstance(v, list):
        return "[" + ",".join(jcs(x) for x in v) + "]"
    if isinstance(v, dict):
        keys = sorted(v.keys(), key=lambda k: k.encode("utf-16-be", "surrogatepass"))
        return "{" + ",".join(jcs_string(k) + ":" + jcs(v[k]) for k in keys) + "}"
    raise Unrepresentable("not JSON")


def jcs_bytes(v):
    return jcs(v).encode("utf-8")  # a lone surrogate fails here: not valid text


# --- hashes and signatures (§4, §5) ------------------------------------------

def record_hash(record):
    rest = {k: x for k, x in record.items() if k != "hash"}
    return hashlib.sha256(record["prev_hash"].encode("ascii") + jcs_bytes(rest)).hexdigest()


def signature_problem(obj, kind, pinned):
    """(problem or None, signed by a pinned key)"""
    if obj.get("kind") != kind:
        return "is not a %s object" % kind, False
    raw = base64.b64decode(obj["public_key"], validate=True)
    sig = base64.b64decode(obj["signature"], validate=True)
    signed = jcs_bytes({k: x for k, x in obj.items() if k != "signature"})
    try:
        Ed25519PublicKey.from_public_bytes(raw).verify(sig, signed)
    except (InvalidSignature, ValueError):
        return "signature does not verify", False
    if obj["key_id"] != hashlib.sha256(raw).hexdigest()[:16]:
        return "key_id does not name its public key", False
    is_pinned = raw in pinned
    if pinned and not is_pinned:
        return "is signed by a key that is not pinned", False
    return None, is_pinned


def no_constants(name):
    raise ValueError("not JSON: " + name)


# --- §6 and §7 ----------------------------------------------------------------

def verify(data, pinned, held):
    problems, notes = [], []
    events, trailer, after_trailer = [], None, False
    for number, raw_line in enumerate(data.split(b"\n"), start=1):
        if not raw_line:
            continue
        try:
            obj = json.loads(raw_line.decode("utf-8"), parse_constant=no_constants)
        except (UnicodeDecodeError, ValueError):
            problems.append("line %d: not a JSON object" % number)
            continue
        if not isinstance(obj, dict):
            problems.append("line %d: not a JSON object" % number)
            continue
        if trailer is not None:
            after_trailer = True
            continue
        if "trailer" in obj:
            trailer = obj["trailer"]
            continue
        events.append((number, obj))
    if after_trailer:
        problems.append("data after the trailer")
    prev = None
    seqs = {}
    gaps = []
    for number, e in events:
        try:
            seq, h = e["seq"], e["hash"]
            if record_hash(e) != h:
                problems.append("line %d: event %s was altered" % (number, seq))
        except (KeyError, TypeError, Unrepresentable, UnicodeEncodeError, AttributeError):
            problems.append("line %d: not an event record" % number)
            continue
        if prev is not None:
            if seq <= prev["seq"]:
                problems.append("line %d: out of order" % number)
                continue
            if seq == prev["seq"] + 1 and e["prev_hash"] != prev["hash"]:
                problems.append("line %d: does not chain" % number)
            if seq > prev["seq"] + 1:
                gaps.append(number)
        elif seq == 1 and e["prev_hash"] != GENESIS:
            problems.append("event 1 does not start at the genesis value")
        seqs[seq] = h
        prev = e
    if trailer is None:
        problems.append("no trailer: truncated")
        return problems, notes
    try:
        sig, _ = signature_problem(trailer, TRAILER_KIND, pinned)
        if sig:
            problems.append("trailer: " + sig)
        if trailer["format"] != "jsonl":
            problems.append("trailer: not jsonl")
        count = len(seqs)
        first = events[0][1]["seq"] if count else 0
        last = prev["seq"] if count else 0
        last_hash = prev["hash"] if count else GENESIS
        if (trailer["count"], trailer["first_seq"], trailer["last_seq"], trailer["last_hash"]) != \
                (count, first, last, last_hash):
            problems.append("trailer: count or range differs: events were removed or added")
        chain = trailer["chain"]
        if chain["seq"] < last or (chain["seq"] == last and chain["hash"] != last_hash):
            problems.append("trailer: the export does not end within the chain head")
        flt = trailer["filter"]
        if trailer["complete"]:
            if flt:
                problems.append("trailer: complete yet filtered")
            if gaps:
                problems.append("events are missing")
            if count and first != 1:
                problems.append("events removed from the start")
            if last != chain["seq"]:
                problems.append("events removed from the end")
        else:
            if not flt:
                problems.append("trailer: filtered without a filter")
            for _, e in events:
                if ("since" in flt and e["ts"] < flt["since"]) or \
                   ("until" in flt and e["ts"] >= flt["until"]) or \
                   ("actor" in flt and e["actor"]["id"] != flt["actor"]) or \
                   ("action" in flt and e["action"] != flt["action"]) or \
                   ("target" in flt and e["target"] != flt["target"]):
                    problems.append("event %s does not match the filter" % e["seq"])
    except (KeyError, TypeError, ValueError):
        problems.append("trailer: a member is missing or of the wrong type")
        return problems, notes
    for i, c in enumerate(held, start=1):
        try:
            sig, _ = signature_problem(c, CHECKPOINT_KIND, pinned)
            seq, head = c["seq"], c["head_hash"]
            if sig:
                problems.append("checkpoint %d: %s" % (i, sig))
            elif seq > chain["seq"]:
                problems.append("checkpoint %d: events were removed" % i)
            elif (seq == chain["seq"] and head != chain["hash"]) or \
                 (seq in seqs and seqs[seq] != head) or (seq == 0 and head != GENESIS):
                problems.append("checkpoint %d: the history was rewritten" % i)
            elif seq not in seqs and seq not in (0, chain["seq"]):
                notes.append("checkpoint %d: cannot be checked against this export" % i)
        except (KeyError, TypeError, ValueError):
            problems.append("checkpoint %d: not a checkpoint" % i)
    return problems, notes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("export")
    parser.add_argument("--public-key", action="append", default=[])
    parser.add_argument("--checkpoint", action="append", default=[])
    args = parser.parse_args()
    try:
        pinned = [base64.b64decode(k, validate=True) for k in args.public_key]
        held = []
        for path in args.checkpoint:
            with open(path, "rb") as f:
                held.append(json.loads(f.read().decode("utf-8")))
        with open(args.export, "rb") as f:
            data = f.read()
    except (OSError, ValueError) as e:
        print("bad input: %s" % e)
        return 2
    problems, notes = verify(data, pinned, held)
    for p in problems:
        print(p)
    for n in notes:
        print("note: " + n)
    print("NOT intact" if problems else "intact")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
