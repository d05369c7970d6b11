"""A pooled connection is pinged before use only when it has lain idle.

SQLAlchemy's ``pool_pre_ping`` sends ``SELECT 1`` at every checkout: one more round trip to
the database for every session, every request's several. Where the database is on another
machine that round trip is most of a short read's wait. A connection handed back moments ago
is as alive as the database: it is pinged only once it has been idle for longer than
``IDLE_BEFORE_PING`` (a restart, a failover, a proxy's or firewall's idle timeout all come
after a pause). A connection that fails its ping is replaced, and every pooled connection
older than it with it, as ``pool_pre_ping`` does; a database that went away within the idle
window fails the statement instead, as it would have done a moment later.

The pool hands out the most recently returned connection first (``pool_use_lifo``), so the
sessions one request opens one after another reuse one warm connection, and connections left
over from a busy spell lie idle (and are pinged) rather than being cycled through.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, event, exc

IDLE_BEFORE_PING = 1.0  # seconds
_RETURNED_AT = "grantflow_returned_at"


def ping_when_idle(engine: Engine) -> None:
    """Ping ``engine``'s pooled connections at checkout when they were returned more than
    ``IDLE_BEFORE_PING`` seconds ago (read at each checkout); a newly opened connection is
    not pinged."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _taken(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned_at = record.info.get(_RETURNED_AT)
        if returned_at is None or time.monotonic() - returned_at <= IDLE_BEFORE_PING:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            # The pool replaces this connection and every older one, and tries again.
            raise exc.InvalidatePoolError(f"connection failed its ping: {error}") from error
