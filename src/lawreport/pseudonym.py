"""Keyed pseudonyms for personal data (HMAC-SHA256), so clean data never holds the raw value.

The key lives outside git: env LAWREPORT_PSEUDONYM_KEY, or a key file given to the run. Sample
(synthetic) ledgers may use the fixed demo key below; real ledgers never may.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import unicodedata
from pathlib import Path

DEMO_KEY = b"lawreport-demo-key-for-synthetic-sample-ledgers-only"
KEY_ENV = "LAWREPORT_PSEUDONYM_KEY"
PREFIX = {"person_name": "P", "id_number": "ID", "phone": "T", "address": "A", "narrative": "N"}
# Tokens are spelt in consonants only: no run of digits in a token can look like an ID or phone
# number to the personal-data scanners, and no token spells a word.
ALPHABET = "bcdfghjkmnpqrstvwxz"
TOKEN_LENGTH = 12


def load_key(key_file: Path | None, synthetic: bool) -> bytes | None:
    """The pseudonymisation key, or None when no key is configured for real ledgers."""
    if os.environ.get(KEY_ENV):
        return os.environ[KEY_ENV].encode("utf-8")
    if key_file is not None and key_file.exists():
        return key_file.read_bytes().strip()
    return DEMO_KEY if synthetic else None


class Pseudonymiser:
    """Turns a personal value into a stable keyed token such as 'P-kxbqdmtrwhzf'."""

    def __init__(self, key: bytes):
        self._key = key

    def token(self, kind: str, value: str) -> str:
        normalised = unicodedata.normalize("NFKC", value).strip()
        digest = hmac.new(self._key, f"{kind}\x1f{normalised}".encode(), hashlib.sha256).digest()
        number = int.from_bytes(digest, "big")
        letters = []
        for _ in range(TOKEN_LENGTH):
            number, index = divmod(number, len(ALPHABET))
            letters.append(ALPHABET[index])
        return f"{PREFIX[kind]}-{''.join(letters)}"
