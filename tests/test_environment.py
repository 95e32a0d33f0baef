"""pyproject.toml and environment.yml pin the same set; the lock agrees with both."""

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[1]


def _norm(spec: str) -> tuple[str, str]:
    name, version = spec.split("==")
    return name.strip().lower().replace("_", "-"), version.strip()


def test_environment_yml_pins_the_same_set_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pinned = dict(_norm(s) for s in project["dependencies"] + project["optional-dependencies"]["dev"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert dict(_norm(s) for s in pip_section) == pinned


def test_lock_agrees_with_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pinned = dict(_norm(s) for s in project["dependencies"] + project["optional-dependencies"]["dev"])
    lock = dict(
        _norm(line)
        for line in (ROOT / "requirements.lock").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    for name, version in pinned.items():
        assert lock.get(name) == version, name
