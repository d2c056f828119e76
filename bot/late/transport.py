"""An httpx transport over one pooled aiohttp session.

httpx stays the client API (and `httpx.MockTransport` serves the sandbox), but httpcore's pool
re-checks every idle connection on each request and looks up sniffio on every lock, which makes it
several times slower than aiohttp's C-parser pool on keep-alive connections. Errors and timeouts are
mapped back onto httpx's own exception types, so callers see exactly what httpcore would raise.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Mapping
from urllib.request import getproxies, proxy_bypass

import aiohttp
import httpx

# Let aiohttp frame the body itself; httpx already set Host, Accept and the rest.
_SKIP_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})


class AiohttpTransport(httpx.AsyncBaseTransport):
    def __init__(self, *, max_connections: int = 100, keepalive: float = 4.0) -> None:
        # Idle connections are dropped before a server would (Node's default is 5 s): a request sent
        # on a connection the server has just closed fails in a way that looks like a lost answer.
        self._max_connections = max_connections
        self._keepalive = keepalive
        self._session: aiohttp.ClientSession | None = None
        # Proxy settings are read once: aiohttp's trust_env reads them (and .netrc) in a worker thread on
        # every request, which costs a thread hop, about 1 ms, per call.
        self._proxies = getproxies()
        self._bypass: dict[str, bool] = {}

    def _open(self) -> aiohttp.ClientSession:
        # Created on first use so that it binds to the running loop, never to an import-time one.
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self._max_connections, keepalive_timeout=self._keepalive)
            # httpx decodes Content-Encoding itself, so aiohttp must hand over the raw bytes.
            session = aiohttp.ClientSession(connector=connector, auto_decompress=False)
            if hasattr(session, "_retry_connection"):
                # aiohttp silently resends a GET/PUT/DELETE once when the connection drops. Our session
                # decides retries itself and must know an attempt may have reached Late (a DELETE whose
                # answer was lost comes back 404 the second time), so the transport must not hide one.
                session._retry_connection = False
            self._session = session
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._open()
        body: bytes | AsyncIterable[bytes] | None
        skip = _SKIP_HEADERS
        stream = request.stream
        if not isinstance(stream, httpx.AsyncByteStream) or isinstance(stream, httpx.ByteStream) \
                or "content-length" not in request.headers:
            body = await request.aread() or None
        else:
            # A streamed upload (media to Late's storage): sent as it is read, never held whole, with
            # the Content-Length the storage needs (a presigned PUT takes no chunked encoding).
            body = stream
            skip = _SKIP_HEADERS - {"content-length"}
        headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() not in skip]
        timeout = _timeout(request.extensions.get("timeout", {}))
        try:
            async with session.request(
                request.method,
                str(request.url),
                headers=headers,
                data=body,
                timeout=timeout,
                allow_redirects=False,
                proxy=self._proxy_for(request.url),
                skip_auto_headers=("Accept-Encoding", "User-Agent", "Accept"),
            ) as answer:
                content = await answer.read()
                raw = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in answer.raw_headers]
                return httpx.Response(answer.status, headers=raw, content=content, request=request)
        except aiohttp.ConnectionTimeoutError as exc:
            raise httpx.ConnectTimeout(str(exc) or "connect timed out", request=request) from exc
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise httpx.ReadTimeout(str(exc) or "read timed out", request=request) from exc
        except aiohttp.ClientConnectorError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        except aiohttp.ServerDisconnectedError as exc:
            raise httpx.RemoteProtocolError(str(exc) or "server disconnected", request=request) from exc
        except (aiohttp.ClientOSError, aiohttp.ClientPayloadError) as exc:
            raise httpx.ReadError(str(exc), request=request) from exc
        except aiohttp.ClientResponseError as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from exc
        except aiohttp.ClientError as exc:
            raise httpx.TransportError(str(exc), request=request) from exc

    def _proxy_for(self, url: httpx.URL) -> str | None:
        proxy = self._proxies.get(url.scheme) or self._proxies.get("all")
        if not proxy:
            return None
        bypass = self._bypass.get(url.host)
        if bypass is None:
            bypass = self._bypass[url.host] = bool(proxy_bypass(url.host))
        return None if bypass else proxy

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _timeout(values: Mapping[str, float | None]) -> aiohttp.ClientTimeout:
    connect, read, pool = values.get("connect"), values.get("read"), values.get("pool")
    # aiohttp's `connect` covers waiting for a pooled connection as well as opening one.
    total_connect = None if connect is None or pool is None else connect + pool
    return aiohttp.ClientTimeout(total=None, connect=total_connect, sock_connect=connect, sock_read=read)
