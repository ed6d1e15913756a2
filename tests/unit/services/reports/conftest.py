from tests.unit.services.reports.county import county  # noqa: F401 - the shared fixture
