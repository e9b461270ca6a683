"""Options shared by every command, declared once."""

from __future__ import annotations

from typing import Annotated

import typer

JsonOpt = Annotated[bool, typer.Option("--json", help="Print plain JSON on stdout (for scripts).")]
