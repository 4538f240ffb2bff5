"""Our stylesheets are well formed: every rule is closed, and no rule opens inside another (outside
@media/@supports). A merge once dropped closing braces, and browsers silently ignored everything
after them, so pages overflowed at 320 px although each branch's tests had passed."""

from __future__ import annotations

from pathlib import Path

import pytest

CSS_DIR = Path(__file__).resolve().parents[2] / "pwa" / "static" / "css"


def problems(text: str) -> list[str]:
    found, stack, selector, line, i = [], [], "", 1, 0
    while i < len(text):
        if text.startswith("/*", i):
            end = text.index("*/", i) + 2
            line += text[i:end].count("\n")
            i = end
            continue
        ch = text[i]
        line += ch == "\n"
        if ch == "{":
            if stack and not stack[-1][0].startswith("@"):
                found.append(f"line {line}: {selector.strip()!r} opens inside {stack[-1][0]!r} (line {stack[-1][1]})")
            stack.append((selector.strip(), line))
            selector = ""
        elif ch == "}":
            if not stack:
                found.append(f"line {line}: a closing brace without a rule")
            else:
                stack.pop()
            selector = ""
        elif ch == ";":
            selector = ""
        else:
            selector += ch
        i += 1
    return found + [f"line {opened}: {name!r} is never closed" for name, opened in stack]


@pytest.mark.parametrize("path", sorted(CSS_DIR.glob("*.css")), ids=lambda p: p.name)
def test_stylesheet_is_well_formed(path):
    assert problems(path.read_text()) == []


def test_the_check_finds_a_missing_brace():
    assert problems(".a {\n  margin: 0;\n.b {\n  color: red;\n}\n")
