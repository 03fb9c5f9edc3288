"""The layers of footprint/, enforced: every import goes to the same or a lower layer, the
module graph has no cycle, and ruff (whose nested configs ban the upper layers) passes. And the
package stands on its own: no module points at a file outside the project.

Layers, lowest first: the modules directly in footprint/ (errors, assumptions, paths), then
data < model < enrollment < io < store < views, then the CLI (ARCHITECTURE.md). Every import
counts: at module level, inside functions and under ``if TYPE_CHECKING:``.
"""

from __future__ import annotations

import ast
import graphlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "footprint"
SUBPACKAGES = ("data", "model", "enrollment", "io", "store", "views")
TOP = ("footprint.cli", "footprint.__main__")  # and footprint.cli.*: the top layer
UI = {"streamlit"}
DRAWING = {"pydeck", "altair"}  # footprint.views alone


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer(module: str) -> int:
    """0 for the modules directly in footprint/, then one per subpackage, the CLI on top."""
    if module in TOP or module.startswith("footprint.cli."):
        return len(SUBPACKAGES) + 1
    parts = module.split(".")
    if len(parts) == 1 or (len(parts) == 2 and (PACKAGE / f"{parts[1]}.py").is_file()):
        return 0
    if parts[1] not in SUBPACKAGES:
        pytest.fail(f"{module}: place footprint/{parts[1]}/ in SUBPACKAGES (and give it a "
                    "ruff.toml) before using it")
    return SUBPACKAGES.index(parts[1]) + 1


def imports(module: str) -> list[tuple[int, str]]:
    """(line, imported module) of every import in a module; ``from a import b`` names
    ``a.b`` when that is a module of footprint/, else ``a``."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.append((node.lineno, full if full in MODULES else base))
    return found


def own(target: str) -> str | None:
    """The footprint module an import resolves to (its longest known prefix), else None."""
    parts = target.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in MODULES:
            return ".".join(parts[:end])
    return None


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_to_the_same_or_a_lower_layer(module):
    mine = layer(module)
    wrong = []
    for line, target in imports(module):
        top = target.split(".")[0]
        target_module = own(target)
        if target_module is not None and layer(target_module) > mine:
            wrong.append(f"line {line}: {target} sits in a higher layer")
        elif top in UI:
            wrong.append(f"line {line}: {target} (footprint/ is UI-free)")
        elif top in DRAWING and not module.startswith("footprint.views"):
            wrong.append(f"line {line}: {target} (drawing belongs in footprint.views)")
    assert not wrong, f"{MODULES[module].relative_to(ROOT)}: " + "; ".join(wrong)


def test_the_module_graph_has_no_cycle():
    graph = {m: {own(t) for _, t in imports(m)} - {None, m} for m in MODULES}
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        pytest.fail(f"import cycle: {' -> '.join(exc.args[1])}")


MACHINE_PATH = re.compile(r"(?<![\w.])/(?:work|home|tmp|root|mnt)/|\.\./shared/")


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_points_outside_the_project(module):
    """Cite a paper or a URL, never a path on one machine (e.g. the shared folder)."""
    text = MODULES[module].read_text(encoding="utf-8")
    assert not MACHINE_PATH.search(text), MACHINE_PATH.search(text).group(0)


def test_every_subpackage_has_its_ruff_layer_config():
    found = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()} - {"cli"}
    assert found <= set(SUBPACKAGES), f"unplaced subpackages: {found - set(SUBPACKAGES)}"
    for name in found:
        assert (PACKAGE / name / "ruff.toml").is_file(), name


def ruff(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=cwd, capture_output=True,
                          text=True)


def test_ruff_passes_on_the_whole_project():
    run = ruff("check", "--no-cache", "footprint", "app_pages", "app.py", "tests", "bench",
               "scripts", cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr


def test_ruff_applies_each_layer_config(tmp_path):
    """A scratch copy of the configs with planted imports: ruff flags exactly the upward
    ones, the UI library everywhere and the drawing libraries outside views."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    expected = set()
    for index, name in enumerate(SUBPACKAGES):
        folder = tmp_path / "footprint" / name
        folder.mkdir(parents=True)
        (folder / "__init__.py").touch()
        shutil.copy(PACKAGE / name / "ruff.toml", folder)
        targets = [f"footprint.{other}" for other in SUBPACKAGES if other != name]
        targets += ["footprint.cli", "footprint.errors", *sorted(UI | DRAWING)]
        (folder / "planted.py").write_text("".join(f"import {t}\n" for t in targets))
        expected |= {(name, f"footprint.{other}") for other in SUBPACKAGES[index + 1:]}
        expected |= {(name, "footprint.cli"), *((name, lib) for lib in UI)}
        expected |= {(name, lib) for lib in DRAWING if name != "views"}
    run = ruff("check", "--no-cache", "--select", "TID251", "--output-format", "json", ".",
               cwd=tmp_path)
    flagged = {(Path(d["filename"]).parent.name,
                re.match(r"`([^`]+)` is banned", d["message"]).group(1))
               for d in json.loads(run.stdout)}
    assert flagged == expected
