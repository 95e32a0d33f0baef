"""The manifest of a year's raw folder: unit, year, synthetic flag, ledgers held, file hashes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import LedgerFileError, Problem
from .ledgers import LEDGERS_BY_TABLE, Ledger

MANIFEST_NAME = "MANIFEST.yaml"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class Manifest:
    unit: str
    year: int
    synthetic: bool
    ledgers: tuple[Ledger, ...]
    files: dict[str, str]  # name -> sha256

    @property
    def unit_short(self) -> str:
        return short_unit_name(self.unit)


def split_unit(unit: str) -> tuple[str, str]:
    """Split "XX县XX街道" into the county ("XX县") and the unit's short name ("XX街道")."""
    positions = [i for i in (unit.find(m) for m in ("县", "市", "区")) if 0 < i < len(unit) - 1]
    if not positions:
        return "", unit
    cut = min(positions) + 1
    return unit[:cut], unit[cut:]


def short_unit_name(unit: str) -> str:
    """The unit without its county prefix, as county notices name it."""
    return split_unit(unit)[1]


def read_manifest(raw_dir: Path) -> Manifest:
    path = raw_dir / MANIFEST_NAME
    if not path.exists():
        raise LedgerFileError(
            [Problem("F015", "file", MANIFEST_NAME, detail=f"{raw_dir} 下应有 {MANIFEST_NAME}，列明单位、年度和台账")]
        )
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    problems = []
    tables = data.get("ledgers") or []
    unknown = [t for t in tables if t not in LEDGERS_BY_TABLE]
    if unknown:
        problems.append(
            Problem("F017", "file", MANIFEST_NAME, column="ledgers", value=", ".join(unknown), detail="未知台账名称")
        )
    for key in ("unit", "year"):
        if key not in data:
            problems.append(Problem("F017", "file", MANIFEST_NAME, column=key, detail="清单缺少该项"))
    if problems:
        raise LedgerFileError(problems)
    return Manifest(
        unit=str(data["unit"]),
        year=int(data["year"]),
        synthetic=bool(data.get("synthetic", False)),
        ledgers=tuple(LEDGERS_BY_TABLE[t] for t in tables),
        files={f["name"]: f["sha256"] for f in data.get("files") or []},
    )
