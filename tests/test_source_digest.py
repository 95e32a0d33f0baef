"""pipeline.package_source_digest, hashed again only when a source file's status changed: every change of
content changes it, even one that keeps the file's size and modification time."""

from __future__ import annotations

import os
import time
from pathlib import Path

from lawreport.run import pipeline


def test_the_source_digest_follows_every_edit_even_one_that_keeps_size_and_mtime(tmp_path: Path, monkeypatch) -> None:
    package = tmp_path / "lawreport"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n", encoding="utf-8")
    (package / "sub" / "b.py").write_text("y = 2\n", encoding="utf-8")
    monkeypatch.setattr(pipeline, "PACKAGE_DIR", package)
    monkeypatch.setattr(pipeline, "_SOURCE_DIGESTS", {})
    first = pipeline.package_source_digest()
    assert pipeline.package_source_digest() == first  # unchanged: from what was kept
    hashed: list[int] = []
    real = pipeline._hash_files
    monkeypatch.setattr(pipeline, "_hash_files", lambda *a: hashed.append(1) or real(*a))
    assert pipeline.package_source_digest() == first and hashed == []

    before = (package / "a.py").stat()
    time.sleep(0.01)
    (package / "a.py").write_text("x = 3\n", encoding="utf-8")  # same size
    os.utime(package / "a.py", ns=(before.st_atime_ns, before.st_mtime_ns))  # and the old modification time
    changed = pipeline.package_source_digest()
    assert changed != first and hashed == [1]
    (package / "sub" / "c.py").write_text("", encoding="utf-8")  # a new file
    assert pipeline.package_source_digest() != changed
