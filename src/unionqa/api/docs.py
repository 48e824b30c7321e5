"""The interactive API reference at ``/docs``, served with no CDN: Swagger UI's files come from
the ``swagger-ui-bundle-v2`` package and are mounted at ``/docs/static`` (an air-gapped hotline
gets a working page)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from ..settings import APISettings

STATIC = "/docs/static"


def add_docs(app: FastAPI) -> None:
    """``/docs`` with Swagger UI's script, style and icon from this server (create the app with
    ``docs_url=None``)."""
    from swagger_ui_bundle import swagger_ui_path

    app.mount(STATIC, StaticFiles(directory=str(swagger_ui_path)), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=root + (app.openapi_url or "/openapi.json"),
            title=f"{app.title} · 接口文档",
            swagger_js_url=f"{root}{STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{root}{STATIC}/favicon-32x32.png",
        )


def document_limits(app: FastAPI, api: APISettings) -> None:
    """The OpenAPI schema states the length the server enforces (a setting, so not in the
    models: there an over-long question would get pydantic's error, not ``question_too_long``)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schemas = build()["components"]["schemas"]
            for name in ("AskRequest", "SearchRequest"):
                schemas[name]["properties"]["question"]["maxLength"] = api.max_question_chars
            history = schemas["AskRequest"]["properties"]["history"]
            history["items"]["maxLength"] = api.max_question_chars
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]
