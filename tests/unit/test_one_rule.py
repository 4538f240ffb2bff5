"""One rule for "what may be ordered now": only grants.availability applies the ordering rules.

The home page and the order paths once computed it each on their own and drifted apart (commit
8024cfa). Every page, the order transaction and the reminders now ask grants.availability; this
test keeps a second computation from growing back by refusing any other module of the backend
that uses the rule functions themselves.
"""

import ast
from pathlib import Path

import backend

RULES = {"orderable", "balance", "allocate", "usual_packs", "supply_horizon_days", "municipality_gate",
         "horizon_periods"}
ALLOWED = {"grants/rules.py", "grants/availability.py"}
ROOT = Path(backend.__file__).parent


def rule_uses(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "backend.grants.rules":
            used |= {alias.name for alias in node.names if alias.name in RULES}
        elif isinstance(node, ast.Attribute) and node.attr in RULES and isinstance(node.value, ast.Name) \
                and node.value.id == "rules":
            used.add(node.attr)
    return used


def test_only_the_availability_module_applies_the_ordering_rules():
    offenders = {}
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative not in ALLOWED and (used := rule_uses(path)):
            offenders[relative] = sorted(used)
    assert offenders == {}, f"ask backend.grants.availability instead: {offenders}"
