"""Store rows for tests, as `stores add` makes them: the row, its first program
version and, when a test varies the rules, a second version with those rules.

One factory for every suite: `make_store` for a store that is never called
(or is called at its own URL), `store_on` for our record of a woosim store.
The default secrets are long and distinctive, so the tests that look for a
leaked secret in a page or a log can find it."""

from dataclasses import replace

from loyalty_sync.books.program_versions import ensure_program, save_program
from loyalty_sync.engine.program import DEFAULT_PROGRAM
from loyalty_sync.extensions import db
from loyalty_sync.models import Store

CONSUMER_KEY = "ck_publickey0123456789"
CONSUMER_SECRET = "cs_topsecretvalue0123456789abcdefDEADBEEF"
WEBHOOK_SECRET = "whsec_" + "x" * 24
#: The url and keys of a store the tests never reach: without keys nothing is pushed
#: (a coupon waits in the outbox), and port 9 refuses a connection at once.
OFFLINE = {"url": "http://127.0.0.1:9", "key": "", "secret": ""}


def make_store(
    name: str = "shop",
    url: str | None = None,
    key: str = CONSUMER_KEY,
    secret: str = CONSUMER_SECRET,
    *,
    webhook_secret: str | None = WEBHOOK_SECRET,
    currency: str = "EUR",
    **program,
) -> Store:
    """`url` defaults to https://<name>.example; `program` are Program fields
    that differ from the default rules (saved as the store's second version)."""
    store = Store(
        name=name,
        url=url or f"https://{name}.example",
        consumer_key=key,
        consumer_secret=secret,
        webhook_secret=webhook_secret,
        currency=currency,
    )
    db.session.add(store)
    db.session.flush()
    ensure_program(store)
    if program:
        save_program(store, replace(DEFAULT_PROGRAM, **program), actor="test")
    db.session.commit()
    return store


def store_on(sim, name: str = "sim", **options) -> Store:
    """Our record of a woosim store (its url and keys); `options` as make_store's."""
    return make_store(name, sim.url, sim.key, sim.secret, **options)


def quick_retries(app) -> None:
    """Fault tests stay fast: tiny backoffs and a short timeout."""
    app.config.update(STORE_BACKOFF_BASE=0.01, STORE_BACKOFF_MAX=0.05, STORE_TIMEOUT_SECONDS=2)
