"""A real LTI 1.3 tool for the tests, built on pylti1p3 (the maintained tool-side
library): a small WSGI application on loopback, in a thread. It answers the register's
OIDC login initiation, validates the launch's id_token with the register's JWKS (signature,
nonce, state, deployment, message), answers a deep linking request with a content item
signed by its own key, publishes that key, and calls NRPS and AGS with pylti1p3's service
classes (its client-credentials token request included)."""

from __future__ import annotations

import json
import re
import threading
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pylti1p3.cookie import CookieService
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem
from pylti1p3.message_launch import MessageLaunch
from pylti1p3.oidc_login import OIDCLogin
from pylti1p3.redirect import Redirect
from pylti1p3.request import Request
from pylti1p3.session import SessionService
from pylti1p3.tool_config import ToolConfDict


def new_key_pair() -> tuple[str, str]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


class ToolRequest(Request):
    def __init__(self, params: dict, session: dict):
        self._params = params
        self._session = session

    @property
    def session(self):
        return self._session

    def is_secure(self) -> bool:
        return False

    def get_param(self, key: str) -> str:
        return self._params.get(key, "")


class ToolCookies(CookieService):
    """The tool's cookies, kept on the tool's side (one browser at a time in a test)."""

    def __init__(self, jar: dict):
        self.jar = jar

    def get_cookie(self, name: str):
        return self.jar.get(name)

    def set_cookie(self, name, value, exp=3600, **kwargs):
        self.jar[name] = value


class ToolRedirect(Redirect):
    def __init__(self, location: str):
        self.location = location

    def do_redirect(self):
        return self.location

    def do_js_redirect(self):
        return self.location

    def set_redirect_url(self, location: str):
        self.location = location

    def get_redirect_url(self) -> str:
        return self.location


class ToolLogin(OIDCLogin):
    def get_redirect(self, url):
        return ToolRedirect(url)


class ToolLaunch(MessageLaunch):
    def _get_request_param(self, key: str) -> str:
        return self._request.get_param(key)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class LtiTool:
    """The tool; ``configure`` with what the register gave it, then it serves."""

    # What the tool offers a teacher who chooses content (deep linking).
    CONTENT_TITLE = "Ułamki zwykłe – quiz 3"
    CONTENT_MAXIMUM = 20

    def __init__(self):
        self.private_pem, self.public_pem = new_key_pair()
        self.session: dict = {}
        self.cookies: dict = {}
        self.launches: list[ToolLaunch] = []
        self.errors: list[str] = []
        self.config: ToolConfDict | None = None
        self.server = make_server("127.0.0.1", 0, self.app, WSGIServer, _QuietHandler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def configure(self, *, issuer: str, client_id: str, deployment_id: str):
        self.issuer = issuer
        self.config = ToolConfDict(
            {
                issuer: [
                    {
                        "default": True,
                        "client_id": client_id,
                        "auth_login_url": issuer + "/lti/auth/",
                        "auth_token_url": issuer + "/lti/token/",
                        "auth_audience": None,
                        "key_set_url": issuer + "/lti/jwks/",
                        "key_set": None,
                        "deployment_ids": [deployment_id],
                    }
                ]
            }
        )
        self.config.set_private_key(issuer, self.private_pem, client_id=client_id)
        self.config.set_public_key(issuer, self.public_pem, client_id=client_id)

    # --- WSGI ---------------------------------------------------------------------
    def app(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        params = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length).decode()
            params |= {k: v[0] for k, v in parse_qs(body).items()}
        path = environ["PATH_INFO"]
        try:
            status, headers, body = self.route(path, params)
        except Exception as exc:  # the test reads what the tool refused
            self.errors.append(f"{type(exc).__name__}: {exc}")
            status, headers, body = "400 Bad Request", [], f"refused: {exc}"
        start_response(status, [("Content-Type", "text/html; charset=utf-8"), *headers])
        return [body.encode()]

    def route(self, path: str, params: dict):
        request = ToolRequest(params, self.session)
        if path == "/jwks":
            return "200 OK", [], json.dumps(self.config.get_jwks())
        if path == "/login":
            login = ToolLogin(
                request, self.config, SessionService(request), ToolCookies(self.cookies)
            )
            location = login.redirect(self.url + "/launch")
            return "302 Found", [("Location", location)], ""
        if path == "/launch":
            launch = ToolLaunch(
                request,
                self.config,
                session_service=SessionService(request),
                cookie_service=ToolCookies(self.cookies),
            )
            launch.get_launch_data()  # validates
            self.launches.append(launch)
            if launch.is_deep_link_launch():
                return "200 OK", [], self._deep_link_answer(launch)
            return "200 OK", [], "launched"
        return "404 Not Found", [], "not found"

    def _deep_link_answer(self, launch: ToolLaunch) -> str:
        resource = (
            DeepLinkResource()
            .set_url(self.url + "/quiz/3")
            .set_title(self.CONTENT_TITLE)
            .set_lineitem(
                LineItem()
                .set_score_maximum(self.CONTENT_MAXIMUM)
                .set_label(self.CONTENT_TITLE)
                .set_resource_id("quiz-3")
                .set_tag("quiz")
            )
        )
        return launch.get_deep_link().output_response_form([resource])


class Browser:
    """A person's browser: the register's session cookie, following redirects between
    the register and the tool, and submitting the auto-posting forms as a browser's
    script would."""

    def __init__(self, session_cookie: tuple[str, str] | None = None):
        self.http = requests.Session()
        if session_cookie:
            self.http.cookies.set(*session_cookie)

    def get(self, url: str) -> requests.Response:
        return self.http.get(url, timeout=30)

    def submit_form(self, page: requests.Response) -> requests.Response:
        """Post the page's form (the register's id_token, the tool's deep linking JWT)."""
        action = re.search(r'<form[^>]*action="([^"]+)"', page.text).group(1)
        fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page.text))
        return self.http.post(action.replace("&amp;", "&"), data=fields, timeout=30)
