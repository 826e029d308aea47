# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTP server: Cheroot, a threaded HTTP/1.1 server with keep-alive connections, as Twilio has.

Werkzeug's development server closes every connection after one answer, so clients' connection
reuse was never exercised. Cheroot keeps connections open; one addition lets the drop faults cut
the client's connection: its WSGI gateway puts the socket in the environ (``app.SOCKET_KEY``).
"""

import socket

from cheroot import wsgi
from cheroot.ssl.builtin import BuiltinSSLAdapter

from .app import SOCKET_KEY

# A kept-alive connection idle this long is closed (Twilio's figure is not documented).
IDLE_TIMEOUT = 60
THREADS = 64


class SocketGateway(wsgi.Gateway_10):
    """WSGI 1.0 gateway that also hands the application the client's socket."""

    def get_environ(self):
        environ = super().get_environ()
        environ[SOCKET_KEY] = self.req.conn.socket
        return environ


class RestartableServer(wsgi.Server):
    """Cheroot, with SO_REUSEADDR on its listening socket even for port 0 (Cheroot leaves it off
    there). The accepted connections inherit it, so an emulator killed while clients keep
    connections open (the chaos drills) can be started again on the same port at once."""

    @staticmethod
    def bind_socket(socket_, bind_addr):
        if not isinstance(bind_addr, (str, bytes)):
            socket_.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        socket_.bind(bind_addr)
        return socket_


def quiet_error_log(msg='', level=20, traceback=False):  # pylint: disable=unused-argument
    """Cheroot reports a connection cut by a drop fault as an error; the request log has them."""


def bound_server(host, port, app, tls=None):
    """A server listening on host:port (0 = a free port, see ``server.bind_addr``), not yet serving.

    ``tls`` is (certificate file, key file) for HTTPS."""
    server = RestartableServer((host, port), app, numthreads=THREADS, timeout=IDLE_TIMEOUT, shutdown_timeout=1,
                               request_queue_size=256)
    server.gateway = SocketGateway
    server.keep_alive_conn_limit = None
    server.error_log = quiet_error_log
    if tls:
        server.ssl_adapter = BuiltinSSLAdapter(*tls)
    server.prepare()
    return server
