"""A Store row with its first program version, as `stores add` makes it."""
from loyalty_sync.books.program_versions import ensure_program
from loyalty_sync.extensions import db
from loyalty_sync.models import Store


def make_store(name: str, url: str, key: str = "ck_test", secret: str = "cs_test_secret_value",
               webhook_secret: str = "whsec-test") -> Store:
    store = Store(name=name, url=url, consumer_key=key, consumer_secret=secret, webhook_secret=webhook_secret)
    db.session.add(store)
    db.session.flush()
    ensure_program(store)
    db.session.commit()
    return store


def quick_retries(app) -> None:
    """Fault tests stay fast: tiny backoffs and a short timeout."""
    app.config.update(STORE_BACKOFF_BASE=0.01, STORE_BACKOFF_MAX=0.05, STORE_TIMEOUT_SECONDS=2)
