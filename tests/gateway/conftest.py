"""Session-scoped fake vendors for the provider tests, each on its own loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from tests.fakes.server import serve
from tests.gateway.vendor_cases import CASES


@pytest.fixture(scope="session")
def fake_urls() -> Iterator[dict[str, str]]:
    """Provider name -> base URL of its running fake."""
    with ExitStack() as stack:
        yield {name: stack.enter_context(serve(case.app())) for name, case in CASES.items()}
