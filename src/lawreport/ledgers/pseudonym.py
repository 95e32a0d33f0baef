"""Keyed pseudonyms for personal data (HMAC-SHA256), so clean data never holds the raw value.

The key lives outside git: a key file given to the run (`--key-file`, parameter `key_file`), else env
LAWREPORT_PSEUDONYM_KEY. Either must hold at least 32 bytes once surrounding whitespace is stripped.
Sample ledgers (manifest `synthetic: true`) may use the fixed demo key below; real ledgers never may.
`resolve_key` decides which key a run uses, without side effects, and raises LedgerFileError (F016,
F019, F020) when it cannot; `key_identity` names a key in fingerprints without revealing it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import LedgerFileError, Problem

if TYPE_CHECKING:
    from ..params import RunParams
    from .manifest import Manifest

DEMO_KEY = b"lawreport-demo-key-for-synthetic-sample-ledgers-only"
KEY_ENV = "LAWREPORT_PSEUDONYM_KEY"
MIN_KEY_BYTES = 32
MAKE_KEY = 'python -c "import secrets;print(secrets.token_hex(32))" > pseudonym.key'
PREFIX = {"person_name": "P", "id_number": "ID", "phone": "T", "address": "A", "narrative": "N"}
# Tokens are spelt in consonants only: no run of digits in a token can look like an ID or phone
# number to the personal-data scanners, and no token spells a word.
ALPHABET = "bcdfghjkmnpqrstvwxz"
TOKEN_LENGTH = 12


def _key_problem(code: str, source: str, detail: str) -> LedgerFileError:
    return LedgerFileError([Problem(code, "file", source, detail=detail)])


def _checked(raw: bytes, source: str, synthetic: bool) -> bytes:
    """The key stripped of surrounding whitespace; F019 when empty, blank, short, or the public demo key
    given for real ledgers."""
    key = raw.strip()
    if len(key) < MIN_KEY_BYTES:
        what = "为空" if not raw else "只有空白" if not key else f"只有 {len(key)} 字节"
        raise _key_problem(
            "F019",
            source,
            f"密钥{what}，至少需要 {MIN_KEY_BYTES} 字节 (key must hold at least {MIN_KEY_BYTES} bytes)；"
            f"可用 {MAKE_KEY} 生成，妥善保管在 git 之外，每年沿用同一个密钥",
        )
    if key == DEMO_KEY and not synthetic:
        raise _key_problem(
            "F019",
            source,
            f"这是公开的演示密钥 (the public demo key)，真实台账不得使用；请用 {MAKE_KEY} 生成本单位自己的密钥",
        )
    return key


def resolve_key(key_file: Path | None, synthetic: bool) -> bytes:
    """The key a run uses, read without side effects, or LedgerFileError naming where it came from.

    A key file (when given) wins over the environment: it must exist, be a file and be readable
    (F020). Else env LAWREPORT_PSEUDONYM_KEY, when set at all (also when set empty). Either must hold
    at least 32 bytes after stripping whitespace (F019). With neither, only a manifest saying
    `synthetic: true` (a real YAML boolean) may use the demo key; real ledgers raise F016.
    """
    if key_file is not None:
        source = str(key_file)
        if not key_file.exists():
            raise _key_problem("F020", source, f"密钥文件不存在 (key file not found)；请检查路径，或用 {MAKE_KEY} 生成")
        if not key_file.is_file():
            kind = "目录 (a directory)" if key_file.is_dir() else "不是普通文件 (not a regular file)"
            raise _key_problem("F020", source, f"密钥文件路径指向{kind}；应指向保存密钥的文件")
        try:
            raw = key_file.read_bytes()
        except OSError as error:
            raise _key_problem(
                "F020",
                source,
                f"密钥文件无法读取 (cannot read)：{error.strerror or type(error).__name__}；请检查文件权限",
            ) from None
        return _checked(raw, source, synthetic)
    if KEY_ENV in os.environ:
        return _checked(os.environ[KEY_ENV].encode("utf-8"), f"环境变量 {KEY_ENV}", synthetic)
    if synthetic:
        return DEMO_KEY
    raise _key_problem(
        "F016",
        "MANIFEST.yaml",
        f"清单未写明 synthetic: true，即真实台账，须配置脱敏密钥：设置环境变量 {KEY_ENV}，或运行时给出 --key-file "
        f"(参数 key_file)；密钥可用 {MAKE_KEY} 生成",
    )


def load_key(key_file: Path | None, synthetic: bool) -> bytes | None:
    """Kept for older callers: `resolve_key`, but None (rather than F016) when real ledgers have no key.
    An invalid or unreadable key still raises LedgerFileError (F019, F020)."""
    try:
        return resolve_key(key_file, synthetic)
    except LedgerFileError as error:
        if all(p.code == "F016" for p in error.problems):
            return None
        raise


def key_identity(key: bytes) -> str:
    """A stable name for a key, for fingerprints and provenance: HMAC-SHA256(key, fixed label), hex.
    Neither the key nor a plain hash of it: domain-separated from every other digest of the project,
    and for a random key of 32 bytes or more it reveals nothing usable."""
    return hmac.new(key, b"lawreport key identity", hashlib.sha256).hexdigest()


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


def run_key(params: RunParams, manifest: Manifest) -> bytes:
    """The pseudonymisation key of a run (key file, env, or the demo key for synthetic ledgers only),
    without side effects; LedgerFileError F016/F019/F020. Callable before any kernel starts."""
    return resolve_key(params.path(params.key_file) if params.key_file else None, manifest.synthetic)
