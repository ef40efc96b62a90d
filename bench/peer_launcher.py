"""Runs airbyte-source-woocommerce with our woosim CA trusted.

Executed by the peer's own venv (bench/.venv-peer), never imported by ours.
The CDK sends with Session.send(), which ignores REQUESTS_CA_BUNDLE and
friends, so the only way in without touching the venv is requests' default
bundle path (PEER-airbyte.md, "Making the peer trust a locally generated CA").
"""

import os

import requests.adapters

requests.adapters.DEFAULT_CA_BUNDLE_PATH = os.environ["PEER_CA_BUNDLE"]

from source_woocommerce.run import run  # noqa: E402

run()
