"""The README's five-minute tour, run command by command against the live server.

Every ``$ `` line of the tour's console block runs (``lakeai`` through ``CliRunner``, ``export``
and ``VAR=value`` prefixes interpreted here, anything else through bash), and its output must
be the lines the README shows under it, so the README cannot drift from the CLI.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.cli.conftest import invoke

README = Path(__file__).parents[2] / "README.md"
ASSIGNMENT = re.compile(r"^([A-Z_][A-Z0-9_]*)=(.*)$")


@dataclass
class Step:
    command: str
    expected: list[str] = field(default_factory=list)


def tour_steps() -> list[Step]:
    text = README.read_text()
    tour = text.split("## Five-minute tour", 1)[1]
    block = tour.split("```console\n", 1)[1].split("```", 1)[0]
    steps: list[Step] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append(Step(line[2:]))
        else:
            steps[-1].expected.append(line.rstrip())
    return steps


class Shell:
    """Just enough of a shell for the tour: variables, ``$(...)``, ``export`` and prefixes."""

    def __init__(self, cwd: Path, host: str) -> None:
        self.cwd, self.host = cwd, host
        self.env: dict[str, str] = {"COLUMNS": "80"}

    def expand(self, word: str) -> str:
        inner = re.fullmatch(r"\$\((.*)\)", word)
        if inner:
            return self.run(inner.group(1)).stdout.strip()
        return re.sub(r"\$([A-Z_][A-Z0-9_]*)", lambda m: self.env[m.group(1)], word)

    def run(self, command: str, overrides: dict[str, str] | None = None):
        if command.startswith("export "):
            name, value = command.removeprefix("export ").split("=", 1)
            # The README's server address is the live server's here.
            self.env[name] = self.host if name == "LAKEAI_HOST" else self.expand(value)
            return None
        words = shlex.split(command)
        if words[0] == "cat":
            return _Done(0, (self.cwd / words[1]).read_text(), "")
        env = dict(self.env)
        while ASSIGNMENT.match(words[0]):
            name, value = words.pop(0).split("=", 1)
            env[name] = self.expand(value)
        if words[0] != "lakeai":
            done = subprocess.run(command, shell=True, cwd=self.cwd, capture_output=True, text=True)
            return _Done(done.returncode, done.stdout, done.stderr)
        return invoke([self.expand(w) for w in words[1:]], env=env)


@dataclass
class _Done:
    exit_code: int
    stdout: str
    stderr: str


def test_the_readme_tour_runs_as_written(live_server, tmp_path: Path, monkeypatch, capsys) -> None:
    (tmp_path / "lakeai-workspace").symlink_to(live_server.workspace)
    monkeypatch.chdir(tmp_path)
    shell = Shell(tmp_path, live_server.url)
    steps = tour_steps()
    assert any("PERMISSION_DENIED" in line for s in steps for line in s.expected)
    for step in steps:
        result = shell.run(step.command)
        if result is None:
            continue
        failed = bool(step.expected) and step.expected[0].startswith("Error ")
        assert result.exit_code == (1 if failed else 0), (step.command, result.stderr)
        shown = (result.stderr if failed else result.stdout).rstrip("\n").splitlines()
        assert [line.rstrip() for line in shown] == step.expected, step.command
    _python_snippet_runs(live_server.url, capsys)


def _python_snippet_runs(url: str, capsys) -> None:
    """The tour's Python block, on the same server, prints what its comment says."""
    code = README.read_text().split("```python\n", 1)[1].split("```", 1)[0]
    capsys.readouterr()
    exec(code.replace("http://127.0.0.1:8080", url), {})
    expected = code.rsplit("# ", 1)[1].strip()
    assert capsys.readouterr().out.strip() == expected


@pytest.mark.parametrize("command", [s.command for s in tour_steps()])
def test_every_tour_command_is_one_we_run(command: str) -> None:
    words = shlex.split(command)
    first = next(w for w in words if not ASSIGNMENT.match(w))
    assert first in ("export", "lakeai", "printf"), command
