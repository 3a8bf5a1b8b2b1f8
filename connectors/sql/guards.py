"""Which SQL text a `sql` binding may hold: one read-only SELECT, or one INSERT … VALUES.

Checked when the file is loaded; a defence in depth, since every read also runs in a
read-only transaction and values are always bound, never written into the SQL text.
"""

from __future__ import annotations

import re

__all__ = [
    "READ_ONLY_EXPECTED",
    "bind_names",
    "insert_problem",
    "insert_target",
    "read_only_problem",
]

#: Comments, string literals and quoted identifiers: removed before looking for keywords.
_NOT_CODE = re.compile(
    r"""--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]""", re.DOTALL
)
#: Words a single SELECT only needs in order to write, lock, or run something else:
#: data-modifying CTEs (`WITH x AS (DELETE …)`), `SELECT … INTO`, `FOR UPDATE`, DDL.
_FORBIDDEN = re.compile(
    r"\b(INSERT|UPDATE|DELETE|MERGE|UPSERT|INTO|CREATE|ALTER|DROP|TRUNCATE|RENAME|GRANT"
    r"|REVOKE|COPY|CALL|EXEC|EXECUTE|ATTACH|DETACH|PRAGMA|VACUUM|REINDEX|REFRESH|LOCK"
    r"|COMMIT|ROLLBACK|SAVEPOINT)\b",
    re.IGNORECASE,
)
#: Words an INSERT … VALUES never needs.
_NOT_WRITE = re.compile(
    r"\b(SELECT|WITH|UPDATE|DELETE|MERGE|UPSERT|REPLACE|CREATE|ALTER|DROP|TRUNCATE|RENAME"
    r"|GRANT|REVOKE|COPY|CALL|EXEC|EXECUTE|ATTACH|DETACH|PRAGMA|VACUUM|REINDEX|REFRESH|LOCK"
    r"|COMMIT|ROLLBACK|SAVEPOINT|BEGIN)\b",
    re.IGNORECASE,
)
_POSITIONAL = re.compile(r"\?|%s|%\(|\$\d")
_INSERT_TARGET = re.compile(
    r"""^\s*INSERT\s+INTO\s+((?:"[^"]+"|\w+)(?:\s*\.\s*(?:"[^"]+"|\w+))?)\s*\(([^)]*)\)""",
    re.IGNORECASE,
)
_BIND = re.compile(r"(?<![:\w\\]):(\w+)(?!:)")


def read_only_problem(query: str) -> str | None:
    """Why `query` is not one read-only SELECT, or None when it is.

    A defence in depth: every read also runs in a read-only transaction.
    """
    code = _NOT_CODE.sub(" ", query)
    if re.search(r"'|\"|`|/\*", code):
        return "it has an unterminated quote or comment"
    code = code.strip()
    code = code.removesuffix(";").rstrip()
    if not code:
        return "it is empty"
    if ";" in code:
        return "it has several statements (';')"
    first = re.match(r"[(\s]*(\w*)", code)
    word = first.group(1).upper() if first else ""
    if word not in ("SELECT", "WITH"):
        return f"it starts with {word or repr(code[:10])}"
    forbidden = _FORBIDDEN.search(code)
    if forbidden is not None:
        return f"it contains {forbidden.group(1).upper()}"
    return None


def insert_problem(statement: str) -> str | None:
    """Why `statement` is not one INSERT … VALUES with named parameters, or None."""
    code = _NOT_CODE.sub(" ", statement)
    if re.search(r"'|\"|`|/\*", code):
        return "it has an unterminated quote or comment"
    code = code.strip().removesuffix(";").rstrip()
    if not code:
        return "it is empty"
    if ";" in code:
        return "it has several statements (';')"
    if not re.match(r"INSERT\s+INTO\b", code, re.IGNORECASE):
        return f"it starts with {code.split()[0].upper()!r}, not INSERT INTO"
    if not re.search(r"\bVALUES\b", code, re.IGNORECASE):
        return "it has no VALUES (…)"
    other = _NOT_WRITE.search(code)
    if other is not None:
        return f"it contains {other.group(1).upper()}"
    if _POSITIONAL.search(code):
        return "it has positional parameters; use named ones (:name)"
    return None


def insert_target(statement: str) -> tuple[str | None, str, list[str]]:
    """(schema, table, columns) an INSERT names, quotes removed (for the probe)."""
    match = _INSERT_TARGET.match(statement)
    if match is None:
        return None, "", []
    parts = [p.strip().strip('"') for p in match.group(1).split(".")]
    schema, table = (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])
    columns = [c.strip().strip('"') for c in match.group(2).split(",") if c.strip()]
    return schema, table, columns


def bind_names(query: str) -> set[str]:
    """The named parameters SQLAlchemy's `text()` sees in `query` (`::` casts are not)."""
    return set(_BIND.findall(query))


#: What a query that is not read-only was expected to be (followed by `; <problem>`).
READ_ONLY_EXPECTED = (
    "a single read-only SELECT (or WITH … SELECT) with no ';' and no INSERT/UPDATE/DELETE/DDL"
)
