"""The web API checked against its own OpenAPI description with schemathesis
(generated requests; no 5xx, documented status codes and content types, bodies
matching the declared schemas). Bounded: a few dozen examples per operation."""
from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from fastapi.testclient import TestClient  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

from dossier_check.limits import Limits  # noqa: E402
from dossier_check.web.app import WebSettings, create_app  # noqa: E402

APP = create_app(WebSettings(workers=1, soffice="none", analysis=False, max_request_bytes=1_000_000,
                             max_files=4, max_file_bytes=200_000, limits=Limits(timeout_seconds=20)))


@pytest.fixture(scope="module", autouse=True)
def running_service(tmp_path_factory):
    """Start the check workers (the app's lifespan) for the whole module."""
    with TestClient(APP):
        yield


# The issue asks for 413 on a request over a request limit (too many files, too
# large): schemathesis accepts it as a rejection of invalid data.
CONFIG = schemathesis.config.SchemathesisConfig.from_dict({"checks": {"negative_data_rejection": {
    "expected-statuses": ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429",
                          "5xx"]}}})
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_api_conforms_to_its_openapi_description(case):
    case.call_and_validate()
