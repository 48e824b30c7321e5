"""Schemathesis against the app's own OpenAPI schema: generated requests (valid and invalid) to
every operation, at most 30 examples each, must never get a 5xx or a status code the schema does
not declare, and JSON bodies must match the declared schemas.

Runs with an API key and an admin key configured, so upload/delete are exercised too (with
generated files, which are refused as unsupported or stored in this test's own index)."""

from __future__ import annotations

import pytest
import schemathesis
from fixtures import CORPUS, make_settings
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from test_api_helpers import api_settings

from unionqa.api.app import create_app
from unionqa.service import QAService

KEY, ADMIN = "schema-key", "schema-admin"


@pytest.fixture(scope="module")
def api_schema(corpus_service, tmp_path_factory):
    data = tmp_path_factory.mktemp("schema")
    svc = QAService(make_settings(data / "index"), embeddings=corpus_service.embeddings)
    assert not svc.ingest([CORPUS]).failed
    app_settings = api_settings(svc, data, api_keys=KEY, admin_keys=ADMIN, quota_per_minute=0)
    app = create_app(svc, settings=app_settings, mount_ui=False)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


# schemathesis' own pytest plugin (from_fixture/parametrize) does not work with pytest 9 yet, so the
# operations are driven here with hypothesis directly: 15 valid + 15 invalid examples each.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_api_conforms_to_its_openapi_schema(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.label for op in operations} >= {
        "POST /v1/ask",
        "POST /v1/ask/stream",
        "POST /v1/chat/completions",
        "POST /v1/documents",
        "DELETE /v1/documents/{doc_id}",
        "POST /v1/feedback",
        "GET /readyz",
    }
    for op in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=op.as_strategy(generation_mode=mode))
            @settings(
                max_examples=15,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            def check(case):
                case.call_and_validate(headers={"Authorization": f"Bearer {ADMIN}"}, checks=CHECKS)

            try:
                check()
            except Unsatisfiable:  # nothing to make invalid: the operation takes no input
                assert mode is GenerationMode.NEGATIVE
