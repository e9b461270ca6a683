"""A catalog function's definition: validated from a request, stored in a securable's spec.

The spec of a ``function`` securable holds ``params`` ([{name, type_text}]), ``returns``,
``language`` (SQL or PYTHON), ``body`` and ``securable_kind`` (FUNCTION_STANDARD here; feature
specs are stored as FUNCTION_FEATURE_SPEC by their own service).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from lakeai.catalog.names import FullName, validate_part
from lakeai.errors import InvalidParameterValue
from lakeai.functions import types
from lakeai.sql import sandbox

STANDARD = "FUNCTION_STANDARD"
LANGUAGES = ("SQL", "PYTHON")


@dataclass(frozen=True)
class FunctionDef:
    full_name: FullName
    params: tuple[tuple[str, exp.DataType], ...]
    returns: exp.DataType
    language: str
    body: str
    securable_kind: str = STANDARD

    @classmethod
    def validate(
        cls,
        full_name: FullName,
        params: list[dict[str, Any]],
        returns: str,
        language: str,
        body: str,
    ) -> FunctionDef:
        """Check a definition before it is stored; every mistake is a 400 saying what to fix."""
        lang = str(language or "").upper()
        if lang not in LANGUAGES:
            raise InvalidParameterValue(
                f"Unknown function language {language!r}; valid: {', '.join(LANGUAGES)}."
            )
        if not isinstance(body, str) or not body.strip():
            raise InvalidParameterValue("The function body (routine_definition) is empty.")
        # Python bodies keep their relative indentation ($$ bodies usually start indented).
        text = textwrap.dedent(body.strip("\r\n")).rstrip() if lang == "PYTHON" else body.strip()
        fn = cls(full_name, _params(params), types.build(returns), lang, text)
        if lang == "SQL":
            fn.sql_body()
        else:
            fn.python_source(check=True)
        return fn

    @classmethod
    def from_spec(cls, full_name: str, spec: dict[str, Any]) -> FunctionDef:
        params = tuple((p["name"], types.build(p["type_text"])) for p in spec.get("params", []))
        return cls(
            FullName(tuple(full_name.split("."))),
            params,
            types.build(spec.get("returns", "string")),
            spec.get("language", "SQL"),
            spec.get("body", ""),
            spec.get("securable_kind", STANDARD),
        )

    def to_spec(self) -> dict[str, Any]:
        return {
            "params": [{"name": n, "type_text": types.type_text(t)} for n, t in self.params],
            "returns": types.type_text(self.returns),
            "language": self.language,
            "body": self.body,
            "securable_kind": self.securable_kind,
        }

    @property
    def param_names(self) -> list[str]:
        return [n for n, _ in self.params]

    # -- SQL ------------------------------------------------------------------------------
    def sql_body(self) -> exp.Expression:
        """The body as an expression; a query body becomes a scalar subquery."""
        text = self.body
        if text[:6].upper() == "RETURN" and (len(text) == 6 or not text[6].isalnum()):
            text = text[6:].strip()
        sandbox.check_text(text)
        try:
            tree = sqlglot.parse_one(text, read="databricks")
        except (ParseError, TokenError) as exc:
            raise InvalidParameterValue(
                f"Syntax error in the function body: {str(exc).splitlines()[0]}"
            ) from exc
        sandbox.check_tree(tree)
        return exp.Subquery(this=tree) if isinstance(tree, exp.Query) else tree

    def inline(self, args: list[exp.Expression]) -> exp.Expression:
        """The body with each parameter replaced by its argument, cast to the declared types.

        Table references in the body are qualified with the function's own catalog and schema,
        so the body means the same wherever it is called from; the caller's grants still apply.
        An unqualified name equal to a parameter (or ``fn.param``) is the parameter: qualify a
        table's column (``orders.x``) to reach the column instead.
        """
        self.check_arity(len(args))
        body = self.sql_body()
        ctes = {c.alias_or_name.lower() for c in body.find_all(exp.CTE)}
        for table in body.find_all(exp.Table):
            if not table.args.get("db") and table.name.lower() not in ctes:
                table.set("db", exp.to_identifier(self.full_name.schema))
            if not table.args.get("catalog"):
                table.set("catalog", exp.to_identifier(self.full_name.catalog))
        _private_aliases(body, ctes)
        by_name = {
            n: exp.Paren(this=exp.cast(a.copy(), t))
            for (n, t), a in zip(self.params, args, strict=True)
        }
        for column in list(body.find_all(exp.Column)):
            qualifier = column.table.lower()
            if column.name.lower() in by_name and qualifier in ("", self.full_name.name):
                column.replace(by_name[column.name.lower()].copy())
        if isinstance(body, exp.Column) and body.name.lower() in by_name:
            body = by_name[body.name.lower()].copy()
        return exp.cast(exp.Paren(this=body), self.returns.copy())

    def check_arity(self, given: int) -> None:
        if given != len(self.params):
            raise InvalidParameterValue(
                f"Function {self.full_name} takes {len(self.params)} argument(s) "
                f"({', '.join(self.param_names)}), {given} given."
            )

    # -- Python ---------------------------------------------------------------------------
    def python_source(self, *, check: bool = False) -> str:
        """``def __lakeai_fn(<params>):`` around the body; compiled (never run) to check it."""
        header = f"def __lakeai_fn({', '.join(self.param_names)}):\n"
        source = header + textwrap.indent(textwrap.dedent(self.body), "    ") + "\n"
        if check:
            try:
                compile(source, "<catalog function>", "exec")
            except SyntaxError as exc:
                raise InvalidParameterValue(
                    f"Syntax error in the Python body, line {exc.lineno}: {exc.msg}."
                ) from None
        return source

    @cached_property
    def worker_source(self) -> str:
        """``python_source()`` built once per definition (every call sends it to a worker)."""
        return self.python_source()

    def worker_params(self) -> list[tuple[str, str]]:
        return [(n, types.kind_of(t) or "string") for n, t in self.params]


def _private_aliases(body: exp.Expression, ctes: set[str]) -> None:
    """Alias the body's tables ``__lakeai_<name>``, so the caller's ``orders.id`` passed as an
    argument still means the caller's table inside the body's subquery."""
    renamed: dict[str, str] = {}
    for table in body.find_all(exp.Table):
        if table.name.lower() in ctes:
            continue
        old = table.alias_or_name.lower()
        renamed[old] = f"__lakeai_{old}"
        table.set("alias", exp.TableAlias(this=exp.to_identifier(renamed[old])))
    for column in body.find_all(exp.Column):
        if column.table.lower() in renamed:
            column.set("table", exp.to_identifier(renamed[column.table.lower()]))


def _params(params: list[dict[str, Any]] | None) -> tuple[tuple[str, exp.DataType], ...]:
    if params is None:
        return ()
    if not isinstance(params, list):
        raise InvalidParameterValue("params must be a list of {name, type_text}.")
    out: list[tuple[str, exp.DataType]] = []
    for p in params:
        if not isinstance(p, dict) or not p.get("name") or not p.get("type_text"):
            raise InvalidParameterValue(f"Each parameter needs a name and a type_text: {p!r}.")
        name = validate_part(str(p["name"]), "parameter name")
        if name in (n for n, _ in out):
            raise InvalidParameterValue(f"Parameter {name!r} is declared twice.")
        out.append((name, types.build(p["type_text"])))
    return tuple(out)
