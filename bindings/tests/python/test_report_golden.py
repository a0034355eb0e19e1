"""The sealed report's golden vectors (model/tests/golden), checked independently of the Rust
code: the canonical bytes' SHA-256, that they are canonical JSON (RFC 8785), and the Ed25519
signature over them from the fixed seed's key.
"""

import hashlib
import json
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

GOLDEN = Path(__file__).resolve().parents[3] / "model" / "tests" / "golden"


@pytest.fixture(scope="module")
def golden():
    canonical = (GOLDEN / "report-v1.json").read_bytes()
    seal = json.loads((GOLDEN / "report-v1.seal.json").read_text(encoding="utf-8"))
    return canonical, seal


def canonical_json(value):
    """RFC 8785 for data without floats and with ASCII keys: sorted keys, no whitespace, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def walk(value):
    """Yields every key and value in a parsed JSON document."""
    yield value
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)


def test_golden_report_sha256_matches(golden):
    canonical, seal = golden
    assert hashlib.sha256(canonical).hexdigest() == seal["sha256"]


def test_golden_report_is_canonical_json(golden):
    canonical, _ = golden
    parsed = json.loads(canonical.decode("utf-8"))
    items = list(walk(parsed))
    assert not any(isinstance(x, float) for x in items), "a sealed report holds no floats"
    ints = [x for x in items if isinstance(x, int) and not isinstance(x, bool)]
    assert all(abs(x) <= 2**53 - 1 for x in ints), "integers must be exact in IEEE 754 doubles"
    keys = [k for v in items if isinstance(v, dict) for k in v]
    assert all(k.isascii() for k in keys), "sort_keys equals RFC 8785's UTF-16 order only for ASCII"
    assert canonical_json(parsed) == canonical
    # The fixture exercises escaping and non-BMP text, so the check above means something.
    assert b"\\n" in canonical and b"\\t" in canonical and b'\\"' in canonical
    assert "𠮷".encode() in canonical


def test_golden_report_signature_verifies(golden):
    canonical, seal = golden
    seed = bytes.fromhex(seal["seed"])
    public = bytes.fromhex(seal["public_key"])
    signature = bytes.fromhex(seal["signature"])
    assert len(seed) == 32 and len(public) == 32 and len(signature) == 64

    private = Ed25519PrivateKey.from_private_bytes(seed)
    derived = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    assert derived == public
    assert private.sign(canonical) == signature  # Ed25519 is deterministic

    key = Ed25519PublicKey.from_public_bytes(public)
    key.verify(signature, canonical)


def test_golden_report_one_changed_byte_fails_verification(golden):
    canonical, seal = golden
    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(seal["public_key"]))
    signature = bytes.fromhex(seal["signature"])

    # A same-length edit that keeps the JSON valid: the report's version 1 -> 2.
    assert canonical.endswith(b'"version":1}')
    tampered = canonical[:-2] + b"2}"
    assert len(tampered) == len(canonical)
    with pytest.raises(InvalidSignature):
        key.verify(signature, tampered)

    for i in (0, len(canonical) // 2, len(canonical) - 1):
        flipped = bytearray(canonical)
        flipped[i] ^= 0x01
        with pytest.raises(InvalidSignature):
            key.verify(signature, bytes(flipped))

    bad_signature = bytearray(signature)
    bad_signature[0] ^= 0x01
    with pytest.raises(InvalidSignature):
        key.verify(bytes(bad_signature), canonical)
