"""A TCP proxy a test can cut and restore, to take a database away from the service and give it back."""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit


class CuttableProxy:
    """Forwards 127.0.0.1:<port> to a target; ``cut()`` drops every connection and refuses new ones.

    ``pause()`` makes the database silent instead: connections stay open and the kernel still accepts
    new ones and acknowledges what is sent, but nothing is forwarded either way until ``resume()``,
    the way a frozen server or a network that drops packets behaves.
    """

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port: int = probe.getsockname()[1]
        probe.close()
        self._stop = threading.Event()
        self._paused = threading.Event()
        self._thread: threading.Thread | None = None
        self._listener: socket.socket | None = None

    def start(self) -> None:
        self._stop.clear()
        self._listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        self._listener.setblocking(False)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def pause(self) -> None:
        self._paused.set()

    def resume(self) -> None:
        self._paused.clear()

    def cut(self) -> None:
        self._paused.clear()
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _serve(self) -> None:
        assert self._listener is not None
        selector = selectors.DefaultSelector()
        selector.register(self._listener, selectors.EVENT_READ, None)
        peers: dict[socket.socket, socket.socket] = {}
        try:
            while not self._stop.is_set():
                if self._paused.is_set():
                    self._stop.wait(0.05)
                    continue
                for key, _ in selector.select(timeout=0.05):
                    sock = key.fileobj
                    assert isinstance(sock, socket.socket)
                    if sock is self._listener:
                        client, _ = self._listener.accept()
                        upstream = socket.create_connection(self.target)
                        for a, b in ((client, upstream), (upstream, client)):
                            a.setblocking(False)
                            peers[a] = b
                            selector.register(a, selectors.EVENT_READ, None)
                        continue
                    try:
                        data = sock.recv(65536)
                    except (BlockingIOError, InterruptedError):
                        continue
                    except OSError:
                        data = b""
                    if data:
                        peers[sock].setblocking(True)
                        peers[sock].sendall(data)
                        peers[sock].setblocking(False)
                    else:
                        self._close(sock, peers, selector)
        finally:
            for sock in list(peers):
                self._close(sock, peers, selector)
            selector.close()
            self._listener.close()

    @staticmethod
    def _close(
        sock: socket.socket, peers: dict[socket.socket, socket.socket], selector: selectors.BaseSelector
    ) -> None:
        other = peers.pop(sock, None)
        for s in (sock, other):
            if s is None:
                continue
            peers.pop(s, None)
            with contextlib.suppress(KeyError, ValueError):
                selector.unregister(s)
            s.close()


@contextlib.contextmanager
def proxied(url: str) -> Iterator[tuple[CuttableProxy, str]]:
    """A started proxy to the PostgreSQL server of ``url``, and ``url`` rewritten to go through it."""
    parts = urlsplit(url)
    proxy = CuttableProxy((parts.hostname or "127.0.0.1", parts.port or 5432))
    user, at, _ = parts.netloc.rpartition("@")
    proxy.start()
    try:
        yield proxy, urlunsplit(parts._replace(netloc=f"{user}{at}127.0.0.1:{proxy.port}"))
    finally:
        proxy.cut()
