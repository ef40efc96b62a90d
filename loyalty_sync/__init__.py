"""loyalty-sync: a loyalty-program backend for WooCommerce shops.

The core, in layers (ARCHITECTURE.md): `engine` (pure rules), `models`,
`woocommerce` (the REST client), `books` (the ledger and how facts enter it),
`store_sync` (talking to the store), `analysis` (read-only figures),
`actions` (what admins and members do), `cli`; `app.create_app` on top
composes the core with its wings (admin, storefront, sync_jobs).
"""
