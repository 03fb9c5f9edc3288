"""Page scripts run top to bottom under Streamlit's magic, which draws any bare expression
statement (a string after a constant, as a docstring would be in a module) on the page."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
PAGE_SCRIPTS = sorted((ROOT / "app_pages").glob("*.py"))
IMPORTED = {"shared.py", "auth.py", "workspace.py", "__init__.py"}  # modules, not pages


@pytest.mark.parametrize("path", [p for p in PAGE_SCRIPTS if p.name not in IMPORTED],
                         ids=lambda p: p.name)
def test_a_page_draws_no_stray_expression(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    stray = [node.lineno for node in tree.body[1:]  # the module docstring is not drawn
             if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)]
    assert not stray, f"{path.name}: bare constants at lines {stray} would show on the page"
