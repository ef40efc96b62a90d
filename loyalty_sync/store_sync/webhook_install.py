"""Register this app's webhooks in a store (`flask --app wsgi webhooks install`,
the demo): order and customer topics delivering to
`<public URL>/webhooks/woocommerce/<store>`, signed with the store's secret.
Running it again keeps what is there (and refreshes the secret)."""

from __future__ import annotations

import secrets
from urllib.parse import quote

from loyalty_sync.extensions import db
from loyalty_sync.store_sync.connection import client_for

#: `order.deleted` is the trash (its body is only `{"id": N}`), `order.restored`
#: its undo (wp-admin's Restore, the whole order): both move points.
TOPICS = ("order.created", "order.updated", "order.deleted", "order.restored", "customer.created", "customer.updated")


def delivery_url(public_base_url: str, store_name: str) -> str:
    return f"{public_base_url.rstrip('/')}/webhooks/woocommerce/{quote(store_name, safe='')}"


def install_webhooks(store, public_url: str, echo=lambda _line: None) -> tuple[list, list, list]:
    """Register (or keep) the store's order/customer webhooks pointing at this
    app; returns (created topics, kept topics, problems). Raises StoreError."""
    if not store.webhook_secret:
        store.webhook_secret = secrets.token_urlsafe(32)
        db.session.commit()
    target = delivery_url(public_url, store.name)
    echo(f"Webhooks of {store.name} deliver to {target}")
    created, kept, problems = [], [], []
    with client_for(store, max_attempts=3) as client:
        existing = [w for w in client.iter_records("webhooks") if isinstance(w, dict)]
        for topic in TOPICS:
            same = [
                w
                for w in existing
                if w.get("topic") == topic and str(w.get("delivery_url", "")).rstrip("/") == target.rstrip("/")
            ]
            if same:
                hook = same[0]
                # Our secret may have changed since it was registered: make sure it is the current one.
                update = {"secret": store.webhook_secret}
                if hook.get("status") != "active":
                    update["status"] = "active"
                answer = client.put(f"webhooks/{hook['id']}", update)
                status = (answer or {}).get("status", hook.get("status"))
                kept.append(topic)
                echo(f"  {topic}: kept webhook {hook['id']} ({status})")
            else:
                answer = client.post(
                    "webhooks",
                    {
                        "name": f"loyalty-sync {topic}",
                        "topic": topic,
                        "delivery_url": target,
                        "secret": store.webhook_secret,
                        "status": "active",
                    },
                )
                status = answer.get("status")
                created.append(topic)
                echo(f"  {topic}: created webhook {answer.get('id')} ({status})")
            if status != "active":
                problems.append(f"{topic} is {status}")
    return created, kept, problems
