"""Safe outputs: check ``--out`` before the work, and write all of a command's files or none.

Every command that writes files does::

    out_dir = check_out_dir(out)             # before simulating: a folder we can create or write in
    with OutputSet(out_dir) as outs:
        write_report(outs.stage("report.html"), ...)
        res.to_netcdf(outs.stage("result.nc"))
    outs.final("report.html")                # the paths, once all are in place

Each output goes to a hidden temporary file in the same folder; only when the block ends
without an error are they all moved into place (``os.replace``, atomic per file, after
checking that every target can be replaced). On an error every temporary file is removed
and the files of an earlier run stay byte-identical. Files get the mode the umask allows
(``0666 & ~umask``), as ``open()`` would give, not the 0600 of ``mkstemp``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from .errors import InputError, Problem


def file_mode() -> int:
    """``0o666`` less the process umask (what ``open(path, "w")`` would give)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def check_out_dir(out: str | Path, flag: str = "--out", names: Iterable[str] = ()) -> Path:
    """Create ``out`` if needed and make sure a file can be written in it (and that none of the
    output ``names`` is a folder there); a located error if not."""
    p = Path(out)
    for name in names:
        if (p / name).is_dir():
            raise InputError(
                Problem(str(p / name), "cannot write the output: a folder of that name exists", field="--out")
            )
    if p.exists() and not p.is_dir():
        raise InputError(Problem(str(p), f"{flag} must be a folder, but a file of that name exists", field=flag))
    # the folder itself is created only when the outputs are written; check its nearest existing ancestor
    base = p
    while not base.exists() and base != base.parent:
        base = base.parent
    if not base.is_dir():
        raise InputError(Problem(str(p), f"{flag}: cannot create this folder ({base} is a file)", field=flag))
    if not os.access(base, os.W_OK | os.X_OK):
        raise InputError(Problem(str(p), f"{flag}: cannot write in {base} (permission denied)", field=flag))
    if p.is_dir():
        try:
            fd, tmp = tempfile.mkstemp(prefix=".write-test-", dir=p)
            os.close(fd)
            os.unlink(tmp)
        except OSError as exc:
            why = exc.strerror or type(exc).__name__
            raise InputError(Problem(str(p), f"{flag}: cannot write in this folder ({why})", field=flag)) from None
    return p


class OutputSet:
    """Stage files in one folder and move them all into place at the end of a ``with`` block."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self._staged: dict[str, Path] = {}

    def stage(self, name: str) -> Path:
        """A temporary path in the folder standing for ``name`` (write the output there)."""
        if name in self._staged:
            return self._staged[name]
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.discard()
            raise InputError(
                Problem(str(self.folder), f"cannot create the output folder ({exc.strerror or exc})", field="--out")
            ) from None
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.folder)
        os.close(fd)
        self._staged[name] = Path(tmp)
        return self._staged[name]

    def final(self, name: str) -> Path:
        return self.folder / name

    def discard(self) -> None:
        for tmp in self._staged.values():
            tmp.unlink(missing_ok=True)
        self._staged.clear()

    def commit(self) -> list[Path]:
        """Move every staged file into place (after checking that each target can be replaced)."""
        for name in self._staged:
            target = self.final(name)
            if target.is_dir():
                self.discard()
                raise InputError(
                    Problem(str(target), "cannot write the output: a folder of that name exists", field="--out")
                )
        mode = file_mode()
        done = []
        try:
            for name, tmp in self._staged.items():
                os.chmod(tmp, mode)
                os.replace(tmp, self.final(name))
                done.append(self.final(name))
        except OSError as exc:
            self.discard()
            raise InputError(
                Problem(str(self.folder), f"cannot write the outputs ({exc.strerror or exc})", field="--out")
            ) from None
        self._staged.clear()
        return done

    def __enter__(self) -> OutputSet:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()
