"""The composition root: building an app (the tests build hundreds) leaves
nothing behind in the process, so the hundredth app behaves like the first."""

from sqlalchemy.event import registry

from loyalty_sync.app import create_app


def _class_level_listeners() -> int:
    """Listeners on SQLAlchemy classes (Engine, Pool), which outlive every app."""
    return sum(
        1
        for collection in registry._key_to_collection.values()
        for owner in collection
        if type(owner()).__name__ == "_ClsLevelDispatch"
    )


def test_creating_apps_adds_no_listener_to_the_engine_class(tmp_path):
    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}", "TESTING": True, "SECRET_KEY": "t"}
    create_app(config)
    before = _class_level_listeners()
    for _ in range(5):
        create_app(config)
    assert before >= 1  # the SQLite pragmas listener is there
    assert _class_level_listeners() == before
