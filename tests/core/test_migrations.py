"""The Alembic migrations build exactly the schema the SQLAlchemy models declare."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lakeai.core.metastore import Metastore
from lakeai.core.models import Base


def test_models_match_migrations(tmp_path):
    store = Metastore(f"sqlite:///{tmp_path / 'm.db'}")
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    store.close()
    assert diff == []
