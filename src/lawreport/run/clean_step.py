"""Step 1, clean: every ledger of a year from data/raw/<year>/ to data/clean/<year>/.

Finds every problem in one pass. File-level problems stop the run before anything is written;
row-level problems go to `quarantine.parquet`. Outputs: one parquet per ledger, quarantine,
`clean_report.json` (row accounting per ledger) and `provenance.json` (inputs and versions).

Incremental per ledger: each ledger's result is kept in `<clean_root>/.cache/<year>/` under a key
made of everything its cleaning reads (the raw file's hash, the table, the year, the
pseudonymisation key's identity, the package source, the versions of pandas, pyarrow and
python-calamine). A rerun re-cleans only the ledgers whose key changed and copies the others'
parquet bytes, so the outputs are byte-identical to a cold run; a ledger whose file changed is
first looked up by the digest of the cells read from its sheets (`ledger_content_key`: a workbook
changed in another ledger's sheet), and cleaned only if that is new. An entry that cannot be read is
cleaned again; nothing else is trusted.
"""

from __future__ import annotations

import filecmp
import functools
import hashlib
import importlib.metadata
import io
import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from .. import __version__
from ..ledgers.cleaning import LedgerCleaner, LedgerResult
from ..ledgers.errors import LedgerFileError, Problem
from ..ledgers.manifest import MANIFEST_NAME, Manifest, read_manifest, sha256_file, years_to_clean
from ..ledgers.pseudonym import Pseudonymiser, key_identity, run_key
from ..ledgers.reading import Grid
from ..ledgers.spec import Ledger
from ..params import RunParams, check_params
from ..storage import older_than, staged_dir, write_json, write_parquet
from .pipeline import package_source_digest

QUARANTINE_COLUMNS = ("table", "file", "sheet", "row", "column", "value", "code", "reason", "detail")
CHANGED_VALUE_NOTICES = frozenset({"N206", "N207"})
# Ledger notices kept in clean_report.json: the values changed, and the months without a sheet (N208).
REPORTED_LEDGER_NOTICES = CHANGED_VALUE_NOTICES | {"N208"}


@dataclass
class CleanSummary:
    manifest: Manifest
    results: list[LedgerResult] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)  # tables taken from the cache, not cleaned again

    @property
    def quarantine(self) -> list[Problem]:
        return [p for r in self.results for p in r.quarantine]

    def accounting(self) -> pd.DataFrame:
        rows = []
        for r in self.results:
            rows.append(
                {
                    "table": r.ledger.table,
                    "title": r.ledger.title,
                    "file": r.file,
                    "sheet": r.sheet,
                    "rows_read": r.rows_read,
                    "rows_kept": r.rows_kept,
                    "rows_quarantined": r.rows_quarantined,
                    "rows_dropped": sum(r.dropped.values()),
                    "dropped_reasons": "；".join(f"{code}×{n}" for code, n in sorted(r.dropped.items())),
                }
            )
        return pd.DataFrame(rows)

    def quarantine_frame(self) -> pd.DataFrame:
        return quarantine_frame(self.quarantine)

    def reported_notices(self) -> list[Problem]:
        """Notices kept in clean_report.json: the run's own, and per ledger the values that were
        changed without dropping the row (N206 invisible characters, N207 personal data masked) and
        the months a ledger kept as one sheet per month has no sheet for (N208)."""
        changed = [p for r in self.results for p in r.notices if p.code in REPORTED_LEDGER_NOTICES]
        return [*self.notices, *changed]


def quarantine_frame(problems: list[Problem]) -> pd.DataFrame:
    rows = [
        {
            "table": p.table,
            "file": p.file,
            "sheet": p.sheet,
            "row": p.row,
            "column": p.column,
            "value": p.value,
            "code": p.code,
            "reason": p.label,
            "detail": p.detail,
        }
        for p in problems
    ]
    frame = pd.DataFrame(rows, columns=list(QUARANTINE_COLUMNS))
    frame["row"] = frame["row"].astype("Int64")
    for name in QUARANTINE_COLUMNS:
        if name != "row":
            frame[name] = frame[name].astype("string")
    return frame


CACHE_DIR = ".cache"
CACHE_FORMAT = 1


def cache_dir(params: RunParams) -> Path:
    return params.path(params.clean_root) / CACHE_DIR / str(params.year)


def ledger_cache_key(ledger: Ledger, raw_sha256: str, year: int, key_id: str, source: str) -> str:
    """The key of one ledger's clean result: every input its cleaning reads (the ledger's layout
    from the unit's configuration included)."""
    return _ledger_key(ledger, year, key_id, source, raw=raw_sha256)


def _ledger_key(ledger: Ledger, year: int, key_id: str, source: str, **cells: str) -> str:
    """A key of a ledger's clean result: what the cleaning depends on besides its cells, and `cells`
    (the raw file's hash, or the grids' digest)."""
    parts = {
        "format": CACHE_FORMAT,
        "table": ledger.table,
        "layout": repr(ledger),
        "year": year,
        "key": key_id,
        "package": {"version": __version__, "source": source},
        # what reads the raw file and writes the parquet bytes (the writer's version is in them)
        "libraries": _reader_writer_versions(),
        **cells,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def grids_digest(grids: list[Grid]) -> str:
    """The cells a ledger's table is cleaned from, as read (every field of each grid: file and sheet
    names, cells, merged ranges, first row, date system, month)."""
    digest = hashlib.sha256()
    for grid in grids:
        digest.update(repr(grid).encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


def ledger_content_key(ledger: Ledger, grids: str, year: int, key_id: str, source: str) -> str:
    """The key of one ledger's clean result by the cells it is cleaned from (`grids_digest`) rather
    than its file: a workbook holding several ledgers' sheets (综合行政执法台账: five) changes as a
    file when one cell of one sheet changes, and the other sheets' results are still these."""
    return _ledger_key(ledger, year, key_id, source, grids=grids)


def load_by_content(params: RunParams, ledger: Ledger, content: str) -> LedgerResult | None:
    """A cached result of `ledger` kept with the content key `content` (under its file's older key)."""
    for entry in sorted(cache_dir(params).glob(f"{ledger.table}.*")):
        try:
            meta = json.loads((entry / "result.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(meta, dict) and meta.get("content") == content and isinstance(meta.get("key"), str):
            if entry == _entry(params, ledger.table, meta["key"]):
                return load_cached(params, ledger, meta["key"])
    return None


@functools.cache
def _reader_writer_versions() -> dict[str, str]:
    return package_versions(("pandas", "pyarrow", "python-calamine"))


def _entry(params: RunParams, table: str, key: str) -> Path:
    return cache_dir(params) / f"{table}.{key[:32]}"


def load_cached(params: RunParams, ledger: Ledger, key: str) -> LedgerResult | None:
    """The cached result of `ledger` under `key`, or None when there is none or it cannot be read."""
    entry = _entry(params, ledger.table, key)
    try:
        meta = json.loads((entry / "result.json").read_text(encoding="utf-8"))
        if meta.get("key") != key:
            return None
        parquet = (entry / "table.parquet").read_bytes()
        if hashlib.sha256(parquet).hexdigest() != meta["parquet_sha256"]:
            return None  # damaged: not decoded here (`CachedResult`), so checked by its hash
        return CachedResult(
            ledger=ledger,
            file=meta["file"],
            sheet=meta["sheet"],
            header_row=meta["header_row"],
            table=None,  # read from its parquet when first used
            quarantine=[Problem(**p) for p in meta["quarantine"]],
            notices=[Problem(**p) for p in meta["notices"]],
            rows_read=meta["rows_read"],
            rows_quarantined=meta["rows_quarantined"],
            dropped=Counter(meta["dropped"]),
            ignored_columns=list(meta["ignored_columns"]),
            parquet=entry / "table.parquet",
            sheets=list(meta.get("sheets", [])),
            kept_rows=int(meta["rows_kept"]),
            parquet_bytes=parquet,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


class CachedResult(LedgerResult):
    """A ledger's result read back from the clean step's cache: the bytes of its parquet, decoded
    into its table only when the table is used. A rerun with one ledger changed uses none of the
    others' tables: the clean folder gets their bytes, the accounting their row counts. Decoding
    them all, 68 files for five years of the sample, was 0.26 s of the clean notebook's 0.68 s."""

    def __init__(self, *args: Any, kept_rows: int, parquet_bytes: bytes, **kwargs: Any) -> None:
        self._kept_rows: int | None = kept_rows
        self.parquet_bytes: bytes | None = parquet_bytes
        self._table: pd.DataFrame | None = None
        super().__init__(*args, **kwargs)  # table=None: decoded from the bytes when first used

    @property  # type: ignore[override]
    def table(self) -> pd.DataFrame:
        if self._table is None:
            assert self.parquet_bytes is not None
            self._table = pd.read_parquet(io.BytesIO(self.parquet_bytes))
        return self._table

    @table.setter
    def table(self, value: pd.DataFrame | None) -> None:
        self._table = value
        if value is not None:  # another table: the kept bytes, file and count are not its
            self.parquet_bytes = None
            self.parquet = None
            self._kept_rows = None

    @property
    def rows_kept(self) -> int:
        return self._kept_rows if self._kept_rows is not None else len(self.table)


def store_cached(params: RunParams, result: LedgerResult, key: str, evict: bool = True, content: str = "") -> None:
    """Keep `result` under `key` (written whole or not at all), with its content key `content`
    (`ledger_content_key`) if known; older entries of its table go (`evict`; not when helping from
    another kernel, `clean_ahead`: the clean step prunes). A result read from the cache is kept
    with its parquet's very bytes."""
    folder = cache_dir(params)
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{result.ledger.table}.", dir=folder))
    try:
        kept_bytes = getattr(result, "parquet_bytes", None)
        if kept_bytes is not None:
            (staging / "table.parquet").write_bytes(kept_bytes)
        else:
            write_parquet(staging / "table.parquet", result.table)
        meta = {
            "key": key,
            "content": content,
            "parquet_sha256": sha256_file(staging / "table.parquet"),
            "file": result.file,
            "sheet": result.sheet,
            "header_row": result.header_row,
            "quarantine": [asdict(p) for p in result.quarantine],
            "notices": [asdict(p) for p in result.notices],
            "rows_read": result.rows_read,
            "rows_quarantined": result.rows_quarantined,
            "rows_kept": result.rows_kept,
            "dropped": dict(result.dropped),
            "ignored_columns": list(result.ignored_columns),
            "sheets": result.sheets,
        }
        (staging / "result.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        entry = _entry(params, result.ledger.table, key)
        for old in folder.glob(f"{result.ledger.table}.*") if evict else ():
            if old.is_dir() and old != staging and old != entry:
                shutil.rmtree(old, ignore_errors=True)
        # What a stopped maker left half-written (a run interrupted, the helping kernel stopped at
        # the end of a failed run): its own staging folder, not touched for STALE_STAGING seconds.
        for left in folder.glob(f".{result.ledger.table}.*") if evict else ():
            if left != staging and older_than(left, STALE_STAGING):
                shutil.rmtree(left, ignore_errors=True)
        # Another kernel helping the clean step (`clean_ahead`) may store the same ledger at the same
        # time, always with the same bytes (the same key), and may be reading its entry: an entry
        # with these very bytes is kept as it is, one that differs (damaged) is replaced, and the
        # entry is looked at again just before it is removed.
        if not _same_entry(staging, entry):
            if entry.exists() and not _same_entry(staging, entry):
                shutil.rmtree(entry, ignore_errors=True)
            try:
                os.replace(staging, entry)
            except OSError:
                if not _same_entry(staging, entry):  # not the other kernel's same entry: a real failure
                    raise
        result.parquet = entry / "table.parquet"
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def clean_year(params: RunParams) -> CleanSummary:
    """Clean every ledger the manifest lists; raise LedgerFileError with all file-level problems."""
    raw_dir = params.raw_dir
    manifest = read_manifest(raw_dir)
    problems: list[Problem] = []
    if manifest.year != params.year:
        problems.append(
            Problem(
                "F017",
                "file",
                MANIFEST_NAME,
                column="year",
                value=str(manifest.year),
                detail=f"运行参数 year={params.year}",
            )
        )
    if params.unit and params.unit != manifest.unit:
        problems.append(
            Problem(
                "F017", "file", MANIFEST_NAME, column="unit", value=manifest.unit, detail=f"运行参数 unit={params.unit}"
            )
        )
    key = b""
    try:
        key = run_key(params, manifest)
    except LedgerFileError as error:
        problems.extend(error.problems)
    if problems:
        raise LedgerFileError(problems)
    cleaner = LedgerCleaner(params.year, Pseudonymiser(key))
    key_id, source = key_identity(key), package_source_digest()
    summary = CleanSummary(manifest)
    for name, expected in sorted(manifest.files.items()):
        path = raw_dir / name
        if path.exists() and sha256_file(path) != expected:
            summary.notices.append(Problem("N205", "notice", name, detail="文件内容已变化，清单中的哈希值未更新"))
    for ledger, path, raw, cache_key in planned_ledgers(params, manifest, key):
        if cache_key is None:
            problems.append(
                Problem(
                    "F001",
                    "file",
                    path.name,
                    sheet=ledger.sheet or "",
                    table=ledger.table,
                    detail=f"清单列有「{ledger.title}」，但目录中没有该文件",
                )
            )
            continue
        cached = load_cached(params, ledger, cache_key)
        if cached is not None:
            summary.results.append(cached)
            summary.reused.append(ledger.table)
            continue
        try:
            result, reused, _ = clean_or_reuse(params, cleaner, ledger, path, raw, cache_key, (key_id, source))
        except LedgerFileError as error:
            problems.extend(error.problems)
            continue
        summary.results.append(result)
        if reused:
            summary.reused.append(ledger.table)
    # One problem per file/sheet/code is enough when several ledgers share a broken workbook.
    unique = list(dict.fromkeys(problems))
    if unique:
        raise LedgerFileError(unique)
    return summary


def clean_or_reuse(
    params: RunParams,
    cleaner: LedgerCleaner,
    ledger: Ledger,
    path: Path,
    raw: str,
    cache_key: str,
    identities: tuple[str, str],
    evict: bool = True,
) -> tuple[LedgerResult, bool, bool]:
    """A ledger whose file's key (`cache_key`, from the file's hash `raw`) has no cache entry: its
    grids read, then its result by their content (`ledger_content_key`: its file may have changed in
    another ledger's sheet only) or cleaned; kept under the file's key unless the file changed while
    it was read. (result, whether it was taken from the cache, whether it was kept). LedgerFileError
    as `clean` raises it. `identities`: the key's identity and the package source."""
    grids = cleaner.read_grids(ledger, path)
    content = ledger_content_key(ledger, grids_digest(grids), params.year, *identities)
    kept = load_by_content(params, ledger, content)
    result = kept if kept is not None else cleaner.clean_grids(ledger, grids)
    still = _still(path, raw)
    if still:  # not kept for a file saved while it was read
        store_cached(params, result, cache_key, evict=evict, content=content)
    return result, kept is not None, still


def planned_ledgers(
    params: RunParams, manifest: Manifest, key: bytes
) -> Iterator[tuple[Ledger, Path, str, str | None]]:
    """Each ledger the manifest lists, in its order: its raw file, the file's hash and the key of its
    clean result (`ledger_cache_key`; hash "" and key None when the file is missing)."""
    key_id, source = key_identity(key), package_source_digest()
    file_hashes: dict[Path, str] = {}
    for ledger in manifest.ledgers:
        path = params.raw_dir / ledger.file_name(params.year)
        if not path.exists():
            yield ledger, path, "", None
            continue
        if path not in file_hashes:
            file_hashes[path] = sha256_file(path)
        raw = file_hashes[path]
        yield ledger, path, raw, ledger_cache_key(ledger, raw, params.year, key_id, source)


Pending = tuple[RunParams, LedgerCleaner, Ledger, Path, str, str, tuple[str, str]]


def _pending(params: RunParams) -> list[Pending]:
    """The ledgers of the run's years with no cache entry for their file as it is now, in the clean
    notebook's order. A year with a problem in its manifest or key, or a missing file, is left out:
    the notebook reports those."""
    pending: list[Pending] = []
    for year in years_to_clean(params):
        year_params = replace(params, year=year)
        try:
            manifest = read_manifest(year_params.raw_dir)
            key = run_key(year_params, manifest)
            planned = list(planned_ledgers(year_params, manifest, key))
        except (LedgerFileError, OSError, ValueError):
            continue
        cleaner = LedgerCleaner(year, Pseudonymiser(key))
        identities = (key_identity(key), package_source_digest())
        pending += [
            (year_params, cleaner, ledger, path, raw, cache_key, identities)
            for ledger, path, raw, cache_key in planned
            if cache_key is not None and not _has_entry(year_params, ledger.table, cache_key)
        ]
    return pending


def _clean_into_cache(pending: list[Pending]) -> int:
    """Clean each pending ledger into the cache, in the order given, until one has an entry made
    since (the notebook, or the other end, got there); a ledger whose file fails is left to the
    notebook. Returns the number cleaned here."""
    cleaned = 0
    for year_params, cleaner, ledger, path, raw, cache_key, identities in pending:
        if _has_entry(year_params, ledger.table, cache_key):
            break  # the rest is done
        try:
            _, reused, kept = clean_or_reuse(
                year_params, cleaner, ledger, path, raw, cache_key, identities, evict=False
            )
        except (LedgerFileError, OSError):
            continue
        cleaned += kept and not reused
    return cleaned


def clean_ahead(raw_params: dict[str, Any]) -> int:
    """Help the clean step from another kernel: clean ledgers into the cache, the last of the last
    year first, while the clean notebook goes from the first (`lawreport.run.pipeline.Step.help`). The
    notebook takes what it finds kept (`clean_year` reads the cache ledger by ledger, just before
    cleaning each), so the two meet in the middle. The first ledger still to clean is left to the
    notebook (or to `clean_first`), which begins there: with one ledger changed, the help does
    nothing (it would only clean the same ledger twice, and hold up its own lane's notebook). Stops
    once it meets an entry made since it looked (the notebook has got there). A raw file is hashed
    when the help looks and again after its ledger is cleaned: a file that changed meanwhile is not
    kept. Whatever it cannot do it leaves: a year with a problem in its manifest or key, a ledger
    whose file fails; the notebook reports those. Returns the number of ledgers cleaned here."""
    return _clean_into_cache(list(reversed(_pending(check_params(raw_params))[1:])))


def clean_first(raw_params: dict[str, Any]) -> int:
    """The clean step's first ledger still to clean, cleaned into the cache by the clean notebook's
    own kernel as soon as the run has it (`lawreport.run.pipeline.Step.first`), while this run's process
    makes the notebook ready (papermill, its parameters: ~0.3-1 s in which the kernel would wait).
    The notebook then takes it from the cache. With one ledger changed, that is the step's work.
    Returns the number cleaned here (0 or 1)."""
    return _clean_into_cache(_pending(check_params(raw_params))[:1])


def _still(path: Path, raw: str) -> bool:
    """Whether the raw file still has the hash `raw` (hashed again now)."""
    try:
        return sha256_file(path) == raw
    except OSError:
        return False


STALE_STAGING = 600  # seconds: no maker takes that long over one ledger's entry


def _has_entry(params: RunParams, table: str, key: str) -> bool:
    return (_entry(params, table, key) / "result.json").exists()


def _same_entry(made: Path, entry: Path) -> bool:
    """Whether `entry` holds the same files, byte for byte, as the entry just made in `made`."""
    try:
        return all(filecmp.cmp(made / name, entry / name, shallow=False) for name in ("table.parquet", "result.json"))
    except OSError:
        return False


def _copied(kept: Path | None, target: Path) -> bool:
    """Copy the kept parquet (the bytes a cold run writes for this very frame), if it is there."""
    if kept is None:
        return False
    try:
        shutil.copyfile(kept, target)
    except FileNotFoundError:
        return False
    return True


def input_files(params: RunParams, manifest: Manifest) -> dict[str, str]:
    names = sorted({ledger.file_name(params.year) for ledger in manifest.ledgers} | {MANIFEST_NAME})
    return {name: sha256_file(params.raw_dir / name) for name in names}


def package_versions(
    names: tuple[str, ...] = ("pandas", "pyarrow", "python-calamine", "great-expectations", "papermill"),
) -> dict[str, str]:
    """The installed versions of the libraries the clean outputs depend on, read once per process (the
    metadata of each: ~1.5 ms, five names for each year cleaned)."""
    return dict(_package_versions(names))


@functools.cache
def _package_versions(names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    versions = {"lawreport": __version__}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return tuple(versions.items())


def write_clean(params: RunParams, summary: CleanSummary) -> Path:
    """Write all clean outputs atomically: the previous clean folder stays until the new one is whole."""
    final = params.clean_dir
    with staged_dir(final) as staging:
        for result in summary.results:
            target = staging / f"{result.ledger.table}.parquet"
            kept = result.parquet_bytes if isinstance(result, CachedResult) else None
            if kept is not None:  # read with the entry, not now: the entry may be replaced meanwhile
                target.write_bytes(kept)  # the bytes a cold run writes for this frame
            elif not _copied(result.parquet, target):  # none kept, or its entry replaced meanwhile
                write_parquet(target, result.table)  # the same bytes
        write_parquet(staging / "quarantine.parquet", summary.quarantine_frame())
        write_json(
            staging / "clean_report.json",
            {
                "unit": summary.manifest.unit,
                "year": params.year,
                "synthetic": summary.manifest.synthetic,
                "ledgers": {r.ledger.table: r.report() for r in summary.results},
                "notices": [p.to_dict() for p in summary.reported_notices()],
            },
        )
        write_json(
            staging / "provenance.json",
            {
                "step": "clean",
                "parameters": {"year": params.year, "unit": summary.manifest.unit},
                "inputs": input_files(params, summary.manifest),
                "versions": package_versions(),
            },
        )
    return final


def run_clean(params: RunParams) -> CleanSummary:
    summary = clean_year(params)
    write_clean(params, summary)
    return summary


def run_clean_years(params: RunParams) -> dict[int, CleanSummary]:
    """Clean the report year and the earlier years it compares with, each written atomically."""
    return {year: run_clean(replace(params, year=year)) for year in years_to_clean(params)}
