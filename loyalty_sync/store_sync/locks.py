"""Passes of one store never overlap, across threads and processes.

PostgreSQL: a session advisory lock per store (released by the server if the
holder dies, even on SIGKILL). SQLite: an exclusive `flock` on a file next to
the database (released by the kernel when the process dies).
"""

import contextlib
import fcntl
import os
import threading
from pathlib import Path

from flask import current_app

from loyalty_sync.extensions import db

_ADVISORY_NAMESPACE = 0x4C59  # "LY": keeps our lock ids apart from other apps' on a shared server
_thread_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()


class StoreLocked(Exception):
    """Another pass of this store is running."""


@contextlib.contextmanager
def store_lock(store_id: int, *, wait: bool = False):
    name = f"store-{store_id}"
    with _guard:
        local = _thread_locks.setdefault(name, threading.Lock())
    if not local.acquire(blocking=wait):
        raise StoreLocked(name)
    try:
        if db.engine.dialect.name == "postgresql":
            with _advisory(store_id, wait):
                yield
        else:
            with _file_lock(name, wait):
                yield
    finally:
        local.release()


@contextlib.contextmanager
def _advisory(store_id: int, wait: bool):
    connection = db.engine.connect()
    try:
        if wait:
            connection.exec_driver_sql(f"SELECT pg_advisory_lock({_ADVISORY_NAMESPACE}, {int(store_id)})")
        else:
            got = connection.exec_driver_sql(
                f"SELECT pg_try_advisory_lock({_ADVISORY_NAMESPACE}, {int(store_id)})"
            ).scalar()
            if not got:
                raise StoreLocked(f"store-{store_id}")
        connection.commit()
        try:
            yield
        finally:
            connection.exec_driver_sql(f"SELECT pg_advisory_unlock({_ADVISORY_NAMESPACE}, {int(store_id)})")
            connection.commit()
    finally:
        connection.close()


@contextlib.contextmanager
def _file_lock(name: str, wait: bool):
    handle = open(lock_path(name), "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreLocked(name) from None
        yield
    finally:
        handle.close()


def lock_path(name: str) -> Path:
    """Lock files live beside the SQLite database, so two apps on two databases never collide."""
    url = db.engine.url
    base = (
        Path(url.database).resolve().parent
        if url.database and url.database != ":memory:"
        else Path(current_app.instance_path)
    )
    folder = base / f".locks-{Path(url.database or 'memory').name}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.lock"


@contextlib.contextmanager
def exclusive_file_lock(name: str):
    """Held for the whole life of a process (the single SQLite worker)."""
    handle = open(lock_path(name), "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise StoreLocked(name) from None
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()
