"""``fsc import-grants FILE --authority CODE``: a grant CSV file for one authority, all or nothing."""

from __future__ import annotations

import sys
from pathlib import Path

from backend import i18n
from backend.i18n import gettext as _
from backend.intake.apply import Actor
from backend.intake.csv_import import ImportReport, import_grants, too_large_message
from backend.intake.service import authority_by_code
from backend.settings import Settings


def print_report(report: ImportReport, out=None, err=None) -> int:
    """Print what happened; the exit status (0: imported, 1: nothing imported)."""
    out, err = out or sys.stdout, err or sys.stderr
    if report.file_error:
        print(report.file_error, file=err)
        return 1
    if not report.ok:
        print(_("Nothing was imported: %(count)s of %(lines)s lines have errors.")
              % {"count": len(report.bad_lines), "lines": report.lines}, file=err)
        for number, reasons in report.bad_lines:
            for reason in reasons:
                print(_("Line %(number)s: %(reason)s") % {"number": number, "reason": reason}, file=err)
        return 1
    outcome = report.outcome
    print(_("Imported %(lines)s lines: %(created)s new grants, %(changed)s changed, %(ended)s ended, "
            "%(replayed)s already there.") % {"lines": report.lines, "created": outcome.count("created"),
                                              "changed": outcome.count("changed"), "ended": outcome.count("ended"),
                                              "replayed": outcome.count("replayed")}, file=out)
    return 0


async def run_import(dsn: str, settings: Settings, path: Path, authority_code: int) -> int:
    from backend.db.pool import connect

    i18n.current_language.set(settings.default_language)
    try:
        size = path.stat().st_size
    except OSError as exc:
        print(f"{path}: {exc.strerror}", file=sys.stderr)
        return 2
    if size > settings.grant_import_max_bytes:  # refused before a byte is read
        print(too_large_message(settings.grant_import_max_bytes), file=sys.stderr)
        return 1
    conn = await connect(dsn)
    try:
        issuer = await authority_by_code(conn, authority_code)
        if issuer is None:
            print(_("Unknown authority code %(code)s.") % {"code": authority_code}, file=sys.stderr)
            return 2
        report = await import_grants(conn, issuer, path.read_bytes(), cpr_key=settings.cpr_key,
                                     actor=Actor("authority", issuer.id, "csv"),
                                     max_bytes=settings.grant_import_max_bytes)
    finally:
        await conn.close()
    return print_report(report)
