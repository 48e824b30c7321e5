"""``/docs`` serves Swagger UI from this server (no CDN): the page names only local assets, and
they are there. The browser test (``test_ui_browser.py``) checks that the page renders."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from test_api_helpers import api_settings

from unionqa.api.app import create_app


def test_docs_page_loads_swagger_ui_from_this_server(corpus_service, tmp_path) -> None:
    app = create_app(
        corpus_service, settings=api_settings(corpus_service, tmp_path), mount_ui=False
    )
    with TestClient(app) as client:
        page = client.get("/docs")
        assert page.status_code == 200 and "SwaggerUIBundle" in page.text
        urls = re.findall(r"""(?:src|href)=["']([^"']+)""", page.text)
        urls += re.findall(r"""url: *['"]([^'"]+)""", page.text)
        assert urls and all(u.startswith("/") for u in urls), urls
        for url in urls:
            asset = client.get(url)
            assert asset.status_code == 200 and asset.content, url
        assert client.get("/redoc").status_code == 404  # ReDoc would need a CDN
