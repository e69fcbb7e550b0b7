"""Sourcing's tests read the services' messages in English unless a test asks for another language (a request
through the test client activates the request's language for the thread; each test starts from English)."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_messages():
    translation.activate("en")
    yield
    translation.deactivate()
