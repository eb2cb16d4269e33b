"""Size limits: no module of src/chokepoints over 600 lines, no function over 120 lines unless a
``# long: <reason>`` comment on its def line or the line above says why (scripts/check_sizes.py)."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"


def _check_sizes():
    spec = importlib.util.spec_from_file_location("check_sizes", ROOT / "scripts" / "check_sizes.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("check_sizes", mod)  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


def test_no_oversize_file_or_unexcused_long_function():
    cs = _check_sizes()
    found = cs.check_tree(SRC)
    files = [str(o) for o in found if not o.name]
    functions = [str(o) for o in found if o.name and o.reason is None]
    assert files == [], "files over the line limit:\n" + "\n".join(files)
    assert functions == [], "long functions without a '# long:' reason:\n" + "\n".join(functions)


def _module(tmp_path: Path, body: str) -> Path:
    pkg = tmp_path / "chokepoints"
    pkg.mkdir(exist_ok=True)
    path = pkg / "m.py"
    path.write_text(textwrap.dedent(body))
    return path


def test_checker_counts_functions_methods_and_excuses(tmp_path):
    cs = _check_sizes()
    filler = "\n".join(f"    x{i} = {i}" for i in range(cs.MAX_FUNCTION_LINES))
    _module(
        tmp_path,
        f"def short():\n    return 1\n\n\ndef plain():\n{filler}\n\n\n"
        f"class K:\n    # long: a generated table\n    @staticmethod\n"
        f"    def method():\n{textwrap.indent(filler, '    ')}\n",
    )
    found = {o.name: o for o in cs.check_tree(tmp_path)}
    assert set(found) == {"plain", "K.method"}  # "short" and the file are under the limits
    assert found["plain"].reason is None and found["plain"].lines == cs.MAX_FUNCTION_LINES + 1
    assert found["K.method"].reason == "a generated table"  # comment above the decorator
    assert cs.main([str(tmp_path)]) == 1  # "plain" is not excused


def test_checker_flags_a_long_file(tmp_path):
    cs = _check_sizes()
    _module(tmp_path, "\n".join(f"x{i} = {i}" for i in range(cs.MAX_FILE_LINES + 1)) + "\n")
    found = cs.check_tree(tmp_path)
    assert [(o.name, o.lines) for o in found] == [("", cs.MAX_FILE_LINES + 1)]
    assert cs.main([str(tmp_path)]) == 1
